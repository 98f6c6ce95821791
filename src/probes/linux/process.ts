/**
 * Linux process backend (psutil's _pslinux.Process): reads one process's /proc files and makes its libc calls, and
 * maps every errno to psutil's process errors (psutil-surface 2 item 5):
 *   EACCES/EPERM -> AccessDenied; ESRCH -> ZombieProcess when stat says Z, else NoSuchProcess; ENOENT ->
 *   NoSuchProcess when /proc/<pid>/stat is gone, ZombieProcess when it says Z, else the OsError itself (a file this
 *   kernel does not have); anything that fails while the process vanishes -> NoSuchProcess.
 * A handle caches the stat/status/statm/cmdline/smaps reads while a oneshot block is open (depth > 0) and reads
 * afresh otherwise. Besides psutil's files it reads cgroup, wchan and task/<tid>/{stat,status,io,wchan} for the
 * documented extensions (cgroups(), wchan(), threadsInfo()). Values stay in the kernel's units (ticks, pages, kB lines as bytes); the facade shapes results.
 */
import type { ProcFs } from './procfs';
import type { PidFiles } from './pidfds';
import * as native from './native';
import { NativeError } from './native';
import {
  AccessDenied,
  NoSuchProcess,
  OsError,
  ParseError,
  PsutilError,
  UnsupportedOperation,
  ZombieProcess,
} from '../errors';
import { parsePidStat, type PidStat } from './parse/pidstat';
import { parseStatm, statmFromStatus, type Statm } from './parse/statm';
import { parseArgv, parseCmdline } from './parse/cmdline';
import { parseCgroup, type CgroupEntry } from './parse/cgroup';
import { parseEnviron } from './parse/environ';
import { parsePidIo, type PidIo } from './parse/pidio';
import { fileFlagsToMode, parseFdinfo, type FdInfo } from './parse/fdinfo';
import { parseCpuList, statusIds, statusKb, statusNumber, statusSignalCount, statusValue } from './parse/pidstatus';
import { parseLimits } from './parse/limits';
import { parseSmaps, parseSmapsTotals, type SmapsBlock, type SmapsTotals } from './parse/smaps';

/** Above Linux's largest argument area (3/4 of _STK_LIM = 6 MiB): cmdline() never truncates, memory stays bounded. */
export const CMDLINE_CAP = 8 << 20;
/** smaps of a large process runs to a few MiB (one ~1 KiB block per mapping). */
const SMAPS_CAP = 256 << 20;

/** pid_t is a signed 32-bit integer (psutil's check_pid_range). */
export const PID_MAX = 0x7fffffff;

function isOs(err: unknown, ...codes: string[]): err is OsError {
  return err instanceof OsError && codes.includes(err.osCode);
}

/** readlink cleanup (psutil _pslinux.readlink): cut at a NUL (#717); strip ' (deleted)' if no such path exists. */
function cleanLink(fs: ProcFs, target: string): string {
  const nul = target.indexOf('\0');
  let path = nul >= 0 ? target.slice(0, nul) : target;
  if (path.endsWith(' (deleted)') && !fs.lexists(fs.root(path))) path = path.slice(0, -10);
  return path;
}

export interface ThreadTimes {
  readonly id: number;
  readonly utime: number;
  readonly stime: number;
}

/** One thread as threadsInfo() reads it: its stat, two status lines, and io and wchan when asked. */
export interface ThreadInfoRaw {
  readonly id: number;
  readonly stat: PidStat;
  readonly voluntaryCtxSwitches: number;
  readonly involuntaryCtxSwitches: number;
  /** null when not asked, or not readable (io needs ptrace access to the process). */
  readonly io: PidIo | null;
  /** The wchan file's text; null when not asked. */
  readonly wchan: string | null;
}

export interface ThreadsInfoWanted {
  readonly io: boolean;
  readonly wchan: boolean;
}

export interface OpenFileRaw {
  readonly path: string;
  readonly fd: number;
  readonly info: FdInfo;
  /** psutil's mode string from the flags: 'r', 'w', 'a', 'r+' or 'a+'. */
  readonly mode: string;
}

export class LinuxProcess {
  readonly fs: ProcFs;
  readonly pid: number;
  /** `<procfs>/<pid>/`. */
  readonly dir: string;
  /** The last name the facade learned, for error messages (psutil's `_name`). */
  name: string | null = null;
  /** The last ppid seen, for ZombieProcess (psutil's `_ppid`). */
  ppid: number | null = null;
  private depth = 0;
  private kernelFs: boolean | null = null;
  private cStat: PidStat | null = null;
  private cStatus: string | null = null;
  private cStatm: Statm | null = null;
  /** The cmdline bytes (a private copy), from which both splits below are made. */
  private cCmdlineBytes: Buffer | null = null;
  private cCmdline: string[] | null = null;
  private cArgv: string[] | null = null;
  private cSmaps: string | null = null;
  /**
   * Set inside a oneshot block whose caller will read status anyway (asDict/processIter with uids, username, ...):
   * statm() then takes its figures from that status read instead of opening statm too. Cleared when the block ends.
   */
  statusWanted = false;
  /**
   * Kept fds that stat, status, io and the fd count are read through, lent by a caller for one visit (the agent's
   * ProcessRecorder, pidfds.ts); null (always, for plain library use): the ordinary reads by path. Their ESRCH means
   * the process they were opened on is gone, whatever now has its pid.
   */
  files: PidFiles | null = null;

  constructor(fs: ProcFs, pid: number) {
    this.fs = fs;
    this.pid = pid;
    this.dir = `${fs.procfs}/${pid}/`;
  }

  // ---- oneshot ----------------------------------------------------------------------------------------------

  /** Opens a caching block (re-entrant); `statusWanted`: the block will read status anyway (see the field). */
  enter(statusWanted = false): void {
    this.depth++;
    if (statusWanted) this.statusWanted = true;
  }

  exit(): void {
    if (this.depth > 0 && --this.depth === 0) {
      this.cStat = null;
      this.cStatus = null;
      this.cStatm = null;
      this.cCmdlineBytes = null;
      this.cCmdline = null;
      this.cArgv = null;
      this.cSmaps = null;
      this.statusWanted = false;
    }
  }

  /** Whether dir lies on a real procfs mount (not a fixture tree): asked once per handle, as ProcFs decides it once. */
  private onKernelFs(): boolean {
    return (this.kernelFs ??= this.fs.isKernelPath(this.dir));
  }

  get cached(): boolean {
    return this.depth > 0;
  }

  /** Whether the oneshot cache holds stat: a value both stat and status give is then taken from stat. */
  get statCached(): boolean {
    return this.cStat !== null;
  }

  // ---- errors -----------------------------------------------------------------------------------------------

  noSuchProcess(msg?: string, cause?: unknown): NoSuchProcess {
    return new NoSuchProcess(this.pid, this.name, msg, cause);
  }

  zombie(cause?: unknown): ZombieProcess {
    return new ZombieProcess(this.pid, this.name, this.ppid, undefined, cause);
  }

  accessDenied(cause?: unknown): AccessDenied {
    return new AccessDenied(this.pid, this.name, undefined, cause);
  }

  /** Reads stat afresh: null when it cannot be read (the process is gone). */
  private liveStat(): PidStat | null {
    try {
      const p = this.dir + 'stat';
      return parsePidStat(this.fs.readView(p), p);
    } catch (err) {
      if (err instanceof OsError || err instanceof ParseError) return null;
      throw err;
    }
  }

  /** Reads the state letter afresh: null when stat cannot be read (the process is gone). */
  private liveState(): string | null {
    return this.liveStat()?.state ?? null;
  }

  isZombie(): boolean {
    return this.liveState() === 'Z';
  }

  /** psutil's _raise_if_zombie: where a file reads empty, a zombie is an error and a kernel thread is not. */
  raiseIfZombie(): void {
    if (this.isZombie()) throw this.zombie();
  }

  /**
   * raiseIfZombie for a file that read empty, sparing the fresh stat read where the block's stat already shows a
   * kernel thread (5% of the processes of a small host): kthreadd, their parent, ignores SIGCHLD, so the kernel reaps
   * them as they exit (exit_notify's autoreap) and one is never a zombie; it reads empty because it has no user space.
   */
  private raiseIfZombieEmpty(): void {
    const st = this.cStat;
    if (st !== null && st.kernelThread && st.state !== 'Z') return;
    this.raiseIfZombie();
  }

  /** errno -> psutil error for a failed /proc access of this process. */
  translate(err: unknown): unknown {
    if (err instanceof PsutilError && !(err instanceof OsError) && !(err instanceof ParseError)) return err;
    if (isOs(err, 'EACCES', 'EPERM')) return this.accessDenied(err);
    if (isOs(err, 'ESRCH', 'ENOENT') || err instanceof ParseError) {
      const st = this.liveStat();
      if (st === null) return this.noSuchProcess(undefined, err);
      if (st.state === 'Z') return this.zombie(err);
      if (isOs(err, 'ESRCH')) {
        // Linux 6.x answers ESRCH for the address-space files (environ, auxv, smaps_rollup, mem) of a live kernel
        // thread: it has none. psutil 7 raises NoSuchProcess, which makes process_iter drop a live process; a refusal
        // is the honest answer. A user process answers ESRCH only while exiting (its mm already released): gone.
        return st.kernelThread
          ? new AccessDenied(this.pid, this.name, 'a kernel thread has no user address space', err)
          : this.noSuchProcess(undefined, err);
      }
      return err;
    }
    return err;
  }

  /**
   * The last translation of an OsError that leaves a public Process method: psutil's classes only. A /proc file that
   * a live process lacks is a file this kernel does not have (UnsupportedOperation); any other errno on a live
   * process is a refusal to read it (AccessDenied, the errno kept as cause).
   */
  publicError(err: OsError): PsutilError {
    const t = this.translate(err);
    if (t !== err && t instanceof PsutilError) return t;
    if (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR')
      return new UnsupportedOperation(`${err.path ?? 'this /proc file'} (absent)`, 'this kernel', err);
    return new AccessDenied(
      this.pid,
      this.name,
      `${err.osCode} from ${err.syscall}${err.path === null ? '' : ` ${err.path}`}`,
      err,
    );
  }

  /** errno -> psutil error for a failed libc call on this process (ENOSYS from prlimit means a zombie, psutil). */
  translateNative(err: unknown): unknown {
    if (!(err instanceof NativeError)) return err;
    if (err.osCode === 'EPERM' || err.osCode === 'EACCES') return this.accessDenied(err);
    if (err.osCode === 'ESRCH' || err.osCode === 'ENOSYS') {
      const state = this.liveState();
      if (state === null) return this.noSuchProcess(undefined, err);
      if (state === 'Z') return this.zombie(err);
    }
    return err;
  }

  // ---- the cached group: stat, status, statm, cmdline, smaps --------------------------------------------------

  /** /proc/<pid>/stat, parsed (cached in a oneshot block). */
  stat(): PidStat {
    if (this.cStat !== null) return this.cStat;
    const p = this.dir + 'stat';
    let st: PidStat;
    try {
      st = this.files !== null ? this.files.stat() : parsePidStat(this.fs.readView(p), p);
    } catch (err) {
      // stat itself: ENOENT/ESRCH simply mean gone (no zombie check needed: a zombie's stat reads fine).
      if (isOs(err, 'ENOENT', 'ESRCH')) throw this.noSuchProcess(undefined, err);
      throw this.translate(err);
    }
    this.ppid = st.ppid;
    if (this.depth > 0) this.cStat = st;
    return st;
  }

  /** stat read now, whatever the oneshot cache holds: identity checks before a signal or a setter. */
  freshStat(): PidStat {
    const saved = this.cStat;
    this.cStat = null;
    try {
      return this.stat();
    } finally {
      if (this.depth > 0 && saved !== null && this.cStat === null) this.cStat = saved;
    }
  }

  /** Seeds the cache with a stat just read by the caller (processIter, children): no second read in the block. */
  seedStat(st: PidStat): void {
    if (this.depth > 0) this.cStat = st;
  }

  /** /proc/<pid>/status as latin1 text (cached in a oneshot block). */
  status(): string {
    if (this.cStatus !== null) return this.cStatus;
    const p = this.dir + 'status';
    let text: string;
    try {
      const v = this.files !== null ? this.files.read('status') : this.fs.readView(p);
      text = v.toString('latin1', 0, v.length);
    } catch (err) {
      throw this.translateKept(err);
    }
    if (this.depth > 0) this.cStatus = text;
    return text;
  }

  /** Real, effective and saved ids from the `Uid:` or `Gid:` line of status. */
  ids(key: 'Uid' | 'Gid'): readonly [number, number, number] {
    return statusIds(this.status(), key, this.dir + 'status');
  }

  /** The first number of a status line (Threads, voluntary_ctxt_switches, ...), null when the line is absent. */
  statusNumber(key: string): number | null {
    return statusNumber(this.status(), key, this.dir + 'status');
  }

  /** The number of signals in a hex signal mask line of status (ShdPnd, SigPnd), null when the line is absent. */
  statusSignals(key: string): number | null {
    return statusSignalCount(this.status(), key, this.dir + 'status');
  }

  /** A `kB` status line in bytes; 0 when absent (kernel threads print no Vm* lines). */
  statusBytes(key: string): number {
    return statusKb(this.status(), key, this.dir + 'status');
  }

  /** Cpus_allowed_list of status as CPU numbers, or null when the kernel prints no such line. */
  cpusAllowed(): number[] | null {
    const list = statusValue(this.status(), 'Cpus_allowed_list');
    return list === null ? null : parseCpuList(list, this.dir + 'status');
  }

  /**
   * /proc/<pid>/statm in pages (cached in a oneshot block). Given the page size, in a block that holds or wants
   * status, from status's lines where they prove the same figures (statmFromStatus): one read fewer per process.
   * Only on a real procfs, where the kernel prints both files from the same counters; a fixture tree's two files are
   * whatever their author wrote.
   */
  statm(pageSize?: number): Statm {
    if (this.cStatm !== null) return this.cStatm;
    if (pageSize !== undefined && this.depth > 0 && (this.statusWanted || this.cStatus !== null) && this.onKernelFs()) {
      const derived = statmFromStatus(this.status(), pageSize, this.dir + 'status');
      if (derived !== null) return (this.cStatm = derived);
    }
    const p = this.dir + 'statm';
    let st: Statm;
    try {
      st = parseStatm(this.fs.readView(p), p);
    } catch (err) {
      throw this.translate(err);
    }
    if (this.depth > 0) this.cStatm = st;
    return st;
  }

  /**
   * The cmdline bytes, or the view of a read that the caller parses at once (cached as a copy in a oneshot block,
   * where name(), cmdline() and cmdline({ raw: true }) share one read).
   */
  private cmdlineBytes(): Buffer {
    if (this.cCmdlineBytes !== null) return this.cCmdlineBytes;
    const p = this.dir + 'cmdline';
    let view: Buffer;
    try {
      view = this.fs.readView(p, CMDLINE_CAP);
    } catch (err) {
      throw this.translate(err);
    }
    // allocUnsafe + set: a slice of Node's pool and one copy, cheaper than Buffer.from's generic path.
    if (this.depth > 0) (this.cCmdlineBytes = Buffer.allocUnsafe(view.length)).set(view);
    return view;
  }

  /** The arguments split psutil's way (cached in a oneshot block). */
  cmdline(): string[] {
    if (this.cCmdline !== null) return this.cCmdline;
    const args = parseCmdline(this.cmdlineBytes());
    // Empty: a kernel thread ([]) or a zombie (an error).
    if (args.length === 0) this.raiseIfZombieEmpty();
    if (this.depth > 0) this.cCmdline = args;
    return args;
  }

  /** The arguments split at NUL only, as the kernel stores them (see parseArgv; cached in a oneshot block). */
  argv(): string[] {
    if (this.cArgv !== null) return this.cArgv;
    const args = parseArgv(this.cmdlineBytes());
    if (args.length === 0) this.raiseIfZombieEmpty();
    if (this.depth > 0) this.cArgv = args;
    return args;
  }

  smapsText(): string {
    if (this.cSmaps !== null) return this.cSmaps;
    const p = this.dir + 'smaps';
    let text: string;
    try {
      text = this.fs.readText(p, SMAPS_CAP);
    } catch (err) {
      throw this.translate(err);
    }
    if (this.depth > 0) this.cSmaps = text;
    return text;
  }

  // ---- other files --------------------------------------------------------------------------------------------

  environ(): Record<string, string> {
    const p = this.dir + 'environ';
    try {
      return parseEnviron(this.fs.readView(p, CMDLINE_CAP));
    } catch (err) {
      // A kernel thread has no environment: Linux 6.x refuses the file (ESRCH), older kernels read it empty ({}).
      if (isOs(err, 'ESRCH') && this.liveStat()?.kernelThread === true) return {};
      throw this.translate(err);
    }
  }

  /** readlink of exe: '' for kernel threads (ENOENT while /proc/<pid> exists, psutil #503); a zombie is an error. */
  exe(): string {
    try {
      return cleanLink(this.fs, this.fs.readlink(this.dir + 'exe'));
    } catch (err) {
      if (isOs(err, 'ENOENT', 'ESRCH')) {
        this.raiseIfZombie();
        if (this.fs.lexists(this.dir.slice(0, -1))) return '';
        throw this.noSuchProcess(undefined, err);
      }
      throw this.translate(err);
    }
  }

  /** readlink of cwd; '' when it vanishes while the process lives on (psutil #2514). */
  cwd(): string {
    try {
      return cleanLink(this.fs, this.fs.readlink(this.dir + 'cwd'));
    } catch (err) {
      if (isOs(err, 'ENOENT', 'ESRCH')) {
        const state = this.liveState();
        if (state === null) throw this.noSuchProcess(undefined, err);
        if (state === 'Z') throw this.zombie(err);
        return '';
      }
      throw this.translate(err);
    }
  }

  io(): PidIo {
    const p = this.dir + 'io';
    try {
      return parsePidIo(this.files !== null ? this.files.read('io') : this.fs.readView(p), p);
    } catch (err) {
      throw this.translateKept(err);
    }
  }

  /** translate(), where ESRCH from kept fds is the process gone (its pid may name another one by now). */
  private translateKept(err: unknown): unknown {
    return this.files !== null && isOs(err, 'ESRCH') ? this.noSuchProcess(undefined, err) : this.translate(err);
  }

  /**
   * /proc/<pid>/cgroup: readable for any process, a zombie and a kernel thread included. A kernel built without
   * cgroups has no such file: no cgroups ([]) for a live process.
   */
  cgroup(): CgroupEntry[] {
    const p = this.dir + 'cgroup';
    try {
      return parseCgroup(this.fs.readView(p), p);
    } catch (err) {
      const t = this.translate(err);
      if (t === err && isOs(err, 'ENOENT')) return [];
      throw t;
    }
  }

  /**
   * /proc/<pid>/wchan: the kernel function the task sleeps in, or '0' (running, a zombie, or no ptrace access to it:
   * the kernel prints 0 for all three rather than failing).
   */
  wchan(): string {
    const p = this.dir + 'wchan';
    try {
      const v = this.fs.readView(p, 4096);
      return v.toString('latin1', 0, v.length).trim();
    } catch (err) {
      // A kernel without CONFIG_KALLSYMS has no wchan file: nothing to tell, as for '0'.
      const t = this.translate(err);
      if (t === err && isOs(err, 'ENOENT')) return '0';
      throw t;
    }
  }

  /** /proc/<pid>/limits, for procfs roots that prlimit(2) cannot reach. */
  limitsFile(resource: number): readonly [number, number] {
    const p = this.dir + 'limits';
    let lim;
    try {
      lim = parseLimits(this.fs.readView(p), p);
    } catch (err) {
      throw this.translate(err);
    }
    const v = lim.get(resource);
    if (v === undefined) throw new ParseError(p, `no row for resource ${resource}`);
    return v;
  }

  /** The entries of /proc/<pid>/fd. */
  fdNames(): string[] {
    try {
      return this.fs.readdir(this.dir + 'fd');
    } catch (err) {
      throw this.translate(err);
    }
  }

  /**
   * The number of open fds. Linux 6.2+ gives it as the st_size of /proc/<pid>/fd (one stat(2) instead of opening
   * and listing the directory); that size is 0 on older kernels and for a process without fds, and then the entries
   * are counted. The kernel answers the stat without checking access, so it is used only where listing is allowed
   * too (we are root or the directory's owner): another user's process stays AccessDenied, as psutil's listing is.
   * Fixture trees (not a procfs mount) are always listed.
   */
  fdCount(): number {
    const p = this.dir + 'fd';
    const files = this.files;
    if (files !== null || this.fs.isKernelPath(p)) {
      let size = 0;
      try {
        const st = files !== null ? files.fdDir() : this.fs.stat(p);
        const euid = files !== null ? files.euid : (process.geteuid?.() ?? -1);
        if (euid === 0 || st.uid === euid) size = st.size;
      } catch (err) {
        throw this.translateKept(err);
      }
      if (size > 0) return size;
    }
    return this.fdNames().length;
  }

  /** Raises NoSuchProcess if /proc/<pid> is gone (psutil's _assert_alive, after skipping vanished entries). */
  assertAlive(): void {
    if (!this.fs.lexists(this.dir.slice(0, -1))) throw this.noSuchProcess();
  }

  /**
   * Regular files open with an absolute path, with fdinfo's position and flags (psutil open_files). Entries that
   * vanish between readdir and readlink, are not links, or have absurd targets are skipped (#1940).
   */
  openFiles(): OpenFileRaw[] {
    const out: OpenFileRaw[] = [];
    let hitEnoent = false;
    for (const name of this.fdNames()) {
      let target: string;
      try {
        target = cleanLink(this.fs, this.fs.readlink(this.dir + 'fd/' + name));
      } catch (err) {
        if (isOs(err, 'ENOENT', 'ESRCH')) {
          hitEnoent = true;
          continue;
        }
        if (isOs(err, 'EINVAL', 'ENAMETOOLONG')) continue;
        throw this.translate(err);
      }
      if (!target.startsWith('/') || !this.isRegularFile(target)) continue;
      const p = this.dir + 'fdinfo/' + name;
      let info: FdInfo;
      try {
        info = parseFdinfo(this.fs.readView(p), p);
      } catch (err) {
        if (isOs(err, 'ENOENT', 'ESRCH')) {
          hitEnoent = true;
          continue;
        }
        throw this.translate(err);
      }
      out.push({ path: target, fd: Number(name), info, mode: fileFlagsToMode(info.flags) });
    }
    if (hitEnoent) this.assertAlive();
    return out;
  }

  /** psutil's isfile_strict: a regular file (following links); EACCES/EPERM propagate as AccessDenied. */
  private isRegularFile(path: string): boolean {
    try {
      return this.fs.stat(this.fs.root(path)).isFile();
    } catch (err) {
      if (isOs(err, 'EACCES', 'EPERM')) throw this.accessDenied(err);
      if (err instanceof OsError) return false;
      throw err;
    }
  }

  /** Per-thread user and system ticks, ascending by thread id; threads that exit meanwhile are skipped. */
  threads(): ThreadTimes[] {
    let ids: string[];
    try {
      ids = this.fs.readdir(this.dir + 'task');
    } catch (err) {
      throw this.translate(err);
    }
    const out: ThreadTimes[] = [];
    let hitEnoent = false;
    for (const id of ids) {
      const p = this.dir + 'task/' + id + '/stat';
      let st: PidStat;
      try {
        st = parsePidStat(this.fs.readView(p), p);
      } catch (err) {
        if (isOs(err, 'ENOENT', 'ESRCH')) {
          hitEnoent = true;
          continue;
        }
        throw this.translate(err);
      }
      out.push({ id: Number(id), utime: st.utime, stime: st.stime });
    }
    if (hitEnoent) this.assertAlive();
    return out.sort((a, b) => a.id - b.id);
  }

  /**
   * Per-thread stat and context switches (task/<tid>/status), plus io and wchan when asked, ascending by thread id.
   * A thread that exits before its stat and status are read is skipped. io and wchan are extras: null when they
   * cannot be read (io of another user's process without CAP_SYS_PTRACE, a kernel without the file, a thread that
   * exited just after its status was read) rather than an error, since stat and status are readable for any process.
   */
  threadsInfo(wanted: ThreadsInfoWanted): ThreadInfoRaw[] {
    let ids: string[];
    try {
      ids = this.fs.readdir(this.dir + 'task');
    } catch (err) {
      throw this.translate(err);
    }
    const out: ThreadInfoRaw[] = [];
    let hitEnoent = false;
    for (const id of ids) {
      const base = this.dir + 'task/' + id + '/';
      let stat: PidStat;
      let vol: number | null;
      let invol: number | null;
      let io: PidIo | null = null;
      let wchan: string | null = null;
      try {
        stat = parsePidStat(this.fs.readView(base + 'stat'), base + 'stat');
        const sv = this.fs.readView(base + 'status');
        const text = sv.toString('latin1', 0, sv.length);
        vol = statusNumber(text, 'voluntary_ctxt_switches', base + 'status');
        invol = statusNumber(text, 'nonvoluntary_ctxt_switches', base + 'status');
        if (wanted.io) io = this.threadExtra(base + 'io', (v, p) => parsePidIo(v, p));
        if (wanted.wchan) wchan = this.threadExtra(base + 'wchan', (v) => v.toString('latin1', 0, v.length).trim());
      } catch (err) {
        if (isOs(err, 'ENOENT', 'ESRCH')) {
          hitEnoent = true;
          continue;
        }
        throw this.translate(err);
      }
      out.push({
        id: Number(id),
        stat,
        voluntaryCtxSwitches: vol ?? 0,
        involuntaryCtxSwitches: invol ?? 0,
        io,
        wchan,
      });
    }
    if (hitEnoent) this.assertAlive();
    return out.sort((a, b) => a.id - b.id);
  }

  /** An optional per-thread file, parsed; null when it cannot be read (see threadsInfo). */
  private threadExtra<T>(p: string, parse: (v: Buffer, p: string) => T): T | null {
    let v: Buffer;
    try {
      v = this.fs.readView(p, 4096);
    } catch (err) {
      if (isOs(err, 'EACCES', 'EPERM', 'ENOENT', 'ESRCH')) return null;
      throw err;
    }
    return parse(v, p);
  }

  /** /proc/<pid>/smaps_rollup, or null when the kernel refuses it for this process (ESRCH/ENOENT: fall back). */
  smapsRollup(): SmapsTotals | null {
    const p = this.dir + 'smaps_rollup';
    try {
      // One read: the rollup is a fixed set of lines (under 2 KiB) that the kernel prints whole; no read to EOF.
      return parseSmapsTotals(this.fs.readView(p));
    } catch (err) {
      if (isOs(err, 'ESRCH', 'ENOENT')) return null;
      throw this.translate(err);
    }
  }

  smapsTotals(): SmapsTotals {
    const roll = this.smapsRollup();
    if (roll !== null) return roll;
    const text = this.smapsText();
    if (text.trim() === '') {
      this.raiseIfZombie();
      this.assertAlive();
    }
    return parseSmapsTotals(text);
  }

  smapsBlocks(): SmapsBlock[] {
    const text = this.smapsText();
    if (text.trim() === '') {
      this.raiseIfZombie();
      return [];
    }
    const blocks = parseSmaps(text, this.dir + 'smaps');
    return blocks.map((b) => {
      if (b.path === '') return { ...b, path: '[anon]' };
      const path =
        b.path.endsWith(' (deleted)') && !this.fs.lexists(this.fs.root(b.path)) ? b.path.slice(0, -10) : b.path;
      return path === b.path ? b : { ...b, path };
    });
  }

  // ---- libc: priority, ioprio, limits, affinity, signals ------------------------------------------------------

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.translateNative(err);
    }
  }

  getNice(): number {
    return this.call(() => native.getpriority(this.pid));
  }

  setNice(value: number): void {
    this.call(() => native.setpriority(this.pid, value));
  }

  ioprioGet(): [number, number] {
    return this.call(() => native.ioprioGet(this.pid));
  }

  ioprioSet(ioclass: number, value: number): void {
    this.call(() => native.ioprioSet(this.pid, ioclass, value));
  }

  rlimit(resource: number, limits?: readonly [number, number]): [number, number] {
    return this.call(() => native.prlimit(this.pid, resource, limits));
  }

  affinityGet(): number[] {
    return this.call(() => native.schedGetaffinity(this.pid));
  }

  affinitySet(cpus: readonly number[]): void {
    this.call(() => native.schedSetaffinity(this.pid, cpus));
  }

  /**
   * Sends `sig` only if the process still has start time `starttime`. Race-free where pidfd_open(2) exists: the fd
   * pins the process, then identity is checked, then pidfd_send_signal(2). Elsewhere (ENOSYS; a thread id, which
   * pidfd_open refuses) identity is re-checked just before kill(2). Returns the way the signal went.
   */
  signal(sig: number, starttime: number): 'pidfd' | 'kill' {
    let pidfd = -1;
    try {
      pidfd = native.pidfdOpen(this.pid);
    } catch (err) {
      // A thread id: EINVAL on older kernels, ENOENT on recent ones (pidfd_prepare: no task of that type; also a task
      // already reaped, which the start-time check below and kill's ESRCH then report as gone).
      if (
        !(err instanceof NativeError) ||
        (err.osCode !== 'ENOSYS' && err.osCode !== 'EINVAL' && err.osCode !== 'ENOENT')
      ) {
        throw this.translateNative(err);
      }
    }
    try {
      if (this.freshStat().starttime !== starttime) {
        throw this.noSuchProcess('process no longer exists and its PID has been reused');
      }
      if (pidfd >= 0) {
        this.call(() => native.pidfdSendSignal(pidfd, sig));
        return 'pidfd';
      }
      this.call(() => native.kill(this.pid, sig));
      return 'kill';
    } finally {
      if (pidfd >= 0) native.closeFd(pidfd);
    }
  }
}

/** A handle on one process of this procfs (nothing is read until a getter asks). */
export function handle(fs: ProcFs, pid: number): LinuxProcess {
  return new LinuxProcess(fs, pid);
}
