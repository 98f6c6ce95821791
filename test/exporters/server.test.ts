/** The agent's HTTP server over real HTTP: Accept negotiation (text 0.0.4 / OpenMetrics 1.0.0), gzip, HEAD, Vary. */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fam, type Family } from '../../src/exporters/catalog';
import { mergeTextfiles } from '../../src/exporters/collectors/textfile';
import {
  DEFAULT_LIMITS,
  exposition,
  OPENMETRICS_CONTENT_TYPE,
  parseTextFormat,
  renderFamilies,
} from '../../src/exporters/exposition';
import { createLogger } from '../../src/exporters/log';
import { CONTENT_TYPE } from '../../src/exporters/prometheus';
import {
  AgentServer,
  collectGarbage,
  negotiateFormat,
  RELEASE_AFTER_BYTES,
  type MetricsBody,
} from '../../src/exporters/server';

/** A snapshot's body as the agent makes it: the exposition of some families, in both formats. */
function bodyOf(id: number, fams: Family[]): Required<MetricsBody> {
  const e = exposition(renderFamilies(fams, DEFAULT_LIMITS).families);
  return { id, filterKey: '', text: e.text, openMetrics: e.openMetrics };
}

/** The golden node_exporter exposition, read back into families: a full host's worth of them. */
const GOLDEN = bodyOf(
  1,
  mergeTextfiles([
    {
      path: 'golden',
      families: parseTextFormat(
        fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'golden', 'node_exporter-fixture.prom'), 'utf8'),
      ),
    },
  ]).families,
);
/** Prometheus 2.42's scrape Accept header (scrape/scrape.go). */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(port: number, headers: Record<string, string>, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/metrics', method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('negotiateFormat', () => {
  test.each<[string | undefined, 'text' | 'openmetrics']>([
    [PROMETHEUS_ACCEPT, 'openmetrics'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text; version=0.0.1', 'openmetrics'],
    ['Application/OpenMetrics-Text;Version="1.0.0";q=0.9, text/plain;q=0.8', 'openmetrics'],
    ['text/plain;q=0.5, application/openmetrics-text;q=0.6', 'openmetrics'],
    ['*/*, application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text;version=2.0.0', 'text'],
    ['application/openmetrics-text;q=0, text/plain', 'text'],
    ['application/openmetrics-text;q=0', 'text'],
    ['application/openmetrics-text;q=0.4, text/plain;q=0.5', 'text'],
    ['application/openmetrics-text;q=0.4, text/*;q=0.5', 'text'],
    ['application/openmetrics-text;q=0.05, */*;q=0.1', 'text'],
    ['application/openmetrics-text;q=bogus', 'text'],
    ['text/plain', 'text'],
    ['text/plain;version=0.0.4', 'text'],
    ['*/*', 'text'],
    ['application/json', 'text'],
    ['garbage;;,,', 'text'],
    ['', 'text'],
    [undefined, 'text'],
  ])('%j -> %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});

describe('AgentServer /metrics over HTTP', () => {
  let server: AgentServer;
  let port: number;
  let body: MetricsBody = GOLDEN;
  const logged: string[] = [];

  beforeAll(async () => {
    server = new AgentServer({
      telemetryPath: '/metrics',
      maxRequests: 10,
      contentType: CONTENT_TYPE,
      metrics: () => Promise.resolve(body),
      ready: () => true,
      indexHtml: () => '<html></html>',
      log: createLogger('error', (l) => logged.push(l)),
    });
    ({ port } = await server.listen('127.0.0.1', 0));
  });
  afterAll(() => server.close(1000));

  const OM = GOLDEN.openMetrics();

  test.each<[string, Record<string, string>, 'text' | 'openmetrics']>([
    ["Prometheus 2.42's Accept", { accept: PROMETHEUS_ACCEPT }, 'openmetrics'],
    ['application/openmetrics-text', { accept: 'application/openmetrics-text' }, 'openmetrics'],
    ['text/plain', { accept: 'text/plain' }, 'text'],
    ['*/*', { accept: '*/*' }, 'text'],
    ['application/json', { accept: 'application/json' }, 'text'],
    ['OpenMetrics at q=0', { accept: 'application/openmetrics-text;q=0,text/plain;q=0.5' }, 'text'],
    ['no Accept', {}, 'text'],
  ])('%s: body, Content-Type, gzip and HEAD', async (_what, headers, format) => {
    const want = format === 'openmetrics' ? OM : GOLDEN.text;
    const type = format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : 'text/plain; version=0.0.4; charset=utf-8';

    const plain = await get(port, headers);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe(type);
    expect(plain.headers['vary']).toBe('Accept, Accept-Encoding');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(want);
    expect(plain.body.toString('utf8').endsWith('# EOF\n')).toBe(format === 'openmetrics');

    const gz = await get(port, { ...headers, 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toBe(type);
    expect(gz.body.length).toBeLessThan(plain.body.length / 3);
    expect(zlib.gunzipSync(gz.body).toString('utf8')).toBe(want);

    for (const enc of [{}, { 'accept-encoding': 'gzip' }]) {
      const head = await get(port, { ...headers, ...enc }, 'HEAD');
      const full = 'accept-encoding' in enc ? gz : plain;
      expect(head.status).toBe(200);
      expect(head.headers['content-type']).toBe(type);
      expect(head.headers['content-length']).toBe(String(full.body.length));
      expect(head.headers['content-encoding']).toBe(full.headers['content-encoding']);
      expect(head.body.length).toBe(0);
    }
  });

  test('a new snapshot id gets a freshly built body; the same id serves the cached one', async () => {
    body = bodyOf(2, [fam('a_total', 'counter', 'A.').set(1).family]);
    const om = await get(port, { accept: PROMETHEUS_ACCEPT });
    expect(om.body.toString()).toBe('# TYPE a counter\n# HELP a A.\na_total 1\n# EOF\n');
    // Same id, other families: the body of snapshot 2 as first built (a scrape costs no rebuilding).
    body = bodyOf(2, [fam('b', 'gauge', 'B.').set(1).family]);
    expect((await get(port, { accept: PROMETHEUS_ACCEPT })).body.toString()).toBe(
      '# TYPE a counter\n# HELP a A.\na_total 1\n# EOF\n',
    );
    body = bodyOf(3, [fam('b', 'gauge', 'B.').set(1).family]);
    expect((await get(port, { accept: PROMETHEUS_ACCEPT })).body.toString()).toBe(
      '# TYPE b gauge\n# HELP b B.\nb 1\n# EOF\n',
    );
    expect((await get(port, {})).body.toString()).toBe('# HELP b B.\n# TYPE b gauge\nb 1\n');
  });

  test('the format negotiated for an Accept header is kept per header: scrapers alternating each get theirs', async () => {
    body = GOLDEN;
    const headers = [PROMETHEUS_ACCEPT, 'text/plain', 'application/openmetrics-text;q=0,text/plain;q=0.5'];
    for (let round = 0; round < 3; round++)
      for (const accept of headers)
        expect((await get(port, { accept })).headers['content-type']).toBe(
          accept === PROMETHEUS_ACCEPT ? OPENMETRICS_CONTENT_TYPE : 'text/plain; version=0.0.4; charset=utf-8',
        );
  });

  test('a text made on demand: not for an OpenMetrics scrape, once per snapshot for text scrapes', async () => {
    let made = 0;
    const e = exposition(renderFamilies([fam('t', 'gauge', 'T.').set(1).family], DEFAULT_LIMITS).families);
    body = {
      id: 20,
      text: () => {
        made++;
        return e.text;
      },
      openMetrics: e.openMetrics,
    };
    expect((await get(port, { accept: PROMETHEUS_ACCEPT })).body.toString()).toBe(
      '# TYPE t gauge\n# HELP t T.\nt 1\n# EOF\n',
    );
    expect(made).toBe(0);
    for (const headers of [{}, {}, { 'accept-encoding': 'gzip' }]) {
      const r = await get(port, headers);
      const text = r.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(r.body) : r.body;
      expect(text.toString()).toBe('# HELP t T.\n# TYPE t gauge\nt 1\n');
    }
    expect(made).toBe(1);
  });

  test('gzip: made once per snapshot and served again; a new snapshot gets its own', async () => {
    const gunzip = async (): Promise<string> =>
      zlib.gunzipSync((await get(port, { 'accept-encoding': 'gzip' })).body).toString('utf8');
    body = bodyOf(10, [fam('g', 'gauge', 'G.').set(1).family]);
    expect(await gunzip()).toBe('# HELP g G.\n# TYPE g gauge\ng 1\n');
    // Same id, other families: the gzip first made for snapshot 10, not a new one.
    body = bodyOf(10, [fam('g', 'gauge', 'G.').set(2).family]);
    expect(await gunzip()).toBe('# HELP g G.\n# TYPE g gauge\ng 1\n');
    body = bodyOf(11, [fam('g', 'gauge', 'G.').set(2).family]);
    expect(await gunzip()).toBe('# HELP g G.\n# TYPE g gauge\ng 2\n');
    // The identity body of that snapshot is the one the gzip was made of.
    expect((await get(port, {})).body.toString()).toBe('# HELP g G.\n# TYPE g gauge\ng 2\n');
  });

  test('a label value with \\r is served as OpenMetrics, raw (issue 11 #10: it used to send the host back to text 0.0.4)', async () => {
    body = bodyOf(4, [
      fam('namedprocess_namegroup_num_procs', 'gauge', 'P.', ['groupname']).add({ groupname: 'bad\rname' }, 1).family,
    ]);
    const r = await get(port, { accept: PROMETHEUS_ACCEPT });
    expect(r.headers['content-type']).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(r.body.toString()).toContain('namedprocess_namegroup_num_procs{groupname="bad\rname"} 1\n# EOF\n');
  });

  test('a body of text alone is served as text 0.0.4 to every scraper', async () => {
    body = { id: 6, text: 'up 1\n' };
    const r = await get(port, { accept: PROMETHEUS_ACCEPT });
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.body.toString()).toBe('up 1\n');
  });

  test('an OpenMetrics rendering that throws (a bug) is served as text 0.0.4, and the error is logged', async () => {
    body = {
      id: 5,
      text: 'a 1\n',
      openMetrics: () => {
        throw new Error('bug');
      },
    };
    const r = await get(port, { accept: PROMETHEUS_ACCEPT });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.body.toString()).toBe('a 1\n');
    expect(logged.join('')).toMatch(/OpenMetrics rendering failed/);
  });
});

describe('superseded bodies', () => {
  test('are collected once RELEASE_AFTER_BYTES of them were replaced, not before', async () => {
    // A 1 MiB body per snapshot: each scrape of a new id supersedes the previous one's.
    const MIB = 1024 * 1024;
    const line = `big_metric{x="${'y'.repeat(100)}"} 1\n`;
    const text = `# TYPE big_metric gauge\n${line.repeat(Math.ceil(MIB / line.length))}`;
    let id = 0;
    let released = 0;
    const server = new AgentServer({
      telemetryPath: '/metrics',
      maxRequests: 10,
      contentType: CONTENT_TYPE,
      metrics: () => Promise.resolve({ id, filterKey: '', text }),
      ready: () => true,
      indexHtml: () => '<html></html>',
      log: createLogger('error', () => undefined),
      releaseGarbage: () => released++,
    });
    const { port } = await server.listen('127.0.0.1', 0);
    try {
      const perRelease = Math.ceil(RELEASE_AFTER_BYTES / Buffer.byteLength(text));
      const counts: number[] = [];
      for (let i = 0; i <= 2 * perRelease; i++) {
        id = i;
        expect((await get(port, {})).body.length).toBe(Buffer.byteLength(text));
        // The same snapshot again replaces nothing.
        await get(port, {});
        counts.push(released);
      }
      // Scrape i replaced the bodies of snapshots 0..i-1: a release at the perRelease-th replacement, and again.
      expect(counts[perRelease - 1]).toBe(0);
      expect(counts[perRelease]).toBe(1);
      expect(counts[2 * perRelease - 1]).toBe(1);
      expect(counts[2 * perRelease]).toBe(2);
    } finally {
      await server.close(1000);
    }
  });

  test('collectGarbage runs a full collection of this isolate', async () => {
    const ref = ((): WeakRef<object> => new WeakRef({ big: new Array(1000).fill(1) }))();
    // A WeakRef holds its target until the end of the job that made or read it: collect in a later one.
    await new Promise((r) => setImmediate(r));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });
});
