/**
 * The live cpu_distribution in a real terminal (tmux): the first screen within the pane, and Ctrl-C ending it.
 * Every wait is bounded; the tmux server is private to this test (-L) and killed at the end.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { requireOr } from '../helpers/require';

const hasTmux = spawnSync('sh', ['-c', 'command -v tmux'], { stdio: 'ignore' }).status === 0;
const SOCKET = `psutil-tools-${process.pid}`;
const tmux = (...args: string[]): string => {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

async function until(what: string, ok: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

requireOr(hasTmux, 'no tmux (apt-get install tmux)').test(
  'cpu_distribution: a screen of CPUs and names in an 80x12 pane, Ctrl-C ends it',
  async () => {
    const bin = path.join(__dirname, '..', '..', 'dist', 'tools', 'bin.js');
    // The tool is the pane's own command (a shell around it would take the Ctrl-C too and close the pane); the pane
    // stays after it ends so the end can be seen.
    tmux('new-session', '-d', '-x', '80', '-y', '12', process.execPath, bin, 'cpu_distribution');
    tmux('set-option', '-w', 'remain-on-exit', 'on');
    try {
      let screen = '';
      await until('the first frame', () => (screen = tmux('capture-pane', '-p')).includes('CPU 0'));
      const lines = screen.split('\n');
      const head = lines.findIndex((l) => l.startsWith('CPU 0'));
      // Header at the top, then one percent per CPU as a Python float, then names cut to 5 characters.
      expect(head).toBe(0);
      expect(lines[1]).toMatch(/^\d+\.\d+ +/);
      expect(lines.slice(2).every((l) => l.split(/\s+/).every((n) => [...n].length <= 5))).toBe(true);
      tmux('send-keys', 'C-c');
      // Raw mode delivers Ctrl-C as a key: the view quits and restores the terminal (tmux_live.test.ts checks how).
      await until('the exit', () => tmux('list-panes', '-F', '#{pane_dead}').trim() === '1');
    } finally {
      spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore', timeout: 10000 });
    }
  },
);
