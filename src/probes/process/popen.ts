/**
 * Popen (psutil.Popen): a child started like child_process.spawn() that is also a Process; wait() resolves with its
 * exit code, which only the parent can collect; communicate() is subprocess.Popen.communicate.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { TimeoutExpired } from '../errors';
import type { WaitOptions } from './types';
import { describeValue, exitCode, options, secondsArg } from './args';
import { INIT } from './env';
import { Process } from './process';
import { guardPublicMethods } from './guard';

/** spawn()'s options, plus `encoding`: with one, communicate() takes and returns strings (Python's text mode). */
export interface PopenOptions extends SpawnOptions {
  /** The pipes' text encoding ('utf8', ...): communicate() decodes output and encodes input with it. */
  encoding?: BufferEncoding | undefined;
}

/** What communicate() sends to stdin: bytes, or a string when the Popen has an encoding. */
export type PopenInput = string | Uint8Array;

export interface CommunicateOptions {
  /** Written to stdin, which is then closed (closed at once without input). */
  input?: PopenInput | null | undefined;
  /** Seconds; TimeoutExpired when it runs out, and the child keeps running (call communicate() again, or kill()). */
  timeout?: number | null | undefined;
}

/** [stdout, stderr]: Buffers, strings with an encoding, null for a stream that is not a pipe. */
export type CommunicateResult = [Buffer | string | null, Buffer | string | null];

interface Communication {
  readonly out: Buffer[] | null;
  readonly err: Buffer[] | null;
  /** Resolves when both pipes reached their end and the child exited; rejects on a pipe's error. */
  readonly done: Promise<void>;
}

/**
 * A child started like child_process.spawn(command, args, options) that is also a Process (psutil.Popen).
 * `wait()` resolves with the exit code (-N for a death by signal N), `returncode` holds it once known.
 */
export class Popen extends Process {
  /** The ChildProcess, for its events and stdio. */
  readonly child: ChildProcess;
  readonly args: readonly string[];
  /** The encoding communicate() uses (the `encoding` option), null for bytes. */
  readonly encoding: BufferEncoding | null;
  private readonly _exited: Promise<number>;
  private _comm: Communication | null = null;

  constructor(command: string, args: readonly string[] = [], options: PopenOptions = {}) {
    if (typeof command !== 'string' || command === '')
      throw new TypeError(`Popen: command must be a non-empty string, got ${describeValue(command)}`);
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
      throw new TypeError('Popen: args must be an array of strings');
    if (options === null || typeof options !== 'object') throw new TypeError('Popen: options must be an object');
    const { encoding, ...spawnOptions } = options;
    if (encoding !== undefined && (typeof encoding !== 'string' || !Buffer.isEncoding(encoding)))
      throw new RangeError(`Popen: unknown encoding ${describeValue(encoding)}`);
    const child = spawn(command, args, spawnOptions);
    if (child.pid === undefined) {
      // spawn reports ENOENT/EACCES/EAGAIN on a later tick: it is thrown here instead, so listen to keep it quiet.
      child.once('error', () => undefined);
      throw new Error(`Popen: cannot start ${JSON.stringify(command)} (not found, not executable, or no resources)`);
    }
    super(child.pid, { [INIT]: { ignoreNsp: true } });
    this.child = child;
    this.args = Object.freeze([command, ...args]);
    this.encoding = encoding ?? null;
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

  /**
   * subprocess.Popen.communicate(input, timeout): writes `input` to stdin and closes it (at once without input),
   * reads stdout and stderr to their end, waits for the exit, and resolves with [stdout, stderr]: Buffers, or strings
   * when the Popen has an `encoding`; null for a stream that is not a pipe. Input for a stdin that is not a pipe is
   * dropped, and a child that exits without reading it is no error (Python ignores the broken pipe), as subprocess
   * does. After `timeout` seconds it rejects with TimeoutExpired and the child keeps running; what it wrote is kept,
   * and a later communicate() (without input: it was sent) resolves with all of it. Also `communicate({ input,
   * timeout })`. Output is decoded once at the end, without Python's newline translation.
   */
  communicate(
    input?: PopenInput | CommunicateOptions | null,
    opts?: Omit<CommunicateOptions, 'input'> | null,
  ): Promise<CommunicateResult> {
    let data: unknown;
    let timeoutArg: unknown;
    if (input !== null && typeof input === 'object' && !(input instanceof Uint8Array)) {
      if (opts !== undefined && opts !== null)
        throw new TypeError('communicate: options given twice (pass { input, timeout } or input, { timeout })');
      const o = options<CommunicateOptions>('communicate', input, ['input', 'timeout']);
      data = o.input;
      timeoutArg = o.timeout;
    } else {
      data = input;
      timeoutArg = options<CommunicateOptions>('communicate', opts, ['timeout']).timeout;
    }
    const timeout = secondsArg('communicate', 'timeout', timeoutArg);
    const bytes = this._inputBytes(data);
    if (this._comm === null) this._comm = this._communicate(bytes);
    // Python's ValueError: the input went (or stdin was closed) with the first call.
    else if (bytes !== null) throw new RangeError('communicate: cannot send input after starting communication');
    const comm = this._comm;
    const result = (): CommunicateResult => [this._decode(comm.out), this._decode(comm.err)];
    if (timeout === null) return comm.done.then(result);
    return new Promise<CommunicateResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutExpired(timeout, this.pid, this._handle.name)), timeout * 1000);
      comm.done.then(
        () => {
          clearTimeout(timer);
          resolve(result());
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** The input as bytes (null: none), checked against the mode as Python checks it (str in text mode, bytes else). */
  private _inputBytes(data: unknown): Buffer | null {
    if (data === undefined || data === null) return null;
    if (this.encoding !== null) {
      if (typeof data !== 'string')
        throw new TypeError(`communicate: input must be a string (the Popen has encoding ${this.encoding})`);
      return Buffer.from(data, this.encoding);
    }
    if (!(data instanceof Uint8Array))
      throw new TypeError(
        `communicate: input must be a Buffer or Uint8Array (give the Popen an encoding for strings), got ${describeValue(data)}`,
      );
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  private _decode(chunks: Buffer[] | null): Buffer | string | null {
    if (chunks === null) return null;
    const all = Buffer.concat(chunks);
    return this.encoding === null ? all : all.toString(this.encoding);
  }

  /** Starts the one exchange: stdin written and closed, both outputs drained into buffers, the exit awaited. */
  private _communicate(input: Buffer | null): Communication {
    const { stdin, stdout, stderr } = this.child;
    const waits: Promise<unknown>[] = [this._exited];
    if (stdin !== null) {
      waits.push(
        new Promise<void>((resolve, reject) => {
          // EPIPE: the child exited (or closed stdin) before reading all of it; subprocess ignores that too.
          stdin.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? resolve() : reject(err)));
          stdin.end(input ?? undefined, () => resolve());
        }),
      );
    }
    const drain = (stream: Readable | null): Buffer[] | null => {
      if (stream === null) return null;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
      waits.push(finished(stream, { writable: false }));
      return chunks;
    };
    const out = drain(stdout);
    const err = drain(stderr);
    const done = Promise.all(waits).then(() => undefined);
    // After a timeout nobody may await `done` until the next communicate(), which gets its error then: keep an
    // early rejection from counting as unhandled meanwhile.
    done.catch(() => undefined);
    return { out, err, done };
  }
}

guardPublicMethods(Popen.prototype);
