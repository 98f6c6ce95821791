/**
 * The one place that calls libc through koffi. Loaded lazily: a fixture-only user never pays for it (koffi loads on
 * the first call that needs it, not when this module is imported).
 * Each function returns plain values or throws NativeError carrying the errno name; callers translate to psutil
 * errors (they know the pid). Syscall numbers depend on the architecture, so they are looked up, never assumed: on an
 * architecture not listed, the calls that need one throw UnsupportedOperation (pidfd_open reports ENOSYS instead, so
 * that signals take the kill(2) way, as on kernels before 5.3).
 */
// koffi's package is ESM-typed with a CommonJS entry: load the CJS build, typed from its declarations.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- typescript-eslint reads the import attribute below as an assignment
type Koffi = typeof import('koffi', { with: { 'resolution-mode': 'import' } });

import { UnsupportedOperation } from '../errors';
import { cPath, fsdecodeRange } from '../../util/fsencoding';

let koffiModule: Koffi | null = null;

/** koffi, loaded on first use. */
export function koffi(): Koffi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- koffi loads on the first libc call, not on import
  koffiModule ??= require('koffi') as Koffi;
  return koffiModule;
}

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
/** The errno's name (ENOENT, ...), as NativeError names it; `E<n>` for one koffi does not know. */
export function errnoName(n: number): string {
  if (errnoNames.size === 0) {
    for (const [k, v] of Object.entries(errnoTable())) if (!errnoNames.has(v)) errnoNames.set(v, k);
  }
  return errnoNames.get(n) ?? `E${n}`;
}

function errnoTable(): Record<string, number> {
  return koffi().os.errno;
}

/** The errno number of a name (ENOENT -> 2), undefined for a name koffi does not know. */
export function errnoNumber(name: string): number | undefined {
  return errnoTable()[name];
}

/** Errno numbers by name, as koffi knows them; read lazily (the first lookup loads koffi). */
export const ERRNO: Readonly<Record<string, number>> = new Proxy(
  {},
  {
    get: (_t, name) => (typeof name === 'string' ? errnoTable()[name] : undefined),
    has: (_t, name) => typeof name === 'string' && name in errnoTable(),
    ownKeys: () => Reflect.ownKeys(errnoTable()),
    getOwnPropertyDescriptor: (_t, name) => {
      const v = typeof name === 'string' ? errnoTable()[name] : undefined;
      return v === undefined ? undefined : { value: v, enumerable: true, configurable: true, writable: false };
    },
  },
);

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

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  dir: string;
  shell: string;
}

export type Fn = ReturnType<LibraryHandle['func']>;
export type LibraryHandle = ReturnType<Koffi['load']>;

interface Bindings {
  sysconf: Fn;
  getpriority: Fn;
  setpriority: Fn;
  prlimit: Fn;
  sched_getaffinity: Fn;
  sched_setaffinity: Fn;
  syscall: Fn;
  statvfsRaw: Fn;
  getpwuid_r: Fn;
  getgrgid_r: Fn;
  getifaddrs: Fn;
  freeifaddrs: Fn;
  kill: Fn;
  close: Fn;
  sysinfo: Fn;
  socket: Fn;
  readlink: Fn;
  memcpy: Fn;
  lseek: Fn;
  readlinkat: Fn;
  getdents64: Fn | null;
  ioctl: Fn;
  Rlimit: CType;
  StatvfsT: CType;
  Passwd: CType;
  Group: CType;
  Ifaddrs: CType;
  /** null on an architecture SYSCALLS does not list. */
  nums: SyscallNumbers | null;
}

type CType = ReturnType<Koffi['struct']>;
export type KoffiField = Parameters<Koffi['array']>[0];

let bound: Bindings | null = null;

/**
 * koffi.struct(name, def), or the existing type when the name is taken: koffi's type registry lives in the native
 * addon for the whole process, while jest evaluates this module again for each test file of a long-lived worker.
 */
export function namedStruct(name: string, def: Record<string, KoffiField>): CType {
  try {
    return koffi().struct(name, def);
  } catch (err) {
    if (/duplicate type name/i.test(String((err as { message?: unknown } | null)?.message))) return koffi().type(name);
    throw err;
  }
}

/** A libc function that older glibc lacks (getdents64 came in 2.30): null there, and callers take another way. */
export function optionalFunc(libc: LibraryHandle, proto: string): Fn | null {
  try {
    return libc.func(proto);
  } catch (err) {
    if (/not find|undefined symbol|cannot find/i.test(String((err as { message?: unknown } | null)?.message)))
      return null;
    throw err;
  }
}

export function b(): Bindings {
  if (bound) return bound;
  const libc = koffi().load('libc.so.6');
  const Rlimit = namedStruct('psx_rlimit', { rlim_cur: 'uint64', rlim_max: 'uint64' });
  const StatvfsT = namedStruct('psx_statvfs', {
    f_bsize: 'unsigned long',
    f_frsize: 'unsigned long',
    f_blocks: 'uint64',
    f_bfree: 'uint64',
    f_bavail: 'uint64',
    f_files: 'uint64',
    f_ffree: 'uint64',
    f_favail: 'uint64',
    f_fsid: 'unsigned long',
    f_flag: 'unsigned long',
    f_namemax: 'unsigned long',
    f_spare: koffi().array('int', 6),
  });
  const Passwd = namedStruct('psx_passwd', {
    pw_name: 'const char *',
    pw_passwd: 'const char *',
    pw_uid: 'uint32',
    pw_gid: 'uint32',
    pw_gecos: 'const char *',
    pw_dir: 'const char *',
    pw_shell: 'const char *',
  });
  const Group = namedStruct('psx_group', {
    gr_name: 'const char *',
    gr_passwd: 'const char *',
    gr_gid: 'uint32',
    gr_mem: 'void *',
  });
  const Ifaddrs = namedStruct('psx_ifaddrs', {
    ifa_next: 'void *',
    ifa_name: 'const char *',
    ifa_flags: 'uint',
    ifa_addr: 'void *',
    ifa_netmask: 'void *',
    ifa_ifu: 'void *',
    ifa_data: 'void *',
  });
  const nums = SYSCALLS[process.arch] ?? null;
  bound = {
    sysconf: libc.func('long sysconf(int name)'),
    getpriority: libc.func('int getpriority(int which, uint32 who)'),
    setpriority: libc.func('int setpriority(int which, uint32 who, int prio)'),
    prlimit: libc.func('int prlimit(int pid, int resource, const psx_rlimit *new_limit, _Out_ psx_rlimit *old_limit)'),
    sched_getaffinity: libc.func('int sched_getaffinity(int pid, size_t size, _Out_ uint8_t *mask)'),
    sched_setaffinity: libc.func('int sched_setaffinity(int pid, size_t size, const uint8_t *mask)'),
    syscall: libc.func('long syscall(long number, ...)'),
    // Into memory allocated once, read through a DataView (no struct decode, no BigInts).
    statvfsRaw: libc.func('int statvfs(const char *path, void *buf)'),
    getpwuid_r: libc.func(
      'int getpwuid_r(uint32 uid, _Out_ psx_passwd *pwd, _Out_ uint8_t *buf, size_t buflen, _Out_ void **result)',
    ),
    getgrgid_r: libc.func(
      'int getgrgid_r(uint32 gid, _Out_ psx_group *grp, _Out_ uint8_t *buf, size_t buflen, _Out_ void **result)',
    ),
    getifaddrs: libc.func('int getifaddrs(_Out_ void **ifap)'),
    freeifaddrs: libc.func('void freeifaddrs(void *ifa)'),
    kill: libc.func('int kill(int pid, int sig)'),
    close: libc.func('int close(int fd)'),
    // void *, not a struct: the result lands in sysinfoMem and is read through a typed view, with no decode.
    sysinfo: libc.func('int sysinfo(void *info)'),
    socket: libc.func('int socket(int domain, int type, int protocol)'),
    readlink: libc.func('long readlink(const char *path, void *buf, size_t size)'),
    // Copies native memory (getifaddrs nodes) into scratch memory that has a long-lived view: ~0.1 µs a call, where
    // a koffi.view or koffi.decode of the node itself costs 1-2 µs (an ArrayBuffer or a copy each time).
    memcpy: libc.func('void memcpy(void *dest, void *src, size_t n)'),
    lseek: libc.func('long lseek(int fd, long offset, int whence)'),
    // The name as a pointer into the getdents64 buffer, where it already sits NUL-terminated: no string conversion.
    readlinkat: libc.func('long readlinkat(int dirfd, void *path, void *buf, size_t size)'),
    getdents64: optionalFunc(libc, 'long getdents64(int fd, void *buf, size_t size)'),
    // Variadic as glibc declares it; the argument is always a pointer to memory allocated once (nicScratch).
    ioctl: libc.func('int ioctl(int fd, unsigned long request, ...)'),
    Rlimit,
    StatvfsT,
    Passwd,
    Group,
    Ifaddrs,
    nums,
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
  koffi().errno(0);
  const r = b().getpriority(PRIO_PROCESS, pid) as number;
  // -1 is a legal priority: only errno tells failure apart.
  if (r === -1) {
    const e = koffi().errno();
    if (e !== 0) throw new NativeError('getpriority', e);
  }
  return r;
}

export function setpriority(pid: number, value: number): void {
  if ((b().setpriority(PRIO_PROCESS, pid, value) as number) !== 0)
    throw new NativeError('setpriority', koffi().errno());
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
  if ((b().prlimit(pid, resource, nl, out) as number) !== 0) throw new NativeError('prlimit', koffi().errno());
  return [limitFromNative(out.rlim_cur ?? 0n), limitFromNative(out.rlim_max ?? 0n)];
}

/** sched_getaffinity(2): the CPU numbers in the mask; the mask grows on EINVAL (more than 1024 CPUs). */
export function schedGetaffinity(pid: number): number[] {
  for (let size = 128; size <= 1 << 16; size *= 2) {
    const mask = Buffer.alloc(size);
    const r = b().sched_getaffinity(pid, size, mask) as number;
    if (r < 0) {
      const e = koffi().errno();
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
  if ((b().sched_setaffinity(pid, size, mask) as number) !== 0)
    throw new NativeError('sched_setaffinity', koffi().errno());
}

/** The syscall number of `name` here; UnsupportedOperation on an architecture whose numbers are not listed. */
function syscallNumber(name: keyof SyscallNumbers): number {
  const nums = b().nums;
  if (nums === null) throw new UnsupportedOperation(`${name}(2) (no syscall number known for ${process.arch})`);
  return nums[name];
}

/** ioprio_get(2): [ioclass, value]. */
export function ioprioGet(pid: number): [number, number] {
  const r = Number(b().syscall(syscallNumber('ioprio_get'), 'int', IOPRIO_WHO_PROCESS, 'int', pid));
  if (r < 0) throw new NativeError('ioprio_get', koffi().errno());
  return [r >> IOPRIO_CLASS_SHIFT, r & ((1 << IOPRIO_CLASS_SHIFT) - 1)];
}

export function ioprioSet(pid: number, ioclass: number, value: number): void {
  const prio = (ioclass << IOPRIO_CLASS_SHIFT) | value;
  const r = Number(b().syscall(syscallNumber('ioprio_set'), 'int', IOPRIO_WHO_PROCESS, 'int', pid, 'int', prio));
  if (r < 0) throw new NativeError('ioprio_set', koffi().errno());
}

/** kill(2) with a validated integer pid (never Node's process.kill, which accepts " -1 "). */
export function kill(pid: number, sig: number): void {
  if (!Number.isSafeInteger(pid) || pid <= 0)
    throw new RangeError(`pid must be a positive integer, got ${String(pid)}`);
  if ((b().kill(pid, sig) as number) !== 0) throw new NativeError('kill', koffi().errno());
}

/** pidfd_open(2) (Linux 5.3): an fd pinning the process, or throws (ENOSYS on older kernels). */
export function pidfdOpen(pid: number): number {
  // Where the number is not known, as where the kernel lacks the call: callers signal through kill(2) then.
  if (b().nums === null) throw new NativeError('pidfd_open', errnoNumber('ENOSYS') ?? 38);
  const r = Number(b().syscall(syscallNumber('pidfd_open'), 'int', pid, 'uint', 0));
  if (r < 0) throw new NativeError('pidfd_open', koffi().errno());
  return r;
}

export function pidfdSendSignal(pidfd: number, sig: number): void {
  const r = Number(
    b().syscall(syscallNumber('pidfd_send_signal'), 'int', pidfd, 'int', sig, 'void *', null, 'uint', 0),
  );
  if (r < 0) throw new NativeError('pidfd_send_signal', koffi().errno());
}

export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An unsigned 4- or 8-byte field of a struct in native byte order, as a Number (exact below 2^53). */
function readUnsigned(view: DataView, [off, size]: readonly [number, number]): number {
  if (size === 4) return view.getUint32(off, LITTLE_ENDIAN);
  const lo = view.getUint32(LITTLE_ENDIAN ? off : off + 4, LITTLE_ENDIAN);
  const hi = view.getUint32(LITTLE_ENDIAN ? off + 4 : off, LITTLE_ENDIAN);
  return hi * 0x100000000 + lo;
}

/** struct sysinfo is 112 bytes on 64-bit Linux (64 on 32-bit): 128 covers both. */
const SYSINFO_SIZE = 128;
/** SI_LOAD_SHIFT: the loads are fixed-point with 16 fractional bits. */
const SI_LOAD_SCALE = 1 << 16;
let sysinfoOut: {
  mem: unknown;
  words: Uint32Array;
  view: DataView;
  long: number;
  loads: [number, number, number];
} | null = null;

/**
 * The 1, 5 and 15-minute load averages from sysinfo(2), what glibc's getloadavg(3) (and so psutil.getloadavg) returns:
 * the kernel's fixed-point values / 65536, at full precision (/proc/loadavg rounds them to 2 decimals). No file is
 * opened; the struct goes to memory allocated once and is read through views made once. The returned array is
 * reused by the next call: copy what you keep.
 */
export function sysinfoLoads(): readonly [number, number, number] {
  if (sysinfoOut === null) {
    const mem: unknown = koffi().alloc('uint8_t', SYSINFO_SIZE);
    const ab = koffi().view(mem, SYSINFO_SIZE);
    sysinfoOut = {
      mem,
      words: new Uint32Array(ab),
      view: new DataView(ab),
      long: koffi().sizeof('long'),
      loads: [0, 0, 0],
    };
  }
  const o = sysinfoOut;
  if ((b().sysinfo(o.mem) as number) !== 0) throw new NativeError('sysinfo', koffi().errno());
  // `long uptime; unsigned long loads[3]; ...`
  const out = o.loads;
  if (o.long === 8 && LITTLE_ENDIAN) {
    const w = o.words;
    out[0] = (w[2]! + w[3]! * 0x100000000) / SI_LOAD_SCALE;
    out[1] = (w[4]! + w[5]! * 0x100000000) / SI_LOAD_SCALE;
    out[2] = (w[6]! + w[7]! * 0x100000000) / SI_LOAD_SCALE;
  } else {
    for (let k = 0; k < 3; k++) out[k] = load(o.view, (k + 1) * o.long, o.long);
  }
  return out;
}

/** One `unsigned long` load of struct sysinfo, scaled (any word size and byte order). */
function load(v: DataView, off: number, size: number): number {
  if (size === 4) return v.getUint32(off, LITTLE_ENDIAN) / SI_LOAD_SCALE;
  const lo = v.getUint32(LITTLE_ENDIAN ? off : off + 4, LITTLE_ENDIAN);
  const hi = v.getUint32(LITTLE_ENDIAN ? off + 4 : off, LITTLE_ENDIAN);
  return (hi * 0x100000000 + lo) / SI_LOAD_SCALE;
}

// ---- readlink ----

/** Where readlink(2) writes: one allocation, grown for a longer target, read through a Buffer over the same memory. */
let linkOut: { mem: unknown; buf: Buffer; size: number } | null = null;

function linkScratch(size: number): NonNullable<typeof linkOut> {
  if (linkOut !== null && linkOut.size >= size) return linkOut;
  if (linkOut !== null) koffi().free(linkOut.mem);
  const mem: unknown = koffi().alloc('uint8_t', size);
  linkOut = { mem, buf: Buffer.from(koffi().view(mem, size)), size };
  return linkOut;
}

/**
 * readlink(2): the target as text that keeps every byte (fsdecode, psutil's surrogateescape: fs.readlinkSync would
 * turn a byte that is not UTF-8 into U+FFFD and name another file), or throws NativeError. Node's readlinkSync
 * costs about twice the syscall in argument checks and error contexts; the fd scan of netConnections makes one call
 * per open file of every process.
 */
export function readlink(p: string): string {
  const fn = b().readlink;
  for (let size = 4096; ; size *= 2) {
    const out = linkScratch(size);
    const n = Number(fn(p, out.mem, out.size));
    if (n < 0) throw new NativeError('readlink', koffi().errno());
    // A target that fills the buffer may be cut: ask again with more room (procfs links stop at PATH_MAX anyway).
    if (n < out.size || size >= 1 << 20) return fsdecodeRange(out.buf, 0, n);
  }
}

// ---- directory listing ----

const DIRENT_BUF = 32 * 1024;
const SEEK_SET = 0;
let direntOut: { mem: unknown; buf: Buffer } | null = null;

/** Whether listDirFd can run here (glibc 2.30+ has getdents64); otherwise the caller lists with fs.readdirSync. */
export function canListDir(): boolean {
  return b().getdents64 !== null;
}

/**
 * The names in an open directory, listed again from its start (lseek to 0, then getdents64(2) until it returns 0),
 * without `.` and `..`, sorted bytewise and decoded as UTF-8: what fs.readdirSync returns (libuv's scandir sorts with
 * strcmp), without opening the directory each time. Throws NativeError.
 */
export function listDirFd(fd: number): string[] {
  const fns = b();
  const getdents = fns.getdents64;
  if (getdents === null) throw new NativeError('getdents64', ERRNO['ENOSYS'] ?? 38);
  if (direntOut === null) {
    const mem: unknown = koffi().alloc('uint8_t', DIRENT_BUF);
    direntOut = { mem, buf: Buffer.from(koffi().view(mem, DIRENT_BUF)) };
  }
  const { mem, buf } = direntOut;
  if (Number(fns.lseek(fd, 0, SEEK_SET)) < 0) throw new NativeError('lseek', koffi().errno());
  const names: string[] = [];
  // ASCII names (all of /proc and /sys) sort the same as strings and as bytes; the bytes of any other name are kept
  // (its decoding may be lossy) to order the whole list as strcmp would.
  let nonAscii: Map<number, Buffer> | null = null;
  for (;;) {
    const n = Number(getdents(fd, mem, DIRENT_BUF));
    if (n < 0) throw new NativeError('getdents64', koffi().errno());
    if (n === 0) break;
    // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated, padded).
    for (let off = 0; off < n;) {
      const reclen = LITTLE_ENDIAN ? buf.readUInt16LE(off + 16) : buf.readUInt16BE(off + 16);
      if (reclen === 0) break;
      const start = off + 19;
      let end = buf.indexOf(0, start);
      if (end === -1 || end > off + reclen) end = off + reclen;
      off += reclen;
      if (buf[start] === 46 && (end - start === 1 || (end - start === 2 && buf[start + 1] === 46))) continue;
      for (let i = start; i < end; i++) {
        if (buf[i]! >= 0x80) {
          (nonAscii ??= new Map()).set(names.length, Buffer.from(buf.subarray(start, end)));
          break;
        }
      }
      names.push(buf.toString('utf8', start, end));
    }
  }
  if (nonAscii === null) return names.sort();
  const raw = nonAscii;
  return names
    .map((name, i) => ({ name, bytes: raw.get(i) ?? Buffer.from(name, 'latin1') }))
    .sort((x, y) => Buffer.compare(x.bytes, y.bytes))
    .map((x) => x.name);
}

/** One entry of readlinksAt. */
export interface LinkEntry {
  name: string;
  /** The link's target when it starts with the prefix asked for, else null (also when readlinkat failed). */
  target: string | null;
  /** readlinkat's errno, 0 when it succeeded. */
  errno: number;
  /** The errno's name: left null here (ProcFs fills it), so that one shape serves both. */
  osCode: string | null;
}

const LINK_BUF = 4096;
const NO_ERRNOS: ReadonlySet<number> = new Set();
let linkAtOut: { mem: unknown; buf: Buffer } | null = null;
let direntBase = 0;

/**
 * Every entry of an open directory (listed from its start, in the kernel's order: ascending fd numbers for
 * /proc/<pid>/fd), with its symlink target read by readlinkat(2) relative to the directory, so the path of each link is
 * not looked up again from / (a third of a readlink of /proc/<pid>/fd/<n>). Only targets starting with `prefix` are
 * decoded (the fd scan wants `socket:[`); targets are read up to 4 KiB (procfs links stop at PATH_MAX). `.` and `..`
 * are left out. A link failing with an errno in `stopOn` ends the listing there (it is the last entry). Throws
 * NativeError when the directory cannot be listed.
 */
export function readlinksAt(dirFd: number, prefix: string, stopOn: ReadonlySet<number> = NO_ERRNOS): LinkEntry[] {
  const fns = b();
  const getdents = fns.getdents64;
  if (getdents === null) throw new NativeError('getdents64', ERRNO['ENOSYS'] ?? 38);
  if (direntOut === null) {
    const mem: unknown = koffi().alloc('uint8_t', DIRENT_BUF);
    direntOut = { mem, buf: Buffer.from(koffi().view(mem, DIRENT_BUF)) };
  }
  if (direntBase === 0) direntBase = Number(koffi().address(direntOut.mem));
  if (linkAtOut === null) {
    const mem: unknown = koffi().alloc('uint8_t', LINK_BUF);
    linkAtOut = { mem, buf: Buffer.from(koffi().view(mem, LINK_BUF)) };
  }
  const { mem, buf } = direntOut;
  const link = linkAtOut;
  const want = Buffer.from(prefix, 'utf8');
  const out: LinkEntry[] = [];
  if (Number(fns.lseek(dirFd, 0, SEEK_SET)) < 0) throw new NativeError('lseek', koffi().errno());
  for (;;) {
    const n = Number(getdents(dirFd, mem, DIRENT_BUF));
    if (n < 0) throw new NativeError('getdents64', koffi().errno());
    if (n === 0) return out;
    for (let off = 0; off < n;) {
      const reclen = LITTLE_ENDIAN ? buf.readUInt16LE(off + 16) : buf.readUInt16BE(off + 16);
      if (reclen === 0) break;
      const start = off + 19;
      let end = buf.indexOf(0, start);
      if (end === -1 || end > off + reclen) end = off + reclen;
      off += reclen;
      if (buf[start] === 46 && (end - start === 1 || (end - start === 2 && buf[start + 1] === 46))) continue;
      const name = buf.toString('utf8', start, end);
      const got = Number(fns.readlinkat(dirFd, direntBase + start, link.mem, LINK_BUF));
      if (got < 0) {
        const errno = koffi().errno();
        out.push({ name, target: null, errno, osCode: null });
        // The caller gives up on the whole directory at this error: the rest need not be read.
        if (stopOn.has(errno)) return out;
        continue;
      }
      const matches = got >= want.length && link.buf.compare(want, 0, want.length, 0, want.length) === 0;
      out.push({ name, target: matches ? link.buf.toString('utf8', 0, got) : null, errno: 0, osCode: null });
    }
  }
}

export function closeFd(fd: number): void {
  b().close(fd);
}

/** Where statvfs() lands: allocated on first use, with each field's [offset, size] taken from psx_statvfs. */
let statvfsOut: { mem: unknown; view: DataView; fields: StatvfsFields } | null = null;

type StatvfsFields = Record<keyof StatVfs, readonly [number, number]>;
let statvfsLayout: { size: number; fields: StatvfsFields } | null = null;

/** struct statvfs's size and each field's [offset, size], from psx_statvfs. */
function statvfsFields(): { size: number; fields: StatvfsFields } {
  if (statvfsLayout !== null) return statvfsLayout;
  const T = b().StatvfsT;
  const at = (f: string, t: string): readonly [number, number] => [koffi().offsetof(T, f), koffi().sizeof(t)];
  statvfsLayout = {
    size: koffi().sizeof(T),
    fields: {
      bsize: at('f_bsize', 'unsigned long'),
      frsize: at('f_frsize', 'unsigned long'),
      blocks: at('f_blocks', 'uint64'),
      bfree: at('f_bfree', 'uint64'),
      bavail: at('f_bavail', 'uint64'),
      files: at('f_files', 'uint64'),
      ffree: at('f_ffree', 'uint64'),
      favail: at('f_favail', 'uint64'),
      flag: at('f_flag', 'unsigned long'),
      namemax: at('f_namemax', 'unsigned long'),
    },
  };
  return statvfsLayout;
}

function statvfsScratch(): NonNullable<typeof statvfsOut> {
  if (statvfsOut !== null) return statvfsOut;
  const { size, fields } = statvfsFields();
  const mem: unknown = koffi().alloc('uint8_t', size);
  statvfsOut = { mem, view: new DataView(koffi().view(mem, size)), fields };
  return statvfsOut;
}

function readStatvfs(view: DataView, f: StatvfsFields): StatVfs {
  return {
    bsize: readUnsigned(view, f.bsize),
    frsize: readUnsigned(view, f.frsize),
    blocks: readUnsigned(view, f.blocks),
    bfree: readUnsigned(view, f.bfree),
    bavail: readUnsigned(view, f.bavail),
    files: readUnsigned(view, f.files),
    ffree: readUnsigned(view, f.ffree),
    favail: readUnsigned(view, f.favail),
    flag: readUnsigned(view, f.flag),
    namemax: readUnsigned(view, f.namemax),
  };
}

export function statvfs(p: string): StatVfs {
  const { mem, view, fields } = statvfsScratch();
  // A path read from the kernel may hold escaped bytes (fsdecode): statvfs gets the bytes themselves.
  if ((b().statvfsRaw(cPath(p), mem) as number) !== 0) throw new NativeError('statvfs', koffi().errno());
  return readStatvfs(view, fields);
}

/** The bytes of a struct statvfs, for a thread that calls statvfs into a buffer of its own (statfs.ts). */
export function statvfsSize(): number {
  return statvfsFields().size;
}

/** A struct statvfs that another thread's statvfs wrote into `buf` (statvfsSize() bytes), read as statvfs() reads it. */
export function decodeStatvfs(buf: Buffer): StatVfs {
  const { size, fields } = statvfsFields();
  if (buf.length < size) throw new RangeError(`a struct statvfs has ${size} bytes, got ${buf.length}`);
  return readStatvfs(new DataView(buf.buffer, buf.byteOffset, size), fields);
}

/**
 * _exit(2): ends the process now, without Node's teardown. process.exit() joins every worker thread first, and a
 * thread inside a statfs(2) that the kernel does not answer (a stuck mount) is never joined: the agent's shutdown
 * takes this way when such a thread is left. The pending signal kills that thread too (the wait is killable).
 */
export function exitNow(code: number): never {
  koffi().load('libc.so.6').func('void _exit(int status)')(code);
  throw new Error('_exit returned');
}

export function getpwuid(uid: number): PasswdEntry | null {
  const buf = Buffer.alloc(16384);
  const pwd: Record<string, unknown> = {};
  const res: unknown[] = [null];
  const r = b().getpwuid_r(uid, pwd, buf, buf.length, res) as number;
  if (r !== 0 || res[0] === null) return null;
  return {
    name: String(pwd['pw_name']),
    uid: Number(pwd['pw_uid']),
    gid: Number(pwd['pw_gid']),
    dir: typeof pwd['pw_dir'] === 'string' ? pwd['pw_dir'] : '',
    shell: typeof pwd['pw_shell'] === 'string' ? pwd['pw_shell'] : '',
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

// ---- adjtimex ----

/** adjtimex(2)'s fields read by the timex collector, with its return value (the clock state) as `state`. */
export interface TimexFields {
  state: number;
  offset: number;
  freq: number;
  maxerror: number;
  esterror: number;
  status: number;
  constant: number;
  tick: number;
  ppsfreq: number;
  jitter: number;
  shift: number;
  stabil: number;
  jitcnt: number;
  calcnt: number;
  errcnt: number;
  stbcnt: number;
  tai: number;
}

let adjtimexFn: { fn: Fn } | null = null;

/**
 * adjtimex(2) with modes 0: reads the kernel's clock discipline state, changes nothing (no privilege needed). The
 * struct as glibc's <sys/timex.h> lays it out: `long` fields (koffi sizes them per architecture), ints padded, and the
 * eleven reserved ints at the end that the kernel may write.
 */
export function adjtimex(): TimexFields {
  if (adjtimexFn === null) {
    const Timeval = namedStruct('psx_timeval', { tv_sec: 'long', tv_usec: 'long' });
    namedStruct('psx_timex', {
      modes: 'uint',
      offset: 'long',
      freq: 'long',
      maxerror: 'long',
      esterror: 'long',
      status: 'int',
      constant: 'long',
      precision: 'long',
      tolerance: 'long',
      time: Timeval,
      tick: 'long',
      ppsfreq: 'long',
      jitter: 'long',
      shift: 'int',
      stabil: 'long',
      jitcnt: 'long',
      calcnt: 'long',
      errcnt: 'long',
      stbcnt: 'long',
      tai: 'int',
      reserved: koffi().array('int', 11),
    });
    adjtimexFn = { fn: koffi().load('libc.so.6').func('int adjtimex(_Inout_ psx_timex *buf)') };
  }
  const t: Record<string, unknown> = { modes: 0 };
  const state = adjtimexFn.fn(t) as number;
  if (state < 0) throw new NativeError('adjtimex', koffi().errno());
  const n = (k: string): number => Number(t[k]);
  return {
    state,
    offset: n('offset'),
    freq: n('freq'),
    maxerror: n('maxerror'),
    esterror: n('esterror'),
    status: n('status'),
    constant: n('constant'),
    tick: n('tick'),
    ppsfreq: n('ppsfreq'),
    jitter: n('jitter'),
    shift: n('shift'),
    stabil: n('stabil'),
    jitcnt: n('jitcnt'),
    calcnt: n('calcnt'),
    errcnt: n('errcnt'),
    stbcnt: n('stbcnt'),
    tai: n('tai'),
  };
}
