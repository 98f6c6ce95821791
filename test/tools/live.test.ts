/**
 * `psutil <tool>` on this machine, checked against the classic tools (procps free/ps, coreutils df, iproute2 ip) and
 * the reference psutil for the values they share, and the built `psutil` command for its exit codes and stderr.
 * Values that move between two reads (free memory, CPU) are compared within a tolerance.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { bytes2human } from '../../src/tools/format';
import { PYTHON } from '../helpers/oracle';
import { requireOr } from '../helpers/require';
import { run } from './run';

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const sh = (cmd: string, args: string[]): string => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

function spawnQuiet(cmd: string, args: string[]): ChildProcess {
  return spawn(cmd, args, { stdio: 'ignore' });
}

/** Waits (bounded) until a child's exit; the exit signal or code. */
function exited(c: ChildProcess, ms = 10000): Promise<NodeJS.Signals | number | null> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c.signalCode ?? c.exitCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`pid ${c.pid} still running after ${ms} ms`)), ms);
    c.once('exit', (code, sig) => {
      clearTimeout(t);
      resolve(sig ?? code);
    });
  });
}

requireOr(has('free'), 'no free (apt-get install procps)').test(
  'free: total, shared and buffers as procps free -w -k prints them',
  async () => {
    const r = await run(['free']);
    expect(r.code).toBe(0);
    const ours = (r.lines[1] as string).trim().split(/\s+/).slice(1).map(Number);
    // procps -w: total used free shared buffers cache available.
    const mem = (sh('free', ['-w', '-k']).split('\n')[1] as string).trim().split(/\s+/).slice(1).map(Number);
    expect(ours[0]).toBe(mem[0]);
    // used is total - available in both (psutil 7.1+ and procps 4.0.1+); memory moves between the two reads.
    expect(Math.abs((ours[1] as number) - (mem[1] as number))).toBeLessThan(256 * 1024);
    expect(Math.abs((ours[3] as number) - (mem[3] as number))).toBeLessThan(64 * 1024);
    expect(Math.abs((ours[4] as number) - (mem[4] as number))).toBeLessThan(64 * 1024);
    expect(Math.abs((ours[5] as number) - (mem[5] as number))).toBeLessThan(256 * 1024);
  },
);

requireOr(has('df'), 'no df (coreutils)').test('df: the root filesystem with the size df -k reports', async () => {
  const r = await run(['df']);
  const root = r.lines.find((l) => l.endsWith('  /'));
  expect(root).toBeDefined();
  const [, blocks, used, avail] = (sh('df', ['-k', '/']).split('\n')[1] as string)
    .trim()
    .split(/\s+/)
    .map((x, i) => (i === 0 ? 0 : Number(x)));
  const cols = (root as string).trim().split(/\s+/);
  // Device, Total, Used, Free, Use%, Type, Mount: Total is exact, Used and Free move with other writers.
  expect(cols[cols.length - 6]).toBe(bytes2human((blocks as number) * 1024));
  const near = (s: string, kib: number): boolean =>
    Math.abs(Number.parseFloat(s) - Number.parseFloat(bytes2human(kib * 1024))) <= 0.2;
  expect(near(cols[cols.length - 5] as string, used as number)).toBe(true);
  expect(near(cols[cols.length - 4] as string, avail as number)).toBe(true);
});

requireOr(has('ps'), 'no ps (apt-get install procps)').test('ps: a niced sleep as procps ps sees it', async () => {
  const child = spawnQuiet('nice', ['-n', '7', 'sleep', '30']);
  try {
    // nice execs sleep: wait until the pid shows sleep's comm.
    for (let i = 0; i < 100 && sh('ps', ['-o', 'comm=', '-p', String(child.pid)]).trim() !== 'sleep'; i++)
      await new Promise((r) => setTimeout(r, 50));
    const r = await run(['ps'], { env: { COLUMNS: '200' } });
    const row = r.lines.find((l) => l.slice(11, 16).trim() === String(child.pid));
    expect(row).toBeDefined();
    const [user, , vszK, rssK, ni] = sh('ps', ['-o', 'user=,pid=,vsz=,rss=,ni=', '-p', String(child.pid)])
      .trim()
      .split(/\s+/);
    const c = (row as string).trim().split(/\s+/);
    expect(c[0]).toBe((user as string).slice(0, 9));
    expect(c[3]).toBe(bytes2human(Number(vszK) * 1024));
    expect(c[4]).toBe(bytes2human(Number(rssK) * 1024));
    expect([c[5], ni]).toEqual(['7', '7']);
    expect(c.slice(6, 7).concat(c.slice(-2))).toEqual(['sleep', 'sleep', '30']);
    expect(c[8]).toBe('00:00');
  } finally {
    child.kill();
    await exited(child);
  }
});

requireOr(has('ip'), 'no ip (apt-get install iproute2)').test(
  'ifconfig: every IPv4 address and MTU ip -j addr lists',
  async () => {
    const r = await run(['ifconfig']);
    expect(r.code).toBe(0);
    const links = JSON.parse(sh('ip', ['-j', 'addr'])) as Array<{
      ifname: string;
      mtu: number;
      addr_info: Array<{ family: string; local: string }>;
    }>;
    const blocks = new Map(
      r.out
        .split('\n\n')
        .filter(Boolean)
        .map((b) => [b.split(':\n')[0] as string, b]),
    );
    let seen = 0;
    for (const l of links) {
      const v4 = l.addr_info.filter((a) => a.family === 'inet');
      if (v4.length === 0) continue;
      const b = blocks.get(l.ifname);
      expect(b).toBeDefined();
      expect(b).toContain(`, mtu=${l.mtu}, `);
      for (const a of v4) expect(b).toContain(`    IPv4 address   : ${a.local}\n`);
      seen++;
    }
    expect(seen).toBeGreaterThan(0);
  },
);

test('netstat: a socket this process listens on, with its pid and name', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as net.AddressInfo).port;
    const r = await run(['netstat']);
    const row = r.lines.find((l) => l.startsWith(`tcp   127.0.0.1:${port} `));
    expect(row).toBeDefined();
    const comm = fs.readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim();
    expect((row as string).slice(68).trim().split(/\s+/)).toEqual(['LISTEN', String(process.pid), comm.slice(0, 15)]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

const hasOracle = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import psutil'], { stdio: 'ignore' }).status === 0;

requireOr(hasOracle, 'no /usr/bin/python3 with psutil (apt-get install python3-psutil)').test(
  'pmap: the rows and RSS total of psutil memory_maps(grouped=False)',
  async () => {
    const child = spawnQuiet('sleep', ['30']);
    try {
      for (let i = 0; i < 100 && !fs.readFileSync(`/proc/${child.pid}/comm`, 'utf8').startsWith('sleep'); i++)
        await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200));
      const r = await run(['pmap', String(child.pid)]);
      expect(r.code).toBe(0);
      const script = `import psutil, json\nfrom psutil._common import bytes2human\nm = psutil.Process(${child.pid}).memory_maps(grouped=False)\nprint(json.dumps([len(m), bytes2human(sum(x.rss for x in m))]))`;
      const [count, total] = JSON.parse(sh(PYTHON, ['-c', script])) as [number, string];
      expect(r.lines).toHaveLength(count + 4);
      expect(r.lines[r.lines.length - 2]).toBe(`Total${' '.repeat(15)} ${total.padStart(10)}  ${' '.repeat(7)} `);
      expect(r.lines[r.lines.length - 1]).toBe(`PID = ${child.pid}, name = sleep`);
    } finally {
      child.kill();
      await exited(child);
    }
  },
);

test('killall: SIGTERM to every process of that name, then no process found', async () => {
  // A name no other process on the machine has: a copy of sleep under a random name.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psutil-killall-'));
  const name = `pskt${process.pid}${Math.floor(Math.random() * 1000)}`.slice(0, 15);
  const exe = path.join(dir, name);
  fs.copyFileSync(fs.realpathSync('/bin/sleep'), exe);
  fs.chmodSync(exe, 0o755);
  const kids = [spawnQuiet(exe, ['30']), spawnQuiet(exe, ['30'])];
  try {
    for (const k of kids) {
      for (let i = 0; i < 100 && !fs.readFileSync(`/proc/${k.pid}/comm`, 'utf8').startsWith(name); i++)
        await new Promise((r) => setTimeout(r, 50));
    }
    const r = await run(['killall', name]);
    expect(r).toMatchObject({ code: 0, out: '', err: '' });
    expect(await Promise.all(kids.map((k) => exited(k)))).toEqual(['SIGTERM', 'SIGTERM']);
    expect(await run(['killall', name])).toMatchObject({
      code: 1,
      err: `psutil: killall: ${name}: no process found\n`,
    });
  } finally {
    for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    await Promise.all(kids.map((k) => exited(k)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the built command: a bad pid is one line on stderr and exit 1, no stack trace', () => {
  const bin = path.join(__dirname, '..', '..', 'dist', 'tools', 'bin.js');
  const r = spawnSync(process.execPath, [bin, 'procinfo', '2147483647'], { encoding: 'utf8', timeout: 30000 });
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe('psutil: procinfo: process PID not found (pid=2147483647)\n');
  const ok = spawnSync(process.execPath, [bin, 'meminfo', '--json'], { encoding: 'utf8', timeout: 30000 });
  expect(ok.status).toBe(0);
  expect(Object.keys((JSON.parse(ok.stdout) as { memory: object }).memory)).toContain('available');
});
