/**
 * The agent's HTTP listener (node:http): GET/HEAD on the telemetry path (Prometheus text 0.0.4, gzip when asked),
 * /healthz, /readyz (200 once the first pass is done) and / (a small HTML page). Everything else is 404, other
 * methods 405. Concurrent metrics requests beyond max_requests get 503, as node_exporter's --web.max-requests.
 */
import * as http from 'node:http';
import type { Logger } from './log';

export interface MetricsBody {
  /** Identifies the snapshot the body was rendered from (gzip is cached per id). */
  readonly id: number;
  readonly text: string;
}

export interface ServerDeps {
  readonly telemetryPath: string;
  readonly maxRequests: number;
  readonly contentType: string;
  metrics(): Promise<MetricsBody>;
  ready(): boolean;
  indexHtml(): string;
  readonly log: Logger;
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  zlib ??= require('node:zlib') as typeof import('node:zlib');
  return zlib.gzipSync(text, { level: 1 });
}

export class AgentServer {
  readonly server: http.Server;
  private inflight = 0;
  private gz: { id: number; body: Buffer } | null = null;
  private plain: { id: number; body: Buffer } | null = null;

  constructor(private readonly deps: ServerDeps) {
    this.server = http.createServer((req, res) => this.handle(req, res));
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
    this.deps
      .metrics()
      .then((m) => {
        res.setHeader('Vary', 'Accept-Encoding');
        if (gzip) {
          if (!this.gz || this.gz.id !== m.id) this.gz = { id: m.id, body: gzip1(m.text) };
          res.setHeader('Content-Encoding', 'gzip');
          this.send(res, 200, this.deps.contentType, this.gz.body, method);
        } else {
          if (!this.plain || this.plain.id !== m.id) this.plain = { id: m.id, body: Buffer.from(m.text, 'utf8') };
          this.send(res, 200, this.deps.contentType, this.plain.body, method);
        }
      })
      .catch((e: unknown) => {
        this.deps.log.error('metrics rendering failed', { err: e });
        this.send(res, 500, 'text/plain; charset=utf-8', 'error rendering metrics\n', method);
      })
      .finally(() => {
        this.inflight--;
      });
  }

  private send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, method: string): void {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', buf.length);
    res.end(method === 'HEAD' ? undefined : buf);
  }
}
