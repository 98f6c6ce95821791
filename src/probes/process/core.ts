/**
 * ProcessCore, the base of Process: what names one process and acts on it. Identity (pid + start ticks, psutil's
 * PID-reuse guards), the oneshot cache block, signals pinned with a pidfd, waiting, and psutil's repr. The getters
 * and setters are Process's (process.ts); the data a factory hands to the constructor is env.ts's InitData.
 */
import { inspect } from 'node:util';
import type { PidStat } from '../linux/parse/pidstat';
import type { LinuxProcess } from '../linux/process';
import { AccessDenied, NoSuchProcess, OsError, TimeoutExpired, ZombieProcess } from '../errors';
import type { ProcessStatus } from '../constants';
import type { SignalSent, WaitOptions } from './types';
import { describeValue, nowSeconds, options, secondsArg, signalArg, SIGNALS, sleep } from './args';
import { envOf, initOf, type ProcessEnv, type ProcessInit } from './env';
import { guardPublicMethods } from './guard';

/**
 * A process, identified by its pid and its start time in clock ticks: the part of Process (its base class) that
 * does not read the process's files. `name()` and `status()`, which its repr shows, are Process's.
 */
export abstract class ProcessCore {
  /** Set by processIter({ attrs }): the attributes asked for (psutil 7.x's `info`). */
  info?: Readonly<Record<string, unknown>>;
  /** Set by waitProcs() on the processes that went (psutil's returncode attribute); Popen sets it on exit. */
  returncode: number | null = null;

  protected readonly _env: ProcessEnv;
  protected readonly _pid: number;
  protected readonly _h: LinuxProcess;
  /** Start time in clock ticks since boot (the identity); null when it could not be read. */
  protected readonly _start: number | null;
  /** Epoch seconds, once createTime() computed it (kept for the object's lifetime; the repr shows it). */
  protected _createTime: number | null = null;
  private _gone = false;
  private _reused = false;
  private _exitcode: number | null | undefined = undefined;

  /** A process of the default roots (or of the context whose class this is); `new Process()` is this process. */
  constructor(pid?: number);
  /** @internal a factory of this area handing over what it already read (see env.ts's INIT). */
  constructor(pid: number | undefined, init: ProcessInit);
  constructor(pid?: number, initArg?: ProcessInit) {
    const init = initOf(initArg);
    const env = envOf(new.target);
    // psutil uses os.getpid(); the procfs's own numbering is the same here and right for a host's /proc as well.
    if (pid === undefined || pid === null) pid = env.selfPid();
    if (typeof pid !== 'number' || !Number.isInteger(pid)) {
      throw new TypeError(`pid must be an integer, got ${describeValue(pid)}`);
    }
    if (pid < 0) throw new RangeError(`pid must be a positive integer (got ${pid})`);
    if (pid > env.os.PID_MAX) throw new NoSuchProcess(pid, null, 'process PID out of range');
    this._env = env;
    this._pid = pid;
    this._h = init?.handle ?? env.os.handle(env.fs, pid);
    let start: number | null = null;
    if (init?.stat !== undefined) {
      start = init.stat.starttime;
      this._h.seedStat(init.stat);
    } else {
      try {
        start = this._h.stat().starttime;
      } catch (err) {
        if (err instanceof AccessDenied) {
          // hidepid=1 hides stat but not the directory: a process without a known start time (psutil does the same).
        } else if (err instanceof NoSuchProcess) {
          if (init?.ignoreNsp !== true) throw new NoSuchProcess(pid, null, 'process PID not found', err);
          this._gone = true;
        } else {
          throw err;
        }
      }
    }
    this._start = start;
  }

  /** @internal an error leaving a public method, as psutil's classes (guardPublicMethods). */
  _publicError(err: unknown): unknown {
    return err instanceof OsError ? this._h.publicError(err) : err;
  }

  /** The process id. */
  get pid(): number {
    return this._pid;
  }

  /** @internal the start time in clock ticks (identity), for the agent's admin checks. */
  get startTicks(): number | null {
    return this._start;
  }

  // ---- identity ----------------------------------------------------------------------------------------------

  /** Same pid and start time (psutil's __eq__). */
  equals(other: unknown): boolean {
    return other instanceof ProcessCore && other._pid === this._pid && other._start === this._start;
  }

  /**
   * Whether the process still runs as the same process: false when it is gone or its pid now belongs to another
   * (start time changed). A zombie is running (psutil).
   */
  isRunning(): boolean {
    if (this._gone || this._reused) return false;
    let st: PidStat;
    try {
      st = this._h.stat();
    } catch (err) {
      if (err instanceof ZombieProcess) return true;
      if (err instanceof NoSuchProcess) {
        this._gone = true;
        return false;
      }
      throw err;
    }
    if (this._start === null || st.starttime !== this._start) {
      this._reused = true;
      this._gone = true;
      this._env.reused.add(this._pid);
      return false;
    }
    return true;
  }

  /** psutil's _raise_if_pid_reused: NoSuchProcess when the pid now names another process. */
  protected _raiseIfReused(): void {
    if (this._reused || (!this.isRunning() && this._reused)) {
      throw this._h.noSuchProcess('process no longer exists and its PID has been reused');
    }
  }

  // ---- oneshot ----------------------------------------------------------------------------------------

  /**
   * Runs `fn` with the per-process reads cached: stat, status, statm, cmdline and smaps are read at most once in
   * the block, whatever getters `fn` calls (psutil's oneshot()). Re-entrant. `fn` must be synchronous: the cache is
   * dropped when it returns.
   */
  oneshot<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new TypeError(`oneshot: fn must be a function, got ${describeValue(fn)}`);
    this._h.enter();
    try {
      return fn();
    } finally {
      this._h.exit();
    }
  }

  // ---- signals and waiting -------------------------------------------------------------------------------------

  /**
   * Sends a signal (a number or a name such as 'SIGUSR1'), only to this very process: the pid is pinned with a
   * pidfd and its start time checked before pidfd_send_signal, so a reused pid is never signalled.
   */
  sendSignal(sig: number | NodeJS.Signals): void {
    this._signal('sendSignal', signalArg('sendSignal', sig));
  }

  /**
   * (ours) sendSignal() that says how the signal went: `via: 'pidfd'` when the process was pinned with a pidfd
   * (pidfd_open(2), Linux 5.3+) before the identity check, so the check and the delivery are atomic; `via: 'kill'`
   * when the library fell back to kill(2) right after the check (no pidfd_open: ENOSYS; or the pid is a thread id,
   * which pidfd_open refuses with EINVAL and kill(2) signals the whole process for), leaving a reuse window of the
   * time between the two calls. Same checks and errors as sendSignal().
   */
  sendSignalEx(sig: number | NodeJS.Signals): SignalSent {
    return Object.freeze({ via: this._signal('sendSignalEx', signalArg('sendSignalEx', sig)) });
  }

  private _signal(fn: string, sig: number): 'pidfd' | 'kill' {
    if (this._pid === 0) {
      throw new RangeError(
        `${fn}: preventing sending signal to process with PID 0 as it would affect every process in the process group of the calling process (${process.pid}) instead of PID 0`,
      );
    }
    this._env.requireNative(fn);
    this._raiseIfReused();
    if (this._start === null) throw this._h.noSuchProcess();
    try {
      return this._h.signal(sig, this._start);
    } catch (err) {
      if (err instanceof NoSuchProcess && !(err instanceof ZombieProcess)) this._gone = true;
      throw err;
    }
  }

  /** SIGSTOP. */
  suspend(): void {
    this._signal('suspend', SIGNALS['SIGSTOP']!);
  }

  /** SIGCONT. */
  resume(): void {
    this._signal('resume', SIGNALS['SIGCONT']!);
  }

  /** SIGTERM. */
  terminate(): void {
    this._signal('terminate', SIGNALS['SIGTERM']!);
  }

  /** SIGKILL. */
  kill(): void {
    this._signal('kill', SIGNALS['SIGKILL']!);
  }

  /**
   * Resolves when the process is gone: with its exit code for a Popen, with null for any other process (only its
   * parent can collect the code). A zombie is not gone: as psutil's wait_pid polls pid_exists, the wait goes on until
   * its parent reaps it (or the pid names another process). Rejects with TimeoutExpired after `timeout` seconds. The
   * result is kept: later calls resolve at once.
   */
  wait(opts?: WaitOptions): Promise<number | null> {
    const o = options<WaitOptions>('wait', opts, ['timeout']);
    const timeout = secondsArg('wait', 'timeout', o.timeout);
    if (this._exitcode !== undefined) return Promise.resolve(this._exitcode);
    return this._pollGone(timeout).then(() => {
      this._exitcode = null;
      return null;
    });
  }

  /** Whether the process this object names has ended: gone (reaped) or its pid reused. A zombie has not. */
  private _ended(): boolean {
    if (this._gone) return true;
    try {
      const st = this._h.freshStat();
      return this._start !== null && st.starttime !== this._start;
    } catch (err) {
      if (err instanceof NoSuchProcess) return true;
      if (err instanceof AccessDenied) return false;
      throw err;
    }
  }

  /** Polls with psutil's backoff (doubling, capped at 40 ms) until _ended(); TimeoutExpired at the deadline. */
  private async _pollGone(timeout: number | null): Promise<void> {
    const deadline = timeout === null ? Infinity : nowSeconds() + timeout;
    let delay = 1;
    for (;;) {
      if (this._ended()) return;
      const left = deadline - nowSeconds();
      if (left <= 0) throw new TimeoutExpired(timeout ?? 0, this._pid, this._h.name);
      await sleep(Math.min(delay, left * 1000));
      delay = Math.min(delay * 2, 40);
    }
  }

  // ---- presentation ------------------------------------------------------------------------------------------

  /** psutil's repr: `psutil.Process(pid=1, name='systemd', status='sleeping', started='10:00:00')`. */
  toString(): string {
    const parts = [`pid=${this._pid}`];
    try {
      this.oneshot(() => {
        parts.push(`name='${this.name()}'`);
        parts.push(`status='${this.status()}'`);
      });
    } catch (err) {
      if (err instanceof ZombieProcess) parts.push("status='zombie'");
      else if (err instanceof NoSuchProcess) parts.push("status='terminated'");
      else if (!(err instanceof AccessDenied)) throw err;
    }
    if (this._exitcode !== undefined && this._exitcode !== null) parts.push(`exitcode=${this._exitcode}`);
    if (this._createTime !== null)
      parts.push(`started='${new Date(this._createTime * 1000).toTimeString().slice(0, 8)}'`);
    return `psutil.${this.constructor.name}(${parts.join(', ')})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  // ---- internal hooks for processIter ----------------------------------------------------------------------------

  /** @internal */
  get _handle(): LinuxProcess {
    return this._h;
  }

  /** The name (Process.name()). */
  abstract name(): string;

  /** psutil's STATUS_* string (Process.status()). */
  abstract status(): ProcessStatus;
}

guardPublicMethods(ProcessCore.prototype);
