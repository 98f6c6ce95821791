/**
 * psutil's scripts/procinfo.py [PID] [-v]: everything about one process, label/value rows then tables.
 * Fixed: the second `uids` row is `gids` (psutil prints uids twice); I/O counts are integers (psutil formats
 * read_count/write_count as byte sizes); cpu-tspent has real centiseconds and hours ([H:]M:SS.cc of user+system;
 * psutil takes the first two digits of the microseconds and drops the hours). Labels are L11 everywhere: colour never
 * changes a width (psutil pads bold labels to 13 on a terminal).
 */
import {
  NoSuchProcess,
  PsutilError,
  ZombieProcess,
  SOCK_DGRAM,
  SOCK_STREAM,
  type InetAddr,
  type Process,
  RLIMIT_AS,
  RLIMIT_CORE,
  RLIMIT_CPU,
  RLIMIT_DATA,
  RLIMIT_FSIZE,
  RLIMIT_LOCKS,
  RLIMIT_MEMLOCK,
  RLIMIT_MSGQUEUE,
  RLIMIT_NICE,
  RLIMIT_NOFILE,
  RLIMIT_NPROC,
  RLIMIT_RSS,
  RLIMIT_RTPRIO,
  RLIMIT_RTTIME,
  RLIMIT_SIGPENDING,
  RLIMIT_STACK,
  RLIM_INFINITY,
} from '../index';
import { bytes2human, ljust, pyFloat, pyRound, rjust, strftime } from './format';
import { pidArg, printJson, type Tool, type ToolEnv } from './tool';

/** How many rows the long tables print without -v. */
const SHORT = 4;

/** psutil's dir(psutil) order (alphabetical) and the script's RLIMITS_MAP names; unmapped ones stay raw. */
const RLIMITS: ReadonlyArray<readonly [string, number, string]> = [
  ['RLIMIT_AS', RLIMIT_AS, 'virtualmem'],
  ['RLIMIT_CORE', RLIMIT_CORE, 'coredumpsize'],
  ['RLIMIT_CPU', RLIMIT_CPU, 'cputime'],
  ['RLIMIT_DATA', RLIMIT_DATA, 'datasize'],
  ['RLIMIT_FSIZE', RLIMIT_FSIZE, 'filesize'],
  ['RLIMIT_LOCKS', RLIMIT_LOCKS, 'RLIMIT_LOCKS'],
  ['RLIMIT_MEMLOCK', RLIMIT_MEMLOCK, 'memlock'],
  ['RLIMIT_MSGQUEUE', RLIMIT_MSGQUEUE, 'msgqueue'],
  ['RLIMIT_NICE', RLIMIT_NICE, 'nice'],
  ['RLIMIT_NOFILE', RLIMIT_NOFILE, 'openfiles'],
  ['RLIMIT_NPROC', RLIMIT_NPROC, 'maxprocesses'],
  ['RLIMIT_RSS', RLIMIT_RSS, 'rss'],
  ['RLIMIT_RTPRIO', RLIMIT_RTPRIO, 'realtimeprio'],
  ['RLIMIT_RTTIME', RLIMIT_RTTIME, 'rtimesched'],
  ['RLIMIT_SIGPENDING', RLIMIT_SIGPENDING, 'sigspending'],
  ['RLIMIT_STACK', RLIMIT_STACK, 'stack'],
];

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

/** psutil's str_ntuple: `field=value, ...` with psutil's field names; '' when the value was denied. */
function ntuple(
  nt: object | null,
  conv: (n: number) => string = (n) => (Number.isInteger(n) ? String(n) : pyFloat(n)),
): string {
  if (nt === null) return '';
  return Object.entries(nt)
    .map(([k, v]) => `${snake(k)}=${typeof v === 'number' ? conv(v) : String(v)}`)
    .join(', ');
}

/** [H:]M:SS.cc of seconds: TIME+ with real centiseconds. */
export function timePlus(seconds: number): string {
  const cs = Math.round(seconds * 100);
  const s = Math.trunc(cs / 100);
  const h = Math.trunc(s / 3600);
  const m = Math.trunc((s % 3600) / 60);
  const rest = `${String(s % 60).padStart(2, '0')}.${String(cs % 100).padStart(2, '0')}`;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/**
 * Runs a getter; null ('' in the output) when it is denied or cannot be read (a zombie's maps, a file this kernel
 * lacks), as psutil's as_dict(ad_value) gives. A process that is gone is an error for the whole run.
 */
function soft<T>(f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof ZombieProcess || (e instanceof PsutilError && !(e instanceof NoSuchProcess))) return null;
    throw e;
  }
}

const addr = (a: InetAddr | string | null, none: string): string =>
  a === null || a === '' ? none : typeof a === 'string' ? a : `${a.ip}:${a.port}`;

function collect(p: Process) {
  const parent = soft(() => p.parent());
  return {
    pid: p.pid,
    name: soft(() => p.name()),
    ppid: soft(() => p.ppid()),
    parentName: parent ? soft(() => parent.name()) : null,
    exe: soft(() => p.exe()),
    cwd: soft(() => p.cwd()),
    cmdline: soft(() => p.cmdline()),
    createTime: soft(() => p.createTime()),
    cpuTimes: soft(() => p.cpuTimes()),
    cpuAffinity: soft(() => p.cpuAffinity()),
    cpuNum: soft(() => p.cpuNum()),
    memoryInfo: soft(() => p.memoryInfo()),
    memoryPercent: soft(() => p.memoryPercent()),
    username: soft(() => p.username()),
    uids: soft(() => p.uids()),
    gids: soft(() => p.gids()),
    terminal: soft(() => p.terminal()),
    status: soft(() => p.status()),
    nice: soft(() => p.nice()),
    ionice: soft(() => p.ionice()),
    numThreads: soft(() => p.numThreads()),
    numFds: soft(() => p.numFds()),
    ioCounters: soft(() => p.ioCounters()),
    numCtxSwitches: soft(() => p.numCtxSwitches()),
    children: (soft(() => p.children()) ?? []).map((c) => ({ pid: c.pid, name: soft(() => c.name()) })),
    openFiles: soft(() => p.openFiles()),
    connections: soft(() => p.netConnections()),
    threads: soft(() => p.threads()),
    rlimits: RLIMITS.flatMap(([raw, res, label]) => {
      const r = soft(() => p.rlimit(res));
      return r ? [{ resource: raw, label, soft: r[0], hard: r[1] }] : [];
    }),
    environ: soft(() => p.environ()),
    memoryMaps: soft(() => p.memoryMaps()),
  };
}

function print(env: ToolEnv, info: ReturnType<typeof collect>): void {
  const row = (a: string, b: string): void => env.out(`${ljust(a, 11)} ${b}`);
  const s = (v: string | number | null): string => (v === null ? '' : String(v));
  const long = <T>(label: string, head: string, items: readonly T[], fmt: (x: T) => string): void => {
    row(label, head);
    for (let i = 0; i < items.length; i++) {
      if (!env.flags.verbose && i >= SHORT) {
        row('', '[...]');
        break;
      }
      row('', fmt(items[i] as T));
    }
  };
  row('pid', String(info.pid));
  row('name', s(info.name));
  row('parent', `${s(info.ppid)} ${info.parentName === null ? '' : `(${info.parentName})`}`);
  row('exe', s(info.exe));
  row('cwd', s(info.cwd));
  row('cmdline', (info.cmdline ?? []).join(' '));
  row('started', info.createTime === null ? '' : strftime('%Y-%m-%d %H:%M', info.createTime));
  row('cpu-tspent', info.cpuTimes === null ? '' : timePlus(info.cpuTimes.user + info.cpuTimes.system));
  row('cpu-times', ntuple(info.cpuTimes, pyFloat));
  row('cpu-affinity', info.cpuAffinity === null ? '' : `[${info.cpuAffinity.join(', ')}]`);
  row('cpu-num', s(info.cpuNum));
  row('memory', ntuple(info.memoryInfo, bytes2human));
  row('memory %', info.memoryPercent === null ? '' : pyFloat(pyRound(info.memoryPercent, 2)));
  row('user', s(info.username));
  row('uids', ntuple(info.uids));
  row('gids', ntuple(info.gids));
  row('terminal', info.terminal ?? '');
  row('status', s(info.status));
  row('nice', s(info.nice));
  if (info.ionice) row('ionice', `class=${info.ionice.ioclass}, value=${info.ionice.value}`);
  row('num-threads', s(info.numThreads));
  row('num-fds', s(info.numFds));
  if (info.ioCounters) {
    // Counts stay integers; only the byte and char fields are sizes.
    row(
      'I/O',
      Object.entries(info.ioCounters)
        .map(([k, v]) => `${snake(k)}=${/Count$/.test(k) ? String(v) : bytes2human(v as number)}`)
        .join(', '),
    );
  }
  if (info.numCtxSwitches) row('ctx-switches', ntuple(info.numCtxSwitches));
  if (info.children.length > 0) {
    row('children', `${ljust('PID', 6)} NAME`);
    for (const c of info.children) row('', `${ljust(String(c.pid), 6)} ${c.name ?? ''}`);
  }
  if (info.openFiles && info.openFiles.length > 0) long('open-files', 'PATH', info.openFiles, (f) => f.path);
  else row('open-files', '');
  if (info.connections && info.connections.length > 0) {
    const t = (a: string, b: string, c: string, d: string): string =>
      `${ljust(a, 5)} ${ljust(b, 25)} ${ljust(c, 25)} ${d}`;
    row('connections', t('PROTO', 'LOCAL ADDR', 'REMOTE ADDR', 'STATUS'));
    for (const c of info.connections) {
      const proto = c.type === SOCK_STREAM ? 'TCP' : c.type === SOCK_DGRAM ? 'UDP' : 'UNIX';
      row('', t(proto, addr(c.laddr, ''), addr(c.raddr, '*:*'), c.status));
    }
  } else {
    row('connections', '');
  }
  if (info.threads && info.threads.length > 1) {
    const t = (a: string, b: string, c: string): string => `${ljust(a, 5)} ${rjust(b, 12)} ${rjust(c, 12)}`;
    long('threads', t('TID', 'USER', 'SYSTEM'), info.threads, (th) =>
      t(String(th.id), pyFloat(th.userTime), pyFloat(th.systemTime)),
    );
    row('', `total=${info.threads.length}`);
  } else {
    row('threads', '');
  }
  if (info.rlimits.length > 0) {
    const t = (a: string, b: string, c: string): string => `${ljust(a, 12)} ${rjust(b, 15)} ${rjust(c, 15)}`;
    const lim = (n: number): string => (n === RLIM_INFINITY ? 'infinity' : String(n));
    row('res-limits', t('RLIMIT', 'SOFT', 'HARD'));
    for (const r of info.rlimits) row('', t(r.label, lim(r.soft), lim(r.hard)));
  }
  if (info.environ && Object.keys(info.environ).length > 0) {
    const env2 = info.environ;
    long('environ', `${ljust('NAME', 25)} VALUE`, Object.keys(env2).sort(), (k) => `${ljust(k, 25)} ${env2[k] ?? ''}`);
  }
  if (info.memoryMaps && info.memoryMaps.length > 0) {
    const maps = [...info.memoryMaps].sort((a, b) => b.rss - a.rss);
    long('mem-maps', `${ljust('RSS', 8)} PATH`, maps, (m) => `${ljust(bytes2human(m.rss), 8)} ${m.path}`);
  }
}

export const procinfo: Tool = {
  name: 'procinfo',
  synopsis: '[PID] [-v]',
  summary: 'everything about one process (default: this one)',
  json: true,
  run(env) {
    const pid = pidArg(env, 'psutil procinfo [PID] [-v]', true) ?? env.selfPid;
    const p = new env.ps.Process(pid);
    const info = p.oneshot(() => collect(p));
    if (env.flags.json) printJson(env, info);
    else print(env, info);
    return 0;
  },
};
