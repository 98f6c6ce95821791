/** The agent's HTTP server over real HTTP: Accept negotiation (text 0.0.4 / OpenMetrics 1.0.0), gzip, HEAD, Vary. */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createLogger } from '../../src/exporters/log';
import { OPENMETRICS_CONTENT_TYPE, toOpenMetrics } from '../../src/exporters/openmetrics';
import { CONTENT_TYPE } from '../../src/exporters/prometheus';
import { AgentServer, negotiateFormat, type MetricsBody } from '../../src/exporters/server';

const GOLDEN = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'golden', 'node_exporter-fixture.prom'), 'utf8');
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
  let body: MetricsBody = { id: 1, text: GOLDEN };
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

  const OM = toOpenMetrics(GOLDEN);

  test.each<[string, Record<string, string>, 'text' | 'openmetrics']>([
    ["Prometheus 2.42's Accept", { accept: PROMETHEUS_ACCEPT }, 'openmetrics'],
    ['application/openmetrics-text', { accept: 'application/openmetrics-text' }, 'openmetrics'],
    ['text/plain', { accept: 'text/plain' }, 'text'],
    ['*/*', { accept: '*/*' }, 'text'],
    ['application/json', { accept: 'application/json' }, 'text'],
    ['OpenMetrics at q=0', { accept: 'application/openmetrics-text;q=0,text/plain;q=0.5' }, 'text'],
    ['no Accept', {}, 'text'],
  ])('%s: body, Content-Type, gzip and HEAD', async (_what, headers, format) => {
    const want = format === 'openmetrics' ? OM : GOLDEN;
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

  test('a new snapshot id gets a freshly converted body; the same id serves the cached one', async () => {
    body = { id: 2, text: '# HELP a_total A.\n# TYPE a_total counter\na_total 1\n' };
    const om = await get(port, { accept: PROMETHEUS_ACCEPT });
    expect(om.body.toString()).toBe('# TYPE a counter\n# HELP a A.\na_total 1\n# EOF\n');
    // Same id, different text: the body of snapshot 2 as first converted (a scrape costs no re-conversion).
    body = { id: 2, text: '# TYPE b gauge\nb 1\n' };
    expect((await get(port, { accept: PROMETHEUS_ACCEPT })).body.toString()).toBe('# TYPE a counter\n# HELP a A.\na_total 1\n# EOF\n');
    body = { id: 3, text: '# TYPE b gauge\nb 1\n' };
    expect((await get(port, { accept: PROMETHEUS_ACCEPT })).body.toString()).toBe('# TYPE b gauge\nb 1\n# EOF\n');
    expect((await get(port, {})).body.toString()).toBe('# TYPE b gauge\nb 1\n');
  });

  test('an exposition the converter refuses is served as text 0.0.4, and the error is logged', async () => {
    body = { id: 4, text: 'a 1\nb 1\na 2\n' };
    const r = await get(port, { accept: PROMETHEUS_ACCEPT });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.body.toString()).toBe('a 1\nb 1\na 2\n');
    expect(logged.join('')).toMatch(/OpenMetrics conversion failed/);
  });
});
