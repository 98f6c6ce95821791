/**
 * The split between psutil's names and ours (issue 10 section 4 item 7): every value src/index.ts exports is either
 * a psutil name under the one rule (snake_case -> camelCase; constants and classes as they are) or a row of the table
 * in docs/library-extensions.md, and every row of that table names an export that exists and is not psutil's. So a
 * new extension cannot be exported without its row, and psutil's names stay one rule away from psutil's docs.
 * Types are not values and are not checked: each is named after the function that returns it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lib from '../../src/index';
import { describeOracle, py } from '../helpers/oracle';

/**
 * psutil 5.9's `__all__` (Debian's python3-psutil, the oracle here), written down so that the test runs without it;
 * the oracle block below checks the list against the installed psutil.
 */
const PSUTIL_ALL: readonly string[] = [
  'AF_LINK',
  'AIX',
  'AccessDenied',
  'BSD',
  'CONN_CLOSE',
  'CONN_CLOSE_WAIT',
  'CONN_CLOSING',
  'CONN_ESTABLISHED',
  'CONN_FIN_WAIT1',
  'CONN_FIN_WAIT2',
  'CONN_LAST_ACK',
  'CONN_LISTEN',
  'CONN_NONE',
  'CONN_SYN_RECV',
  'CONN_SYN_SENT',
  'CONN_TIME_WAIT',
  'Error',
  'FREEBSD',
  'IOPRIO_CLASS_BE',
  'IOPRIO_CLASS_IDLE',
  'IOPRIO_CLASS_NONE',
  'IOPRIO_CLASS_RT',
  'LINUX',
  'MACOS',
  'NETBSD',
  'NIC_DUPLEX_FULL',
  'NIC_DUPLEX_HALF',
  'NIC_DUPLEX_UNKNOWN',
  'NoSuchProcess',
  'OPENBSD',
  'OSX',
  'POSIX',
  'POWER_TIME_UNKNOWN',
  'POWER_TIME_UNLIMITED',
  'PROCFS_PATH',
  'Popen',
  'Process',
  'RLIMIT_AS',
  'RLIMIT_CORE',
  'RLIMIT_CPU',
  'RLIMIT_DATA',
  'RLIMIT_FSIZE',
  'RLIMIT_LOCKS',
  'RLIMIT_MEMLOCK',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_NOFILE',
  'RLIMIT_NPROC',
  'RLIMIT_RSS',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
  'RLIMIT_SIGPENDING',
  'RLIMIT_STACK',
  'RLIM_INFINITY',
  'STATUS_DEAD',
  'STATUS_DISK_SLEEP',
  'STATUS_IDLE',
  'STATUS_LOCKED',
  'STATUS_PARKED',
  'STATUS_RUNNING',
  'STATUS_SLEEPING',
  'STATUS_STOPPED',
  'STATUS_TRACING_STOP',
  'STATUS_WAITING',
  'STATUS_WAKING',
  'STATUS_ZOMBIE',
  'SUNOS',
  'TimeoutExpired',
  'WINDOWS',
  'ZombieProcess',
  '__version__',
  'boot_time',
  'cpu_count',
  'cpu_freq',
  'cpu_percent',
  'cpu_stats',
  'cpu_times',
  'cpu_times_percent',
  'disk_io_counters',
  'disk_partitions',
  'disk_usage',
  'getloadavg',
  'net_connections',
  'net_if_addrs',
  'net_if_stats',
  'net_io_counters',
  'pid_exists',
  'pids',
  'process_iter',
  'sensors_battery',
  'sensors_fans',
  'sensors_temperatures',
  'swap_memory',
  'users',
  'version_info',
  'virtual_memory',
  'wait_procs',
];

/**
 * psutil's public names that 5.9's `__all__` lacks, each with where it comes from: the 7.2 and 8.0 additions (the
 * installed 5.9 cannot confirm them: they are checked against psutil's docs in the comments), and two 5.9 functions
 * outside `__all__` (`psutil.test`, and `psutil._common.bytes2human`, which psutil's scripts use).
 */
const PSUTIL_LATER: Readonly<Record<string, string>> = {
  heap_info: '7.2.0 (docs/api.rst, "C heap introspection")',
  heap_trim: '7.2.0',
  ProcessStatus: '8.0.0 (psutil/_enums.py)',
  ConnectionStatus: '8.0.0',
  NicDuplex: 'psutil._common since 3.0, top-level in 8.0.0',
  BatteryTime: 'psutil._common since 5.1, top-level in 8.0.0',
  ProcessIOPriority: '8.0.0 (5.9: psutil._pslinux.IOPriority)',
  ProcessRlimit: '8.0.0',
  test: '5.9: psutil.test(), not in __all__',
  bytes2human: '5.9: psutil._common.bytes2human',
};

/** The one rule: cpu_times_percent -> cpuTimesPercent; names without a lower-case word stay (STATUS_*, Process). */
function camel(name: string): string {
  return /^[a-z][a-z0-9_]*$/.test(name) ? name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) : name;
}

const DOC = path.resolve(__dirname, '..', '..', 'docs', 'library-extensions.md');

/** The table's rows: `name` -> area. */
function tableRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of fs.readFileSync(DOC, 'utf8').split('\n')) {
    const m = /^\| `([A-Za-z_$][\w$]*)` \| ([a-z]+) \| [^|]+\| [^|]+\|$/.exec(line);
    if (m === null) continue;
    if (rows.has(m[1]!)) throw new Error(`docs/library-extensions.md lists ${m[1]} twice`);
    rows.set(m[1]!, m[2]!);
  }
  return rows;
}

describe('src/index.ts exports: psutil names or listed extensions', () => {
  const exported = Object.keys(lib).sort();
  // psutil's name camelCased, or as it is where the library kept Python's spelling (version_info, __version__).
  const psutilNames = new Set([...PSUTIL_ALL.map(camel), ...PSUTIL_ALL, ...Object.keys(PSUTIL_LATER).map(camel)]);
  const rows = tableRows();

  test('the scan sees the exports and the table', () => {
    // A floor, not this tree's count: the library exports psutil's whole module surface and the table is not empty.
    expect(exported).toEqual(expect.arrayContaining(['cpuTimes', 'Process', 'STATUS_ZOMBIE', 'createPsutil']));
    expect(rows.size).toBeGreaterThan(0);
    expect(camel('cpu_times_percent')).toBe('cpuTimesPercent');
    expect(camel('net_if_addrs')).toBe('netIfAddrs');
    expect(camel('STATUS_DISK_SLEEP')).toBe('STATUS_DISK_SLEEP');
    expect(camel('__version__')).toBe('__version__');
  });

  test("every export is psutil's name camelCased or a row of docs/library-extensions.md", () => {
    expect(exported.filter((n) => !psutilNames.has(n) && !rows.has(n))).toEqual([]);
  });

  test('every row names an export that psutil does not have', () => {
    expect([...rows.keys()].filter((n) => !exported.includes(n))).toEqual([]);
    expect([...rows.keys()].filter((n) => psutilNames.has(n))).toEqual([]);
  });

  test('each extension is in its area on the default instance and on createPsutil()', () => {
    const inst = lib.createPsutil();
    for (const [name, area] of rows) {
      if (area === 'api' || area === 'errors' || /^[A-Z][A-Z0-9_]*$/.test(name)) continue;
      expect([name, typeof (inst as unknown as Record<string, unknown>)[name]]).toEqual([name, 'function']);
    }
  });

  test("psutil's later names are exported under the rule", () => {
    expect(
      Object.keys(PSUTIL_LATER)
        .map(camel)
        .filter((n) => !exported.includes(n)),
    ).toEqual([]);
  });

  test('Error is PsutilError: one class object under both names', () => {
    expect(lib.Error).toBe(lib.PsutilError);
    expect(new lib.NoSuchProcess(1)).toBeInstanceOf(lib.Error);
    // It shadows JavaScript's Error only where imported under that name: the global one is another class.
    expect(lib.Error).not.toBe(globalThis.Error);
    expect(new lib.Error('x')).toBeInstanceOf(globalThis.Error);
  });

  test('the README links the table', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain('docs/library-extensions.md');
  });
});

describeOracle('the written psutil names against the installed psutil', () => {
  test('PSUTIL_ALL is psutil.__all__', () => {
    const all = py<string[]>('out = sorted(set(psutil.__all__))');
    expect([...PSUTIL_ALL].sort()).toEqual(all);
  });

  test('the 5.9 functions outside __all__ are there: psutil.test and psutil._common.bytes2human', () => {
    expect(
      py<boolean[]>(
        "import psutil._common\nout = [callable(getattr(psutil, 'test', None)), callable(psutil._common.bytes2human)]",
      ),
    ).toEqual([true, true]);
  });

  test('no row of the table is a psutil attribute under the rule', () => {
    const rows = [...tableRows().keys()];
    const snake = rows.map((n) => (/^[a-z]/.test(n) ? n.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : n));
    const present = py<string[]>(`out = [n for n in ${JSON.stringify(snake)} if hasattr(psutil, n)]`);
    expect(present).toEqual([]);
  });
});
