/**
 * psutil's exception hierarchy, with a stable `code` on each class (undici style) and the errno kept as `cause`.
 * PsutilError > NoSuchProcess > ZombieProcess; AccessDenied; TimeoutExpired; UnsupportedOperation; ParseError.
 */

export type PsutilErrorCode =
  | 'PSUTIL_ERROR'
  | 'PSUTIL_NO_SUCH_PROCESS'
  | 'PSUTIL_ZOMBIE_PROCESS'
  | 'PSUTIL_ACCESS_DENIED'
  | 'PSUTIL_TIMEOUT_EXPIRED'
  | 'PSUTIL_UNSUPPORTED_OPERATION'
  | 'PSUTIL_PARSE_ERROR';

export class PsutilError extends Error {
  readonly code: PsutilErrorCode = 'PSUTIL_ERROR';
  readonly pid: number | null;
  /** The process name when known (psutil's `name`); `processName` is null when it is not. */
  readonly processName: string | null;
  /** The bare message, without the "(pid=..., name=...)" details that `message` adds (psutil's `msg`). */
  readonly msg: string;

  constructor(
    msg: string,
    opts: { pid?: number | null; ppid?: number | null; name?: string | null; cause?: unknown } = {},
  ) {
    super(details(msg, opts.pid, opts.ppid, opts.name), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.msg = msg;
    this.pid = opts.pid ?? null;
    this.processName = opts.name ?? null;
    // V8 formats the stack lazily, its header from `name` at that time: where `name` becomes the process name below,
    // the stack is formatted now, while `name` is still the class name. Elsewhere `name` stays the class name and the
    // stack is left to be formatted when read: the errors a caller expects and swallows (ENOENT from the absent
    // files a collection pass probes, a dozen per pass) cost no formatted trace.
    if (this.processName !== null) void this.stack;
    // psutil's errors carry the process name as `name`; where there is none, `name` stays the class name so that
    // stack traces and util.inspect read as usual ("NoSuchProcess: ...").
    Object.defineProperty(this, 'name', {
      value: this.processName ?? new.target.name,
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }
}

/** A Python repr of a str, as psutil's `name=%r` prints it: single quotes unless the text holds one. */
function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\' || ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

/** psutil's Error.__str__: the message, then "(pid=1, ppid=0, name='x')" with what is known (pid 0 included). */
function details(
  msg: string,
  pid: number | null | undefined,
  ppid: number | null | undefined,
  name: string | null | undefined,
): string {
  const parts: string[] = [];
  if (pid !== undefined && pid !== null) parts.push(`pid=${pid}`);
  if (ppid) parts.push(`ppid=${ppid}`);
  if (name) parts.push(`name=${pyRepr(name)}`);
  return parts.length ? `${msg} (${parts.join(', ')})` : msg;
}

export class NoSuchProcess extends PsutilError {
  override readonly code: PsutilErrorCode = 'PSUTIL_NO_SUCH_PROCESS';
  constructor(pid: number, name: string | null = null, msg?: string, cause?: unknown, ppid: number | null = null) {
    super(msg ?? 'process no longer exists', { pid, ppid, name, cause });
  }
}

export class ZombieProcess extends NoSuchProcess {
  override readonly code: PsutilErrorCode = 'PSUTIL_ZOMBIE_PROCESS';
  readonly ppid: number | null;
  constructor(pid: number, name: string | null = null, ppid: number | null = null, msg?: string, cause?: unknown) {
    super(pid, name, msg ?? "PID still exists but it's a zombie", cause, ppid);
    this.ppid = ppid;
  }
}

export class AccessDenied extends PsutilError {
  override readonly code: PsutilErrorCode = 'PSUTIL_ACCESS_DENIED';
  constructor(pid: number | null = null, name: string | null = null, msg?: string, cause?: unknown) {
    super(msg ?? 'access denied', { pid, name, cause });
  }
}

export class TimeoutExpired extends PsutilError {
  override readonly code: PsutilErrorCode = 'PSUTIL_TIMEOUT_EXPIRED';
  readonly seconds: number;
  constructor(seconds: number, pid: number | null = null, name: string | null = null) {
    super(`timeout after ${seconds} seconds`, { pid, name });
    this.seconds = seconds;
  }
}

export class UnsupportedOperation extends PsutilError {
  override readonly code: PsutilErrorCode = 'PSUTIL_UNSUPPORTED_OPERATION';
  constructor(what: string, platform: string = process.platform, cause?: unknown) {
    super(`${what} is not supported on ${platform}`, cause === undefined ? {} : { cause });
  }
}

/** A /proc or /sys file that could not be parsed. `path` names the file (or '<input>' for a bare string). */
export class ParseError extends PsutilError {
  override readonly code: PsutilErrorCode = 'PSUTIL_PARSE_ERROR';
  readonly path: string;
  constructor(path: string, msg: string, cause?: unknown) {
    super(`cannot parse ${path}: ${msg}`, { cause });
    this.path = path;
  }
}

/** An OS error that is not a process error (ENOENT on diskUsage, EACCES on /proc/net/tcp): keeps Node's shape. */
export class OsError extends PsutilError {
  readonly errno: number;
  readonly syscall: string;
  readonly path: string | null;
  readonly osCode: string;
  constructor(osCode: string, errno: number, syscall: string, path: string | null, msg?: string) {
    super(msg ?? `${osCode}: ${syscall}${path !== null ? ` '${path}'` : ''} failed`);
    this.osCode = osCode;
    this.errno = errno;
    this.syscall = syscall;
    this.path = path;
  }
}

// The stack header is written during super(), from the prototype's name: give each class its own.
for (const cls of [
  PsutilError,
  NoSuchProcess,
  ZombieProcess,
  AccessDenied,
  TimeoutExpired,
  UnsupportedOperation,
  ParseError,
  OsError,
]) {
  Object.defineProperty(cls.prototype, 'name', {
    value: cls.name,
    enumerable: false,
    writable: true,
    configurable: true,
  });
}
