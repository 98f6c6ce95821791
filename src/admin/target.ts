/**
 * The process side of the admin API behind a small interface, so the HTTP and policy code never touches a syscall.
 * The real implementation (libraryHost) uses only the library's public API (src/index.ts: Process, pidExists,
 * procfsSelfPid, the instance's roots), as every agent module must.
 */
import { NoSuchProcess } from '../index';

export interface IoPriority {
  readonly ioclass: number;
  readonly value: number;
}

/** A live process, bound at open() to its identity (pid, createTime) as a psutil Process is. */
export interface AdminTarget {
  readonly pid: number;
  /** psutil's createTime (epoch seconds) captured at open(); every mutator below re-checks it first. */
  readonly createTime: number;
  /** The start time in clock ticks since boot (the library's identity), null when unreadable (hidepid). */
  readonly startTicks: number | null;
  ppid(): number;
  name(): string;
  exe(): string;
  username(): string;
  /** Kernel threads have no user-space to act on and must never be signalled (PF_KTHREAD, from the library). */
  isKernelThread(): boolean;
  /** False once the pid is gone or names another process (psutil's is_running: PID-reuse aware). */
  isRunning(): boolean;
  nice(): number;
  setNice(value: number): void;
  ionice(): IoPriority;
  setIonice(ioclass: number, value: number): void;
  cpuAffinity(): number[];
  setCpuAffinity(cpus: readonly number[]): void;
  rlimit(resource: number): readonly [number, number];
  setRlimit(resource: number, soft: number, hard: number): void;
  /**
   * Delivers a signal after re-checking identity; `raceFree` says whether the check and the kill were atomic
   * (the library pinned the process with a pidfd) or not (kill(2) right after the check); null when unknown.
   */
  sendSignal(signum: number): { raceFree: boolean | null };
}

export interface AdminHost {
  readonly agentPid: number;
  /** Read each time: the agent can be re-parented. */
  agentPpid(): number;
  /** Null when the procfs the agent reads shows the agent's own PID namespace; otherwise what is wrong. */
  namespaceProblem(): string | null;
  /** A handle on a live process. Throws NoSuchProcess for absent pids and thread ids, AccessDenied when hidden. */
  open(pid: number): AdminTarget;
  /** The machine's CPU numbers (psutil's range(len(cpu_times(percpu=True)))), for checking an affinity request. */
  cpus(): readonly number[];
}

/** The psutil Process methods the adapter uses (psutil names, camelCased; setters are the same call with arguments). */
export interface LibraryProcess {
  readonly pid: number;
  readonly startTicks: number | null;
  createTime(): number;
  ppid(): number;
  name(): string;
  exe(): string;
  username(): string;
  /** PF_KTHREAD in the task's stat flags (the library's extension). */
  isKernelThread(): boolean;
  status(): string;
  isRunning(): boolean;
  nice(): number;
  nice(value: number): void;
  ionice(): IoPriority;
  ionice(ioclass: number, value?: number): void;
  cpuAffinity(): number[];
  cpuAffinity(cpus: number[]): void;
  rlimit(resource: number): [number, number] | readonly [number, number];
  rlimit(resource: number, limits: [number, number]): void;
  /** The library's sendSignal that reports the way it went (pidfd or kill(2)); psutil's sendSignal otherwise. */
  sendSignalEx(signum: number): { readonly via: 'pidfd' | 'kill' };
}

export interface LibraryHostOptions {
  /** `(pid) => new Process(pid)` from src/index.ts. */
  newProcess: (pid: number) => LibraryProcess;
  /** psutil's pidExists: false for thread ids (Tgid != pid). */
  pidExists: (pid: number) => boolean;
  /** The procfs root the library instance reads (psutil.roots.procfs), for messages. */
  procfs: string;
  /** The instance's procfsSelfPid: our pid as that procfs numbers it, null when it has no usable self link. */
  procfsSelfPid: () => number | null;
  /** How many CPUs the instance's cpuTimes({ percpu: true }) lists. */
  cpuCount: () => number;
}

class LibraryTarget implements AdminTarget {
  readonly pid: number;
  readonly createTime: number;
  readonly startTicks: number | null;
  constructor(private readonly p: LibraryProcess) {
    this.pid = p.pid;
    this.createTime = p.createTime();
    this.startTicks = p.startTicks;
  }
  ppid(): number {
    return this.p.ppid();
  }
  name(): string {
    return this.p.name();
  }
  exe(): string {
    return this.p.exe();
  }
  username(): string {
    return this.p.username();
  }
  isKernelThread(): boolean {
    return this.p.isKernelThread();
  }
  isRunning(): boolean {
    return this.p.isRunning();
  }
  nice(): number {
    return this.p.nice();
  }
  setNice(value: number): void {
    this.p.nice(value);
  }
  ionice(): IoPriority {
    return this.p.ionice();
  }
  setIonice(ioclass: number, value: number): void {
    this.p.ionice(ioclass, value);
  }
  cpuAffinity(): number[] {
    return this.p.cpuAffinity();
  }
  setCpuAffinity(cpus: readonly number[]): void {
    this.p.cpuAffinity([...cpus]);
  }
  rlimit(resource: number): readonly [number, number] {
    return this.p.rlimit(resource);
  }
  setRlimit(resource: number, soft: number, hard: number): void {
    this.p.rlimit(resource, [soft, hard]);
  }
  sendSignal(signum: number): { raceFree: boolean | null } {
    // pidfd: opened before the identity check, so the signal cannot reach a process that reused the pid.
    return { raceFree: this.p.sendSignalEx(signum).via === 'pidfd' };
  }
}

export function libraryHost(opts: LibraryHostOptions): AdminHost {
  const selfLink = `${opts.procfs.replace(/\/+$/, '')}/self`;
  return {
    agentPid: process.pid,
    agentPpid: () => process.ppid,
    namespaceProblem(): string | null {
      // A /proc of another PID namespace (a host's /proc in a container without hostPID) names other processes by
      // the numbers kill() would use here: its `self` does not resolve to our pid.
      const self = opts.procfsSelfPid();
      if (self === null) return `${selfLink} does not name a process: that procfs belongs to another PID namespace`;
      return self === process.pid
        ? null
        : `${selfLink} is ${self}, not the agent's pid ${process.pid}: that procfs belongs to another PID namespace`;
    },
    open(pid: number): AdminTarget {
      // psutil's Process(tid) works; pidExists checks Tgid == pid so a thread id is "no such process" (psutil #687).
      if (!opts.pidExists(pid)) throw new NoSuchProcess(pid);
      return new LibraryTarget(opts.newProcess(pid));
    },
    cpus: () => Array.from({ length: opts.cpuCount() }, (_, i) => i),
  };
}
