/**
 * psutil's scripts/iotop.py (5.9 layout): the system's disk read and write rates, then each process's, sorted by
 * read+write (largest first). Processes whose I/O counters cannot be read are left out, as psutil does. Live on a
 * terminal, refreshed each second; --once prints one frame measured over 0.1 s.
 * Fixed: the rates are per second over the time measured, with `/s` (psutil prints raw deltas over a 0.5 s window
 * without a unit, so every figure is half the rate); the first frame is a measured sample (psutil's is a 0 s one).
 */
import type { Process, ProcessIoCounters } from '../index';
import { bytes2human, ljust, rjust } from './format';
import { live, plain, type Line } from './screen';
import { attempt, ToolError, type Tool, type ToolEnv } from './tool';

const row = (c: readonly string[]): string =>
  `${ljust(c[0] as string, 5)} ${ljust(c[1] as string, 7)} ${rjust(c[2] as string, 11)} ${rjust(c[3] as string, 11)}  ` +
  (c[4] as string);

export const IOTOP_HEADER = row(['PID', 'USER', 'DISK READ', 'DISK WRITE', 'COMMAND']);

const rate = (bytes: number): string => `${bytes2human(bytes)}/s`;

/** The previous sample: the system's counters, each process's (keyed by the Process object: a reused pid is new). */
interface State {
  at: number;
  disk: { readBytes: number; writeBytes: number } | null;
  procs: WeakMap<Process, ProcessIoCounters>;
}

function take(env: ToolEnv, state: State): { dt: number; disk: State['disk']; rows: string[][] } {
  const at = performance.now() / 1000;
  const dt = at - state.at;
  const disk = env.ps.diskIoCounters();
  const procs = new WeakMap<Process, ProcessIoCounters>();
  const rows: { total: number; cells: string[] }[] = [];
  for (const p of env.ps.processIter()) {
    const io = attempt(() => p.ioCounters());
    if (io === null) continue;
    procs.set(p, io);
    const before = state.procs.get(p);
    const r = before ? (io.readBytes - before.readBytes) / dt : 0;
    const w = before ? (io.writeBytes - before.writeBytes) / dt : 0;
    const cmdline = attempt(() => p.cmdline())?.join(' ');
    const command = cmdline || (attempt(() => p.name()) ?? '');
    const user = [...(attempt(() => p.username()) ?? '')].slice(0, 7).join('');
    rows.push({ total: r + w, cells: [String(p.pid), user, rate(r), rate(w), command] });
  }
  const prev = state.disk;
  state.at = at;
  state.disk = disk;
  state.procs = procs;
  // A stable sort: equal rates keep pid order.
  rows.sort((a, b) => b.total - a.total);
  return {
    dt,
    disk:
      disk && prev
        ? { readBytes: disk.readBytes - prev.readBytes, writeBytes: disk.writeBytes - prev.writeBytes }
        : null,
    rows: rows.map((r) => r.cells),
  };
}

export function frame(env: ToolEnv, state: State, width: number | null): Line[] {
  const s = take(env, state);
  const read = s.disk ? s.disk.readBytes / s.dt : 0;
  const write = s.disk ? s.disk.writeBytes / s.dt : 0;
  return [
    `Total DISK READ: ${rate(read)} | Total DISK WRITE: ${rate(write)}`,
    width === null ? IOTOP_HEADER : [{ sgr: '7', text: ljust(IOTOP_HEADER, width) }],
    ...s.rows.map(row),
  ];
}

export const iotop: Tool = {
  name: 'iotop',
  synopsis: '[--once]',
  summary: 'disk I/O rates per process (live; --once for one frame)',
  json: false,
  async run(env) {
    if (!env.flags.once && !env.isTTY)
      throw new ToolError('iotop is a live view and stdout is not a terminal (use --once)');
    const state: State = { at: 0, disk: null, procs: new WeakMap() };
    take(env, state);
    await env.sleep(100);
    if (env.flags.once) {
      for (const l of frame(env, state, null)) env.out(plain(l));
      return 0;
    }
    return live(env, 1000, (_rows, cols) => frame(env, state, cols));
  },
};
