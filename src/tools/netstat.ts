/** psutil's scripts/netstat.py ("netstat -antp"): inet sockets, TCP and UDP, with the owning process's name. */
import { AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM, type InetAddr } from '../index';
import { ljust } from './format';
import { attempt, printJson, type Tool } from './tool';

const PROTO: Readonly<Record<string, string>> = {
  [`${AF_INET}/${SOCK_STREAM}`]: 'tcp',
  [`${AF_INET6}/${SOCK_STREAM}`]: 'tcp6',
  [`${AF_INET}/${SOCK_DGRAM}`]: 'udp',
  [`${AF_INET6}/${SOCK_DGRAM}`]: 'udp6',
};

const addr = (a: InetAddr | string | null): string =>
  a === null || typeof a === 'string' ? a || '' : `${a.ip}:${a.port}`;

const line = (cells: readonly string[]): string =>
  `${ljust(cells[0] as string, 5)} ${ljust(cells[1] as string, 30)} ${ljust(cells[2] as string, 30)} ${ljust(cells[3] as string, 13)} ${ljust(cells[4] as string, 6)} ${cells[5] as string}`;

export const netstat: Tool = {
  name: 'netstat',
  summary: 'TCP and UDP sockets with their process, like netstat -antp',
  json: true,
  run(env) {
    // The pid -> name map comes first, as in the script: a socket's process that started since shows '?'.
    const names = new Map<number, string>();
    for (const p of env.ps.processIter()) names.set(p.pid, attempt(() => p.name()) ?? '');
    const conns = env.ps.netConnections({ kind: 'inet' });
    if (env.flags.json) {
      printJson(
        env,
        conns.map((c) => ({
          ...c,
          proto: PROTO[`${c.family}/${c.type}`] ?? null,
          name: c.pid === null ? null : (names.get(c.pid) ?? null),
        })),
      );
      return 0;
    }
    env.out(line(['Proto', 'Local address', 'Remote address', 'Status', 'PID', 'Program name']));
    for (const c of conns) {
      const name = c.pid === null ? '?' : (names.get(c.pid) ?? '?');
      env.out(
        line([
          PROTO[`${c.family}/${c.type}`] ?? '?',
          addr(c.laddr) || '-',
          addr(c.raddr) || '-',
          c.status,
          c.pid ? String(c.pid) : '-',
          [...name].slice(0, 15).join(''),
        ]),
      );
    }
    return 0;
  },
};
