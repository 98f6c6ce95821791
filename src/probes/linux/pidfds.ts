/**
 * Per-process /proc files read through fds kept from pass to pass, for a caller that reads the same processes every
 * pass (the agent's per-process OTLP: stat, status, io and the fd count of up to otlp.processes.max processes). The
 * library's Process keeps none: a LinuxProcess reads through a PidFiles only while a caller lends it one
 * (LinuxProcess.files, set by ProcessRecorder around one process's visit).
 *
 * What is kept, per process: an fd of the /proc/<pid> directory and one of its stat (mode 'dir'), or of its stat,
 * status and io (mode 'files'), read again with pread(2) at offset 0 (a seq_file prints itself afresh there). Mode
 * 'dir' opens status and io relative to the directory fd each pass. Measured on Linux 6.18, 1,000+ processes
 * (bench/otlp-floor.c): the kernel's CPU for stat + status + io + the fd count is ~32 us per process by path (open,
 * read, close; stat of fd/), ~30 us through a kept directory fd (openat: one path component to look up), ~17 us with
 * kept file fds (no open/close at all). A kept directory fd pins ~200 bytes of slab; a kept file fd that has been read
 * pins its seq_file's page-sized buffer too, ~4 KiB of unreclaimable slab (charged to the agent's memory cgroup): ~13
 * MiB for 1,000 processes in mode 'files'. Mode 'dir' kept the directory only before 2026-12-07: its stat fd saves an
 * openat and a close per process and pass, ~2.9 us of kernel CPU per process (the floor's dirfd strategy with the
 * batched closes below, with and without a kept stat fd: 26.5 -> 23.6 ms per 1,000 processes) and the system calls'
 * share of ours, for a second fd and ~4 KiB per process (SUnreclaim grew 3.6-3.9 KiB per kept, read stat fd).
 *
 * PID reuse: a kept fd names the process it was opened on (its struct pid), not the number: once that process has
 * been reaped, every read through it answers ESRCH (ENOENT for a file opened later relative to it), never the
 * figures of a process that took the pid over. Files are opened only relative to the kept directory fd, so they all
 * belong to the process the directory was opened on; that process's start time is read through the new directory fd
 * and compared with the start time of the Process the caller holds (see open()).
 */
import * as nodeFs from 'node:fs';
import { OsError } from '../errors';
import { RLIMIT_NOFILE } from '../constants';
import { errnoName, prlimit } from './native';
import * as nativeIo from './native-io';
import { keptFdSink, keptFdTable, type KeptFdSink } from './keptfds';
import { parsePidStat, type PidStat } from './parse/pidstat';

/** The files a PidFiles gives besides stat. */
export type PidFileName = 'status' | 'io';

/** What LinuxProcess reads through while a caller lends it kept fds (LinuxProcess.files). */
export interface PidFiles {
  /** stat, parsed. Throws OsError ESRCH when the process the fds were opened on is gone (reaped). */
  stat(): PidStat;
  /** status or io: a view of the reader's buffer, valid until its next read. Throws OsError as ProcFs.readView. */
  read(name: PidFileName): Buffer;
  /** stx_size and stx_uid of fd/ (the size is the fd count on Linux 6.2+, 0 before); OsError on failure. */
  fdDir(): { readonly size: number; readonly uid: number };
  /** The effective uid of this process, read once per pass (the agent never changes it; a library user could). */
  readonly euid: number;
}

export type PidFdMode = 'dir' | 'files';

const ESRCH = 3;
const EMFILE = 24;
/** openat(2)'s "relative to the working directory": with an absolute path, an open by path (openPath()). */
const AT_FDCWD = -100;
const NO_FILES = new Int32Array(0);
const ENOENT = 2;
/** Indexes of the kept file fds (mode 'files'). */
const SLOT: Readonly<Record<'stat' | PidFileName, number>> = { stat: 0, status: 1, io: 2 };
const NAMES = ['stat', 'status', 'io'] as const;

/** Every read is capped at 1 MiB, as ProcFs caps its own: status is ~1.5 KiB, stat and io far less. */
const buf = new nativeIo.ReadBuffer(16 * 1024, 1 << 20);

/** One process's kept fds. */
interface Entry {
  readonly pid: number;
  readonly dir: number;
  /** Start time (clock ticks) of the process the directory fd was opened on, read through it. */
  readonly start: number;
  /** Kept file fds by SLOT (-1: not open: status and io in mode 'dir', or not opened yet, or refused last time). */
  readonly files: Int32Array;
  /** The pass that last used it: entries unused in a pass are closed when it ends. */
  used: number;
  /** The stat read when the entry was opened, served once to the first stat() of the same visit. */
  pending: PidStat | null;
  /** Its process was found reaped and its fds are closed: every read of the visit answers ESRCH. */
  dead: boolean;
  /** Where its fds are noted for another thread to close (keptfds.ts): the directory at `at`, file k at at + 1 + k. */
  readonly table: Int32Array | null;
  readonly at: number;
  /** Its slot in the reader's tables (-1: none). */
  readonly slot: number;
}

/** Entries per shared table of kept fds (keptfds.ts): tables are added as more processes are kept. */
const TABLE_ENTRIES = 256;

/**
 * Fds of files read whole and done with (mode 'dir', and reads by path) whose close waits for the batch: closed
 * together by nativeIo.closeFds, one close_range(2) for each run of consecutive numbers (the kernel gives the lowest
 * free number, so a batch is normally one run) instead of one close(2) each. 48 is 16 processes' stat, status and
 * io: 3,000 close calls per 1,000 processes become about 60 (bench/otlp-processes.js: see the commit that made it).
 * At most that many fds are open beyond the kept ones, for the time it takes to read 16 processes, and no more than
 * a 32nd of the soft RLIMIT_NOFILE (DeferredCloses.limit): under a small limit the batch is smaller.
 */
const CLOSE_BATCH = 48;

class DeferredCloses {
  readonly fds = new Int32Array(CLOSE_BATCH);
  n = 0;
  /** The batch's size for this pass (begin()): CLOSE_BATCH, less under a small fd limit. */
  limit = CLOSE_BATCH;
  /** Where the fds are noted for another thread to close (keptfds.ts), from `at` on; null: no sink. */
  table: Int32Array | null = null;
  at = 0;

  add(fd: number): void {
    if (this.table !== null) Atomics.store(this.table, this.at + this.n, fd);
    this.fds[this.n++] = fd;
    if (this.n >= this.limit) this.flush();
  }

  flush(): void {
    if (this.n === 0) return;
    // Off the shared table first, as closeEntry does.
    if (this.table !== null) for (let k = 0; k < this.n; k++) Atomics.store(this.table, this.at + k, -1);
    nativeIo.closeFds(this.fds, this.n);
    this.n = 0;
  }
}

function osError(errno: number, syscall: string, p: string): OsError {
  const code = errnoName(errno);
  return new OsError(code, errno, syscall, p, `${code}: ${syscall} '${p}'`);
}

function closeEntry(e: Entry): void {
  if (e.dead) return;
  e.dead = true;
  // Off the shared table first: it must never name an fd number already given back.
  if (e.table !== null) for (let k = 0; k <= e.files.length; k++) Atomics.store(e.table, e.at + k, -1);
  for (const fd of e.files) if (fd >= 0) nativeIo.closeFd(fd);
  nativeIo.closeFd(e.dir);
}

const registry = new FinalizationRegistry<{ entries: Map<number, Entry>; closes: DeferredCloses }>((held) => {
  for (const e of held.entries.values()) closeEntry(e);
  held.entries.clear();
  held.closes.flush();
});

/**
 * Kept /proc/<pid> fds of one caller, by pid, for passes over the processes (begin, open/visits, end). At most
 * `max` processes are kept, and no more fds than a quarter of the soft RLIMIT_NOFILE (read at each pass); a process
 * past either bound is read the ordinary way (open() answers null). Entries of processes not visited in a pass are
 * closed when it ends; everything is closed by close(), or when the reader is garbage-collected.
 */
export class PidFdReader implements PidFiles {
  private readonly entries = new Map<number, Entry>();
  private pass = 0;
  /** Entries used in this pass. */
  private usedNow = 0;
  private budget = 0;
  private readonly fdsPer: number;
  euid = -1;
  /** The entry being read (set by open(), for the PidFiles methods). */
  private cur: Entry | null = null;
  private readonly fdStat = { size: 0, uid: 0 };
  /** Shared tables of the kept fds (keptfds.ts; none without a sink), their slots in use, and the free ones. */
  private readonly tables: Int32Array[] = [];
  private slots = 0;
  private readonly freeSlots: number[] = [];
  /** Where this reader's tables go (the sink set when it was made; null: no tables). */
  private readonly sink: KeptFdSink | null = keptFdSink();
  private readonly closes = new DeferredCloses();
  /**
   * Whether this kernel gives fd/'s size as the open fd count (Linux 6.2+): then a size of 0 is no fd open (a kernel
   * thread) rather than a kernel that does not count. Learnt once from this process's own fd/ (never empty).
   */
  private countsFds: boolean | null = null;

  constructor(
    private readonly procfs: string,
    private readonly max: number,
    readonly mode: PidFdMode = 'dir',
  ) {
    this.fdsPer = mode === 'files' ? 1 + NAMES.length : 2;
    registry.register(this, { entries: this.entries, closes: this.closes }, this);
  }

  /** Kept processes now. */
  get size(): number {
    return this.entries.size;
  }

  /** Kept fds now (the directories and the kept files). */
  get fds(): number {
    let n = 0;
    for (const e of this.entries.values()) {
      n++;
      for (const fd of e.files) if (fd >= 0) n++;
    }
    return n;
  }

  /** Starts a pass: the fd budget and the euid are read again. */
  begin(): void {
    // A pass left without end() (an exception in the walk) may have left closes waiting.
    this.closes.flush();
    this.pass++;
    this.usedNow = 0;
    const [soft] = prlimit(0, RLIMIT_NOFILE);
    // A quarter of the soft limit (which Node raises to the hard one at start, node.cc's PlatformInit): with readHot's
    // and the cgroup walk's eighths, kept fds take at most half of it.
    const fdCap = soft < 0 ? 256 : Math.floor(soft / 4);
    this.closes.limit = Math.max(1, Math.min(CLOSE_BATCH, Math.floor((soft < 0 ? 1024 : soft) / 32)));
    this.budget = Math.min(this.max, Math.floor(fdCap / this.fdsPer));
    this.euid = process.geteuid?.() ?? -1;
    if (this.countsFds === null) {
      const self = nativeIo.openRead(`${this.procfs}/self`);
      if (self >= 0) {
        this.countsFds = nativeIo.statxSizeUid(self, 'fd', this.fdStat) === 0 && this.fdStat.size > 0;
        nativeIo.closeFd(self);
      } else this.countsFds = false;
    }
  }

  /** Ends a pass: the fds of processes it did not visit (gone, or no longer wanted) are closed. */
  end(): void {
    for (const [pid, e] of this.entries) if (e.used !== this.pass) this.forget(pid, e);
    this.closes.flush();
    this.cur = null;
  }

  close(): void {
    this.closes.flush();
    for (const e of this.entries.values()) closeEntry(e);
    for (const e of this.entries.values()) if (e.slot >= 0) this.freeSlots.push(e.slot);
    this.entries.clear();
    this.cur = null;
    registry.unregister(this);
  }

  /**
   * Makes `pid`'s kept fds the ones the PidFiles methods read, for a Process whose start time is `start`: the kept
   * entry, or one opened now (its start time read through the new directory fd). null: not kept (no start time, the
   * budget is spent, or the process is gone); the caller reads the ordinary way. 'reused': the pid names a process
   * other than the caller's (another start time): the caller's Process is stale, and nothing of the pid is to be
   * reported for it.
   */
  open(pid: number, start: number | null): this | null | 'reused' {
    this.cur = null;
    if (start === null) return null;
    let e = this.entries.get(pid);
    if (e !== undefined && e.start !== start) {
      // The entry's process is gone and the pid is another's (the caller's Process is the new one), or the caller's
      // Process is the stale one: the pid's directory is opened again, and its start time decides.
      this.forget(pid, e);
      e = undefined;
    }
    if (e === undefined) {
      if (this.entries.size >= this.budget && !this.evictBelow(pid)) return null;
      const opened = this.openEntry(pid);
      if (opened === null) return null;
      e = opened;
      this.entries.set(pid, e);
    }
    if (e.used !== this.pass) {
      e.used = this.pass;
      this.usedNow++;
    }
    if (e.start !== start) {
      // The caller's Process is of the process that had the pid before (processIter keeps objects by pid); the
      // entry stays for the process that has it now.
      e.pending = null;
      return 'reused';
    }
    this.cur = e;
    return this;
  }

  /**
   * Makes `pid`'s files, opened by path, the ones readRaw() and fdCount() read: a process past the budget, read the
   * quick way all the same (the raw reads only: stat(), read() and fdDir() are for kept fds). Nothing pins the
   * process here: a caller reads stat last and compares its start time with the one it knows, as a pid can be given
   * to another process only after its process is reaped, and so after every read before that stat.
   */
  openPath(pid: number): this {
    this.cur = {
      pid,
      dir: AT_FDCWD,
      start: -1,
      files: NO_FILES,
      used: this.pass,
      pending: null,
      dead: false,
      table: null,
      at: 0,
      slot: -1,
    };
    return this;
  }

  /** Whether the visit reads by path (openPath()), not through kept fds. */
  get byPath(): boolean {
    return this.entry().dir === AT_FDCWD;
  }

  /** Ends the visit open() began: a stat read at the open and not asked for is dropped. */
  release(): void {
    if (this.cur !== null) this.cur.pending = null;
    this.cur = null;
  }

  /**
   * At the budget: closes the entries this pass has not used whose pid is below `pid`, which a walk in ascending pid
   * order (processIter's) has passed without visiting (their processes are gone, or no longer exported), so that a
   * process taking their place is kept in this pass already rather than the next. Whether any was closed.
   */
  private evictBelow(pid: number): boolean {
    if (this.usedNow >= this.entries.size) return false;
    let freed = false;
    for (const [p, e] of this.entries) {
      if (p < pid && e.used !== this.pass) {
        this.forget(p, e);
        freed = true;
      }
    }
    return freed;
  }

  /** A free slot of the shared tables, a table added when all are full; -1 where there is no sink. */
  private takeSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    if (this.sink === null) return -1;
    if (this.tables.length === 0) this.firstTable(this.sink);
    else if (this.slots === this.tables.length * TABLE_ENTRIES)
      this.tables.push(keptFdTable(this.sink, TABLE_ENTRIES * (1 + NAMES.length)));
    return this.slots++;
  }

  /** The first shared table, with room past its entries for the deferred closes' fds. */
  private firstTable(sink: KeptFdSink): void {
    const at = TABLE_ENTRIES * (1 + NAMES.length);
    const table = keptFdTable(sink, at + CLOSE_BATCH);
    this.tables.push(table);
    this.closes.table = table;
    this.closes.at = at;
  }

  private openEntry(pid: number): Entry | null {
    // The deferred closes first: the new directory fd takes the lowest free number below them, so the kept fds stay
    // packed at the bottom of the table and the files read whole above them get consecutive numbers, one run per
    // batch (opened in between, kept fds would leave holes of the batch's closes for the next passes to fall into).
    this.closes.flush();
    const dir = nativeIo.openRead(`${this.procfs}/${pid}`);
    // Gone since the listing (or hidden: hidepid): the ordinary reads report it.
    if (dir < 0) return null;
    const files = new Int32Array(NAMES.length).fill(-1);
    const slot = this.takeSlot();
    const table = slot < 0 ? null : (this.tables[Math.floor(slot / TABLE_ENTRIES)] as Int32Array);
    const at = slot < 0 ? 0 : (slot % TABLE_ENTRIES) * (1 + NAMES.length);
    if (table !== null) Atomics.store(table, at, dir);
    const e: Entry = { pid, dir, start: -1, files, used: this.pass, pending: null, dead: false, table, at, slot };
    const n = this.readFile(e, 0);
    let st: PidStat | null = null;
    if (n >= 0) {
      const p = `${this.procfs}/${pid}/stat`;
      try {
        st = parsePidStat(buf.buf.subarray(0, n), p);
      } catch (err) {
        closeEntry(e);
        if (slot >= 0) this.freeSlots.push(slot);
        throw err;
      }
    }
    if (st === null) {
      closeEntry(e);
      if (slot >= 0) this.freeSlots.push(slot);
      return null;
    }
    // The same fds (files is shared), with the start time read through them.
    return { ...e, start: st.starttime, pending: st };
  }

  /** Closes an entry's fds; the visit that found it dead keeps it as `cur`, so its later reads answer ESRCH too. */
  private forget(pid: number, e: Entry): void {
    if (this.entries.get(pid) === e) {
      this.entries.delete(pid);
      if (e.used === this.pass) this.usedNow--;
      if (e.slot >= 0) this.freeSlots.push(e.slot);
    }
    closeEntry(e);
    // The files of the process read before are closed with it (rare: a process gone, or no longer exported).
    this.closes.flush();
  }

  private entry(): Entry {
    if (this.cur === null) throw new Error('PidFdReader: read outside a visit (open() first)');
    return this.cur;
  }

  /** The visit's entry for the PidFiles methods, which read through kept fds only (not after openPath()). */
  private keptEntry(): Entry {
    const e = this.entry();
    if (e.dir === AT_FDCWD) throw new Error('PidFdReader: PidFiles read of a visit by path');
    return e;
  }

  /** A failed read through a kept fd: ESRCH/ENOENT mean the process it names was reaped (its fds are closed). */
  private failure(e: Entry, errno: number, name: string): OsError {
    const p = `${this.procfs}/${e.pid}/${name}`;
    if (errno === ESRCH || errno === ENOENT) {
      this.forget(e.pid, e);
      return osError(ESRCH, 'read', p);
    }
    return osError(errno, 'read', p);
  }

  stat(): PidStat {
    const e = this.keptEntry();
    if (e.pending !== null) {
      const st = e.pending;
      e.pending = null;
      return st;
    }
    const n = this.readFile(e, SLOT.stat);
    if (n < 0) throw this.failure(e, -n, 'stat');
    return parsePidStat(buf.buf.subarray(0, n), `${this.procfs}/${e.pid}/stat`);
  }

  read(name: PidFileName): Buffer {
    const e = this.keptEntry();
    const n = this.readFile(e, SLOT[name]);
    if (n < 0) throw this.failure(e, -n, name);
    return buf.buf.subarray(0, n);
  }

  fdDir(): { readonly size: number; readonly uid: number } {
    const e = this.keptEntry();
    if (e.dead) throw this.failure(e, ESRCH, 'fd');
    const r = nativeIo.statxSizeUid(e.dir, 'fd', this.fdStat);
    if (r === null) {
      // glibc before 2.28: Node's stat of the path (its libuv has its own statx).
      const p = `${this.procfs}/${e.pid}/fd`;
      let st: nodeFs.Stats;
      try {
        st = nodeFs.statSync(p);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ESRCH') throw this.failure(e, ESRCH, 'fd');
        throw err;
      }
      return { size: st.size, uid: st.uid };
    }
    if (r < 0) throw this.failure(e, -r, 'fd');
    return this.fdStat;
  }

  // ---- raw reads, for a caller that parses the bytes itself and takes the general path on anything unusual ----

  /** The buffer readRaw() fills (its first bytes; valid until the next read of any PidFdReader). */
  get buffer(): Buffer {
    return buf.buf;
  }

  /** Whether the visit's stat was read when its fds were opened (stat() serves it; readRaw('stat') would not). */
  get statPending(): boolean {
    return this.entry().pending !== null;
  }

  /** One file of the visit's process into `buffer`: the byte count, or -errno (nothing else happens on failure). */
  readRaw(name: 'stat' | PidFileName): number {
    return this.readFile(this.entry(), SLOT[name]);
  }

  /**
   * The open fd count from fd/'s size, as fdDir() gives it to LinuxProcess.fdCount(); -1 where that would go on to
   * list fd/ or fail (no statx, an error, another user's process when not root, a size of 0 on a kernel that does
   * not count): the caller reads it the general way.
   */
  fdCount(): number {
    const e = this.entry();
    if (e.dead) return -1;
    const r =
      e.dir === AT_FDCWD
        ? nativeIo.statxSizeUid(AT_FDCWD, `${this.procfs}/${e.pid}/fd`, this.fdStat)
        : nativeIo.statxSizeUid(e.dir, 'fd', this.fdStat);
    if (r !== 0) return -1;
    if (this.euid !== 0 && this.fdStat.uid !== this.euid) return -1;
    if (this.fdStat.size > 0) return this.fdStat.size;
    return this.countsFds === true ? 0 : -1;
  }

  /**
   * One file of the entry into `buf`: the byte count, or -errno. Mode 'files', and stat in mode 'dir': pread at 0
   * of the kept fd (opened relative to the directory fd on first use); status and io in mode 'dir': openat, read,
   * and a close deferred to the batch's.
   */
  private readFile(e: Entry, slot: number): number {
    if (e.dead) return -ESRCH;
    const name = NAMES[slot]!;
    if (e.dir === AT_FDCWD) return this.readWhole(AT_FDCWD, `${this.procfs}/${e.pid}/${name}`);
    if (this.mode === 'files' || slot === SLOT.stat) {
      let fd = e.files[slot]!;
      if (fd < 0) {
        fd = nativeIo.openReadAt(e.dir, name);
        if (fd < 0) return fd;
        e.files[slot] = fd;
        if (e.table !== null) Atomics.store(e.table, e.at + 1 + slot, fd);
      }
      return buf.fill(fd, true);
    }
    return this.readWhole(e.dir, name);
  }

  /** openat(dirfd, name) read whole into `buf`, its close deferred (DeferredCloses): the byte count, or -errno. */
  private readWhole(dirfd: number, name: string): number {
    let fd = nativeIo.openReadAt(dirfd, name);
    // At the fd limit, the fds waiting for their close may be what stands in the way.
    if (fd === -EMFILE && this.closes.n > 0) {
      this.closes.flush();
      fd = nativeIo.openReadAt(dirfd, name);
    }
    if (fd < 0) return fd;
    if (this.closes.table === null && this.sink !== null) this.firstTable(this.sink);
    const n = buf.fill(fd);
    this.closes.add(fd);
    return n;
  }
}
