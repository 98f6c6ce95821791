/**
 * The audit trail: one JSON line per admin request (who, what, target, decision, errno), appended with O_APPEND so
 * concurrent writers and log shippers never see interleaved records, plus the counter
 * `psutil_exporter_admin_requests_total{action,decision}`, handed to the agent's /metrics as a family (the neutral
 * shape of src/exporters/catalog.ts) so that it renders with everything else.
 *
 * The file is opened at startup (an unwritable audit log refuses the start, like a missing token) and reopened when
 * logrotate moves it away (the path's inode no longer matches the open fd).
 */
import * as fs from 'node:fs';

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
  readonly members?: ReadonlyArray<AuditTarget & { readonly status: number; readonly decision: Decision; readonly errno?: string | null; readonly error?: string | null; readonly raceFree?: boolean | null; readonly identityAfter?: string }>;
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

  constructor(
    readonly path: string | null,
    private readonly onError: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {}

  /** psutil_exporter_admin_requests_total{action,decision}, for /metrics. */
  families(): CounterFamily[] {
    const series = [...this.counts].map(([k, value]) => {
      const [action = '', decision = ''] = k.split('\0');
      return { labels: { action, decision }, value };
    });
    return [{
      name: REQUESTS_TOTAL,
      help: 'Admin API requests by action and decision (ok, dry_run, denied, unauthorized, rate_limited, invalid, not_found, conflict, failed).',
      type: 'counter',
      labelNames: ['action', 'decision'],
      series,
    }];
  }

  /** Opens the file (mode 0600, append-only). Throws if it cannot: the admin API must not run unaudited. */
  open(): void {
    if (this.path === null) return;
    this.fd = fs.openSync(this.path, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
    this.ino = fs.fstatSync(this.fd).ino;
  }

  write(rec: AuditRecord): void {
    const key = `${rec.action}\0${rec.decision}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const line = `${JSON.stringify(rec)}\n`;
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
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
