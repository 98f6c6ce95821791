/** Fixture process tables for the rules tests: plain records, no /proc. */
import { argvFromRaw, decodeLossy } from '../../src/rules/text';
import type { ProcRecord } from '../../src/rules/table';

export const CONTAINER_ID = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
export const POD_UID = '1a2b3c4d-0000-4111-8222-123456789abc';

/** argv as the kernel stores it: NUL-separated with a trailing NUL. */
export const argv = (...a: string[]): string[] => argvFromRaw(Buffer.from(a.join('\0') + '\0'));

const V2 = (path: string) => `0::${path}\n`;

/** A small host: init, kernel threads, sshd with a session, a python worker, nginx, odd names, a container. */
export function hostTable(): ProcRecord[] {
  return [
    {
      pid: 1,
      ppid: 0,
      startTime: 1,
      comm: 'systemd',
      cmdline: argv('/sbin/init', 'splash'),
      username: 'root',
      cgroups: V2('/init.scope'),
    },
    { pid: 2, ppid: 0, startTime: 1, comm: 'kthreadd', cmdline: [], username: 'root', cgroups: V2('/') },
    { pid: 3, ppid: 2, startTime: 2, comm: 'kworker/0:0', cmdline: [], username: 'root', cgroups: V2('/') },
    {
      pid: 500,
      ppid: 1,
      startTime: 500,
      comm: 'sshd',
      cmdline: argv('/usr/sbin/sshd', '-D'),
      username: 'root',
      cgroups: V2('/system.slice/ssh.service'),
    },
    {
      pid: 600,
      ppid: 500,
      startTime: 9000,
      comm: 'sshd',
      cmdline: argv('sshd: alice [priv]'),
      username: 'root',
      cgroups: V2('/user.slice/user-1000.slice/session-3.scope'),
    },
    {
      pid: 700,
      ppid: 600,
      startTime: 9001,
      comm: 'bash',
      cmdline: argv('-bash'),
      username: 'alice',
      cgroups: V2('/user.slice/user-1000.slice/session-3.scope'),
    },
    {
      pid: 800,
      ppid: 1,
      startTime: 800,
      comm: 'python3',
      cmdline: argv('/usr/bin/python3', '/opt/app/worker.py', '--queue', 'mail'),
      username: 'www-data',
      cgroups: V2('/system.slice/app.service'),
    },
    {
      pid: 801,
      ppid: 800,
      startTime: 9100,
      comm: 'sh',
      cmdline: argv('sh', '-c', 'ls'),
      username: 'www-data',
      cgroups: V2('/system.slice/app.service'),
    },
    // nginx rewrites its argv (setproctitle): one string, no NUL between words.
    {
      pid: 900,
      ppid: 1,
      startTime: 900,
      comm: 'nginx',
      cmdline: argvFromRaw(Buffer.from('nginx: master process /usr/sbin/nginx -g daemon on;\0')),
      username: 'root',
      cgroups: V2('/system.slice/nginx.service'),
    },
    {
      pid: 901,
      ppid: 900,
      startTime: 901,
      comm: 'nginx',
      cmdline: argvFromRaw(Buffer.from('nginx: worker process\0\0\0\0')),
      username: 'www-data',
      cgroups: V2('/system.slice/nginx.service'),
    },
    {
      pid: 902,
      ppid: 900,
      startTime: 902,
      comm: 'nginx',
      cmdline: argvFromRaw(Buffer.from('nginx: worker process\0\0\0\0')),
      username: 'www-data',
      cgroups: V2('/system.slice/nginx.service'),
    },
    // Names that break naive parsers: spaces and ')' (set with prctl), a newline, a UTF-8 character cut at 15 bytes.
    {
      pid: 1000,
      ppid: 1,
      startTime: 1000,
      comm: 'a b) Z 1',
      cmdline: argv('/opt/weird/a b) Z 1', 'x'),
      username: 'root',
      cgroups: V2('/'),
    },
    {
      pid: 1001,
      ppid: 1,
      startTime: 1001,
      comm: 'new\nline',
      cmdline: argv('/opt/new\nline'),
      username: 'root',
      cgroups: V2('/'),
    },
    {
      pid: 1002,
      ppid: 1,
      startTime: 1002,
      comm: decodeLossy(Buffer.concat([Buffer.from('inner-job-同'), Buffer.from([0xe6, 0xad])]).subarray(0, 15)),
      cmdline: argvFromRaw(Buffer.concat([Buffer.from('/opt/job/inner-job-\xff\0', 'latin1')])),
      username: 'root',
      cgroups: V2('/'),
    },
    {
      pid: 1200,
      ppid: 1,
      startTime: 1200,
      comm: 'redis-server',
      cmdline: argv('redis-server', '*:6379'),
      username: '999',
      cgroups: V2(
        `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_UID.replace(/-/g, '_')}.slice/cri-containerd-${CONTAINER_ID}.scope`,
      ),
    },
  ];
}

/** The same table with values that move between cycles. */
export function withMetrics(t: ProcRecord[], step: number): ProcRecord[] {
  return t.map((r) => ({
    ...r,
    state: r.pid === 700 ? 'R' : r.pid === 3 ? 'I' : 'S',
    cpuUser: r.pid / 100 + step,
    cpuSystem: r.pid / 1000 + step / 2,
    readBytes: r.pid * 10 + step * 4096,
    writeBytes: r.pid * 20 + step * 8192,
    minorFaults: r.pid + step * 10,
    majorFaults: step,
    ctxVoluntary: r.pid + step * 3,
    ctxInvoluntary: step,
    rss: 1_000_000,
    vms: 10_000_000,
    swap: 4096,
    numFds: 10,
    fdLimit: 1024,
    numThreads: 1,
  }));
}
