/**
 * The one place that calls libc through koffi. Loaded lazily: a fixture-only user never pays for it.
 * Each function returns plain values or throws NativeError carrying the errno name; callers translate to psutil
 * errors (they know the pid). Syscall numbers depend on the architecture, so they are looked up, never assumed.
 */
// koffi's package is ESM-typed with a CommonJS entry: load the CJS build, typed from its declarations.
type Koffi = typeof import('koffi', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi = require('koffi') as Koffi;

export class NativeError extends Error {
  readonly errno: number;
  readonly osCode: string;
  readonly syscall: string;
  constructor(syscall: string, errno: number) {
    const code = errnoName(errno);
    super(`${syscall} failed: ${code} (errno ${errno})`);
    this.errno = errno;
    this.osCode = code;
    this.syscall = syscall;
  }
}

const errnoNames = new Map<number, string>();
function errnoName(n: number): string {
  if (errnoNames.size === 0) {
    for (const [k, v] of Object.entries(koffi.os.errno as Record<string, number>)) if (!errnoNames.has(v)) errnoNames.set(v, k);
  }
  return errnoNames.get(n) ?? `E${n}`;
}

export const ERRNO = koffi.os.errno as Record<string, number>;

interface SyscallNumbers {
  ioprio_set: number;
  ioprio_get: number;
  pidfd_open: number;
  pidfd_send_signal: number;
}

const SYSCALLS: Record<string, SyscallNumbers> = {
  x64: { ioprio_set: 251, ioprio_get: 252, pidfd_open: 434, pidfd_send_signal: 424 },
  arm64: { ioprio_set: 30, ioprio_get: 31, pidfd_open: 434, pidfd_send_signal: 424 },
  ia32: { ioprio_set: 289, ioprio_get: 290, pidfd_open: 434, pidfd_send_signal: 424 },
  arm: { ioprio_set: 314, ioprio_get: 315, pidfd_open: 434, pidfd_send_signal: 424 },
  ppc64: { ioprio_set: 273, ioprio_get: 274, pidfd_open: 434, pidfd_send_signal: 424 },
  s390x: { ioprio_set: 282, ioprio_get: 283, pidfd_open: 434, pidfd_send_signal: 424 },
  riscv64: { ioprio_set: 30, ioprio_get: 31, pidfd_open: 434, pidfd_send_signal: 424 },
};

export interface StatVfs {
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  favail: number;
  flag: number;
  namemax: number;
}

export interface IfAddr {
  name: string;
  family: number;
  address: string | null;
  netmask: string | null;
  broadcast: string | null;
  ptp: string | null;
  flags: number;
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  dir: string;
  shell: string;
}

type Fn = ReturnType<LibraryHandle['func']>;
type LibraryHandle = ReturnType<Koffi['load']>;

interface Bindings {
  sysconf: Fn;
  getpriority: Fn;
  setpriority: Fn;
  prlimit: Fn;
  sched_getaffinity: Fn;
  sched_setaffinity: Fn;
  syscall: Fn;
  statvfs: Fn;
  getpwuid_r: Fn;
  getgrgid_r: Fn;
  getifaddrs: Fn;
  freeifaddrs: Fn;
  kill: Fn;
  close: Fn;
  Rlimit: CType;
  StatvfsT: CType;
  Passwd: CType;
  Group: CType;
  Ifaddrs: CType;
  nums: SyscallNumbers;
}

type CType = ReturnType<Koffi['struct']>;
type KoffiField = Parameters<Koffi['array']>[0];

let bound: Bindings | null = null;

/**
 * koffi.struct(name, def), or the existing type when the name is taken: koffi's type registry lives in the native
 * addon for the whole process, while jest evaluates this module again for each test file of a long-lived worker.
 */
function namedStruct(name: string, def: Record<string, KoffiField>): CType {
  try {
    return koffi.struct(name, def);
  } catch (err) {
    if (/duplicate type name/i.test(String((err as { message?: unknown } | null)?.message))) return koffi.type(name);
    throw err;
  }
}

function b(): Bindings {
  if (bound) return bound;
  const libc = koffi.load('libc.so.6');
  const Rlimit = namedStruct('psx_rlimit', { rlim_cur: 'uint64', rlim_max: 'uint64' });
  const StatvfsT = namedStruct('psx_statvfs', {
    f_bsize: 'unsigned long', f_frsize: 'unsigned long', f_blocks: 'uint64', f_bfree: 'uint64', f_bavail: 'uint64',
    f_files: 'uint64', f_ffree: 'uint64', f_favail: 'uint64', f_fsid: 'unsigned long', f_flag: 'unsigned long',
    f_namemax: 'unsigned long', f_spare: koffi.array('int', 6),
  });
  const Passwd = namedStruct('psx_passwd', {
    pw_name: 'const char *', pw_passwd: 'const char *', pw_uid: 'uint32', pw_gid: 'uint32',
    pw_gecos: 'const char *', pw_dir: 'const char *', pw_shell: 'const char *',
  });
  const Group = namedStruct('psx_group', {
    gr_name: 'const char *', gr_passwd: 'const char *', gr_gid: 'uint32', gr_mem: 'void *',
  });
  const Ifaddrs = namedStruct('psx_ifaddrs', {
    ifa_next: 'void *', ifa_name: 'const char *', ifa_flags: 'uint', ifa_addr: 'void *', ifa_netmask: 'void *',
    ifa_ifu: 'void *', ifa_data: 'void *',
  });
  const nums = SYSCALLS[process.arch] ?? SYSCALLS['x64']!;
  bound = {
    sysconf: libc.func('long sysconf(int name)'),
    getpriority: libc.func('int getpriority(int which, uint32 who)'),
    setpriority: libc.func('int setpriority(int which, uint32 who, int prio)'),
    prlimit: libc.func('int prlimit(int pid, int resource, const psx_rlimit *new_limit, _Out_ psx_rlimit *old_limit)'),
    sched_getaffinity: libc.func('int sched_getaffinity(int pid, size_t size, _Out_ uint8_t *mask)'),
    sched_setaffinity: libc.func('int sched_setaffinity(int pid, size_t size, const uint8_t *mask)'),
    syscall: libc.func('long syscall(long number, ...)'),
    statvfs: libc.func('int statvfs(const char *path, _Out_ psx_statvfs *buf)'),
    getpwuid_r: libc.func('int getpwuid_r(uint32 uid, _Out_ psx_passwd *pwd, _Out_ uint8_t *buf, size_t buflen, _Out_ void **result)'),
    getgrgid_r: libc.func('int getgrgid_r(uint32 gid, _Out_ psx_group *grp, _Out_ uint8_t *buf, size_t buflen, _Out_ void **result)'),
    getifaddrs: libc.func('int getifaddrs(_Out_ void **ifap)'),
    freeifaddrs: libc.func('void freeifaddrs(void *ifa)'),
    kill: libc.func('int kill(int pid, int sig)'),
    close: libc.func('int close(int fd)'),
    Rlimit, StatvfsT, Passwd, Group, Ifaddrs, nums,
  };
  return bound;
}

export const SC_CLK_TCK = 2;
export const SC_NPROCESSORS_CONF = 83;
export const SC_NPROCESSORS_ONLN = 84;
export const SC_PAGESIZE = 30;
export const PRIO_PROCESS = 0;
export const IOPRIO_WHO_PROCESS = 1;
const IOPRIO_CLASS_SHIFT = 13;
const RLIM_INFINITY_U64 = 0xffffffffffffffffn;

export function sysconf(name: number): number {
  return Number(b().sysconf(name));
}

export function getpriority(pid: number): number {
  koffi.errno(0);
  const r = b().getpriority(PRIO_PROCESS, pid) as number;
  // -1 is a legal priority: only errno tells failure apart.
  if (r === -1) {
    const e = koffi.errno();
    if (e !== 0) throw new NativeError('getpriority', e);
  }
  return r;
}

export function setpriority(pid: number, value: number): void {
  if ((b().setpriority(PRIO_PROCESS, pid, value) as number) !== 0) throw new NativeError('setpriority', koffi.errno());
}

function limitToNative(v: number): bigint {
  return v === -1 ? RLIM_INFINITY_U64 : BigInt(v);
}

function limitFromNative(v: bigint | number): number {
  const n = BigInt(v);
  if (n === RLIM_INFINITY_U64) return -1;
  return Number(n);
}

/** prlimit(2): returns the previous [soft, hard]; sets them when `limits` is given. RLIM_INFINITY is -1. */
export function prlimit(pid: number, resource: number, limits?: readonly [number, number]): [number, number] {
  const out: { rlim_cur?: bigint; rlim_max?: bigint } = {};
  const nl = limits ? { rlim_cur: limitToNative(limits[0]), rlim_max: limitToNative(limits[1]) } : null;
  if ((b().prlimit(pid, resource, nl, out) as number) !== 0) throw new NativeError('prlimit', koffi.errno());
  return [limitFromNative(out.rlim_cur ?? 0n), limitFromNative(out.rlim_max ?? 0n)];
}

/** sched_getaffinity(2): the CPU numbers in the mask; the mask grows on EINVAL (more than 1024 CPUs). */
export function schedGetaffinity(pid: number): number[] {
  for (let size = 128; size <= 1 << 16; size *= 2) {
    const mask = Buffer.alloc(size);
    const r = b().sched_getaffinity(pid, size, mask) as number;
    if (r < 0) {
      const e = koffi.errno();
      if (e === ERRNO['EINVAL']) continue;
      throw new NativeError('sched_getaffinity', e);
    }
    const cpus: number[] = [];
    for (let i = 0; i < size; i++) {
      const byte = mask[i]!;
      if (byte === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) cpus.push(i * 8 + bit);
    }
    return cpus;
  }
  throw new NativeError('sched_getaffinity', ERRNO['EINVAL'] ?? 22);
}

export function schedSetaffinity(pid: number, cpus: readonly number[]): void {
  const max = cpus.reduce((m, c) => Math.max(m, c), 0);
  const size = Math.max(128, Math.ceil((max + 1) / 64) * 8);
  const mask = Buffer.alloc(size);
  for (const c of cpus) mask[c >> 3]! |= 1 << (c & 7);
  if ((b().sched_setaffinity(pid, size, mask) as number) !== 0) throw new NativeError('sched_setaffinity', koffi.errno());
}

/** ioprio_get(2): [ioclass, value]. */
export function ioprioGet(pid: number): [number, number] {
  const r = Number(b().syscall(b().nums.ioprio_get, 'int', IOPRIO_WHO_PROCESS, 'int', pid));
  if (r < 0) throw new NativeError('ioprio_get', koffi.errno());
  return [r >> IOPRIO_CLASS_SHIFT, r & ((1 << IOPRIO_CLASS_SHIFT) - 1)];
}

export function ioprioSet(pid: number, ioclass: number, value: number): void {
  const prio = (ioclass << IOPRIO_CLASS_SHIFT) | value;
  const r = Number(b().syscall(b().nums.ioprio_set, 'int', IOPRIO_WHO_PROCESS, 'int', pid, 'int', prio));
  if (r < 0) throw new NativeError('ioprio_set', koffi.errno());
}

/** kill(2) with a validated integer pid (never Node's process.kill, which accepts " -1 "). */
export function kill(pid: number, sig: number): void {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new RangeError(`pid must be a positive integer, got ${String(pid)}`);
  if ((b().kill(pid, sig) as number) !== 0) throw new NativeError('kill', koffi.errno());
}

/** pidfd_open(2) (Linux 5.3): an fd pinning the process, or throws (ENOSYS on older kernels). */
export function pidfdOpen(pid: number): number {
  const r = Number(b().syscall(b().nums.pidfd_open, 'int', pid, 'uint', 0));
  if (r < 0) throw new NativeError('pidfd_open', koffi.errno());
  return r;
}

export function pidfdSendSignal(pidfd: number, sig: number): void {
  const r = Number(b().syscall(b().nums.pidfd_send_signal, 'int', pidfd, 'int', sig, 'void *', null, 'uint', 0));
  if (r < 0) throw new NativeError('pidfd_send_signal', koffi.errno());
}

export function closeFd(fd: number): void {
  b().close(fd);
}

function statvfsRecord(out: Record<string, bigint | number>): StatVfs {
  return {
    bsize: Number(out['f_bsize']), frsize: Number(out['f_frsize']), blocks: Number(out['f_blocks']),
    bfree: Number(out['f_bfree']), bavail: Number(out['f_bavail']), files: Number(out['f_files']),
    ffree: Number(out['f_ffree']), favail: Number(out['f_favail']), flag: Number(out['f_flag']),
    namemax: Number(out['f_namemax']),
  };
}

export function statvfs(p: string): StatVfs {
  const out: Record<string, bigint | number> = {};
  if ((b().statvfs(p, out) as number) !== 0) throw new NativeError('statvfs', koffi.errno());
  return statvfsRecord(out);
}

/** statvfs on koffi's worker thread, for mounts that may hang (dead NFS): the caller races it against a timer. */
export function statvfsAsync(p: string): Promise<StatVfs> {
  return new Promise((resolve, reject) => {
    const out: Record<string, bigint | number> = {};
    b().statvfs.async(p, out, (err: unknown, r: number) => {
      if (err) reject(err);
      else if (r !== 0) reject(new NativeError('statvfs', ERRNO['EIO'] ?? 5));
      else resolve(statvfsRecord(out));
    });
  });
}

export function getpwuid(uid: number): PasswdEntry | null {
  const buf = Buffer.alloc(16384);
  const pwd: Record<string, unknown> = {};
  const res: unknown[] = [null];
  const r = b().getpwuid_r(uid, pwd, buf, buf.length, res) as number;
  if (r !== 0 || res[0] === null) return null;
  return {
    name: String(pwd['pw_name']), uid: Number(pwd['pw_uid']), gid: Number(pwd['pw_gid']),
    dir: String(pwd['pw_dir'] ?? ''), shell: String(pwd['pw_shell'] ?? ''),
  };
}

export function getgrgid(gid: number): string | null {
  const buf = Buffer.alloc(16384);
  const grp: Record<string, unknown> = {};
  const res: unknown[] = [null];
  const r = b().getgrgid_r(gid, grp, buf, buf.length, res) as number;
  if (r !== 0 || res[0] === null) return null;
  return String(grp['gr_name']);
}

const AF_INET = 2;
const AF_INET6 = 10;
const AF_PACKET = 17;
const IFF_BROADCAST = 0x2;
const IFF_POINTOPOINT = 0x10;

function sockaddrToString(ptr: unknown): { family: number; address: string } | null {
  if (ptr === null || ptr === undefined) return null;
  const family = koffi.decode(ptr, 0, 'uint16') as number;
  if (family === AF_INET) {
    const bytes = koffi.decode(ptr, 4, 'uint8', 4) as Uint8Array;
    return { family, address: Array.from(bytes).join('.') };
  }
  if (family === AF_INET6) {
    const bytes = Array.from(koffi.decode(ptr, 8, 'uint8', 16) as Uint8Array);
    return { family, address: formatIpv6(bytes) };
  }
  if (family === AF_PACKET) {
    // struct sockaddr_ll: family(2) protocol(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr[8]
    const halen = koffi.decode(ptr, 11, 'uint8') as number;
    const bytes = Array.from(koffi.decode(ptr, 12, 'uint8', 8) as Uint8Array).slice(0, halen);
    const hex = bytes.map((x) => x.toString(16).padStart(2, '0'));
    // A short MAC is padded with :00 (psutil #786).
    while (hex.length < 6) hex.push('00');
    return { family, address: hex.join(':') };
  }
  return { family, address: '' };
}

/** RFC 5952 text of 16 bytes (the same form Python's inet_ntop gives). */
export function formatIpv6(bytes: readonly number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // IPv4-mapped addresses keep the dotted tail.
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${bytes.slice(12, 16).join('.')}`;
  }
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** getifaddrs(3), walked and freed; entries with a NULL ifa_addr are skipped (psutil does the same). */
export function getifaddrs(): IfAddr[] {
  const { getifaddrs: gi, freeifaddrs: fi, Ifaddrs } = b();
  const head: unknown[] = [null];
  if ((gi(head) as number) !== 0) throw new NativeError('getifaddrs', koffi.errno());
  const out: IfAddr[] = [];
  try {
    let p = head[0];
    while (p !== null && p !== undefined) {
      const ifa = koffi.decode(p, Ifaddrs) as {
        ifa_next: unknown; ifa_name: string; ifa_flags: number; ifa_addr: unknown; ifa_netmask: unknown; ifa_ifu: unknown;
      };
      const addr = sockaddrToString(ifa.ifa_addr);
      if (addr) {
        const mask = sockaddrToString(ifa.ifa_netmask);
        const ifu = sockaddrToString(ifa.ifa_ifu);
        out.push({
          name: ifa.ifa_name,
          family: addr.family,
          address: addr.address,
          netmask: mask && mask.family === addr.family ? mask.address : null,
          broadcast: ifa.ifa_flags & IFF_BROADCAST && ifu ? ifu.address : null,
          ptp: ifa.ifa_flags & IFF_POINTOPOINT && ifu ? ifu.address : null,
          flags: ifa.ifa_flags,
        });
      }
      p = ifa.ifa_next;
    }
  } finally {
    fi(head[0]);
  }
  return out;
}
