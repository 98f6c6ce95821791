/**
 * The agent's HTTP listener (node:http): GET/HEAD on the telemetry path (Prometheus text 0.0.4, or OpenMetrics 1.0.0
 * when the Accept header prefers it; gzip when asked), /healthz, /readyz (200 once the first pass is done) and / (a small HTML page). Everything else is 404, other
 * methods 405. Concurrent metrics requests beyond max_requests get 503, as node_exporter's --web.max-requests.
 */
import * as http from 'node:http';
import type { Logger } from './log';
import { OPENMETRICS_CONTENT_TYPE } from './exposition/render';
import type { WebGuard } from './webguard';

export interface MetricsBody {
  /** Identifies the snapshot the body was rendered from (the bodies and their gzip are cached per id). */
  readonly id: number;
  /** The exposition in text format 0.0.4. */
  readonly text: string;
  /**
   * The same in OpenMetrics 1.0.0, built when first asked for (exposition/render.ts). Without it (a body made of text
   * alone) every scraper gets text 0.0.4.
   */
  readonly openMetrics?: () => string;
}

export interface ServerDeps {
  readonly telemetryPath: string;
  readonly maxRequests: number;
  readonly contentType: string;
  metrics(): Promise<MetricsBody>;
  ready(): boolean;
  indexHtml(): string;
  readonly log: Logger;
  /** The web config file (TLS, headers, basic auth) guarding every path, as exporter-toolkit guards them. */
  readonly web?: WebGuard;
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
function gzip1(text: string): Buffer {
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

/** One snapshot's bodies, built on first use: the text as is, its OpenMetrics conversion, and the gzip of each. */
interface BodyCache {
  readonly id: number;
  readonly text: string;
  readonly openMetrics: (() => string) | undefined;
  /** null once building it has failed for this snapshot, or without a builder (text 0.0.4 is served instead). */
  om?: string | null;
  bodies: Partial<Record<'text' | 'text.gz' | 'openmetrics' | 'openmetrics.gz', Buffer>>;
}

export class AgentServer {
  readonly server: http.Server;
  private inflight = 0;
  private cache: BodyCache | null = null;

  constructor(private readonly deps: ServerDeps) {
    // Node checks headersTimeout/requestTimeout only every connectionsCheckingInterval (30 s by default): a client
    // trickling header bytes lived 30 s, not 10. Checked each second, the bounds below hold within a second.
    const options = { connectionsCheckingInterval: 1000 };
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    this.server = deps.web ? deps.web.createServer(options, listener) : http.createServer(options, listener);
    // Bounded waits for slow or idle clients (slowloris), generous enough for any scraper.
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
    this.server.keepAliveTimeout = 65_000;
    this.server.maxHeadersCount = 100;
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const a = this.server.address();
        if (a && typeof a === 'object') resolve({ host: a.address, port: a.port });
        else resolve({ host, port });
      });
    });
  }

  /** Stops accepting, lets in-flight requests finish (bounded), then drops idle keep-alive sockets. */
  close(graceMs = 5000): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.server.closeAllConnections();
        resolve();
      }, graceMs);
      t.unref();
      this.server.close(() => {
        clearTimeout(t);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
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

  private serveMetrics(req: http.IncomingMessage, res: http.ServerResponse, method: string): void {
    if (this.deps.maxRequests > 0 && this.inflight >= this.deps.maxRequests) {
      res.setHeader('Retry-After', '1');
      return this.send(res, 503, 'text/plain; charset=utf-8', 'too many concurrent scrapes\n', method);
    }
    this.inflight++;
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    const wanted = negotiateFormat(req.headers.accept);
    this.deps
      .metrics()
      .then((m) => {
        if (!this.cache || this.cache.id !== m.id)
          this.cache = { id: m.id, text: m.text, openMetrics: m.openMetrics, bodies: {} };
        const format = wanted === 'openmetrics' && this.openMetrics(this.cache) !== null ? 'openmetrics' : 'text';
        const key = gzip ? (`${format}.gz` as const) : format;
        let body = this.cache.bodies[key];
        if (body === undefined) {
          const src = format === 'openmetrics' ? (this.cache.om ?? '') : this.cache.text;
          body = gzip ? gzip1(src) : Buffer.from(src, 'utf8');
          this.cache.bodies[key] = body;
        }
        res.setHeader('Vary', 'Accept, Accept-Encoding');
        if (gzip) res.setHeader('Content-Encoding', 'gzip');
        this.send(res, 200, format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : this.deps.contentType, body, method);
      })
      .catch((e: unknown) => {
        this.deps.log.error('metrics rendering failed', { err: e });
        this.send(res, 500, 'text/plain; charset=utf-8', 'error rendering metrics\n', method);
      })
      .finally(() => {
        this.inflight--;
      });
  }

  /** The snapshot's OpenMetrics text, built once; null (logged once) when building it threw. */
  private openMetrics(c: BodyCache): string | null {
    if (c.om === undefined) {
      if (c.openMetrics === undefined) return (c.om = null);
      try {
        c.om = c.openMetrics();
      } catch (e: unknown) {
        // Rendering families to OpenMetrics has no input it refuses; a bug there must still not cost the scrape:
        // served as text 0.0.4 instead, and logged for a bug report.
        this.deps.log.error('OpenMetrics rendering failed, serving text 0.0.4', { err: e, snapshot: c.id });
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
