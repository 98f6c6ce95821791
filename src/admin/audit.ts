/**
 * The audit trail: one JSON line per admin request (who, what, target, decision, errno), appended with O_APPEND so
 * concurrent writers and log shippers never see interleaved records, plus the counter
 * `psutil_exporter_admin_requests_total{action,decision}`, handed to the agent's /metrics as a family (the neutral
 * shape of src/exporters/catalog.ts) so that it renders with everything else.
 *
 * The file is opened at startup (an unwritable audit log refuses the start, like a missing token) and reopened when
 * logrotate moves it away (the path's inode no longer matches the open fd).
 *
 * Floods do not grow it without bound: a request refused before it was authenticated (401, 421, 400, ... with no
 * credential) and every 429 is sampled per source address, decision and status: the first `sampleFirst` of a window
 * are written whole, the rest are counted and written as one summary line per key when the window ends
 * (`{"kind":"suppressed","remote":"10.0.0.1","decision":"unauthorized","status":401,"count":9520,"reasons":{...}}`).
 * Every authenticated request that was not rate-limited (each action, allowed, refused or failed) keeps its own line.
 * The counter counts every request either way.
 */
import * as fs from 'node:fs';
import { wellFormedJson } from '../util/fsencoding';

/** How a request ended, as the counter's `decision` label. */
export type Decision =
  | 'ok' // the action was carried out (or the read answered)
  | 'dry_run' // allowed, nothing done
  | 'denied' // policy or hard denial (403)
  | 'unauthorized' // 401
  | 'rate_limited' // 429
  | 'invalid' // malformed request: 400, 405, 408, 413, 415, 421, 431
  | 'not_found' // 404
  | 'conflict' // identity mismatch, process gone, other PID namespace (409)
  | 'failed'; // allowed but the OS refused or an error occurred

export interface AuditTarget {
  readonly pid: number;
  readonly createTime: number | null;
  readonly name?: string | null;
  readonly exe?: string | null;
  readonly username?: string | null;
  readonly group?: string | null;
}

export interface AuditRecord {
  readonly time: string;
  readonly requestId: string;
  readonly remote: string;
  /** `token:<id>`, `cert:<SAN>`, both joined by `+`, or null when authentication failed. */
  readonly who: string | null;
  readonly method: string;
  readonly path: string;
  readonly action: string;
  readonly scope: 'process' | 'group' | null;
  readonly group: string | null;
  readonly request: Record<string, unknown> | null;
  readonly dryRun: boolean;
  readonly target: AuditTarget | null;
  /** Group actions: one entry per member. */
  readonly members?: ReadonlyArray<
    AuditTarget & {
      readonly status: number;
      readonly decision: Decision;
      readonly errno?: string | null;
      readonly error?: string | null;
      readonly raceFree?: boolean | null;
      readonly identityAfter?: string;
    }
  >;
  readonly decision: Decision;
  readonly status: number;
  readonly reason: string | null;
  readonly errno: string | null;
  readonly raceFree?: boolean | null;
  /** After a setter: 'same' or 'changed' (the pid named another process by then; B3 asks to audit it). */
  readonly identityAfter?: string;
}

export const REQUESTS_TOTAL = 'psutil_exporter_admin_requests_total';
const ROTATION_CHECK_MS = 1000;

/** One summary of the requests of one key that a window did not write whole. */
export interface SuppressedRecord {
  readonly time: string;
  readonly kind: 'suppressed';
  readonly remote: string;
  readonly decision: Decision;
  readonly status: number;
  readonly count: number;
  readonly since: string;
  readonly reasons: Record<string, number>;
}

export interface AuditSampling {
  /** Refused-unauthenticated and rate-limited requests written whole per key and window. */
  readonly sampleFirst: number;
  readonly windowMs: number;
  /** Keys tracked per window; past it, sources share the key `*` (a flood from many addresses stays bounded). */
  readonly maxKeys: number;
}

export const DEFAULT_AUDIT_SAMPLING: AuditSampling = { sampleFirst: 10, windowMs: 10_000, maxKeys: 1024 };

interface Window {
  readonly remote: string;
  readonly decision: Decision;
  readonly status: number;
  written: number;
  suppressed: number;
  readonly reasons: Map<string, number>;
}

/** The source address of `ip:port` (IPv6 addresses keep their colons), `unix` as is. */
function sourceOf(remote: string): string {
  const i = remote.lastIndexOf(':');
  return i > 0 && /^\d+$/.test(remote.slice(i + 1)) ? remote.slice(0, i) : remote;
}

/** Requests a flood can repeat at no cost: refused with no credential, or rate-limited. */
function sampled(rec: AuditRecord): boolean {
  return rec.decision === 'rate_limited' || (rec.who === null && rec.decision !== 'ok' && rec.decision !== 'dry_run');
}

/** A counter family in the exporters' neutral shape (src/exporters/catalog.ts Family), structurally. */
export interface CounterFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter';
  readonly labelNames: readonly string[];
  readonly series: Array<{ readonly labels: Readonly<Record<string, string>>; readonly value: number }>;
}

export class AuditLog {
  private fd: number | null = null;
  private ino = 0;
  /** `action\0decision` -> requests. */
  private readonly counts = new Map<string, number>();
  /** Lines that could not be written (also reported through onError). */
  failures = 0;

  /** The current sampling window: key -> what was written and what was only counted. */
  private window = new Map<string, Window>();
  private windowStart = 0;
  private windowTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly path: string | null,
    private readonly onError: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
    private readonly sampling: AuditSampling = DEFAULT_AUDIT_SAMPLING,
  ) {}

  /** psutil_exporter_admin_requests_total{action,decision}, for /metrics. */
  families(): CounterFamily[] {
    const series = [...this.counts].map(([k, value]) => {
      const [action = '', decision = ''] = k.split('\0');
      return { labels: { action, decision }, value };
    });
    return [
      {
        name: REQUESTS_TOTAL,
        help: 'Admin API requests by action and decision (ok, dry_run, denied, unauthorized, rate_limited, invalid, not_found, conflict, failed).',
        type: 'counter',
        labelNames: ['action', 'decision'],
        series,
      },
    ];
  }

  /** Opens the file (mode 0600, append-only). Throws if it cannot: the admin API must not run unaudited. */
  open(): void {
    if (this.path === null) return;
    this.fd = fs.openSync(
      this.path,
      fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW,
      0o600,
    );
    this.ino = fs.fstatSync(this.fd).ino;
  }

  write(rec: AuditRecord): void {
    const key = `${rec.action}\0${rec.decision}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (sampled(rec) && !this.admit(rec)) return;
    this.append(rec);
  }

  /** Whether a sampled record is written whole; otherwise it is counted in its key's summary. */
  private admit(rec: AuditRecord): boolean {
    if (this.windowTimer === null) {
      this.windowStart = Date.now();
      this.windowTimer = setTimeout(() => this.flush(), this.sampling.windowMs);
      this.windowTimer.unref();
    }
    let remote = sourceOf(rec.remote);
    let key = `${remote}\0${rec.decision}\0${rec.status}`;
    let w = this.window.get(key);
    if (w === undefined && this.window.size >= this.sampling.maxKeys) {
      remote = '*';
      key = `*\0${rec.decision}\0${rec.status}`;
      w = this.window.get(key);
    }
    if (w === undefined) {
      w = { remote, decision: rec.decision, status: rec.status, written: 0, suppressed: 0, reasons: new Map() };
      this.window.set(key, w);
    }
    if (w.written < this.sampling.sampleFirst) {
      w.written++;
      return true;
    }
    w.suppressed++;
    const reason = (rec.reason ?? '').slice(0, 120);
    // Reasons are few (the server's own messages); a bounded map all the same.
    if (w.reasons.has(reason) || w.reasons.size < 16) w.reasons.set(reason, (w.reasons.get(reason) ?? 0) + 1);
    return false;
  }

  /** Ends the sampling window: one summary line per key that had requests not written whole. */
  flush(): void {
    if (this.windowTimer !== null) clearTimeout(this.windowTimer);
    this.windowTimer = null;
    const since = new Date(this.windowStart).toISOString();
    const time = new Date().toISOString();
    const window = this.window;
    this.window = new Map();
    for (const w of window.values()) {
      if (w.suppressed === 0) continue;
      const summary: SuppressedRecord = {
        time,
        kind: 'suppressed',
        remote: w.remote,
        decision: w.decision,
        status: w.status,
        count: w.suppressed,
        since,
        reasons: Object.fromEntries(w.reasons),
      };
      this.append(summary);
    }
  }

  private append(rec: AuditRecord | SuppressedRecord): void {
    const line = `${wellFormedJson(rec)}\n`;
    if (this.path === null) {
      process.stderr.write(line);
      return;
    }
    try {
      this.reopenIfRotated();
      if (this.fd === null) throw new Error('audit log is closed');
      fs.writeSync(this.fd, line);
    } catch (err) {
      this.failures++;
      this.onError(`admin audit log ${this.path}: ${(err as Error).message}; record: ${line.trimEnd()}`);
    }
  }

  /** When the path was last compared with the open file (monotonic ms). */
  private lastRotationCheck = -Infinity;

  private reopenIfRotated(): void {
    // logrotate moves the file a few times a day: one stat per second notices it without a stat per request.
    const now = performance.now();
    if (this.fd !== null && now - this.lastRotationCheck < ROTATION_CHECK_MS) return;
    this.lastRotationCheck = now;
    let ino: number | null;
    try {
      ino = fs.statSync(this.path as string).ino;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      ino = null;
    }
    if (ino !== this.ino || this.fd === null) {
      if (this.fd !== null) fs.closeSync(this.fd);
      this.fd = null;
      this.open();
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
