/**
 * Popen (psutil.Popen): a child started like child_process.spawn() that is also a Process; wait() resolves with its
 * exit code, which only the parent can collect.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { TimeoutExpired } from '../errors';
import type { WaitOptions } from './types';
import { describeValue, exitCode, options, secondsArg } from './args';
import { INIT } from './env';
import { Process } from './process';
import { guardPublicMethods } from './guard';

/**
 * A child started like child_process.spawn(command, args, options) that is also a Process (psutil.Popen).
 * `wait()` resolves with the exit code (-N for a death by signal N), `returncode` holds it once known.
 */
export class Popen extends Process {
  /** The ChildProcess, for its events and stdio. */
  readonly child: ChildProcess;
  readonly args: readonly string[];
  private readonly _exited: Promise<number>;

  constructor(command: string, args: readonly string[] = [], options: SpawnOptions = {}) {
    if (typeof command !== 'string' || command === '')
      throw new TypeError(`Popen: command must be a non-empty string, got ${describeValue(command)}`);
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
      throw new TypeError('Popen: args must be an array of strings');
    if (options === null || typeof options !== 'object') throw new TypeError('Popen: options must be an object');
    const child = spawn(command, args, options);
    if (child.pid === undefined) {
      // spawn reports ENOENT/EACCES/EAGAIN on a later tick: it is thrown here instead, so listen to keep it quiet.
      child.once('error', () => undefined);
      throw new Error(`Popen: cannot start ${JSON.stringify(command)} (not found, not executable, or no resources)`);
    }
    super(child.pid, { [INIT]: { ignoreNsp: true } });
    this.child = child;
    this.args = Object.freeze([command, ...args]);
    this._exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => {
        const rc = exitCode(code, signal);
        this.returncode = rc;
        resolve(rc);
      });
    });
  }

  get stdin(): Writable | null {
    return this.child.stdin;
  }

  get stdout(): Readable | null {
    return this.child.stdout;
  }

  get stderr(): Readable | null {
    return this.child.stderr;
  }

  /** The exit code if the child has exited, else null (subprocess.Popen.poll). */
  poll(): number | null {
    return this.returncode;
  }

  /** Resolves with the exit code (-N after signal N); TimeoutExpired after `timeout` seconds. */
  override wait(opts?: WaitOptions): Promise<number> {
    const o = options<WaitOptions>('wait', opts, ['timeout']);
    const timeout = secondsArg('wait', 'timeout', o.timeout);
    if (this.returncode !== null) return Promise.resolve(this.returncode);
    if (timeout === null) return this._exited;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutExpired(timeout, this.pid, this._handle.name)), timeout * 1000);
      this._exited.then((rc) => {
        clearTimeout(timer);
        resolve(rc);
      }, reject);
    });
  }
}

guardPublicMethods(Popen.prototype);
