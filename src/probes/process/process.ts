/**
 * Process (psutil 7.x's Process): its getters and setters over linux/process.ts's handle, with argument checks and
 * frozen results in psutil's field order; identity, signals and waiting are its base class's (core.ts).
 *
 * `Process` (exported from src/index.ts) reads the default roots; `createPsutil({ procfs }).Process` is a subclass
 * bound to other roots (api.ts), so `instanceof Process` holds for both. Getters are synchronous; only
 * `cpuPercent({ interval > 0 })` and `wait()` return Promises.
 */
import type { PidStat } from '../linux/parse/pidstat';
import { AccessDenied, NoSuchProcess, UnsupportedOperation, ZombieProcess } from '../errors';
import { IOPRIO_CLASS_IDLE, IOPRIO_CLASS_NONE, RLIMIT_CPU, RLIMIT_RTTIME, type ProcessStatus } from '../constants';
import type {
  AsDictOptions,
  ChildrenOptions,
  CmdlineOptions,
  CpuPercentOptions,
  MemoryMapsOptions,
  MemoryPercentOptions,
  ProcessAttr,
  ProcessCgroup,
  ProcessConnection,
  ProcessConnectionsOptions,
  ProcessCpuTimes,
  ProcessCtxSwitches,
  ProcessIds,
  ProcessInfo,
  ProcessIoCounters,
  ProcessIonice,
  ProcessMemoryFootprint,
  ProcessMemoryFullInfo,
  ProcessMemoryInfo,
  ProcessMemoryInfoEx,
  ProcessMemoryMap,
  ProcessMemoryMapExt,
  ProcessMemoryUsage,
  ProcessOpenFile,
  ProcessPageFaults,
  ProcessThread,
  ProcessThreadInfo,
  ThreadsInfoOptions,
  UsernameOptions,
} from './types';
import { PROCESS_ATTRS, PROCESS_EXTENSION_ATTRS, readsStatus, resolveAttrs } from './attrs';
import { describeValue, integerArg, nowSeconds, options, secondsArg, sleep } from './args';
import { INIT, type InitData, type ProcessEnv } from './env';
import { ProcessCore } from './core';
import { guardPublicMethods, unguardedReaders } from './guard';
import {
  basename,
  COMM_MAX,
  extendsComm,
  freezeArray,
  groupedMapsOf,
  mapsOf,
  PFULLMEM_FIELDS,
  PMEM_FIELDS,
  PROC_STATUSES,
  threadInfosOf,
  wchanName,
} from './shape';

/** Each attribute's reader (`pid` is a getter), called without its guard: _dict translates what it throws. */
const GETTERS = unguardedReaders<ProcessAttr, Process>([...PROCESS_ATTRS, ...PROCESS_EXTENSION_ATTRS], 'pid');

let connectionsWarned = false;

/**
 * A process, identified by its pid and its start time in clock ticks. `new Process()` is the current process (as
 * the procfs numbers it).
 * Getters read /proc afresh on every call unless inside `oneshot()`; `createTime()` and `exe()` are kept for the
 * object's lifetime (psutil). Setters, signals, `ppid()`, `parent()` and `children()` first check that the pid
 * still belongs to the same process and throw NoSuchProcess if it was reused.
 */
export class Process extends ProcessCore {
  /** The names asDict() and processIter() accept (psutil 8.0's Process.attrs). */
  static readonly attrs: readonly ProcessAttr[] = PROCESS_ATTRS;

  private _exe: string | null = null;
  private _lastWall: number | null = null;
  private _lastCpu: number | null = null;

  /**
   * The attributes as one object, read inside oneshot(): AccessDenied and ZombieProcess become `adValue`; an
   * attribute this system cannot give (UnsupportedOperation) is left out unless asked for by name.
   */
  asDict<K extends ProcessAttr = ProcessAttr, V = null>(opts?: AsDictOptions<K, V>): ProcessInfo<K, V> {
    const o = options<AsDictOptions<K, V>>('asDict', opts, ['attrs', 'adValue']);
    const { names, explicit } = resolveAttrs('asDict', o.attrs);
    return this._dict(names, explicit, o.adValue ?? null, false, readsStatus(names)) as ProcessInfo<K, V>;
  }

  /**
   * @internal asDict without argument checks: processIter validates once for every process (and works out once
   * whether the names read status: `statusWanted`, attrs.ts's readsStatus).
   */
  _dict(
    names: readonly ProcessAttr[],
    explicit: boolean,
    adValue: unknown,
    inIteration: boolean,
    statusWanted: boolean,
  ): Readonly<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    this._h.enter(statusWanted);
    try {
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        let v: unknown;
        try {
          v = GETTERS[name](this);
        } catch (e) {
          // The guard's translation (guard.ts), which GETTERS' direct calls skip.
          const err = this._publicError(e);
          if (err instanceof AccessDenied || err instanceof ZombieProcess) v = adValue;
          else if (err instanceof UnsupportedOperation && !explicit) continue;
          // processIter never aborts for one process: a file this process lacks (a fixture tree, an odd kernel)
          // gives adValue there, where psutil's process_iter would raise for the whole iteration.
          else if (err instanceof UnsupportedOperation && inIteration) v = adValue;
          else throw err;
        }
        out[name] = v;
      }
    } finally {
      this._h.exit();
    }
    return Object.freeze(out);
  }

  // ---- the stat group ------------------------------------------------------------------------------------------

  /** The parent's pid (not cached: a process is re-parented when its parent exits). */
  ppid(): number {
    this._raiseIfReused();
    return this._h.stat().ppid;
  }

  /** @internal stat's comm, never extended: process groups match on it (process-exporter) without a cmdline read. */
  _kernelComm(): string {
    try {
      return this._h.stat().comm;
    } catch (e) {
      throw this._publicError(e);
    }
  }

  /**
   * The name: the kernel's comm (15 bytes at most), extended to basename(cmdline[0]) when that begins with it
   * (psutil; "gnome-keyring-d" -> "gnome-keyring-daemon"). Not cached: a process may rename itself.
   */
  name(): string {
    const st = this._h.stat();
    let name = st.comm;
    if (st.commBytes >= COMM_MAX) {
      let args: readonly string[] = [];
      try {
        args = this._h.cmdline();
      } catch (err) {
        // psutil: without a readable cmdline the cut name stands.
        if (!(err instanceof AccessDenied || err instanceof ZombieProcess)) throw err;
      }
      if (args.length > 0) {
        const ext = basename(args[0]!);
        if (extendsComm(ext, name, st.commBytes)) name = ext;
      }
    }
    this._h.name = name;
    return name;
  }

  /** psutil STATUS_* string ('?' for a letter it does not know). */
  status(): ProcessStatus {
    return PROC_STATUSES[this._h.stat().state] ?? '?';
  }

  /** Epoch seconds: start ticks / CLK_TCK + boot time; kept for the object's lifetime. */
  createTime(): number {
    if (this._createTime === null) {
      const start = this._start ?? this._h.stat().starttime;
      this._createTime = start / this._env.ticks() + this._env.bootTime();
    }
    return this._createTime;
  }

  /** Seconds of CPU: user, system, those of waited-for children, and block I/O delay (iowait). */
  cpuTimes(): ProcessCpuTimes {
    const st = this._h.stat();
    const t = this._env.ticks();
    return Object.freeze({
      user: st.utime / t,
      system: st.stime / t,
      childrenUser: st.cutime / t,
      childrenSystem: st.cstime / t,
      iowait: st.blkioTicks / t,
    });
  }

  /**
   * CPU use in percent of one CPU since the previous call (0.0 on the first), or over `interval` seconds (then a
   * Promise). Can exceed 100 for a multi-threaded process (top's convention). processIter() keeps the objects.
   */
  cpuPercent(opts?: { interval?: null | undefined }): number;
  cpuPercent(opts: CpuPercentOptions): number | Promise<number>;
  cpuPercent(opts?: CpuPercentOptions): number | Promise<number> {
    const o = options<CpuPercentOptions>('cpuPercent', opts, ['interval']);
    const interval = secondsArg('cpuPercent', 'interval', o.interval);
    const busy = (): number => {
      const st = this._h.stat();
      return (st.utime + st.stime) / this._env.ticks();
    };
    const percent = (wall1: number, cpu1: number, wall2: number, cpu2: number): number => {
      const dt = wall2 - wall1;
      if (dt <= 0) return 0;
      return Math.round(((cpu2 - cpu1) / dt) * 100 * 10) / 10;
    };
    if (interval !== null && interval > 0) {
      const wall1 = nowSeconds();
      const cpu1 = busy();
      return sleep(interval * 1000).then(() => {
        const wall2 = nowSeconds();
        const cpu2 = busy();
        this._lastWall = wall2;
        this._lastCpu = cpu2;
        return percent(wall1, cpu1, wall2, cpu2);
      });
    }
    const wall2 = nowSeconds();
    const cpu2 = busy();
    const wall1 = this._lastWall;
    const cpu1 = this._lastCpu;
    this._lastWall = wall2;
    this._lastCpu = cpu2;
    if (wall1 === null || cpu1 === null) return 0;
    return percent(wall1, cpu1, wall2, cpu2);
  }

  /** The CPU the process last ran on. */
  cpuNum(): number {
    return this._h.stat().processor;
  }

  /** Minor and major page faults (psutil 8.0). */
  pageFaults(): ProcessPageFaults {
    const st = this._h.stat();
    return Object.freeze({ minor: st.minflt, major: st.majflt });
  }

  /** The controlling terminal's /dev path, or null. */
  terminal(): string | null {
    return this._env.terminal(this._h.stat().ttyNr);
  }

  /**
   * Without a value: the nice value (-20..19). With one: sets it (setpriority(2), the main thread only,
   * as psutil; other threads keep theirs).
   */
  nice(): number;
  nice(value: number): void;
  nice(value?: number): number | void {
    if (value === undefined || value === null) {
      // getpriority(2) as psutil, a syscall instead of a 1 KiB read; stat's field where the syscall cannot reach the
      // pid (another PID namespace's procfs) or where a oneshot block already holds stat.
      if (this._h.cached || !this._env.native) return this._h.stat().nice;
      return this._h.getNice();
    }
    integerArg('nice', 'value', value);
    if (value < -20 || value > 19) throw new RangeError(`nice: value must be in -20..19, got ${value}`);
    this._env.requireNative('nice(value)');
    this._raiseIfReused();
    this._h.setNice(value);
  }

  // ---- the status group ------------------------------------------------------------------------------------------

  private _ids(key: 'Uid' | 'Gid'): ProcessIds {
    const [real, effective, saved] = this._h.ids(key);
    return Object.freeze({ real, effective, saved });
  }

  /** Real, effective and saved user ids. */
  uids(): ProcessIds {
    return this._ids('Uid');
  }

  /** Real, effective and saved group ids. */
  gids(): ProcessIds {
    return this._ids('Gid');
  }

  /**
   * The name of the real user (getpwuid, cached); the uid as a string when it has no entry (psutil). With
   * `{ effective: true }` (ours), the effective user's, as process-exporter's {{.Username}}.
   */
  username(opts?: UsernameOptions): string {
    const o = options<UsernameOptions>('username', opts, ['effective']);
    if (o.effective !== undefined && typeof o.effective !== 'boolean')
      throw new TypeError(`username: effective must be a boolean, got ${describeValue(o.effective)}`);
    return this._env.userName(this._h.ids('Uid')[o.effective === true ? 1 : 0]);
  }

  numThreads(): number {
    // Stat's num_threads is the same kernel count as status's Threads (both get_nr_threads()): in a oneshot block
    // that read stat, no status read or search for it (Threads is past two thirds of a 1.4 KiB status).
    if (this._h.statCached) return this._h.stat().numThreads;
    const n = this._h.statusNumber('Threads');
    if (n === null) throw new UnsupportedOperation(`numThreads (no Threads line in ${this._h.dir}status)`);
    return n;
  }

  /** Voluntary and involuntary context switches. */
  numCtxSwitches(): ProcessCtxSwitches {
    const voluntary = this._h.statusNumber('voluntary_ctxt_switches');
    const involuntary = this._h.statusNumber('nonvoluntary_ctxt_switches');
    if (voluntary === null || involuntary === null) {
      throw new UnsupportedOperation(
        `numCtxSwitches (no ctxt_switches lines in ${this._h.dir}status; kernel older than 2.6.23)`,
      );
    }
    return Object.freeze({ voluntary, involuntary });
  }

  /**
   * (ours) The number of distinct signals pending for the whole process (the ShdPnd mask of status, shared by its
   * threads), which the OpenTelemetry Collector's process.signals_pending reports. Read from the status that
   * numCtxSwitches() and numThreads() share in a oneshot block.
   */
  signalsPending(): number {
    const n = this._h.statusSignals('ShdPnd');
    if (n === null) throw new UnsupportedOperation(`signalsPending (no ShdPnd line in ${this._h.dir}status)`);
    return n;
  }

  // ---- memory -------------------------------------------------------------------------------------------------

  /** statm's figures in bytes (lib, dirty 0; in a block that reads status anyway, from status: LinuxProcess.statm). */
  memoryInfo(): ProcessMemoryInfo {
    const ps = this._env.pageSize();
    const m = this._h.statm(ps);
    return Object.freeze({
      rss: m.resident * ps,
      vms: m.size * ps,
      shared: m.shared * ps,
      text: m.text * ps,
      lib: m.lib * ps,
      data: m.data * ps,
      dirty: m.dirty * ps,
    });
  }

  /** memoryInfo() plus psutil 8.0's extras from status (see ProcessMemoryInfoEx). */
  memoryInfoEx(): ProcessMemoryInfoEx {
    const base = this.memoryInfo();
    const h = this._h;
    return Object.freeze({
      ...base,
      peakRss: h.statusBytes('VmHWM'),
      peakVms: h.statusBytes('VmPeak'),
      rssAnon: h.statusBytes('RssAnon'),
      rssFile: h.statusBytes('RssFile'),
      rssShmem: h.statusBytes('RssShmem'),
      swap: h.statusBytes('VmSwap'),
      hugetlb: h.statusBytes('HugetlbPages'),
    });
  }

  /** memoryInfo() plus uss (private pages), pss and swap from smaps_rollup (or smaps). Slower: reads page tables. */
  memoryFullInfo(): ProcessMemoryFullInfo {
    const totals = this._h.smapsTotals();
    return Object.freeze({ ...this.memoryInfo(), uss: totals.uss, pss: totals.pss, swap: totals.swap });
  }

  /**
   * psutil 8.0's memory_footprint(): uss, pss and swap from smaps_rollup (or smaps), without memoryFullInfo()'s statm
   * read; plus swapPss (ours). Slower than memoryInfo(): the kernel walks the page tables. AccessDenied for another
   * user's process without CAP_SYS_PTRACE.
   */
  memoryFootprint(): ProcessMemoryFootprint {
    const t = this._h.smapsTotals();
    return Object.freeze({ uss: t.uss, pss: t.pss, swap: t.swap, swapPss: t.swapPss });
  }

  /**
   * (ours) rss, vms and swap in one read of /proc/<pid>/status, which numCtxSwitches(), uids() and numThreads() share
   * in a oneshot block: memoryInfo()'s rss and vms without its statm read. The kernel computes VmRSS and VmSize from
   * the same counters as statm (stat's rss is not used: since Linux 6.16 it is a per-CPU approximation that can be
   * off by hundreds of KiB, where status and statm sum the counters exactly).
   */
  memoryUsage(): ProcessMemoryUsage {
    const h = this._h;
    return Object.freeze({ rss: h.statusBytes('VmRSS'), vms: h.statusBytes('VmSize'), swap: h.statusBytes('VmSwap') });
  }

  /** A memory field as a percentage of MemTotal (default rss). */
  memoryPercent(opts?: MemoryPercentOptions): number {
    const o = options<MemoryPercentOptions>('memoryPercent', opts, ['memtype']);
    const memtype: unknown = o.memtype ?? 'rss';
    if (typeof memtype !== 'string' || !PFULLMEM_FIELDS.includes(memtype)) {
      throw new RangeError(
        `memoryPercent: invalid memtype ${describeValue(memtype)}; valid types are ${PFULLMEM_FIELDS.map((f) => `'${f}'`).join(', ')}`,
      );
    }
    const metrics: Readonly<Record<string, number>> = PMEM_FIELDS.includes(memtype)
      ? (this.memoryInfo() as unknown as Record<string, number>)
      : (this.memoryFullInfo() as unknown as Record<string, number>);
    return (metrics[memtype]! / this._env.memTotal()) * 100;
  }

  /** The mappings from /proc/<pid>/smaps, summed by path (default) or one by one with addr and perms. */
  memoryMaps(opts?: MemoryMapsOptions & { grouped?: true }): readonly ProcessMemoryMap[];
  memoryMaps(opts: MemoryMapsOptions & { grouped: false }): readonly ProcessMemoryMapExt[];
  memoryMaps(opts?: MemoryMapsOptions): readonly ProcessMemoryMap[] | readonly ProcessMemoryMapExt[];
  memoryMaps(opts?: MemoryMapsOptions): readonly ProcessMemoryMap[] | readonly ProcessMemoryMapExt[] {
    const o = options<MemoryMapsOptions>('memoryMaps', opts, ['grouped']);
    if (o.grouped !== undefined && typeof o.grouped !== 'boolean')
      throw new TypeError(`memoryMaps: grouped must be a boolean, got ${describeValue(o.grouped)}`);
    return o.grouped === false ? mapsOf(this._h.smapsBlocks()) : groupedMapsOf(this._h.smapsBlocks());
  }

  // ---- other files ---------------------------------------------------------------------------------------------

  /** The executable's path ('' for kernel threads), guessed from an absolute cmdline[0] when exe is denied (psutil). */
  exe(): string {
    if (this._exe !== null) return this._exe;
    let exe: string;
    try {
      exe = this._h.exe();
    } catch (err) {
      if (err instanceof AccessDenied) return this._guessExe(err);
      throw err;
    }
    if (exe === '') {
      try {
        exe = this._guessExe('');
      } catch (err) {
        if (!(err instanceof AccessDenied)) throw err;
        // psutil: an empty exe stays empty when the cmdline is denied as well.
      }
    }
    this._exe = exe;
    return exe;
  }

  private _guessExe(fallback: string | AccessDenied): string {
    const args = this.cmdline();
    const first = args[0];
    // Only an absolute path is safe: the process may have changed its cwd since.
    if (first !== undefined && first.startsWith('/') && this._env.os.isExecutableFile(this._env.fs, first))
      return first;
    if (fallback instanceof AccessDenied) throw fallback;
    return fallback;
  }

  /**
   * The arguments ([] for kernel threads; ZombieProcess for a zombie). A setproctitle() line with spaces and no NUL is
   * split at spaces (psutil); `{ raw: true }` (ours) splits at NUL only, keeping such a line whole.
   */
  cmdline(opts?: CmdlineOptions): string[] {
    const o = options<CmdlineOptions>('cmdline', opts, ['raw']);
    if (o.raw !== undefined && typeof o.raw !== 'boolean')
      throw new TypeError(`cmdline: raw must be a boolean, got ${describeValue(o.raw)}`);
    return (o.raw === true ? this._h.argv() : this._h.cmdline()).slice();
  }

  /** The environment the process was started with (not later changes). */
  environ(): Readonly<Record<string, string>> {
    return Object.freeze(this._h.environ());
  }

  /** The working directory. */
  cwd(): string {
    return this._h.cwd();
  }

  /** Read and write syscalls, bytes from storage, and bytes passed through read/write (rchar, wchar). */
  ioCounters(): ProcessIoCounters {
    const io = this._h.io();
    return Object.freeze({
      readCount: io.syscr,
      writeCount: io.syscw,
      readBytes: io.readBytes,
      writeBytes: io.writeBytes,
      readChars: io.rchar,
      writeChars: io.wchar,
    });
  }

  /** Open file descriptors (from the size of /proc/<pid>/fd on Linux 6.2+, by listing it before). */
  numFds(): number {
    return this._h.fdCount();
  }

  /** Per thread: id and seconds of user and system CPU, by thread id. */
  threads(): readonly ProcessThread[] {
    const t = this._env.ticks();
    return freezeArray(
      this._h.threads().map((th) => Object.freeze({ id: th.id, userTime: th.utime / t, systemTime: th.stime / t })),
    );
  }

  /**
   * (ours) Per thread, ascending by id: name, status, create time, CPU seconds, page faults and context switches
   * (task/<tid>/stat and status), and by default read/write bytes (task/<tid>/io) and wchan. Threads that exit
   * meanwhile are left out.
   */
  threadsInfo(opts?: ThreadsInfoOptions): readonly ProcessThreadInfo[] {
    const o = options<ThreadsInfoOptions>('threadsInfo', opts, ['io', 'wchan']);
    for (const k of ['io', 'wchan'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'boolean')
        throw new TypeError(`threadsInfo: ${k} must be a boolean, got ${describeValue(o[k])}`);
    }
    const raw = this._h.threadsInfo({ io: o.io !== false, wchan: o.wchan !== false });
    return threadInfosOf(raw, this._env.ticks(), this._env.bootTime());
  }

  /**
   * (ours) Whether this is a kernel thread: PF_KTHREAD in the flags of /proc/<pid>/stat (field 9). Kernel threads
   * have no user space (empty cmdline and exe, psutil's only hint); this is the kernel's own answer, true for
   * kthreadd and every kworker, false for a zombie of a user process.
   */
  isKernelThread(): boolean {
    return this._h.stat().kernelThread;
  }

  /**
   * (ours) The kernel function the process's main thread waits in (/proc/<pid>/wchan), or null when it is not
   * waiting (running, a zombie) or the kernel hides it (no ptrace access): the kernel prints 0 for all of these.
   */
  wchan(): string | null {
    return wchanName(this._h.wchan());
  }

  /**
   * (ours) The cgroups of the process, one per hierarchy, in /proc/<pid>/cgroup's order: { hierarchyId,
   * controllers, path }. On a cgroup v2 host, one entry { hierarchyId: 0, controllers: [], path }.
   */
  cgroups(): readonly ProcessCgroup[] {
    return freezeArray(
      this._h.cgroup().map((c) =>
        Object.freeze({
          hierarchyId: c.hierarchyId,
          controllers: freezeArray([...c.controllers]),
          path: c.path,
        }),
      ),
    );
  }

  /** Regular files opened with an absolute path: path, fd, position, mode ('r', 'w', 'a', 'r+', 'a+') and flags. */
  openFiles(): readonly ProcessOpenFile[] {
    return freezeArray(
      this._h.openFiles().map((f) =>
        Object.freeze({
          path: f.path,
          fd: f.fd,
          position: f.info.pos,
          mode: f.mode,
          flags: f.info.flags,
        }),
      ),
    );
  }

  /** This process's sockets, from /proc/net/* filtered by its socket inodes. */
  netConnections(opts?: ProcessConnectionsOptions): readonly ProcessConnection[] {
    const o = options<ProcessConnectionsOptions>('netConnections', opts, ['kind']);
    const kind: unknown = o.kind === undefined ? 'inet' : o.kind;
    const net = this._env.ctx.os.net;
    if (!net.isConnKind(kind)) {
      // psutil's ValueError for a string it does not know; a non-string is the wrong type.
      const E = typeof kind === 'string' ? RangeError : TypeError;
      throw new E(
        `netConnections: invalid kind ${describeValue(kind)}; choose between ${net.CONN_KINDS.map((k) => `'${k}'`).join(', ')}`,
      );
    }
    let conns;
    try {
      conns = net.connections(this._env.fs, kind, this._pid);
    } catch (err) {
      throw this._h.translate(err);
    }
    this._h.assertAlive();
    return freezeArray(
      conns.map((c) =>
        Object.freeze({
          fd: c.fd,
          family: c.family,
          type: c.type,
          laddr: c.laddr,
          raddr: c.raddr,
          status: c.status,
        }),
      ),
    );
  }

  /** Deprecated alias of netConnections() (psutil 6.0 renamed it). */
  connections(opts?: ProcessConnectionsOptions): readonly ProcessConnection[] {
    if (!connectionsWarned) {
      connectionsWarned = true;
      process.emitWarning('Process.connections() is deprecated; use netConnections()', 'DeprecationWarning');
    }
    return this.netConnections(opts);
  }

  // ---- libc getters and setters ------------------------------------------------------------------------------

  /**
   * Without arguments: the I/O scheduling class and level. With an ioclass (IOPRIO_CLASS_*): sets them; value
   * 0..7 for RT and BE, none for IDLE and NONE.
   */
  ionice(): ProcessIonice;
  ionice(ioclass: number, value?: number | null): void;
  ionice(ioclass?: number | null, value?: number | null): ProcessIonice | void {
    if (ioclass === undefined || ioclass === null) {
      if (value !== undefined && value !== null) throw new RangeError("'ioclass' argument must be specified");
      this._env.requireNative('ionice()');
      const [cls, v] = this._h.ioprioGet();
      return Object.freeze({ ioclass: cls, value: v });
    }
    integerArg('ionice', 'ioclass', ioclass);
    if (ioclass < IOPRIO_CLASS_NONE || ioclass > IOPRIO_CLASS_IDLE)
      throw new RangeError(`ionice: ioclass must be one of IOPRIO_CLASS_* (0..3), got ${ioclass}`);
    const v = value === undefined || value === null ? 0 : integerArg('ionice', 'value', value);
    // psutil's wording, which its users match on.
    if (v !== 0 && ioclass === IOPRIO_CLASS_NONE) throw new RangeError("can't specify value with IOPRIO_CLASS_NONE");
    if (v !== 0 && ioclass === IOPRIO_CLASS_IDLE) throw new RangeError("can't specify value with IOPRIO_CLASS_IDLE");
    if (v < 0 || v > 7) throw new RangeError('ionice: value not in 0-7 range');
    this._env.requireNative('ionice(ioclass)');
    this._raiseIfReused();
    this._h.ioprioSet(ioclass, v);
  }

  /**
   * getrlimit/setrlimit for this process (prlimit(2)): `rlimit(RLIMIT_NOFILE)` -> [soft, hard];
   * `rlimit(RLIMIT_NOFILE, [soft, hard])` sets them. RLIM_INFINITY is -1 both ways.
   */
  rlimit(resource: number): [number, number];
  rlimit(resource: number, limits: readonly [number, number]): void;
  rlimit(resource: number, limits?: readonly [number, number] | null): [number, number] | void {
    integerArg('rlimit', 'resource', resource);
    if (resource < RLIMIT_CPU || resource > RLIMIT_RTTIME)
      throw new RangeError(`rlimit: resource must be one of RLIMIT_* (0..15), got ${resource}`);
    if (limits === undefined || limits === null) {
      if (!this._env.native) return [...this._h.limitsFile(resource)];
      return this._h.rlimit(resource);
    }
    if (!Array.isArray(limits))
      throw new TypeError(`rlimit: limits must be a [soft, hard] pair, got ${describeValue(limits)}`);
    // psutil: ValueError("second argument must be a (soft, hard) tuple") for a sequence of another length.
    if (limits.length !== 2)
      throw new RangeError(
        `rlimit: second argument must be a [soft, hard] pair, got ${(limits as readonly unknown[]).length} values`,
      );
    for (const v of limits as unknown[]) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v))
        throw new TypeError(`rlimit: limits must hold integers, got ${describeValue(v)}`);
      if (v < -1) throw new RangeError(`rlimit: limits must be >= 0 or RLIM_INFINITY (-1), got ${v}`);
    }
    const [soft, hard] = limits;
    if (hard !== -1 && (soft === -1 || soft > hard))
      throw new RangeError(`rlimit: soft limit ${soft} exceeds hard limit ${hard}`);
    this._env.requireNative('rlimit(resource, limits)');
    this._raiseIfReused();
    try {
      this._h.rlimit(resource, [soft, hard]);
    } catch (err) {
      if (this._env.os.isInvalidArgument(err))
        throw new RangeError(`rlimit: invalid limits [${soft}, ${hard}] for resource ${resource}`);
      throw err;
    }
  }

  /** Without arguments: the CPUs the process may run on, ascending. With a list: restricts it ([] means all CPUs). */
  cpuAffinity(): number[];
  cpuAffinity(cpus: readonly number[]): void;
  cpuAffinity(cpus?: readonly number[] | null): number[] | void {
    if (cpus === undefined || cpus === null) {
      if (!this._env.native) {
        const cpus = this._h.cpusAllowed();
        if (cpus === null) throw new UnsupportedOperation(`cpuAffinity (no Cpus_allowed_list in ${this._h.dir}status)`);
        return cpus;
      }
      return this._h.affinityGet().sort((a, b) => a - b);
    }
    if (!Array.isArray(cpus))
      throw new TypeError(`cpuAffinity: cpus must be an array of CPU numbers, got ${describeValue(cpus)}`);
    for (const c of cpus as unknown[]) {
      if (typeof c !== 'number' || !Number.isInteger(c))
        throw new TypeError(`cpuAffinity: CPU numbers must be integers, got ${describeValue(c)}`);
      if (c < 0 || c >= 1 << 16) throw new RangeError(`cpuAffinity: invalid CPU number ${c}`);
    }
    this._env.requireNative('cpuAffinity(cpus)');
    const all = this._env.allCpus();
    // Array.isArray leaves the elements `any`; the loop above checked each is an integer CPU number.
    const wanted = cpus.length === 0 ? all : [...new Set(cpus as readonly number[])];
    this._raiseIfReused();
    try {
      this._h.affinitySet(wanted);
    } catch (err) {
      if (this._env.os.isInvalidArgument(err)) {
        for (const c of wanted) {
          if (!all.includes(c))
            throw new RangeError(`cpuAffinity: invalid CPU number ${c}; choose between ${JSON.stringify(all)}`);
        }
        throw new RangeError(
          `cpuAffinity: CPUs ${JSON.stringify(wanted)} are not eligible (cpuset); choose between ${JSON.stringify(all)}`,
        );
      }
      throw err;
    }
  }

  // ---- family -------------------------------------------------------------------------------------------------

  /** The parent Process, or null (for the lowest pid, or when the parent is gone or younger: its pid was reused). */
  parent(): Process | null {
    const lowest = this._env.lowestPid ?? this._env.pids()[0];
    if (this._pid === lowest) return null;
    const ppid = this.ppid();
    const mine = this._start ?? this._h.stat().starttime;
    let parent: Process;
    try {
      parent = new (contextClass.get(this._env) ?? Process)(ppid);
    } catch (err) {
      if (err instanceof NoSuchProcess) return null;
      throw err;
    }
    return parent._start !== null && parent._start <= mine ? parent : null;
  }

  /** The ancestors, nearest first. */
  parents(): Process[] {
    const out: Process[] = [];
    for (let p = this.parent(); p !== null; p = p.parent()) out.push(p);
    return out;
  }

  /**
   * The children (all descendants with `recursive`), from one pass over /proc/<pid>/stat; a child that started
   * before this process holds a reused pid and is left out (psutil).
   */
  children(opts?: ChildrenOptions): Process[] {
    const o = options<ChildrenOptions>('children', opts, ['recursive']);
    if (o.recursive !== undefined && typeof o.recursive !== 'boolean')
      throw new TypeError(`children: recursive must be a boolean, got ${describeValue(o.recursive)}`);
    this._raiseIfReused();
    const mine = this._start ?? this._h.stat().starttime;
    const map = this._env.os.ppidMap(this._env.fs);
    const make = (pid: number, stat: PidStat): Process | null => {
      if (stat.starttime < mine) return null;
      return makeProcess(this._env, pid, { stat });
    };
    const out: Process[] = [];
    if (o.recursive !== true) {
      for (const [pid, e] of map) {
        if (e.ppid !== this._pid) continue;
        const child = make(pid, e.stat);
        if (child !== null) out.push(child);
      }
      return out;
    }
    const byParent = new Map<number, number[]>();
    for (const [pid, e] of map) {
      const list = byParent.get(e.ppid);
      if (list === undefined) byParent.set(e.ppid, [pid]);
      else list.push(pid);
    }
    const seen = new Set<number>();
    const stack = [this._pid];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      // A pid reused while the map was built can make a cycle.
      if (seen.has(pid)) continue;
      seen.add(pid);
      for (const c of byParent.get(pid) ?? []) {
        const child = make(c, map.get(c)!.stat);
        if (child !== null) {
          out.push(child);
          stack.push(c);
        }
      }
    }
    return out;
  }
}

guardPublicMethods(Process.prototype);

/** The Process class of each context's env (api.ts binds it); the default roots' env is served by Process itself. */
const contextClass = new WeakMap<ProcessEnv, typeof Process>();

/** Makes `cls` the class whose objects parent(), children() and processIter() make for `env`. */
export function bindProcessClass(env: ProcessEnv, cls: typeof Process): void {
  contextClass.set(env, cls);
}

/** A Process of `env`'s context built from data the caller already has (a stat read, a handle in a oneshot block). */
export function makeProcess(env: ProcessEnv, pid: number, init: InitData): Process {
  const cls = contextClass.get(env) ?? Process;
  return new cls(pid, { [INIT]: init });
}
