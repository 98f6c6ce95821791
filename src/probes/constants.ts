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

export type ProcessStatus =
  | typeof STATUS_RUNNING
  | typeof STATUS_SLEEPING
  | typeof STATUS_DISK_SLEEP
  | typeof STATUS_STOPPED
  | typeof STATUS_TRACING_STOP
  | typeof STATUS_ZOMBIE
  | typeof STATUS_DEAD
  | typeof STATUS_WAKE_KILL
  | typeof STATUS_WAKING
  | typeof STATUS_IDLE
  | typeof STATUS_LOCKED
  | typeof STATUS_WAITING
  | typeof STATUS_SUSPENDED
  | typeof STATUS_PARKED
  | '?';

export type ConnectionStatus =
  | typeof CONN_ESTABLISHED
  | typeof CONN_SYN_SENT
  | typeof CONN_SYN_RECV
  | typeof CONN_FIN_WAIT1
  | typeof CONN_FIN_WAIT2
  | typeof CONN_TIME_WAIT
  | typeof CONN_CLOSE
  | typeof CONN_CLOSE_WAIT
  | typeof CONN_LAST_ACK
  | typeof CONN_LISTEN
  | typeof CONN_CLOSING
  | typeof CONN_NONE;

export const version_info: readonly [number, number, number] = Object.freeze([7, 2, 2] as const);
/** The psutil version whose surface and semantics this library follows. */
export const __version__ = '7.2.2';
