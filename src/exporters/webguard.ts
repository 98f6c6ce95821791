/**
 * The web config file at work on the agent's listener: HTTPS with the file's certificate (re-read when the files
 * change, before the next handshake), the client certificate policy, the response headers, and basic auth against
 * bcrypt hashes. The file itself is followed as exporter-toolkit follows it (it re-reads it at every request): a
 * change is loaded and checked in a short-lived thread and applied to the requests after it; a refused file keeps the
 * one in force. Turning TLS on or off, or changing client_auth_type, needs a restart (Node fixes both per server).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type * as tls from 'node:tls';
import { loadWebConfigOffThread } from '../config/offthread';
import type { Logger } from './log';
import {
  clientCertRefusal,
  tlsServerOptions,
  type TlsServerOptions,
  type WebConfig,
  type WebTlsConfig,
} from './webtls';

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * exporter-toolkit's stand-in for an unknown user (bcrypt of "fakepassword"): an unknown name costs one bcrypt like a
 * known one, so that timing does not tell which names exist.
 */
const FAKE_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';

/** Checked credentials remembered (exporter-toolkit keeps 100): a scrape every 15 s then costs no bcrypt. */
export const AUTH_CACHE_SIZE = 100;

/** bcrypt computations waiting their turn (one runs at a time, as exporter-toolkit's bcryptMtx); more get 503. */
export const AUTH_QUEUE_LIMIT = 64;

/** The user and password of an Authorization header, read as Go's Request.BasicAuth reads it; null: none. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | null {
  if (header === undefined || header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return null;
  const b64 = header.slice(6);
  // Go's StdEncoding is strict where Buffer.from is lenient: padding, alphabet and length must be right.
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return null;
  const raw = Buffer.from(b64, 'base64');
  const text = raw.toString('utf8');
  // bcrypt is given UTF-8: credentials that are not UTF-8 cannot be the ones a hash was made of, and must not turn
  // into U+FFFD (two different byte strings would then count as one password).
  if (!Buffer.from(text, 'utf8').equals(raw)) return null;
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

type Bcrypt = typeof import('bcryptjs');

/**
 * Basic auth with exporter-toolkit's cache of checked credentials, keyed as after CVE-2022-46146: the user, the hash
 * in force and the password each length-delimited (before the fix, they were concatenated, so that a crafted user
 * name could borrow a cache entry), and an entry counts only for a user that exists now (the fix's
 * `authOk && validUser`). The key is an HMAC under a key made at start, so neither passwords nor a fast hash of them
 * stay in memory. Wrong passwords are remembered as wrong, as exporter-toolkit does: a scraper with a stale password
 * would otherwise cost a bcrypt (about 0.1 to 0.5 s of CPU in JavaScript at cost 10) at every scrape.
 */
export class BasicAuth {
  private readonly checked = new Map<string, boolean>();
  private readonly inflight = new Map<string, Promise<boolean>>();
  private readonly secret = crypto.randomBytes(32);
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private bcrypt: Bcrypt | null = null;

  private cacheKey(user: string, hash: string, password: string): string {
    const h = crypto.createHmac('sha256', this.secret);
    for (const part of [user, hash, password]) {
      const b = Buffer.from(part, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      h.update(len).update(b);
    }
    return h.digest('base64');
  }

  /** bcrypt of the password with the hash's salt and cost, compared in constant time with the hash. */
  private async matches(hash: string, password: string): Promise<boolean> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: bcryptjs loads only where basic auth is configured
    this.bcrypt ??= require('bcryptjs') as Bcrypt;
    // bcryptjs's async hash yields to the event loop between rounds: scrapes go on while it runs.
    const computed = Buffer.from(await this.bcrypt.hash(password, hash.slice(0, 29)), 'utf8');
    const expected = Buffer.from(hash, 'utf8');
    return computed.length === expected.length && crypto.timingSafeEqual(computed, expected);
  }

  /**
   * Whether the header's credentials are those of a user: true or false at once when known (checked before, or no
   * credentials at all), a promise when bcrypt must run, 'busy' when too many are already waiting for it.
   */
  check(users: ReadonlyMap<string, string>, header: string | undefined): boolean | 'busy' | Promise<boolean> {
    const cred = parseBasicAuth(header);
    if (cred === null) return false;
    const known = users.get(cred.user);
    const hash = known ?? FAKE_HASH;
    const key = this.cacheKey(cred.user, hash, cred.password);
    const cached = this.checked.get(key);
    if (cached !== undefined) return cached && known !== undefined;
    const pending = this.inflight.get(key);
    if (pending !== undefined) return pending;
    if (this.waiting >= AUTH_QUEUE_LIMIT) return 'busy';
    this.waiting++;
    const run = this.queue.then(async () => {
      const ok = (await this.matches(hash, cred.password)) && known !== undefined;
      this.remember(key, ok);
      return ok;
    });
    this.queue = run.catch(() => undefined);
    const p = run.finally(() => {
      this.waiting--;
      this.inflight.delete(key);
    });
    this.inflight.set(key, p);
    return p;
  }

  private remember(key: string, ok: boolean): void {
    if (this.checked.size >= AUTH_CACHE_SIZE) {
      // The oldest tenth goes (insertion order), so that a full cache is not trimmed at every new entry.
      let n = Math.max(1, Math.floor(AUTH_CACHE_SIZE / 10));
      for (const k of this.checked.keys()) {
        if (n-- <= 0) break;
        this.checked.delete(k);
      }
    }
    this.checked.set(key, ok);
  }
}

/** What tells one version of a file from another without reading it; 'absent' when it cannot be looked at. */
function signature(file: string | null): string {
  if (file === null) return '-';
  try {
    const st = fs.statSync(file);
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch (e) {
    void e; // mid-rename or removed: compared as such, and read (and refused) only if it stays so
    return 'absent';
  }
}

function tlsFilesSignature(t: WebTlsConfig | null): string {
  return t === null ? '' : [t.certFile, t.keyFile, t.clientCaFile].map(signature).join('|');
}

function sendPlain(res: http.ServerResponse, method: string | undefined, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(method === 'HEAD' ? undefined : body);
}

export interface WebGuardOptions {
  readonly file: string;
  readonly log: Logger;
  /** Loads and checks the file; rejects with a ConfigError. By default in a short-lived thread (yaml stays out). */
  readonly load?: (file: string) => Promise<WebConfig>;
}

export class WebGuard {
  private readonly auth = new BasicAuth();
  private readonly load: (file: string) => Promise<WebConfig>;
  private readonly log: Logger;
  /** Every TLS listener made here (node_exporter's repeated --web.listen-address makes one per address). */
  private readonly tlsServers: tls.Server[] = [];
  private tlsSig: string;
  private tlsFailedSig: string | null = null;
  private reloading = false;

  private constructor(
    opts: WebGuardOptions,
    private config: WebConfig,
    private fileSig: string,
  ) {
    this.load = opts.load ?? loadWebConfigOffThread;
    this.log = opts.log;
    this.tlsSig = tlsFilesSignature(config.tls);
  }

  /** Loads and checks the file (rejects with its ConfigError) and says at start what it sets. */
  static async start(opts: WebGuardOptions): Promise<WebGuard> {
    const sig = signature(opts.file);
    const config = await (opts.load ?? loadWebConfigOffThread)(opts.file);
    const g = new WebGuard(opts, config, sig);
    opts.log.info('web config', {
      file: opts.file,
      tls: config.tls !== null,
      client_auth_type: config.tls?.clientAuthType ?? null,
      basic_auth_users: config.users.size,
      headers: [...config.headers.keys()],
    });
    for (const w of config.warnings) opts.log.warn(`web config: ${w}`, { file: opts.file });
    return g;
  }

  get tls(): boolean {
    return this.config.tls !== null;
  }

  /**
   * The listener: HTTPS when the file sets TLS (the options read from its files now), else plain HTTP; every request
   * passes the headers and basic auth before `listener`. Called once per listening address; a rotation reaches all.
   */
  createServer(options: http.ServerOptions, listener: Listener): http.Server {
    const gated: Listener = (req, res) => this.handle(req, res, () => listener(req, res));
    const t = this.config.tls;
    if (t === null) return http.createServer(options, gated);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: node:https and node:tls load only with TLS
    const https = require('node:https') as typeof import('node:https');
    const server = https.createServer({ ...options, ...this.tlsOptions(t) }, gated);
    this.tlsServers.push(server);
    // Before Node wraps the socket (its own 'connection' listener), so that this handshake uses rotated files.
    server.prependListener('connection', () => this.beforeHandshake());
    // Before the HTTP parser sees the socket: a refused certificate never reaches a request.
    server.prependListener('secureConnection', (socket: tls.TLSSocket) => {
      const cur = this.config.tls;
      const why = cur === null ? null : clientCertRefusal(cur, socket);
      if (why !== null) {
        this.log.debug('TLS client refused', { remote: socket.remoteAddress ?? null, reason: why });
        socket.destroy();
      }
    });
    server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) =>
      this.log.debug('TLS handshake failed', { remote: socket.remoteAddress ?? null, err: err.message }),
    );
    return server;
  }

  private tlsOptions(t: WebTlsConfig): TlsServerOptions {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: see createServer
    const { DEFAULT_CIPHERS } = require('node:tls') as typeof import('node:tls');
    const ca = t.clientCaFile === null ? null : fs.readFileSync(t.clientCaFile);
    return tlsServerOptions(
      t,
      { cert: fs.readFileSync(t.certFile), key: fs.readFileSync(t.keyFile), ca },
      DEFAULT_CIPHERS,
    );
  }

  private beforeHandshake(): void {
    this.followFile();
    const t = this.config.tls;
    const sig = tlsFilesSignature(t);
    if (t === null || sig === this.tlsSig) return;
    this.applyTls(t, sig, 'TLS certificate files changed: reloaded');
  }

  /** A new secure context for the connections after this one; a half-written pair keeps the one in force. */
  private applyTls(t: WebTlsConfig, sig: string, what: string): boolean {
    try {
      const options = this.tlsOptions(t);
      for (const server of this.tlsServers) server.setSecureContext(options);
      this.tlsSig = sig;
      this.tlsFailedSig = null;
      this.log.info(what, { cert_file: t.certFile });
      return true;
    } catch (e) {
      // Logged once per state of the files: the next connection tries again only after they change again.
      if (this.tlsFailedSig !== sig)
        this.log.error('cannot load the TLS certificate files: keeping the ones in force', {
          cert_file: t.certFile,
          key_file: t.keyFile,
          err: e,
        });
      this.tlsFailedSig = sig;
      this.tlsSig = sig;
      return false;
    }
  }

  /** Starts loading the file when it has changed since it was last read; the requests after that one get it. */
  private followFile(): void {
    if (this.reloading) return;
    const sig = signature(this.config.file);
    if (sig === this.fileSig) return;
    this.reloading = true;
    this.fileSig = sig;
    this.load(this.config.file)
      .then((next) => this.apply(next))
      .catch((e: unknown) =>
        this.log.error('web config file refused: keeping the one in force', {
          file: this.config.file,
          err: e instanceof Error ? e.message : String(e),
        }),
      )
      .finally(() => {
        this.reloading = false;
      });
  }

  private apply(next: WebConfig): void {
    const cur = this.config.tls;
    if ((cur === null) !== (next.tls === null) || (cur !== null && cur.clientAuthType !== next.tls?.clientAuthType)) {
      this.log.error(
        'web config file changed TLS on/off or client_auth_type, which needs a restart: keeping the one in force',
        {
          file: next.file,
        },
      );
      return;
    }
    if (
      next.tls !== null &&
      !this.applyTls(next.tls, tlsFilesSignature(next.tls), 'web config reloaded with its TLS settings')
    )
      return;
    this.config = next;
    this.log.info('web config reloaded', { file: next.file, basic_auth_users: next.users.size });
    for (const w of next.warnings) this.log.warn(`web config: ${w}`, { file: next.file });
  }

  /** The headers, then basic auth (401 with `WWW-Authenticate: Basic` for missing or wrong credentials). */
  handle(req: http.IncomingMessage, res: http.ServerResponse, next: () => void): void {
    this.followFile();
    const cfg = this.config;
    for (const [name, value] of cfg.headers) res.setHeader(name, value);
    if (cfg.users.size === 0) return next();
    const verdict = this.auth.check(cfg.users, req.headers.authorization);
    const deny = (): void => {
      res.setHeader('WWW-Authenticate', 'Basic');
      sendPlain(res, req.method, 401, 'Unauthorized\n');
    };
    if (verdict === true) return next();
    if (verdict === false) return deny();
    if (verdict === 'busy') {
      res.setHeader('Retry-After', '1');
      return sendPlain(res, req.method, 503, 'too many authentication attempts at once\n');
    }
    verdict.then(
      (ok) => (ok ? next() : deny()),
      (e: unknown) => {
        this.log.error('basic auth check failed', { err: e });
        sendPlain(res, req.method, 500, 'Internal Server Error\n');
      },
    );
  }
}
