/** Text 0.0.4 -> OpenMetrics 1.0.0: crafted families, the golden exposition, and Prometheus's own OpenMetrics parser. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fam } from '../../src/exporters/catalog';
import { escapeOpenMetrics, OpenMetricsConversionError, toOpenMetrics } from '../../src/exporters/openmetrics';
import { FamilyRenderer } from '../../src/exporters/prometheus';
import { describeWithBinary } from '../e2e/agent-process';

const GOLDEN = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'golden', 'node_exporter-fixture.prom'), 'utf8');

/** One OpenMetrics text line, straight from the spec's ABNF (metric-descriptor, sample without exemplar, EOF). */
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const ESCAPED = '(?:[^\\\\"\\n]|\\\\.)*';
const NUMBER = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])';
const LABELS = `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="${ESCAPED}"(?:,[a-zA-Z_][a-zA-Z0-9_]*="${ESCAPED}")*)?\\}`;
const OM_LINE = new RegExp(
  `^(?:# TYPE ${NAME} (?:counter|gauge|histogram|gaugehistogram|stateset|info|summary|unknown)` +
    `|# HELP ${NAME} ${ESCAPED}|${NAME}(?:${LABELS})? ${NUMBER}(?: ${NUMBER})?)$`,
);

function families004(text: string): Map<string, { type: string; help: string | null; samples: string[] }> {
  const fams = new Map<string, { type: string; help: string | null; samples: string[] }>();
  let cur = '';
  for (const l of text.split('\n')) {
    const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(l);
    if (m) {
      cur = m[2] ?? '';
      const f = fams.get(cur) ?? { type: 'untyped', help: null, samples: [] };
      if (m[1] === 'HELP') f.help = m[3] ?? '';
      else f.type = m[3] ?? '';
      fams.set(cur, f);
    } else if (l !== '') fams.get(cur)?.samples.push(l);
  }
  return fams;
}

describe('toOpenMetrics on crafted families', () => {
  const input = [
    '# HELP http_requests_total Requests \\\\ served.\\nSecond "line".',
    '# TYPE http_requests_total counter',
    'http_requests_total{code="200",path="a\\\\b\\"c\\nd"} 3',
    'http_requests_total{code="500"} 0 1700000000123',
    '',
    '# HELP node_vmstat_pgfault /proc/vmstat information field pgfault.',
    '# TYPE node_vmstat_pgfault untyped',
    'node_vmstat_pgfault 42',
    '# HELP events A counter named without the suffix.',
    '# TYPE events counter',
    'events 7',
    '# TYPE node_uname_info gauge',
    'node_uname_info{release="6.1"} 1',
    '# HELP lat Latency.',
    '# TYPE lat histogram',
    'lat_bucket{le="0.5"} 1',
    'lat_bucket{le="+Inf"} 2',
    'lat_sum 0.75',
    'lat_count 2',
    '# HELP empty ',
    '# TYPE empty gauge',
    '# a free comment',
    'orphan{ a = "b" , }\t1e+06',
    'hexed 0x10',
    '',
  ].join('\n');

  test('gives the exact OpenMetrics text', () => {
    expect(toOpenMetrics(input)).toBe([
      '# TYPE http_requests counter',
      '# HELP http_requests Requests \\\\ served.\\nSecond \\"line\\".',
      'http_requests_total{code="200",path="a\\\\b\\"c\\nd"} 3',
      'http_requests_total{code="500"} 0 1700000000.123',
      '# TYPE node_vmstat_pgfault unknown',
      '# HELP node_vmstat_pgfault /proc/vmstat information field pgfault.',
      'node_vmstat_pgfault 42',
      '# TYPE events counter',
      '# HELP events A counter named without the suffix.',
      'events_total 7',
      '# TYPE node_uname_info gauge',
      'node_uname_info{release="6.1"} 1',
      '# TYPE lat histogram',
      '# HELP lat Latency.',
      'lat_bucket{le="0.5"} 1',
      'lat_bucket{le="+Inf"} 2',
      'lat_sum 0.75',
      'lat_count 2',
      '# TYPE empty gauge',
      '# TYPE orphan unknown',
      'orphan{a="b"} 1e+06',
      '# TYPE hexed unknown',
      'hexed 16',
      '# EOF',
      '',
    ].join('\n'));
  });

  test('every output line is OpenMetrics ABNF', () => {
    const lines = toOpenMetrics(input).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.pop()).toBe('# EOF');
    for (const l of lines) expect(l).toMatch(OM_LINE);
  });

  test('histogram and summary families rendered by the agent: TYPE lines unchanged, samples as they are', async () => {
    const r = new FamilyRenderer();
    const text = (await r.render([
      fam('req_seconds', 'histogram', 'Request "time".', ['code']).addHistogram({ code: '200' }, [[0.1, 2], [1e6, 3]], 4.5, 3).family,
      fam('rpc_seconds', 'summary', 'RPC time.').addSummary({}, [[0.5, 1.25], [0.99, NaN]], 100, 20).family,
    ])).families.map((f) => f.text).join('\n\n');
    const om = toOpenMetrics(`${text}\n`);
    expect(om).toBe([
      '# TYPE req_seconds histogram',
      '# HELP req_seconds Request \\"time\\".',
      'req_seconds_bucket{code="200",le="0.1"} 2',
      'req_seconds_bucket{code="200",le="1e+06"} 3',
      'req_seconds_bucket{code="200",le="+Inf"} 3',
      'req_seconds_sum{code="200"} 4.5',
      'req_seconds_count{code="200"} 3',
      '# TYPE rpc_seconds summary',
      '# HELP rpc_seconds RPC time.',
      'rpc_seconds{quantile="0.5"} 1.25',
      'rpc_seconds{quantile="0.99"} Nan',
      'rpc_seconds_sum 100',
      'rpc_seconds_count 20',
      '# EOF',
      '',
    ].join('\n'));
    for (const l of om.split('\n').slice(0, -2)) expect(l).toMatch(OM_LINE);
  });

  test('HELP escaping: backslash, newline and double quote', () => {
    expect(escapeOpenMetrics('a\\b\nc"d')).toBe('a\\\\b\\nc\\"d');
    // 0.0.4 reads a backslash before anything but \ and n literally: it stays a (now escaped) backslash.
    expect(toOpenMetrics('# HELP x a\\tb\n# TYPE x gauge\nx 1\n')).toContain('# HELP x a\\\\tb\n');
  });

  test('counter renames that would clash with another family fall back to unknown under the 0.0.4 name', () => {
    const out = toOpenMetrics([
      '# TYPE foo_total counter', 'foo_total 1', '# TYPE foo gauge', 'foo 2',
      '# TYPE bar counter', 'bar 3', '# TYPE bar_total gauge', 'bar_total 4', '',
    ].join('\n'));
    expect(out).toBe([
      '# TYPE foo_total unknown', 'foo_total 1', '# TYPE foo gauge', 'foo 2',
      '# TYPE bar unknown', 'bar 3', '# TYPE bar_total gauge', 'bar_total 4', '# EOF', '',
    ].join('\n'));
  });

  test('timestamps: integer milliseconds become seconds without rounding', () => {
    const ts = (ms: string): string => toOpenMetrics(`x 1 ${ms}\n`).split('\n')[1] ?? '';
    expect(ts('5')).toBe('x 1 0.005');
    expect(ts('-5')).toBe('x 1 -0.005');
    expect(ts('1234')).toBe('x 1 1.234');
    expect(ts('9007199254740993123')).toBe('x 1 9007199254740993.123');
  });

  test('an empty exposition is just # EOF', () => {
    expect(toOpenMetrics('')).toBe('# EOF\n');
  });

  test.each([
    ['interleaved families', 'a 1\nb 1\na 2\n'],
    ['a second TYPE', '# TYPE a gauge\n# TYPE a gauge\na 1\n'],
    ['a type 0.0.4 does not have', '# TYPE a info\na 1\n'],
    ['a bad value', 'a one\n'],
    ['an unclosed label value', 'a{b="c} 1\n'],
    ['a duplicate label', 'a{b="1",b="2"} 1\n'],
    ['a fractional timestamp', 'a 1 1.5\n'],
    ['a carriage return', 'a 1\r\n'],
  ])('%s throws OpenMetricsConversionError', (_what, text) => {
    expect(() => toOpenMetrics(text)).toThrow(OpenMetricsConversionError);
  });
});

describe('toOpenMetrics on the golden exposition', () => {
  const om = toOpenMetrics(GOLDEN);
  const lines = om.split('\n');
  const in004 = families004(GOLDEN);

  test('ends in # EOF, has no blank line, and every line is OpenMetrics ABNF', () => {
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toBe('# EOF');
    const body = lines.slice(0, -2);
    expect(body.length).toBeGreaterThan(1000);
    for (const l of body) expect(l).toMatch(OM_LINE);
  });

  test('families: counters lose _total in TYPE/HELP, untyped is unknown, HELP and samples carry over', () => {
    const out = new Map<string, { type: string; help: string | null; samples: string[] }>();
    let cur = '';
    for (const l of lines.slice(0, -2)) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(l);
      if (m) {
        cur = m[2] ?? '';
        const f = out.get(cur) ?? { type: '', help: null, samples: [] };
        if (m[1] === 'HELP') f.help = m[3] ?? '';
        else f.type = m[3] ?? '';
        out.set(cur, f);
      } else out.get(cur)?.samples.push(l);
    }
    expect(out.size).toBe(in004.size);
    let counters = 0;
    let untyped = 0;
    for (const [name, f] of in004) {
      const omName = f.type === 'counter' ? name.replace(/_total$/, '') : name;
      const g = out.get(omName);
      expect({ name, type: g?.type }).toEqual({ name, type: f.type === 'untyped' ? 'unknown' : f.type });
      // 0.0.4 HELP escapes \\ and \n; OpenMetrics also escapes the double quote.
      expect(g?.help).toBe(f.help === null || f.help === '' ? null : f.help.replace(/"/g, '\\"'));
      expect(g?.samples).toEqual(f.samples);
      if (f.type === 'counter') {
        counters++;
        for (const s of g?.samples ?? []) expect(s.startsWith(`${omName}_total`)).toBe(true);
      }
      if (f.type === 'untyped') untyped++;
    }
    expect(counters).toBeGreaterThan(20);
    expect(untyped).toBeGreaterThan(10);
  });
});

describeWithBinary('promtool')("Prometheus's OpenMetrics parser (promtool tsdb create-blocks-from openmetrics)", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-om-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Backfills the OpenMetrics text into a TSDB and dumps it back: one `{labels} value ms` line per sample. */
  function ingest(om: string, name: string): string[] {
    const file = path.join(dir, `${name}.om`);
    const out = path.join(dir, name);
    fs.writeFileSync(file, om);
    const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, out], { encoding: 'utf8', timeout: 120000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    fs.mkdirSync(path.join(out, 'wal'), { recursive: true });
    const d = spawnSync('promtool', ['tsdb', 'dump', out], { encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20 });
    expect(d.status).toBe(0);
    return d.stdout.split('\n').filter(Boolean);
  }

  // The backfill wants a timestamp on every sample: the 0.0.4 input gets one in milliseconds, converted on the way.
  const stamp = (text: string): string => text.split('\n').map((l) => (l === '' || l.startsWith('#') ? l : `${l} 1700000000123`)).join('\n');

  test('the golden exposition converts to OpenMetrics Prometheus ingests sample for sample', () => {
    const dumped = ingest(toOpenMetrics(stamp(GOLDEN)), 'golden');
    const samples = [...families004(GOLDEN).values()].flatMap((f) => f.samples);
    expect(dumped.length).toBe(samples.length);
    for (const l of dumped) expect(l.endsWith(' 1700000000123')).toBe(true);
    const names = (xs: string[]): string[] => [...new Set(xs)].sort();
    expect(names(dumped.map((l) => /__name__="([^"]+)"/.exec(l)?.[1] ?? ''))).toEqual(names(samples.map((s) => /^[^{ ]+/.exec(s)?.[0] ?? '')));
  });

  test('histogram and summary families survive the parser sample for sample', () => {
    const text = stamp([
      '# TYPE h histogram', 'h_bucket{a="x",le="0.5"} 1', 'h_bucket{a="x",le="+Inf"} 2', 'h_sum{a="x"} 1.5', 'h_count{a="x"} 2',
      '# TYPE s summary', 's{quantile="0.5"} 3', 's_sum 6', 's_count 2', '',
    ].join('\n'));
    expect(ingest(toOpenMetrics(text), 'distributions').sort()).toEqual([
      '{__name__="h_bucket", a="x", le="+Inf"} 2 1700000000123',
      '{__name__="h_bucket", a="x", le="0.5"} 1 1700000000123',
      '{__name__="h_count", a="x"} 2 1700000000123',
      '{__name__="h_sum", a="x"} 1.5 1700000000123',
      '{__name__="s", quantile="0.5"} 3 1700000000123',
      '{__name__="s_count"} 2 1700000000123',
      '{__name__="s_sum"} 6 1700000000123',
    ]);
  });

  test('crafted escapes and renames survive the parser', () => {
    const text = stamp([
      '# HELP c_total Help with \\\\ and \\n and "quotes".',
      '# TYPE c_total counter',
      'c_total{v="a\\\\b\\"c\\nd"} 1',
      '# TYPE events counter',
      'events 7',
      '# TYPE u untyped',
      'u 2',
      '',
    ].join('\n'));
    expect(ingest(toOpenMetrics(text), 'crafted').sort()).toEqual([
      '{__name__="c_total", v="a\\\\b\\"c\\nd"} 1 1700000000123',
      '{__name__="events_total"} 7 1700000000123',
      '{__name__="u"} 2 1700000000123',
    ]);
  });
});
