/**
 * psutil's scripts/nettop.py (5.9 layout): total bytes and packets, then one block per NIC (the busiest first, by
 * the sum of its counters as psutil sorts) with each counter's total and rate. Live on a terminal, refreshed each
 * second; --once prints one frame measured over 0.1 s.
 * Fixed: PER-SEC is per second over the time measured (psutil prints the delta over 0.5 s, half the rate).
 */
import type { NetIoCounters } from '../index';
import { bytes2human, ljust, rjust } from './format';
import { live, plain, type Line } from './screen';
import { ToolError, type Tool, type ToolEnv } from './tool';

const row = (a: string, b: string, c: string): string => `${ljust(a, 15)} ${rjust(b, 15)} ${rjust(c, 15)}`;

interface State {
  at: number;
  nics: Readonly<Record<string, NetIoCounters>>;
}

const sum = (c: NetIoCounters): number =>
  c.bytesSent + c.bytesRecv + c.packetsSent + c.packetsRecv + c.errin + c.errout + c.dropin + c.dropout;

export function frame(env: ToolEnv, state: State, width: number | null): Line[] {
  const at = performance.now() / 1000;
  const dt = at - state.at;
  const tot = env.ps.netIoCounters();
  const nics = env.ps.netIoCounters({ pernic: true });
  const before = state.nics;
  state.at = at;
  state.nics = nics;
  const lines: Line[] = [
    `total bytes:           sent: ${ljust(bytes2human(tot?.bytesSent ?? 0), 10)}   received: ${bytes2human(tot?.bytesRecv ?? 0)}`,
    `total packets:         sent: ${ljust(String(tot?.packetsSent ?? 0), 10)}   received: ${tot?.packetsRecv ?? 0}`,
    '',
  ];
  // psutil's order: the sum of all counters, largest first; a stable sort keeps /proc/net/dev's order on ties.
  const names = Object.keys(nics).sort((a, b) => sum(nics[b] as NetIoCounters) - sum(nics[a] as NetIoCounters));
  for (const name of names) {
    const now = nics[name] as NetIoCounters;
    const was = before[name];
    const per = (f: (c: NetIoCounters) => number): number => (was ? (f(now) - f(was)) / dt : 0);
    const head = row(name, 'TOTAL', 'PER-SEC');
    lines.push(width === null ? head : [{ sgr: '7', text: ljust(head, width) }]);
    lines.push(row('bytes-sent', bytes2human(now.bytesSent), `${bytes2human(per((c) => c.bytesSent))}/s`));
    lines.push(row('bytes-recv', bytes2human(now.bytesRecv), `${bytes2human(per((c) => c.bytesRecv))}/s`));
    lines.push(row('pkts-sent', String(now.packetsSent), String(Math.round(per((c) => c.packetsSent)))));
    lines.push(row('pkts-recv', String(now.packetsRecv), String(Math.round(per((c) => c.packetsRecv)))));
    lines.push('');
  }
  return lines;
}

export const nettop: Tool = {
  name: 'nettop',
  synopsis: '[--once]',
  summary: 'network traffic and rates per NIC (live; --once for one frame)',
  json: false,
  async run(env) {
    if (!env.flags.once && !env.isTTY)
      throw new ToolError('nettop is a live view and stdout is not a terminal (use --once)');
    const state: State = { at: performance.now() / 1000, nics: env.ps.netIoCounters({ pernic: true }) };
    await env.sleep(100);
    if (env.flags.once) {
      for (const l of frame(env, state, null)) env.out(plain(l));
      return 0;
    }
    return live(env, 1000, (_rows, cols) => frame(env, state, cols));
  },
};
