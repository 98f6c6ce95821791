/**
 * The agent's HTTP listener (node:http): GET/HEAD on the telemetry path (Prometheus text 0.0.4, or OpenMetrics 1.0.0
 * when the Accept header prefers it; gzip when asked), /healthz, /readyz (200 once the first pass is done) and / (a small HTML page). Everything else is 404, other
 * methods 405. Concurrent metrics requests beyond max_requests get 503, as node_exporter's --web.max-requests.
 *
 * File descriptors: libuv answers accept(2)'s EMFILE by closing its spare fd, accepting and closing every queued
 * connection, and reopening the spare, without telling Node (the connection_cb runs only when that fails), so an agent
 * out of fds used to reset every connection with nothing logged. The listener keeps FD_RESERVE fds free for the
 * rest of the agent (a pass's reads, a replaced collection worker, statfs threads): a connection accepted while fewer
 * are free is answered 503 and closed, idle keep-alive connections are closed to give fds back, and the shedding is
 * logged (one line, then at most one a minute), counted in psutil_exporter_http_connections_shed_total. An
 * EMFILE/ENFILE that does reach Node (the server's 'error' event) is logged the same way, and counted.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { parseLimits } from '../probes/linux/parse/limits';
import { RLIMIT_NOFILE } from '../probes/constants';
import type { Family } from './catalog';
import type { Logger } from './log';
import { OPENMETRICS_CONTENT_TYPE } from './exposition/render';
import { FilterError } from './filter';
import { openFdCount, readProcText } from './self';
import type { WebGuard } from './webguard';

export interface MetricsBody {
  /** Identifies the snapshot the body was rendered from (the bodies and their gzip are cached per id and filter). */
  readonly id: number;
  /** Identifies the collect[]/exclude[] filter the body was made with ('' for none). */
  readonly filterKey?: string;
  /**
   * The exposition in text format 0.0.4 (text, or its UTF-8), or what makes it (called when a scraper first takes this
   * format: Prometheus takes OpenMetrics, and the text need not be put together for it).
   */
  readonly text: string | Buffer | (() => string | Buffer);
  /**
   * The same in OpenMetrics 1.0.0, built when first asked for (exposition/render.ts). Without it (a body made of text
   * alone) every scraper gets text 0.0.4.
   */
  readonly openMetrics?: () => string | Buffer;
}

export interface ServerDeps {
  readonly telemetryPath: string;
  readonly maxRequests: number;
  readonly contentType: string;
  /** The body for a scrape; `query` holds node_exporter's collect[]/exclude[] (a FilterError is answered with 400). */
  metrics(query: URLSearchParams): Promise<MetricsBody>;
  ready(): boolean;
  indexHtml(): string;
  readonly log: Logger;
  /** The web config file (TLS, headers, basic auth) guarding every path, as exporter-toolkit guards them. */
  readonly web?: WebGuard;
  /** Frees this thread's garbage once RELEASE_AFTER_BYTES of bodies were superseded (default: collectGarbage). */
  readonly releaseGarbage?: () => void;
}

/**
 * Bytes of superseded bodies after which the main isolate is collected. Each fresh snapshot leaves its bodies and
 * the buffer its blocks came in from the collection worker (about as large) behind, outside the JS heap; the main
 * thread allocates little else, so V8 collected them only once their external bytes reached its own trigger, about
 * 64 MB. Issue 14, 2,000 extra processes in 200 groups (~330 KB a body): the agent grew by ~0.68 MB a fresh scrape,
 * from 82 MB to 148 MB after ~120 scrapes, where it stayed. A collection every 2 MB of bodies (every ~6 fresh
 * scrapes there, a few ms of the main thread each) bounds that to ~4 MB (bodies and their buffers).
 */
export const RELEASE_AFTER_BYTES = 2 * 1024 * 1024;

let gcFn: (() => void) | null = null;

/**
 * A full collection of the calling thread's isolate: V8's gc(), which --expose-gc installs in contexts made after it
 * is set (one is made here, once).
 */
export function collectGarbage(): void {
  if (gcFn === null) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
}

/** True when the Accept-Encoding header lists gzip with a non-zero q. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().split(';');
    if (coding?.trim().toLowerCase() !== 'gzip' && coding?.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

let zlib: typeof import('node:zlib') | null = null;
/** Loaded at the first gzip request: a scraper that never asks for gzip never pays for zlib (about 1.5 MB resident). */
function gzip1(text: Buffer): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: zlib loads at the first gzip request (comment above)
  zlib ??= require('node:zlib') as typeof import('node:zlib');
  return zlib.gzipSync(text, { level: 1 });
}

export type ExpositionFormat = 'text' | 'openmetrics';

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly params: ReadonlyMap<string, string>;
  readonly q: number;
}

/** Splits on `sep` outside double-quoted strings. */
function splitUnquoted(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (quoted && c === '\\') {
      cur += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** The media ranges of an Accept header (RFC 9110 12.5.1); a range with a malformed q counts as q=0. */
export function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of splitUnquoted(header, ',')) {
    const [mt = '', ...rawParams] = splitUnquoted(part, ';');
    const slash = mt.trim().toLowerCase().split('/');
    if (slash.length !== 2 || !slash[0] || !slash[1]) continue;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      let value = p.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"') && value.length >= 2)
        value = value.slice(1, -1).replace(/\\(.)/g, '$1');
      if (key === 'q') q = QVALUE.test(value) ? Number(value) : 0;
      else params.set(key, value);
    }
    ranges.push({ type: slash[0], subtype: slash[1], params, q });
  }
  return ranges;
}

/**
 * The exposition format for an Accept header: OpenMetrics when an `application/openmetrics-text` range (version
 * 1.0.0, 0.0.1 or none) has a non-zero q at least as high as the q text 0.0.4 gets from its most specific range
 * (`text/plain` with version 0.0.4 or none, else `text/*`, else `*\/*`); text 0.0.4 otherwise, including for a missing
 * or unknown Accept (never 406: every scraper gets something it most likely reads).
 */
export function negotiateFormat(header: string | undefined): ExpositionFormat {
  if (!header) return 'text';
  const ranges = parseAccept(header);
  const om = ranges.filter((r) => r.type === 'application' && r.subtype === 'openmetrics-text');
  const omV = (v: string | undefined): MediaRange | undefined => om.find((r) => r.params.get('version') === v);
  const omRange = omV('1.0.0') ?? omV(undefined) ?? omV('0.0.1');
  if (!omRange || omRange.q <= 0) return 'text';
  const plain = ranges.find(
    (r) => r.type === 'text' && r.subtype === 'plain' && (r.params.get('version') ?? '0.0.4') === '0.0.4',
  );
  const textRange =
    plain ??
    ranges.find((r) => r.type === 'text' && r.subtype === '*') ??
    ranges.find((r) => r.type === '*' && r.subtype === '*');
  return textRange === undefined || omRange.q >= textRange.q ? 'openmetrics' : 'text';
}

/** Accept headers whose negotiated format is kept (formatFor). */
const MAX_ACCEPT_HEADERS = 16;

/** One snapshot's bodies, built on first use: the text as is, its OpenMetrics conversion, and the gzip of each. */
interface BodyCache {
  /** The snapshot id and filter key. */
  readonly key: string;
  readonly text: string | Buffer | (() => string | Buffer);
  readonly openMetrics: (() => string | Buffer) | undefined;
  /** null once building it has failed for this snapshot, or without a builder (text 0.0.4 is served instead). */
  om?: string | Buffer | null;
  bodies: Partial<Record<'text' | 'text.gz' | 'openmetrics' | 'openmetrics.gz', Buffer>>;
}

/**
 * Free fds the listener leaves to the rest of the agent: a replaced collection worker (4: its loop's epoll, eventfd
 * and wakeup pair) with its statfs thread (4 more), and the few files a pass has open at once.
 */
export const FD_RESERVE = 12;

/**
 * Free fds beyond FD_RESERVE above which a recent count is trusted without listing /proc/self/fd again: room for a
 * second's worth of what else opens fds (a replaced worker, stuck-mount threads, OTLP sockets).
 */
const FD_COUNT_MARGIN = 64;

/** At most one log line about fd exhaustion in this long. */
export const EXHAUSTION_LOG_INTERVAL_MS = 60_000;

/** The soft RLIMIT_NOFILE in /proc/self/limits' text; null when unlimited. */
export function softFdLimit(limitsText: string): number | null {
  const soft = parseLimits(limitsText, '/proc/self/limits').get(RLIMIT_NOFILE)?.[0];
  return soft === undefined || soft < 0 ? null : soft;
}

/** This process's fds: its limit and how many are open, from /proc/self (the main thread loads no native code). */
export interface FdProbe {
  /** The soft RLIMIT_NOFILE, null when unlimited. */
  limit(): number | null;
  open(): number;
}

export const procSelfFds: FdProbe = {
  limit: () => softFdLimit(readProcText('/proc/self/limits')),
  open: openFdCount,
};

export class AgentServer {
  /** The first listener; node_exporter's repeated --web.listen-address adds one more per address (`servers`). */
  readonly server: http.Server;
  private readonly servers: http.Server[] = [];
  private inflight = 0;
  private cache: BodyCache | null = null;
  /** Bytes of the bodies superseded since the last releaseGarbage (RELEASE_AFTER_BYTES). */
  private superseded = 0;
  private readonly formats = new Map<string, ExpositionFormat>();
  /** Connections answered 503 for want of fds, since the start. */
  private shed = 0;
  /** EMFILE/ENFILE errors of accept(2) that reached Node, since the start. */
  private acceptErrors = 0;
  /** When fd exhaustion was last logged (performance.now()), and the counts then. */
  private exhaustionLogged: { at: number; shed: number; acceptErrors: number } | null = null;
  private limitCache: { at: number; value: number | null } | null = null;
  /** The last count of open fds (performance.now()), and the connections admitted since. */
  private openCache: { at: number; open: number; admitted: number } | null = null;
  /** Connections accepted while fds ran short: their request is answered 503, and they are closed. */
  private readonly shedSockets = new WeakSet<net.Socket>();

  constructor(private readonly deps: ServerDeps) {
    this.server = this.createServer();
  }

  private createServer(): http.Server {
    // Node checks headersTimeout/requestTimeout only every connectionsCheckingInterval (30 s by default): a client
    // trickling header bytes lived 30 s, not 10. Checked each second, the bounds below hold within a second.
    const options = { connectionsCheckingInterval: 1000 };
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    // With a web config file (TLS, basic auth) its guard makes every listener.
    const server = this.deps.web ? this.deps.web.createServer(options, listener) : http.createServer(options, listener);
    server.on('connection', (socket: net.Socket) => this.admit(socket));
    server.on('error', (e: NodeJS.ErrnoException) => this.onServerError(server, e));
    // Bounded waits for slow or idle clients (slowloris), generous enough for any scraper.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 65_000;
    server.maxHeadersCount = 100;
    return server;
  }

  /** Every listener (the first, and one per further --web.listen-address). */
  private listeners(): http.Server[] {
    return this.servers.length > 0 ? this.servers : [this.server];
  }

  /** psutil_exporter_http_connections_shed_total and psutil_exporter_http_accept_errors_total. */
  families(): Family[] {
    return [
      {
        name: 'psutil_exporter_http_connections_shed_total',
        help: `psutil-exporter: connections answered 503 and closed because fewer than ${FD_RESERVE} file descriptors were free.`,
        type: 'counter',
        labelNames: [],
        series: [{ labels: {}, value: this.shed }],
      },
      {
        name: 'psutil_exporter_http_accept_errors_total',
        help: 'psutil-exporter: accept(2) failures of the metrics listener (EMFILE, ENFILE) that reached the agent.',
        type: 'counter',
        labelNames: [],
        series: [{ labels: {}, value: this.acceptErrors }],
      },
    ];
  }

  /** Free fds now (null: no limit, or it cannot be told); the limit is read again at most each second. */
  private freeFds(): number | null {
    const now = performance.now();
    if (this.limitCache === null || now - this.limitCache.at > 1000)
      this.limitCache = { at: now, value: procSelfFds.limit() };
    const limit = this.limitCache.value;
    if (limit === null) return null;
    // Listing /proc/self/fd on every connection is a syscall-heavy read on the event loop: while the last count (under
    // a second old) left far more than the reserve free, even counting each connection admitted since as one more fd,
    // that estimate answers; near the limit every connection counts again.
    const c = this.openCache;
    if (c !== null && now - c.at < 1000) {
      const estimate = limit - c.open - ++c.admitted;
      if (estimate > FD_RESERVE + FD_COUNT_MARGIN) return estimate;
    }
    const open = procSelfFds.open();
    this.openCache = { at: now, open, admitted: 0 };
    return limit - open;
  }

  /** A new connection: served, or answered 503 and closed when fewer than FD_RESERVE fds are free. */
  private admit(socket: net.Socket): void {
    let free: number | null;
    try {
      free = this.freeFds();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Listing /proc/self/fd takes an fd too: none left for it is the answer.
      if (code === 'EMFILE' || code === 'ENFILE') free = 0;
      else {
        // Without /proc/self the fds cannot be counted: that says nothing against serving, which goes on as before.
        this.deps.log.debug('cannot count the open file descriptors', { err: e });
        return;
      }
    }
    if (free === null || free >= FD_RESERVE) return;
    this.shed++;
    this.logExhaustion('file descriptors nearly exhausted: answering new connections 503 until some are free', {
      free_fds: free,
    });
    // Keep-alive connections doing nothing hold an fd each: they are the ones to give back.
    for (const l of this.listeners()) l.closeIdleConnections();
    // Its request, when it comes, is answered 503 (handle()); a peer that sends none must not keep the fd for the
    // 10 s of headersTimeout.
    this.shedSockets.add(socket);
    socket.setTimeout(1000, () => socket.destroy());
  }

  /**
   * One error line for fd exhaustion, then none for EXHAUSTION_LOG_INTERVAL_MS however many connections are shed (a
   * flood must not flood the log too); the next line says how many were shed and refused since.
   */
  private logExhaustion(msg: string, fields: Record<string, unknown>): void {
    const now = performance.now();
    const last = this.exhaustionLogged;
    if (last !== null && now - last.at < EXHAUSTION_LOG_INTERVAL_MS) return;
    this.deps.log.error(msg, {
      ...fields,
      limit: this.limitCache?.value ?? null,
      reserve: FD_RESERVE,
      ...(last !== null
        ? { shed_since: this.shed - last.shed, accept_errors_since: this.acceptErrors - last.acceptErrors }
        : {}),
      hint: 'raise the fd limit (ulimit -n, systemd LimitNOFILE=); the README gives the fd budget',
    });
    this.exhaustionLogged = { at: now, shed: this.shed, acceptErrors: this.acceptErrors };
  }

  /** The listening socket's errors after it listens: accept(2)'s EMFILE/ENFILE (logExhaustion), anything else. */
  private onServerError(server: http.Server, e: NodeJS.ErrnoException): void {
    if (!server.listening) return; // listen()'s own failure: listen() rejects with it
    if (e.code === 'EMFILE' || e.code === 'ENFILE') {
      this.acceptErrors++;
      this.logExhaustion('file descriptors exhausted: the listener cannot accept connections', { code: e.code });
      // The fds idle keep-alive connections hold are the ones the listener can give back at once.
      for (const l of this.listeners()) l.closeIdleConnections();
      return;
    }
    this.deps.log.error('metrics listener error', { err: e });
  }

  /** Listens on one more address: the first call uses `server`, each later one a listener of its own. */
  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = this.servers.length === 0 ? this.server : this.createServer();
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        const a = server.address();
        if (a && typeof a === 'object') resolve({ host: a.address, port: a.port });
        else resolve({ host, port });
      });
    });
  }

  /** Stops accepting, lets in-flight requests finish (bounded), then drops idle keep-alive sockets. */
  close(graceMs = 5000): Promise<void> {
    const one = (server: http.Server): Promise<void> =>
      new Promise((resolve) => {
        const t = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, graceMs);
        t.unref();
        server.close(() => {
          clearTimeout(t);
          resolve();
        });
        server.closeIdleConnections();
      });
    return Promise.all((this.servers.length > 0 ? this.servers : [this.server]).map(one)).then(() => undefined);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (this.shedSockets.has(req.socket)) {
      res.setHeader('Retry-After', '1');
      res.setHeader('Connection', 'close');
      return this.send(res, 503, 'text/plain; charset=utf-8', 'file descriptors exhausted: try again later\n', method);
    }
    const known = url === this.deps.telemetryPath || url === '/healthz' || url === '/readyz' || url === '/';
    if (!known) return this.send(res, 404, 'text/plain; charset=utf-8', 'not found\n', method);
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return this.send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', method);
    }
    if (url === '/healthz') return this.send(res, 200, 'text/plain; charset=utf-8', 'ok\n', method);
    if (url === '/readyz') {
      return this.deps.ready()
        ? this.send(res, 200, 'text/plain; charset=utf-8', 'ready\n', method)
        : this.send(res, 503, 'text/plain; charset=utf-8', 'first collection not done yet\n', method);
    }
    if (url === '/') return this.send(res, 200, 'text/html; charset=utf-8', this.deps.indexHtml(), method);
    this.serveMetrics(req, res, method);
  }

  /** Counts a replaced snapshot's bodies; past RELEASE_AFTER_BYTES, they and their likes are collected now. */
  private supersede(c: BodyCache): void {
    for (const b of Object.values(c.bodies)) this.superseded += b.length;
    if (this.superseded < RELEASE_AFTER_BYTES) return;
    this.superseded = 0;
    (this.deps.releaseGarbage ?? collectGarbage)();
  }

  private serveMetrics(req: http.IncomingMessage, res: http.ServerResponse, method: string): void {
    if (this.deps.maxRequests > 0 && this.inflight >= this.deps.maxRequests) {
      res.setHeader('Retry-After', '1');
      return this.send(res, 503, 'text/plain; charset=utf-8', 'too many concurrent scrapes\n', method);
    }
    this.inflight++;
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    const wanted = this.formatFor(req.headers.accept);
    const q = (req.url ?? '').indexOf('?');
    this.deps
      .metrics(new URLSearchParams(q < 0 ? '' : (req.url ?? '').slice(q + 1)))
      .then((m) => {
        const key = `${m.id}\u0000${m.filterKey ?? ''}`;
        if (!this.cache || this.cache.key !== key) {
          if (this.cache) this.supersede(this.cache);
          this.cache = { key, text: m.text, openMetrics: m.openMetrics, bodies: {} };
        }
        const format = wanted === 'openmetrics' && this.openMetrics(this.cache) !== null ? 'openmetrics' : 'text';
        const kind = gzip ? (`${format}.gz` as const) : format;
        let body = this.cache.bodies[kind];
        if (body === undefined) {
          // The gzip is made of the UTF-8 body, kept for the scrapers that take it as it is.
          let plain = this.cache.bodies[format];
          if (plain === undefined) {
            const text = this.cache.text;
            const src = format === 'openmetrics' ? (this.cache.om ?? '') : typeof text === 'function' ? text() : text;
            plain = typeof src === 'string' ? Buffer.from(src, 'utf8') : src;
            this.cache.bodies[format] = plain;
          }
          body = gzip ? gzip1(plain) : plain;
          this.cache.bodies[kind] = body;
        }
        res.setHeader('Vary', 'Accept, Accept-Encoding');
        if (gzip) res.setHeader('Content-Encoding', 'gzip');
        this.send(res, 200, format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : this.deps.contentType, body, method);
      })
      .catch((e: unknown) => {
        // node_exporter's answer to a collect[] naming a collector it does not run: 400 with the reason.
        if (e instanceof FilterError) return this.send(res, 400, 'text/plain; charset=utf-8', `${e.message}\n`, method);
        this.deps.log.error('metrics rendering failed', { err: e });
        this.send(res, 500, 'text/plain; charset=utf-8', 'error rendering metrics\n', method);
      })
      .finally(() => {
        this.inflight--;
      });
  }

  /**
   * negotiateFormat, kept per Accept header: a scraper sends the same one every time, and parsing Prometheus's
   * (four media ranges with parameters, character by character) took about 23 µs of the interpreter per scrape.
   */
  private formatFor(accept: string | undefined): ExpositionFormat {
    if (accept === undefined) return negotiateFormat(accept);
    let f = this.formats.get(accept);
    if (f === undefined) {
      f = negotiateFormat(accept);
      // A few scrapers, a few headers: a client sending a new one each time cannot grow it without end.
      if (this.formats.size >= MAX_ACCEPT_HEADERS) this.formats.clear();
      this.formats.set(accept, f);
    }
    return f;
  }

  /** The snapshot's OpenMetrics text, built once; null (logged once) when building it threw. */
  private openMetrics(c: BodyCache): string | Buffer | null {
    if (c.om === undefined) {
      if (c.openMetrics === undefined) return (c.om = null);
      try {
        c.om = c.openMetrics();
      } catch (e: unknown) {
        // Rendering families to OpenMetrics has no input it refuses; a bug there must still not cost the scrape:
        // served as text 0.0.4 instead, and logged for a bug report.
        this.deps.log.error('OpenMetrics rendering failed, serving text 0.0.4', {
          err: e,
          snapshot: c.key.split('\u0000')[0],
        });
        c.om = null;
      }
    }
    return c.om;
  }

  private send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, method: string): void {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', buf.length);
    res.end(method === 'HEAD' ? undefined : buf);
  }
}
