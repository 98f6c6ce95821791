/**
 * What the Process objects of one context share (ProcessEnv: its roots, the backend, caches of user names, terminals,
 * boot time and MemTotal, the PIDs isRunning() found reused), the default roots' env of the exported base classes,
 * and the data a factory hands to the constructor (InitData, under the INIT key).
 */
import { createContext, type Context } from '../context';
import { rootsFromEnv, type ProcFs } from '../linux/procfs';
import type { PidStat } from '../linux/parse/pidstat';
import type { LinuxProcess } from '../linux/process';
import { OsError, UnsupportedOperation } from '../errors';

/** The static key by which a context's Process and Popen subclasses name their ProcessEnv. */
export const ENV: unique symbol = Symbol('psutil.process.env');

export interface InitData {
  /** A handle already in a oneshot block (processIter), to share its reads. */
  handle?: LinuxProcess;
  /** stat already read (processIter, children): identity without another read. */
  stat?: PidStat;
  /** Popen: a child that already exited is not an error. */
  ignoreNsp?: boolean;
}

/**
 * The key of the constructor's second argument, `{ [INIT]: InitData }`: a factory of this area (processIter,
 * children(), Popen) hands the data it already has to `new Process(pid, init)`. The symbol is not exported from the
 * package, so for a caller `new Process(pid)` stays the whole signature, and any other second argument is ignored.
 */
export const INIT: unique symbol = Symbol('psutil.process.init');

export interface ProcessInit {
  readonly [INIT]: InitData;
}

/** The InitData a constructor was given, or none (any value that is not a ProcessInit). */
export function initOf(arg: unknown): InitData | undefined {
  return typeof arg === 'object' && arg !== null ? (arg as Partial<ProcessInit>)[INIT] : undefined;
}

const BOOT_TIME_TTL_MS = 60_000;
const UID_MISS_TTL_MS = 60_000;
const TTY_REFRESH_MS = 1_000;

/** Everything one context's Process classes share: roots, caches, the PIDs found reused. */
export class ProcessEnv {
  readonly ctx: Context;
  readonly fs: ProcFs;
  /** PIDs isRunning() found reused: processIter replaces their objects on its next call. */
  readonly reused = new Set<number>();
  lowestPid: number | null = null;
  private nativeFlag: boolean | null = null;
  private readonly users = new Map<number, { name: string; until: number }>();
  private ttys: Map<number, string> | null = null;
  private ttysAt = 0;
  private boot: { value: number; at: number } | null = null;
  private memTotalBytes: number | null = null;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.fs = ctx.fs;
  }

  get os() {
    return this.ctx.os.process;
  }

  /** Whether pids of this procfs are ours to signal, renice and prlimit (the same PID namespace). */
  get native(): boolean {
    if (this.nativeFlag === null) this.nativeFlag = this.os.isNativeProcfs(this.fs);
    return this.nativeFlag;
  }

  private self: number | null = null;

  /** This process's pid in the procfs's PID namespace (process.pid when the root has no self link). */
  selfPid(): number {
    if (this.self === null) this.self = this.os.selfPid(this.fs) ?? process.pid;
    return this.self;
  }

  requireNative(what: string): void {
    if (!this.native) {
      throw new UnsupportedOperation(`${what} on a procfs root outside this PID namespace (${this.fs.procfs})`);
    }
  }

  pids(): number[] {
    const out = this.os.pids(this.fs);
    this.lowestPid = out.length > 0 ? out[0]! : null;
    return out;
  }

  /** uid -> name through getpwuid (NSS), cached; a uid without an entry reads as its number (psutil). */
  userName(uid: number): string {
    const hit = this.users.get(uid);
    if (hit !== undefined && (hit.until === 0 || hit.until > Date.now())) return hit.name;
    const name = this.os.userName(uid);
    // Names are stable; a missing entry may appear later (a user added), so misses expire.
    this.users.set(
      uid,
      name !== null ? { name, until: 0 } : { name: String(uid), until: Date.now() + UID_MISS_TTL_MS },
    );
    return name ?? String(uid);
  }

  /** CLK_TCK (sysconf, cached by the backend). */
  ticks(): number {
    return this.ctx.os.sysconf.clockTicks();
  }

  pageSize(): number {
    return this.ctx.os.sysconf.pageSizeBytes();
  }

  /** tty_nr -> /dev path; the map is rebuilt on a miss at most once a second (new ptys appear, psutil 8 #2830). */
  terminal(ttyNr: number): string | null {
    if (ttyNr === 0) return null;
    if (this.ttys === null) {
      this.ttys = this.os.terminalMap(this.fs);
      this.ttysAt = Date.now();
    }
    let path = this.ttys.get(ttyNr);
    if (path === undefined && Date.now() - this.ttysAt >= TTY_REFRESH_MS) {
      this.ttys = this.os.terminalMap(this.fs);
      this.ttysAt = Date.now();
      path = this.ttys.get(ttyNr);
    }
    return path ?? null;
  }

  /** btime, kept a minute: createTime() of 1,000 processes must not read /proc/stat 1,000 times. */
  bootTime(): number {
    const now = Date.now();
    if (this.boot === null || now - this.boot.at > BOOT_TIME_TTL_MS) {
      this.boot = { value: this.ctx.os.host.bootTime(this.fs), at: now };
    }
    return this.boot.value;
  }

  /** MemTotal in bytes, read once (psutil's _TOTAL_PHYMEM). */
  memTotal(): number {
    if (this.memTotalBytes === null) {
      const total = this.ctx.os.memory.readMeminfo(this.fs)['MemTotal'];
      if (total === undefined || !(total > 0))
        throw new OsError(
          'EINVAL',
          22,
          'read',
          this.fs.proc('meminfo'),
          "can't determine total physical memory (MemTotal)",
        );
      this.memTotalBytes = total;
    }
    return this.memTotalBytes;
  }

  /** CPU numbers of the CPUs /proc/stat lists (psutil's range(len(per_cpu_times()))). */
  allCpus(): number[] {
    const n = this.ctx.os.cpu.readStat(this.fs).cpus.length;
    return Array.from({ length: n }, (_, i) => i);
  }
}

let defaultEnvValue: ProcessEnv | null = null;

/** The env of the base classes: the default roots (HOST_PROC, HOST_SYS, HOST_ROOT or /proc, /sys, /). */
export function defaultEnv(): ProcessEnv {
  if (defaultEnvValue === null) {
    const roots = rootsFromEnv();
    defaultEnvValue = new ProcessEnv(
      createContext({
        procfs: roots.procfs.replace(/\/+$/, '') || '/',
        sysfs: roots.sysfs.replace(/\/+$/, '') || '/',
        rootfs: roots.rootfs,
      }),
    );
  }
  return defaultEnvValue;
}

/** The env of a Process class: its own (a context's subclass), else the default one. */
export function envOf(cls: unknown): ProcessEnv {
  return (cls as { [ENV]?: ProcessEnv })[ENV] ?? defaultEnv();
}
