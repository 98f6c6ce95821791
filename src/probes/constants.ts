/** psutil's constants, with psutil's names and values (Linux). */

export const LINUX = process.platform === 'linux';
export const WINDOWS = process.platform === 'win32';
export const MACOS = process.platform === 'darwin';
export const OSX = MACOS;
export const FREEBSD = process.platform === 'freebsd';
export const OPENBSD = process.platform === 'openbsd';
export const NETBSD = false;
export const BSD = FREEBSD || OPENBSD || NETBSD;
export const SUNOS = process.platform === 'sunos';
export const AIX = process.platform === 'aix';
export const POSIX = !WINDOWS;

export const STATUS_RUNNING = 'running';
export const STATUS_SLEEPING = 'sleeping';
export const STATUS_DISK_SLEEP = 'disk-sleep';
export const STATUS_STOPPED = 'stopped';
export const STATUS_TRACING_STOP = 'tracing-stop';
export const STATUS_ZOMBIE = 'zombie';
export const STATUS_DEAD = 'dead';
export const STATUS_WAKE_KILL = 'wake-kill';
export const STATUS_WAKING = 'waking';
export const STATUS_IDLE = 'idle';
export const STATUS_LOCKED = 'locked';
export const STATUS_WAITING = 'waiting';
export const STATUS_SUSPENDED = 'suspended';
export const STATUS_PARKED = 'parked';

export const CONN_ESTABLISHED = 'ESTABLISHED';
export const CONN_SYN_SENT = 'SYN_SENT';
export const CONN_SYN_RECV = 'SYN_RECV';
export const CONN_FIN_WAIT1 = 'FIN_WAIT1';
export const CONN_FIN_WAIT2 = 'FIN_WAIT2';
export const CONN_TIME_WAIT = 'TIME_WAIT';
export const CONN_CLOSE = 'CLOSE';
export const CONN_CLOSE_WAIT = 'CLOSE_WAIT';
export const CONN_LAST_ACK = 'LAST_ACK';
export const CONN_LISTEN = 'LISTEN';
export const CONN_CLOSING = 'CLOSING';
export const CONN_NONE = 'NONE';

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
/** Linux AF_PACKET. */
export const AF_LINK = 17;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_SEQPACKET = 5;

export const NIC_DUPLEX_FULL = 2;
export const NIC_DUPLEX_HALF = 1;
export const NIC_DUPLEX_UNKNOWN = 0;

export const POWER_TIME_UNKNOWN = -1;
export const POWER_TIME_UNLIMITED = -2;

export const IOPRIO_CLASS_NONE = 0;
export const IOPRIO_CLASS_RT = 1;
export const IOPRIO_CLASS_BE = 2;
export const IOPRIO_CLASS_IDLE = 3;

/** RLIM_INFINITY as psutil returns and accepts it. */
export const RLIM_INFINITY = -1;
export const RLIMIT_CPU = 0;
export const RLIMIT_FSIZE = 1;
export const RLIMIT_DATA = 2;
export const RLIMIT_STACK = 3;
export const RLIMIT_CORE = 4;
export const RLIMIT_RSS = 5;
export const RLIMIT_NPROC = 6;
export const RLIMIT_NOFILE = 7;
export const RLIMIT_MEMLOCK = 8;
export const RLIMIT_AS = 9;
export const RLIMIT_LOCKS = 10;
export const RLIMIT_SIGPENDING = 11;
export const RLIMIT_MSGQUEUE = 12;
export const RLIMIT_NICE = 13;
export const RLIMIT_RTPRIO = 14;
export const RLIMIT_RTTIME = 15;

// ---- psutil 8.0's enums (psutil/_enums.py): the constants above grouped, same values ----
// psutil 8.0 makes each constant an alias of an enum member (StrEnum for strings, IntEnum for numbers) and keeps the
// constants as the primary API. Here each enum is a frozen object from the member name to the constant's value, so
// `ProcessStatus.STATUS_RUNNING === STATUS_RUNNING`, and a type of the same name is the union of its values. Members
// are in psutil's order (alphabetical where _enums.py lists them so).

/** psutil 8.0's ProcessStatus (a StrEnum): the STATUS_* values Process.status() returns. */
export const ProcessStatus = Object.freeze({
  STATUS_DEAD,
  STATUS_DISK_SLEEP,
  STATUS_IDLE,
  STATUS_LOCKED,
  STATUS_PARKED,
  STATUS_RUNNING,
  STATUS_SLEEPING,
  STATUS_STOPPED,
  STATUS_SUSPENDED,
  STATUS_TRACING_STOP,
  STATUS_WAITING,
  STATUS_WAKE_KILL,
  STATUS_WAKING,
  STATUS_ZOMBIE,
} as const);
/** A value of ProcessStatus, or '?' for a state letter psutil does not know (its PROC_STATUSES.get(letter, '?')). */
export type ProcessStatus = (typeof ProcessStatus)[keyof typeof ProcessStatus] | '?';

/** psutil 8.0's ConnectionStatus (a StrEnum): the CONN_* values of a connection's `status` (Linux members). */
export const ConnectionStatus = Object.freeze({
  CONN_CLOSE,
  CONN_CLOSE_WAIT,
  CONN_CLOSING,
  CONN_ESTABLISHED,
  CONN_FIN_WAIT1,
  CONN_FIN_WAIT2,
  CONN_LAST_ACK,
  CONN_LISTEN,
  CONN_NONE,
  CONN_SYN_RECV,
  CONN_SYN_SENT,
  CONN_TIME_WAIT,
} as const);
export type ConnectionStatus = (typeof ConnectionStatus)[keyof typeof ConnectionStatus];

/** psutil's NicDuplex (an IntEnum since 3.0, top-level in 8.0): netIfStats()'s `duplex`. */
export const NicDuplex = Object.freeze({ NIC_DUPLEX_FULL, NIC_DUPLEX_HALF, NIC_DUPLEX_UNKNOWN } as const);
export type NicDuplex = (typeof NicDuplex)[keyof typeof NicDuplex];

/** psutil's BatteryTime (an IntEnum since 5.1, top-level in 8.0): the special values of sensorsBattery()'s `secsleft`. */
export const BatteryTime = Object.freeze({ POWER_TIME_UNKNOWN, POWER_TIME_UNLIMITED } as const);
export type BatteryTime = (typeof BatteryTime)[keyof typeof BatteryTime];

/** psutil 8.0's ProcessIOPriority on Linux (an IntEnum): the I/O classes Process.ionice() takes and returns. */
export const ProcessIOPriority = Object.freeze({
  IOPRIO_CLASS_NONE,
  IOPRIO_CLASS_RT,
  IOPRIO_CLASS_BE,
  IOPRIO_CLASS_IDLE,
} as const);
export type ProcessIOPriority = (typeof ProcessIOPriority)[keyof typeof ProcessIOPriority];

/**
 * psutil 8.0's ProcessRlimit (an IntEnum): the resources Process.rlimit() takes. psutil builds it from every name of
 * its C module that starts with "RLIM" (`name.startswith("RLIM") and name.isupper()`, in dir() order), so
 * RLIM_INFINITY is a member too, after the RLIMIT_* names.
 */
export const ProcessRlimit = Object.freeze({
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
} as const);
export type ProcessRlimit = (typeof ProcessRlimit)[keyof typeof ProcessRlimit];

export const version_info: readonly [number, number, number] = Object.freeze([7, 2, 2] as const);
/** The psutil version whose surface and semantics this library follows. */
export const __version__ = '7.2.2';
