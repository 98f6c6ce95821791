/**
 * statvfs(3) calls that may hang (a dead NFS server, a FUSE daemon that does not answer), each on a thread of its own.
 *
 * Why not koffi's async call: it runs on libuv's pool, 4 threads shared by the whole process. Four stuck mounts held
 * all of them, and then every other statfs, fs call and DNS lookup (an OTLP push to http://localhost) queued behind
 * them; and a pass whose worker was terminated while such a call was in flight crashed the process (SIGSEGV) when the
 * kernel answered, the call's completion running in a torn-down thread. Why not a child process: one per call costs
 * milliseconds per mount, a long-lived one has the same pool inside it.
 *
 * So: small worker threads (StatfsThreads) that call statvfs synchronously, each on its own stack. A call that
 * outlives its caller's timeout keeps its thread, which is counted as stuck and replaced; when the kernel answers,
 * the answer is dropped if nobody waits any more and the thread goes back to work. A thread is never terminated while
 * it is inside statvfs (Node would wait for it to return, in whatever thread asked), and they are unref'd, so they
 * never hold the process open on their own. Bounded: at most MAX_STUCK threads wait on stuck mounts; past that, a
 * call that finds no thread free fails with EAGAIN at its timeout, without being queued behind the stuck ones.
 *
 * What the thread costs (issue 14, measured side by side, default.yaml, 3 rounds, load 11): the agent without the
 * filesystem collector, its statfs thread with it, kept 69.9 MB resident against 73.3 MB (medians). A design without
 * the isolate, koffi's async call on a libuv pool made larger (UV_THREADPOOL_SIZE = 4 + MAX_STUCK, set before the
 * pool starts, at most MAX_STUCK statvfs on it at once), would keep the pool free for the rest, but not the last
 * guarantee above: the collection worker could then never be terminated while a call is in flight (its completion
 * would run in a torn-down thread), which is worker.ts's shutdown to change, for at most those 3.4 MB.
 *
 * So the thread is lazy: most hosts mount nothing whose statfs can hang. A mount whose statfs the kernel answers from
 * its own memory (STATFS_FROM_MEMORY below, each type's reason from its statfs in the kernel's source), it and every
 * mount at or above it on its path (localStatfsMounts: the path walk crosses those, and an NFS or autofs mount stacked
 * on a local one is what the path reaches), is read by statvfsOf() at once on the calling thread, through native.ts's
 * statvfs, with the thread's result and errors; everything else (nfs, cifs, fuse.*, 9p, ceph, overlay, btrfs, zfs,
 * autofs, a type not listed) goes to the threads, which start when the first such call comes. The type comes from the
 * mount table the caller read (mountinfo): no syscall per mount to learn it. A caller that has no table
 * (diskUsageAsync, mountStatsAsync without `local`) keeps the thread.
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { OsError, TimeoutExpired } from '../errors';
import * as native from './native';
import { cPath } from '../../util/fsencoding';

/**
 * Threads kept for calls: statfs of a healthy mount takes microseconds, so one does the whole mount table. Each costs
 * about 7-9 MB resident (a V8 isolate), which is why there are not more.
 */
export const LIVE_THREADS = 1;
/** Threads allowed beyond those to wait on mounts that hang (each a distinct path: a stuck path is never asked twice). */
export const MAX_STUCK = 8;
/**
 * A call running this long no longer holds up the queue: more threads start, side by side (up to BURST at once),
 * for the calls waiting behind it. Far above a healthy statfs, far below any stat_timeout.
 */
export const SLOW_MS = 100;
export const BURST = 4;
/** The statfs threads' name (comm, at most 15 bytes), as ps -T and /proc/<pid>/task/<tid>/comm show it. */
export const THREAD_NAME = 'psx-statfs';

/**
 * Filesystem types whose statfs(2) the kernel answers from the superblock's in-memory counters: nothing remote, no
 * user-space daemon, no wait for other work (statfs_by_dentry in fs/statfs.c calls the type's ->statfs and nothing
 * else). Each from its ->statfs in the kernel's source:
 * - ext2 (ext2_statfs: group descriptor counts under a spinlock), ext3 and ext4 (ext4_statfs, which ext3 mounts use
 *   since 4.3: percpu counters s_freeclusters/s_freeinodes, the overhead from the in-memory group descriptors). With
 *   project quotas on a PROJINHERIT directory it reads the project's dquot, from the local disk at worst.
 * - xfs (xfs_fs_statfs: percpu m_fdblocks/m_icount/m_ifree), but see xfsStatfsWaits.
 * - f2fs (f2fs_statfs: sbi counters; project quota as ext4).
 * - tmpfs and devtmpfs (shmem_statfs: sbinfo counters; devtmpfs is tmpfs, or ramfs without CONFIG_TMPFS), ramfs and
 *   the kernel's pseudo filesystems (simple_statfs in fs/libfs.c: the type's magic and PAGE_SIZE, no counters): proc,
 *   sysfs, cgroup, cgroup2 (kernfs), devpts, mqueue, debugfs, tracefs, securityfs, pstore, bpf, configfs,
 *   binfmt_misc, nsfs; hugetlbfs (hugetlbfs_statfs: sbinfo under a spinlock).
 * - vfat and msdos (fat_statfs: sbi->free_clusters; counted once from the FAT on the local device when unknown).
 * - squashfs (squashfs_statfs: msblk's bytes_used and inodes) and iso9660 (isofs_statfs: sbi's s_nzones, s_ninodes).
 * Left out, so on the thread: nfs*, cifs, smb3, 9p, ceph, glusterfs, lustre (a server answers), fuse and fuse.*
 * (a daemon answers), overlay (ovl_statfs asks its upper layer, which may be any of those), btrfs (btrfs_statfs
 * sums its space_info lists and has taken chunk_mutex, which chunk allocation holds, in kernels still in use), zfs
 * (out of tree), autofs (statfs looks up with LOOKUP_AUTOMOUNT: a trigger waits on the automount daemon), and every
 * type not named here.
 */
const STATFS_FROM_MEMORY: ReadonlySet<string> = new Set([
  'ext2',
  'ext3',
  'ext4',
  'xfs',
  'f2fs',
  'tmpfs',
  'devtmpfs',
  'ramfs',
  'hugetlbfs',
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'devpts',
  'mqueue',
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'configfs',
  'binfmt_misc',
  'nsfs',
  'vfat',
  'msdos',
  'squashfs',
  'iso9660',
]);

/**
 * Whether xfs's statfs may wait on background work on kernel `release` (uname -r): from 5.15 (deferred inode
 * inactivation, ab23a7768739) xfs_fs_statfs flushed the inodegc queue and waited for it, hours behind a big reflinked
 * file's truncation on slow storage (the "Fix statfs blocking on background inode gc workers" of xfs-5.19-fixes-3,
 * 5e672cd69f0a, which only pushes the queue). 5.15.y took the fix later, at a point the version does not tell; a
 * release that does not parse counts as waiting.
 */
export function xfsStatfsWaits(release: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (m === null) return true;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  return v >= 5015 && v < 5019;
}

/** The running kernel's release (uname -r), read once: it does not change under a running process. */
let runningRelease: string | null = null;
function kernelRelease(): string {
  runningRelease ??= os.release();
  return runningRelease;
}

/** Whether the kernel answers statfs of a filesystem of type `fstype` from memory (STATFS_FROM_MEMORY). */
export function statfsFromMemory(fstype: string, release: string = kernelRelease()): boolean {
  if (fstype === 'xfs') return !xfsStatfsWaits(release);
  return STATFS_FROM_MEMORY.has(fstype);
}

/** What localStatfsMounts needs of a mount table's entry (parse/mountinfo's MountInfoEntry has it). */
export interface MountTypeEntry {
  readonly mountPoint: string;
  readonly fstype: string;
}

/**
 * The mount points of `mounts` (one mount table, in one namespace) whose statvfs cannot wait on anything remote or
 * in user space, so statvfsOf may run it on the calling thread: every mount at that point is of a type the kernel
 * answers from memory (a stacked NFS or autofs mount is what the path reaches, whatever lies below it), and so is
 * every mount at a directory above it (the path walk looks each component up in those: an NFS parent revalidates
 * its dentries with its server, an autofs one may wait for its daemon). A mount point absent from the result goes to
 * the statfs threads. A mount made between the table's read and the statvfs is not seen (the race of any table).
 */
export function localStatfsMounts(
  mounts: readonly MountTypeEntry[],
  release: string = kernelRelease(),
): ReadonlySet<string> {
  const local = new Map<string, boolean>();
  for (const m of mounts)
    local.set(m.mountPoint, (local.get(m.mountPoint) ?? true) && statfsFromMemory(m.fstype, release));
  const out = new Set<string>();
  let remote = false;
  for (const ok of local.values()) remote ||= !ok;
  for (const [mp, ok] of local) {
    if (!ok) continue;
    // '/a/b/c' is reached through '/', '/a' and '/a/b': a directory that is no mount point is on the one above it.
    // With no mount of another type in the table (most hosts), nothing on the way can be one.
    let walk = !remote || mp === '/' || local.get('/') !== false;
    for (let i = mp.indexOf('/', 1); remote && walk && i > 0; i = mp.indexOf('/', i + 1))
      walk = local.get(mp.slice(0, i)) !== false;
    if (walk) out.add(mp);
  }
  return out;
}

/** The thread's code, plain JavaScript (it runs under ts-jest too): statvfs into a buffer, the errno when it fails. */
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const statvfs = koffi.load('libc.so.6').func('int statvfs(const char *path, void *buf)');
// Named for ps -T, top -H and the tests that look for it (/proc/thread-self: Linux 3.17). Without its name (no /proc
// in this mount namespace) the thread works the same: the error says nothing a caller could act on.
try {
  require('node:fs').writeFileSync('/proc/thread-self/comm', workerData.name);
} catch (e) {
  void e;
}
parentPort.postMessage({ ready: true });
parentPort.on('message', (m) => {
  const buf = Buffer.alloc(workerData.size);
  const r = statvfs(m.path, buf);
  parentPort.postMessage({ id: m.id, errno: r === 0 ? 0 : koffi.errno(), buf }, [buf.buffer]);
});
`;

interface Call {
  readonly id: number;
  readonly path: string;
  /** Settles when the thread answers (never by a caller's timeout). */
  readonly done: Promise<native.StatVfs>;
  readonly resolve: (st: native.StatVfs) => void;
  readonly reject: (e: unknown) => void;
  /** Set once a caller gave up on it while it ran: its thread counts as stuck. */
  stuck: boolean;
  /** Fires at SLOW_MS to let more threads start for the calls waiting behind this one. */
  slowTimer: NodeJS.Timeout | null;
  /** Set when it has run for SLOW_MS (by that timer: a timer may fire a little before performance.now() says). */
  slow: boolean;
}

/** A thread's answer: statvfs's errno (0: it worked) and the struct it filled. */
interface Answer {
  readonly id: number;
  readonly errno: number;
  readonly buf: Uint8Array;
}

interface Thread {
  readonly worker: Worker;
  call: Call | null;
  /** koffi loaded, messages are taken: until then the thread takes no call (its start is not a call's time). */
  ready: boolean;
}

interface Queued {
  readonly path: string;
  readonly start: (call: Call) => void;
  readonly fail: (e: unknown) => void;
}

function statvfsError(errno: number, p: string): OsError {
  const code = native.errnoName(errno);
  return new OsError(code, errno, 'statvfs', p, `${code}: statvfs '${p}'`);
}

export class StatfsThreads {
  private readonly threads = new Set<Thread>();
  private readonly idle: Thread[] = [];
  /** The call running for each path: a second caller for the same path waits on it instead of taking a thread. */
  private readonly running = new Map<string, Call>();
  private readonly queue: Queued[] = [];
  private nextId = 1;
  /** Threads started so far (each a V8 isolate: 3.4-4.8 MB more resident while it lives, issue 14). */
  private started = 0;

  constructor(
    private readonly live = LIVE_THREADS,
    private readonly maxStuck = MAX_STUCK,
  ) {}

  /**
   * statvfs(path) on a thread, bounded by `timeoutMs`. Rejects with TimeoutExpired when it runs longer (the call goes
   * on, and `isStuck(path)` says so until the kernel answers), with OsError EAGAIN when no thread was free before the
   * timeout (every one waits on a stuck mount: the path was never asked), or with OsError for statvfs's errno.
   */
  stat(path: string, timeoutMs: number): Promise<native.StatVfs> {
    return new Promise<native.StatVfs>((resolve, reject) => {
      let state: 'queued' | 'running' | 'over' = 'queued';
      let call: Call | null = null;
      const timer = setTimeout(() => {
        if (state === 'queued') {
          state = 'over';
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          const stuck = this.stuckCount();
          reject(
            new OsError(
              'EAGAIN',
              native.errnoNumber('EAGAIN') ?? 11,
              'statvfs',
              path,
              `EAGAIN: statvfs '${path}' found no thread free within ${timeoutMs} ms (${stuck} wait on stuck mounts)`,
            ),
          );
        } else if (state === 'running') {
          state = 'over';
          if (call !== null && !call.stuck) {
            call.stuck = true;
            // Its thread is out of service until the kernel answers: another may start for what is queued.
            this.dispatch();
          }
          reject(new TimeoutExpired(timeoutMs / 1000));
        }
      }, timeoutMs);
      // The timer, not the thread (unref'd), keeps the process alive while a caller waits: no longer than its timeout.
      const entry: Queued = {
        path,
        start: (c) => {
          if (state !== 'queued') return;
          state = 'running';
          call = c;
          c.done.then(
            (st) => {
              if (state !== 'running') return;
              state = 'over';
              clearTimeout(timer);
              resolve(st);
            },
            (e: unknown) => {
              if (state !== 'running') return;
              state = 'over';
              clearTimeout(timer);
              reject(e);
            },
          );
        },
        fail: (e) => {
          if (state !== 'queued') return;
          state = 'over';
          clearTimeout(timer);
          reject(e);
        },
      };
      const same = this.running.get(path);
      if (same !== undefined) entry.start(same);
      else {
        this.queue.push(entry);
        this.dispatch();
      }
    });
  }

  /** Whether a statvfs of `path` has outlived a caller's timeout and not returned yet. */
  isStuck(path: string): boolean {
    return this.running.get(path)?.stuck === true;
  }

  /** Paths whose statvfs outlived a caller's timeout and has not returned. */
  stuckPaths(): string[] {
    return [...this.running.values()].filter((c) => c.stuck).map((c) => c.path);
  }

  /** Calls inside statvfs now (stuck or not): each holds a thread that the process's exit would have to join. */
  callsInFlight(): number {
    let n = 0;
    for (const t of this.threads) if (t.call !== null) n++;
    return n;
  }

  /** How many threads were started since this object was made (0: statvfs never left the calling thread). */
  threadsStarted(): number {
    return this.started;
  }

  private stuckCount(): number {
    let n = 0;
    for (const t of this.threads) if (t.call?.stuck) n++;
    return n;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const q = this.queue[0]!;
      const same = this.running.get(q.path);
      if (same !== undefined) {
        this.queue.shift();
        q.start(same);
        continue;
      }
      const t = this.idle.pop();
      if (t === undefined) {
        this.grow();
        return;
      }
      this.queue.shift();
      this.run(t, q);
    }
  }

  /**
   * Starts threads for the calls that wait when no thread is idle. Normally one at a time, up to `live` starting or
   * answering; while a call hangs (stuck, or running for SLOW_MS), up to BURST side by side, so that the calls queued
   * behind a dead NFS mount reach theirs without waiting for it. Within the bound of `live` + `maxStuck` threads. A
   * thread takes calls once it is ready (koffi loaded): the time it takes to start (tens of ms, more on a loaded host)
   * is spent queued, and a call that times out there fails with EAGAIN without marking its path stuck.
   */
  private grow(): void {
    let starting = 0;
    let answering = 0;
    let held = 0;
    for (const t of this.threads) {
      if (!t.ready) starting++;
      else if (t.call !== null) {
        if (t.call.stuck || t.call.slow) held++;
        else answering++;
      }
    }
    const want = held === 0 ? this.live - starting - answering : Math.min(this.queue.length, BURST) - starting;
    const n = Math.min(want, this.live + this.maxStuck - this.threads.size);
    for (let i = 0; i < n; i++) {
      try {
        this.spawn();
      } catch (e) {
        for (const q of this.queue.splice(0)) q.fail(e);
        return;
      }
    }
  }

  /** Idle threads beyond `live` (started for a burst, or back from a stuck mount) end. */
  private trim(): void {
    while (this.idle.length > this.live) {
      const t = this.idle.pop()!;
      this.threads.delete(t);
      t.worker.removeAllListeners('exit');
      void t.worker.terminate();
    }
  }

  private run(t: Thread, q: Queued): void {
    let resolve!: (st: native.StatVfs) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<native.StatVfs>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be waiting when the kernel finally answers: that answer is dropped here, not reported unhandled.
    done.catch(() => undefined);
    const call: Call = {
      id: this.nextId++,
      path: q.path,
      done,
      resolve,
      reject,
      stuck: false,
      slowTimer: null,
      slow: false,
    };
    t.call = call;
    this.running.set(q.path, call);
    q.start(call);
    // A path with escaped bytes (fsdecode) goes as its NUL-terminated bytes, which koffi passes to statvfs unchanged.
    t.worker.postMessage({ id: call.id, path: cPath(q.path) });
    call.slowTimer = setTimeout(() => {
      call.slowTimer = null;
      call.slow = true;
      this.dispatch();
    }, SLOW_MS);
    call.slowTimer.unref();
  }

  private spawn(): void {
    const worker = new Worker(THREAD_CODE, {
      eval: true,
      workerData: { koffi: require.resolve('koffi'), size: native.statvfsSize(), name: THREAD_NAME },
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
      stdout: false,
      stderr: false,
    });
    const t: Thread = { worker, call: null, ready: false };
    worker.on('message', (m: { ready: true } | Answer) => {
      if ('ready' in m) {
        t.ready = true;
        this.idle.push(t);
        this.dispatch();
        this.trim();
      } else this.answer(t, m);
    });
    worker.on('error', (e) => this.lost(t, e));
    worker.on('exit', (code) => this.lost(t, new Error(`statfs thread exited with code ${code}`)));
    // After the listeners: they would ref it again.
    worker.unref();
    this.threads.add(t);
    this.started++;
  }

  private answer(t: Thread, m: Answer): void {
    const call = t.call;
    if (call === null || call.id !== m.id) return;
    t.call = null;
    if (call.slowTimer !== null) clearTimeout(call.slowTimer);
    if (this.running.get(call.path) === call) this.running.delete(call.path);
    if (m.errno === 0)
      call.resolve(native.decodeStatvfs(Buffer.from(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength)));
    else call.reject(statvfsError(m.errno, call.path));
    this.idle.push(t);
    this.dispatch();
    this.trim();
  }

  private lost(t: Thread, e: Error): void {
    if (!this.threads.delete(t)) return;
    const i = this.idle.indexOf(t);
    if (i >= 0) this.idle.splice(i, 1);
    const call = t.call;
    t.call = null;
    if (call !== null) {
      if (call.slowTimer !== null) clearTimeout(call.slowTimer);
      if (this.running.get(call.path) === call) this.running.delete(call.path);
      call.reject(e);
    }
    this.dispatch();
  }
}

let shared: StatfsThreads | null = null;

/**
 * Calls of this JavaScript thread's statfs threads that are inside statvfs now (0 when none was ever made). Node joins
 * every thread at exit, and one inside a statvfs of a stuck mount is not joined until the kernel answers: `--once`
 * asks this to end through _exit(2) instead (cli.ts).
 */
export function statfsCallsInFlight(): number {
  return shared?.callsInFlight() ?? 0;
}

/** The threads of this JavaScript thread (module state is per thread: the agent's collection worker has its own). */
export function statfsThreads(): StatfsThreads {
  shared ??= new StatfsThreads();
  return shared;
}

/** Statfs threads this JavaScript thread has started (0 while every statvfs ran on it: the lazy thread never came). */
export function statfsThreadsStarted(): number {
  return shared?.threadsStarted() ?? 0;
}

/**
 * statvfs(path) for a caller that must not hang on it. `local` (localStatfsMounts said so): at once on this thread
 * through native.ts's statvfs, no thread started, `timeoutMs` unused (nothing it waits on can outlast it). Otherwise
 * on a statfs thread, bounded by `timeoutMs` (StatfsThreads.stat: TimeoutExpired, EAGAIN). Either way it resolves with
 * the same record and rejects with the same OsError for statvfs's errno.
 */
export function statvfsOf(path: string, timeoutMs: number, local: boolean): Promise<native.StatVfs> {
  if (!local) return statfsThreads().stat(path, timeoutMs);
  try {
    return Promise.resolve(native.statvfs(path));
  } catch (e) {
    return Promise.reject(e instanceof native.NativeError ? statvfsError(e.errno, path) : e);
  }
}
