/**
 * The live views (top, iotop, nettop, cpu_distribution) in a real terminal (tmux): the first screen, a refresh, and
 * `q` / Ctrl-C ending them with exit 0 and the terminal as it was (main screen, cursor shown, cooked mode: stty run
 * after the tool in the same pane reports icanon and echo back on). Every wait is bounded; the tmux server is
 * private to this test (-L) and killed after each test.
 */
import { spawnSync } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { requireOr } from '../helpers/require';

const hasTmux = spawnSync('sh', ['-c', 'command -v tmux'], { stdio: 'ignore' }).status === 0;
const SOCKET = `psutil-live-${process.pid}`;
const BIN = path.join(__dirname, '..', '..', 'dist', 'tools', 'bin.js');
const tmux = (...args: string[]): string => {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const screen = (): string => tmux('capture-pane', '-p');

async function until(what: string, ok: () => boolean, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs `psutil <tool>` in a 100x30 pane under sh, which prints the exit code and the tty's modes after it; `key`
 * quits it. `refreshed` tells a later screen from the first.
 */
async function drive(
  tool: string,
  first: (s: string) => boolean,
  refreshed: ((a: string, b: string) => boolean) | null,
  key: string,
): Promise<void> {
  const script = `"${process.execPath}" "${BIN}" ${tool}; echo "rc=$?"; stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\?icanon\\|-\\?echo'; sleep 60`;
  tmux('new-session', '-d', '-x', '100', '-y', '30', 'sh', '-c', script);
  try {
    let a = '';
    await until(`${tool}'s first screen`, () => first((a = screen())));
    // Drawn on the alternate screen with the cursor hidden.
    expect(tmux('display', '-p', '#{alternate_on} #{cursor_flag}').trim()).toBe('1 0');
    if (refreshed) {
      let b = '';
      await until(`${tool}'s refresh`, () => first((b = screen())) && refreshed(a, b));
    }
    tmux('send-keys', key);
    // The exit code, then stty's two modes (written a moment later).
    await until(`${tool}'s exit`, () => /^rc=\d+$/m.test(screen()) && /^-?echo$/m.test(screen()));
    const after = screen();
    expect(after).toMatch(/^rc=0$/m);
    // Cooked mode again (raw mode turns both off), main screen, cursor shown.
    expect(after).toMatch(/^icanon$/m);
    expect(after).toMatch(/^echo$/m);
    expect(tmux('display', '-p', '#{alternate_on} #{cursor_flag}').trim()).toBe('0 1');
  } finally {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore', timeout: 10000 });
  }
}

const t = requireOr(hasTmux, 'no tmux (apt-get install tmux)').test;
const uptimeOf = (s: string): string | undefined => s.match(/Uptime: (.*)$/m)?.[1];

t(
  'top: CPU bars and the process table, the uptime ticking, q quits',
  async () => {
    await drive(
      'top',
      (s) =>
        /^ CPU0 +\[[| ]{40}\] +\d+\.\d%$/m.test(s) && /^PID +USER +NI +VIRT +RES +CPU% +MEM% +TIME\+ +NAME/m.test(s),
      (a, b) => uptimeOf(a) !== uptimeOf(b),
      'q',
    );
  },
  60000,
);

t(
  'top: Ctrl-C quits too',
  async () => {
    await drive('top', (s) => s.includes(' Load average: '), null, 'C-c');
  },
  60000,
);

t(
  'nettop: lo with its counters, the totals moving under traffic, q quits',
  async () => {
    // Traffic on lo while it runs, so a later screen's counters differ from the first's.
    const server = http.createServer((_q, r) => r.end('x'.repeat(4096)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    let going = true;
    const load = (async () => {
      while (going) {
        await new Promise<void>((r) => http.get({ port, host: '127.0.0.1' }, (res) => res.resume().on('end', r)));
      }
    })();
    try {
      const lo = (s: string): string | undefined => s.match(/^lo +TOTAL +PER-SEC\n(bytes-sent.*)$/m)?.[1];
      await drive(
        'nettop',
        (s) => /^total bytes: +sent: /m.test(s) && lo(s) !== undefined,
        (a, b) => lo(a) !== lo(b),
        'q',
      );
    } finally {
      going = false;
      await load;
      await new Promise((r) => server.close(r));
    }
  },
  60000,
);

t(
  'iotop: the totals and the header, q quits',
  async () => {
    await drive(
      'iotop',
      (s) => /^Total DISK READ: .*\/s \| Total DISK WRITE: .*\/s$/m.test(s) && s.includes('COMMAND'),
      null,
      'q',
    );
  },
  60000,
);

t(
  'cpu_distribution: q quits',
  async () => {
    await drive('cpu_distribution', (s) => /^CPU 0 /m.test(s), null, 'q');
  },
  60000,
);
