/**
 * The admin listener: its own node:http (or https with mutual TLS) server, separate from /metrics, and the transport
 * checks every request passes, in this order, before the engine sees it:
 *
 *   Host allowlist (421) -> any Origin (403) -> authentication (401, 429 once the unauthenticated bucket is empty)
 *   -> rate limit per credential and global (429) -> route (404) -> method (405) -> pid / group segment (400)
 *   -> Content-Type application/json (415) -> body <= 4 KiB (413) -> strict JSON and schema (400)
 *
 * Headers are capped at 8 KiB (431), headers must arrive within read_header_timeout and the whole request within
 * request_timeout (408). Every request, refused or not, leaves one audit line and one counter increment.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { AuditLog, type AuditRecord, type CounterFamily, type Decision } from './audit';
import { AdminAuthError, TokenFile, allowedClientSan, bearerToken, tokenMatches } from './auth';
import { AdminSecurityError, assertAdminSafe, type AdminConfig } from './config';
import { AdminEngine, type AdminGroups, type Outcome } from './engine';
import { JsonSyntaxError, parseStrictJson } from './json';
import { Policy } from './policy';
import { RateLimiter } from './ratelimit';
import { ACTION_SEGMENTS, BadRequest, describeRequest, parseActionBody, type ActionName } from './requests';
import type { AdminHost } from './target';
import { wellFormedJson } from '../util/fsencoding';

export const MAX_BODY_BYTES = 4096;
export const MAX_HEADER_BYTES = 8192;
const PID_SEGMENT = /^(0|[1-9][0-9]{0,9})$/;
const PID_LIMIT = 2 ** 31 - 1;
const MAX_GROUP_NAME = 256;
const JSON_TYPE = /^application\/json(\s*;\s*charset=("?)utf-8\2)?$/i;

/** The subset of the agent's logger the admin server uses (src/exporters/log.ts satisfies it). */
export interface AdminLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const stderrLogger: AdminLogger = {
  info: (msg, f) =>
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg, ...f })}\n`),
  warn: (msg, f) =>
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg, ...f })}\n`),
  error: (msg, f) =>
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg, ...f })}\n`),
};

export interface AdminServerOptions {
  readonly config: AdminConfig;
  readonly host: AdminHost;
  readonly groups: AdminGroups;
  readonly log?: AdminLogger;
}

/** A request in progress: what the audit line will say. */
interface Ctx {
  readonly requestId: string;
  readonly remote: string;
  readonly method: string;
  readonly path: string;
  who: string | null;
  action: string;
  scope: 'process' | 'group' | null;
  group: string | null;
  request: Record<string, unknown> | null;
  dryRun: boolean;
  /** The request body was not (fully) read: close the connection after answering rather than drain it. */
  closeAfter: boolean;
}

type Route =
  | { kind: 'process'; pid: string; action: ActionName | null }
  | { kind: 'group'; name: string; action: ActionName | null };

/**
 * A refusal. Refusals are expected outcomes, thrown by the hundred per second in a flood and never debugged by their
 * stack, so none is captured (V8 captures it in the Error constructor, the largest JS cost of a refused request).
 */
class HttpError extends Error {
  readonly status: number;
  readonly decision: Decision;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, decision: Decision, code: string, message: string, headers: Record<string, string> = {}) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.status = status;
    this.decision = decision;
    this.code = code;
    this.headers = headers;
  }
}

function routeOf(pathname: string): Route | null | 'bad_action' {
  const parts = pathname.split('/');
  // ['', 'v1', 'processes'|'groups', id, action?]
  if (parts.length < 4 || parts.length > 5 || parts[0] !== '' || parts[1] !== 'v1') return null;
  const id = parts[3] ?? '';
  let action: ActionName | null = null;
  if (parts.length === 5) {
    const a = ACTION_SEGMENTS.get(parts[4] ?? '');
    if (a === undefined) return 'bad_action';
    action = a;
  }
  if (parts[2] === 'processes') return { kind: 'process', pid: id, action };
  if (parts[2] === 'groups') return { kind: 'group', name: id, action };
  return null;
}

function parsePid(seg: string): number {
  // Decimal digits only, no sign, no leading zero, no spaces: the strings Node's process.kill would coerce
  // (" -1 ", "0x10", "1e3") never become numbers here.
  if (!PID_SEGMENT.test(seg))
    throw new HttpError(
      400,
      'invalid',
      'invalid_pid',
      `pid must be a decimal integer, got ${JSON.stringify(seg.slice(0, 32))}`,
    );
  const pid = Number(seg);
  if (pid > PID_LIMIT) throw new HttpError(400, 'invalid', 'invalid_pid', `pid ${seg} is out of range`);
  return pid;
}

function parseGroupName(seg: string): string {
  let name: string;
  try {
    name = decodeURIComponent(seg);
  } catch (err) {
    if (err instanceof URIError)
      throw new HttpError(400, 'invalid', 'invalid_group', 'the group name is not valid percent-encoded UTF-8');
    throw err;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what this test refuses
  if (name.length === 0 || name.length > MAX_GROUP_NAME || /[\x00-\x1f\x7f]/.test(name)) {
    throw new HttpError(400, 'invalid', 'invalid_group', `a group name is 1-${MAX_GROUP_NAME} printable characters`);
  }
  return name;
}

function hostAllowlist(cfg: AdminConfig, boundPort: number | null): Set<string> {
  const hosts = new Set<string>(cfg.allowedHosts.map((h) => h.toLowerCase()));
  if (cfg.listen.kind === 'unix') {
    // curl --unix-socket and most clients send `localhost`; no browser can reach a unix socket.
    hosts.add('localhost');
    return hosts;
  }
  const port = boundPort ?? cfg.listen.port;
  const h = cfg.listen.host;
  hosts.add(net.isIPv6(h) ? `[${h}]:${port}` : `${h}:${port}`);
  if (cfg.listen.loopback) {
    hosts.add(`localhost:${port}`);
    hosts.add(`127.0.0.1:${port}`);
    hosts.add(`[::1]:${port}`);
  }
  return hosts;
}

/** Reads the request body up to MAX_BODY_BYTES; 413 beyond (without reading the rest), 408 if it stalls. */
function readBody(req: http.IncomingMessage, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: HttpError | null, buf?: Buffer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      if (err) {
        req.pause();
        reject(err);
      } else resolve(buf as Buffer);
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > MAX_BODY_BYTES)
        finish(new HttpError(413, 'invalid', 'body_too_large', `the body exceeds ${MAX_BODY_BYTES} bytes`));
      else chunks.push(c);
    };
    const onEnd = (): void => finish(null, Buffer.concat(chunks));
    const onError = (): void => finish(new HttpError(400, 'invalid', 'body_error', 'the request body was cut off'));
    const timer = setTimeout(
      () => finish(new HttpError(408, 'invalid', 'request_timeout', 'the request body did not arrive in time')),
      timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Compared against when no token is loaded: no input hashes to all zeros. */
const NO_DIGEST = Buffer.alloc(32);

export class AdminServer {
  private readonly server: http.Server | https.Server;
  private readonly engine: AdminEngine;
  private readonly tokenFile: TokenFile | null;
  private readonly limiter: RateLimiter;
  private readonly audit: AuditLog;
  private readonly log: AdminLogger;
  private hosts: Set<string> = new Set();
  private unixPath: string | null = null;

  private constructor(
    private readonly cfg: AdminConfig,
    opts: AdminServerOptions,
  ) {
    this.log = opts.log ?? stderrLogger;
    this.engine = new AdminEngine({
      host: opts.host,
      groups: opts.groups,
      policy: new Policy(cfg.policy),
      maxGroupMembers: cfg.maxGroupMembers,
    });
    this.tokenFile = cfg.tokenFile === null ? null : new TokenFile(cfg.tokenFile, (m) => this.log.error(m));
    this.limiter = new RateLimiter(cfg.rateLimit);
    this.audit = new AuditLog(cfg.auditLog, (m) => this.log.error(m));
    const common: http.ServerOptions = {
      maxHeaderSize: MAX_HEADER_BYTES,
      requestTimeout: cfg.requestTimeoutMs,
      headersTimeout: cfg.readHeaderTimeoutMs,
      keepAliveTimeout: 5000,
      // Node checks the two timeouts above only this often (default 30 s): make slowloris end promptly.
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(cfg.readHeaderTimeoutMs / 4))),
      requireHostHeader: true,
    };
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        this.log.error('admin request handler failed', { err: String(err) });
        if (!res.headersSent) this.send(res, 500, { error: { code: 'internal', message: 'internal error' } }, {}, true);
        else res.destroy();
      });
    };
    if (cfg.tls) {
      this.server = https.createServer(
        {
          ...common,
          ...this.tlsOptions(),
          minVersion: cfg.tls.minVersion,
          requestCert: cfg.tls.clientCaFile !== null,
          rejectUnauthorized: cfg.tls.clientCaFile !== null,
        },
        handler,
      );
    } else {
      this.server = http.createServer(common, handler);
    }
    this.tlsSig = this.tlsSignature();
    this.server.maxHeadersCount = 64;
    this.server.maxRequestsPerSocket = 1000;
    this.server.maxConnections = 256;
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => this.onClientError(err, socket));
  }

  /** stat signature of the TLS files last loaded (exporter-toolkit re-reads them so certificates rotate live). */
  private tlsSig = '';

  private tlsSignature(): string {
    const t = this.cfg.tls;
    if (!t) return '';
    return [t.certFile, t.keyFile, t.clientCaFile]
      .map((f) => {
        if (f === null) return '-';
        const st = fs.statSync(f);
        return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
      })
      .join('|');
  }

  /** Loads rotated certificates for the connections that follow; a half-written set keeps the previous one. */
  private reloadTlsIfChanged(): void {
    if (!this.cfg.tls) return;
    try {
      const sig = this.tlsSignature();
      if (sig === this.tlsSig) return;
      (this.server as https.Server).setSecureContext({ ...this.tlsOptions(), minVersion: this.cfg.tls.minVersion });
      this.tlsSig = sig;
      this.log.info('admin: TLS certificates reloaded');
    } catch (err) {
      this.log.error('admin: cannot reload TLS certificates; keeping the previous ones', {
        err: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private tlsOptions(): { cert: Buffer; key: Buffer; ca?: Buffer } {
    const t = this.cfg.tls;
    if (!t) return { cert: Buffer.alloc(0), key: Buffer.alloc(0) };
    return {
      cert: fs.readFileSync(t.certFile),
      key: fs.readFileSync(t.keyFile),
      ...(t.clientCaFile ? { ca: fs.readFileSync(t.clientCaFile) } : {}),
    };
  }

  /**
   * Checks the configuration, loads the token, opens the audit log and listens. Throws AdminSecurityError (every
   * line `[SECURITY] ...`) when admin would run unauthenticated, exposed without mutual TLS, or with a bad token file.
   */
  static async start(opts: AdminServerOptions): Promise<AdminServer> {
    const cfg = opts.config;
    if (!cfg.enabled) throw new Error('admin.enabled is false: the admin server is not started');
    assertAdminSafe(cfg);
    const s = new AdminServer(cfg, opts);
    if (s.tokenFile) {
      try {
        s.tokenFile.load();
      } catch (err) {
        if (err instanceof AdminAuthError) throw new AdminSecurityError([`[SECURITY] ${err.message}`]);
        throw err;
      }
    }
    s.audit.open();
    const ns = opts.host.namespaceProblem();
    if (ns) s.log.warn(`admin: every action will be refused: ${ns}`);
    await s.listen();
    return s;
  }

  private async listen(): Promise<void> {
    const l = this.cfg.listen;
    if (l.kind === 'unix') {
      await removeStaleSocket(l.path);
      // The socket file is created by bind() inside listen(); a umask makes it 0600 from its first instant
      // rather than after a chmod race.
      const old = process.umask(0o177);
      try {
        await new Promise<void>((resolve, reject) => {
          this.server.once('error', reject);
          this.server.listen(l.path, () => {
            this.server.removeListener('error', reject);
            resolve();
          });
        });
      } finally {
        process.umask(old);
      }
      fs.chmodSync(l.path, 0o600);
      this.unixPath = l.path;
      this.hosts = hostAllowlist(this.cfg, null);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(l.port, l.host, () => {
        this.server.removeListener('error', reject);
        resolve();
      });
    });
    const a = this.server.address() as net.AddressInfo;
    this.hosts = hostAllowlist(this.cfg, a.port);
  }

  /** psutil_exporter_admin_requests_total{action,decision} as a family for the agent's /metrics. */
  metricFamilies(): CounterFamily[] {
    return this.audit.families();
  }

  /** Where the server listens: `{host, port}` or `{path}` for a unix socket. */
  address(): { host: string; port: number } | { path: string } {
    if (this.unixPath !== null) return { path: this.unixPath };
    const a = this.server.address() as net.AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Ends the audit log's sampling window now (summary lines of sampled floods); close() does it too. */
  flushAudit(): void {
    this.audit.flush();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.audit.close();
    if (this.unixPath !== null) {
      try {
        fs.unlinkSync(this.unixPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  private send(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string>,
    close: boolean,
  ): void {
    // Process names and paths may hold escaped bytes (lone surrogates): the body says U+FFFD for them.
    const text = wellFormedJson(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      ...(close ? { connection: 'close' } : {}),
      ...headers,
    });
    res.end(text);
    if (close) res.once('finish', () => res.socket?.destroySoon());
  }

  private record(ctx: Ctx, status: number, decision: Decision, extra: Partial<AuditRecord>): void {
    this.audit.write({
      time: new Date().toISOString(),
      requestId: ctx.requestId,
      remote: ctx.remote,
      who: ctx.who,
      method: ctx.method,
      path: ctx.path,
      action: ctx.action,
      scope: ctx.scope,
      group: ctx.group,
      request: ctx.request,
      dryRun: ctx.dryRun,
      target: null,
      decision,
      status,
      reason: null,
      errno: null,
      ...extra,
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.reloadTlsIfChanged();
    const rawUrl = req.url ?? '';
    const ctx: Ctx = {
      requestId: crypto.randomUUID(),
      remote: req.socket.remoteAddress ? `${req.socket.remoteAddress}:${req.socket.remotePort ?? 0}` : 'unix',
      method: req.method ?? '',
      path: rawUrl.slice(0, 512),
      who: null,
      action: 'unknown',
      scope: null,
      group: null,
      request: null,
      dryRun: false,
      closeAfter: req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined,
    };
    try {
      const outcome = await this.process(req, ctx);
      // The audit line is written before the answer leaves: a client that has its answer finds its line.
      this.record(ctx, outcome.status, outcome.decision, {
        target: outcome.target,
        reason: outcome.reason,
        errno: outcome.errno,
        group: outcome.group ?? ctx.group,
        ...(outcome.raceFree === undefined ? {} : { raceFree: outcome.raceFree }),
        ...(outcome.identityAfter === undefined ? {} : { identityAfter: outcome.identityAfter }),
        ...(outcome.members === undefined ? {} : { members: outcome.members }),
      });
      this.send(res, outcome.status, outcome.body, { 'x-request-id': ctx.requestId }, ctx.closeAfter);
    } catch (err) {
      if (!(err instanceof HttpError)) {
        // A bug or an unexpected OS error: answer 500 (never a retry, never a partial action) and audit it.
        this.log.error('admin request failed', {
          requestId: ctx.requestId,
          err: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
        if (res.headersSent) throw err;
        this.record(ctx, 500, 'failed', { reason: err instanceof Error ? err.message : String(err) });
        this.send(
          res,
          500,
          { error: { code: 'internal', message: 'internal error; see the agent log' } },
          { 'x-request-id': ctx.requestId },
          true,
        );
        return;
      }
      this.record(ctx, err.status, err.decision, { reason: err.message });
      this.send(
        res,
        err.status,
        { error: { code: err.code, message: err.message } },
        { 'x-request-id': ctx.requestId, ...err.headers },
        ctx.closeAfter,
      );
    }
  }

  /** Every check in order; throws HttpError for a refusal, returns the engine's outcome otherwise. */
  private async process(req: http.IncomingMessage, ctx: Ctx): Promise<Outcome> {
    // 1. DNS rebinding: a browser page that resolved its own name to 127.0.0.1 still sends its own Host. Node keeps
    // the first of two Host headers; RFC 9112 3.2 says a request with more than one is answered 400.
    if ((req.headersDistinct['host']?.length ?? 0) > 1)
      throw new HttpError(400, 'invalid', 'bad_host', 'more than one Host header');
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.hosts.has(host)) {
      throw new HttpError(
        421,
        'invalid',
        'misdirected',
        `Host ${JSON.stringify(host.slice(0, 64))} is not this server's address`,
      );
    }
    // 2. CSRF: no legitimate admin client is a browser page; any Origin (even "null") is refused.
    if (req.headers.origin !== undefined)
      throw new HttpError(403, 'invalid', 'origin_refused', 'requests carrying an Origin header are refused');

    const url = req.url ?? '';
    if (!url.startsWith('/')) throw new HttpError(400, 'invalid', 'bad_target', 'the request target must be a path');
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const route = routeOf(pathname);
    if (route !== null && route !== 'bad_action') {
      ctx.action = route.action ?? 'get';
      ctx.scope = route.kind;
    }

    // 3. Authentication, before anything that depends on the route's meaning.
    ctx.who = this.authenticate(req);
    if (ctx.who === null) {
      if (!this.limiter.allowUnauthenticated())
        throw new HttpError(429, 'rate_limited', 'rate_limited', 'too many requests', { 'retry-after': '1' });
      throw new HttpError(401, 'unauthorized', 'unauthorized', 'a valid credential is required', {
        'www-authenticate': 'Bearer realm="psutil-exporter-admin"',
      });
    }
    // 4. Rate limits.
    if (!this.limiter.allow(ctx.who))
      throw new HttpError(429, 'rate_limited', 'rate_limited', 'too many requests', { 'retry-after': '1' });

    // 5. Route and method.
    if (route === null || route === 'bad_action') throw new HttpError(404, 'not_found', 'no_route', 'no such endpoint');
    if (q >= 0) throw new HttpError(400, 'invalid', 'query_refused', 'query strings are not accepted');
    const method = req.method ?? '';
    if (route.action === null) {
      if (method !== 'GET')
        throw new HttpError(405, 'invalid', 'method_not_allowed', `${method} is not allowed here; use GET`, {
          allow: 'GET',
        });
    } else if (method !== 'POST') {
      throw new HttpError(
        405,
        'invalid',
        'method_not_allowed',
        `${method} is not allowed here: actions are POST only`,
        { allow: 'POST' },
      );
    }

    // 6. The path's own argument.
    let pid = 0;
    if (route.kind === 'process') pid = parsePid(route.pid);
    else ctx.group = parseGroupName(route.name);

    if (route.action === null) {
      return route.kind === 'process' ? this.engine.inspect(pid) : this.engine.inspectGroup(ctx.group as string);
    }

    // 7. The body: JSON only, small, strict.
    const ct = req.headers['content-type'];
    if (ct === undefined || !JSON_TYPE.test(ct.trim())) {
      throw new HttpError(415, 'invalid', 'unsupported_media_type', 'the body must be Content-Type: application/json');
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
      throw new HttpError(413, 'invalid', 'body_too_large', `the body exceeds ${MAX_BODY_BYTES} bytes`);
    }
    const raw = await readBody(req, this.cfg.requestTimeoutMs);
    ctx.closeAfter = false;
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch (err) {
      // Node's decoder error (its own realm's TypeError, so matched by code rather than instanceof).
      if ((err as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
        throw new HttpError(400, 'invalid', 'invalid_json', 'the body is not valid UTF-8');
      }
      throw err;
    }
    try {
      const body = parseActionBody(route.action, parseStrictJson(text), route.kind);
      ctx.request = { action: body.request.action, ...describeRequest(body.request) };
      ctx.dryRun = body.dryRun;
      return route.kind === 'process'
        ? this.engine.act(pid, body.request, body.createTime as number, body.dryRun)
        : this.engine.actGroup(ctx.group as string, body.request, body.dryRun);
    } catch (err) {
      if (err instanceof JsonSyntaxError)
        throw new HttpError(400, 'invalid', 'invalid_json', `the body is not acceptable JSON: ${err.message}`);
      if (err instanceof BadRequest) throw new HttpError(400, 'invalid', err.code, err.message);
      throw err;
    }
  }

  /** The credential id (`token:…`, `cert:…`, or both joined by `+`), or null. */
  private authenticate(req: http.IncomingMessage): string | null {
    const ids: string[] = [];
    const tls = this.cfg.tls;
    if (tls !== null && tls.clientCaFile !== null) {
      const san = allowedClientSan(req.socket as TLSSocket, tls.clientAllowedSans);
      if (san === null) return null;
      ids.push(`cert:${san}`);
    }
    if (this.tokenFile !== null) {
      const expected = this.tokenFile.current();
      const presented = bearerToken(req.headersDistinct['authorization']);
      // Hash and compare even when there is nothing to compare, so a missing file or header costs the same.
      const same = tokenMatches(presented ?? '', expected?.digest ?? NO_DIGEST);
      if (!same || presented === null || expected === null) return null;
      ids.push(expected.id);
    }
    return ids.length > 0 ? ids.join('+') : null;
  }

  /** Malformed requests that never reach a handler (bad syntax 400, headers too large 431, timeouts 408). */
  private onClientError(err: NodeJS.ErrnoException, socket: net.Socket): void {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    this.audit.write({
      time: new Date().toISOString(),
      requestId: crypto.randomUUID(),
      remote: socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort ?? 0}` : 'unix',
      who: null,
      method: '',
      path: '',
      action: 'unknown',
      scope: null,
      group: null,
      request: null,
      dryRun: false,
      target: null,
      decision: 'invalid',
      status,
      reason: err.code ?? err.message,
      errno: null,
    });
    if (socket.writable && !(socket as net.Socket & { _httpMessage?: unknown })._httpMessage) {
      const text = http.STATUS_CODES[status] ?? 'Bad Request';
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroySoon();
  }
}

/** A stale socket file from a previous run is removed; a live one (another agent answering) or a non-socket is an error. */
async function removeStaleSocket(p: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isSocket()) throw new Error(`admin.listen_address: ${p} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const c = net.connect(p);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (live) throw new Error(`admin.listen_address: ${p} is in use by another process`);
  fs.unlinkSync(p);
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  return AdminServer.start(opts);
}
