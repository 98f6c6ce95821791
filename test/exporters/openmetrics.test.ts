/**
 * Families -> OpenMetrics 1.0.0 (exposition/render.ts), next to the text 0.0.4 of the same blocks: crafted families,
 * the golden exposition read back through the textfile parser, hostile label values (issue 11 #10: one process name
 * with `\r` used to make the whole host fall back to text 0.0.4), and Prometheus's own parsers (promtool).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineCollector, fam, type Family } from '../../src/exporters/catalog';
import { mergeTextfiles } from '../../src/exporters/collectors/textfile';
import {
  DEFAULT_LIMITS,
  escapeHelpOpenMetrics,
  exposition,
  parseTextFormat,
  renderFamilies,
  type Exposition,
} from '../../src/exporters/exposition';
import { dataResult } from '../../src/exporters/pass';
import { PrometheusAdapter, type ActiveCollector } from '../../src/exporters/prometheus';
import { describeWithBinary, promtoolCheck } from '../e2e/agent-process';

const GOLDEN = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'golden', 'node_exporter-fixture.prom'), 'utf8');

/** One OpenMetrics text line, straight from the spec's ABNF (metric-descriptor, sample without exemplar, EOF). */
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
// escaped-char: any character but `\`, `"` and newline, or `\` + n / dquote / bs (the spec's normal-char takes \r).
const ESCAPED = '(?:[^\\\\"\\n]|\\\\[n"\\\\])*';
const NUMBER =
  '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])';
const LABELS = `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="${ESCAPED}"(?:,[a-zA-Z_][a-zA-Z0-9_]*="${ESCAPED}")*)?\\}`;
const OM_LINE = new RegExp(
  `^(?:# TYPE ${NAME} (?:counter|gauge|histogram|gaugehistogram|stateset|info|summary|unknown)` +
    `|# HELP ${NAME} ${ESCAPED}|${NAME}(?:${LABELS})? ${NUMBER}(?: ${NUMBER})?)$`,
);

function both(fams: Family[]): Exposition {
  return exposition(renderFamilies(fams, DEFAULT_LIMITS).families);
}

function expectOpenMetricsLines(om: string): string[] {
  const lines = om.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines.pop()).toBe('# EOF');
  for (const l of lines) expect(l).toMatch(OM_LINE);
  return lines;
}

/** The golden node_exporter exposition read back as families (the textfile collector's parser and merge). */
function goldenFamilies(): Family[] {
  return mergeTextfiles([{ path: 'golden', families: parseTextFormat(GOLDEN, 'golden') }]).families;
}

describe('OpenMetrics from crafted families', () => {
  const crafted = (): Family[] => [
    fam('http_requests_total', 'counter', 'Requests \\ served.\nSecond "line".', ['code', 'path'])
      .add({ code: '200', path: 'a\\b"c\nd' }, 3)
      .add({ code: '500', path: '' }, 0).family,
    fam('node_vmstat_pgfault', 'untyped', '/proc/vmstat information field pgfault.').set(42).family,
    fam('events', 'counter', 'A counter named without the suffix.').set(7).family,
    fam('node_uname_info', 'gauge', 'Labeled system information.', ['release']).add({ release: '6.1' }, 1).family,
    fam('lat', 'histogram', 'Latency.').addHistogram({}, [[0.5, 1]], 0.75, 2).family,
    fam('empty', 'gauge', '', ['x']).family,
  ];

  test('gives the exact OpenMetrics text; the 0.0.4 text of the same blocks is what prom-client wrote', () => {
    const e = both(crafted());
    expect(e.openMetrics()).toBe(
      [
        '# TYPE empty gauge',
        '# TYPE events counter',
        '# HELP events A counter named without the suffix.',
        'events_total 7',
        '# TYPE http_requests counter',
        '# HELP http_requests Requests \\\\ served.\\nSecond \\"line\\".',
        'http_requests_total{code="200",path="a\\\\b\\"c\\nd"} 3',
        'http_requests_total{code="500",path=""} 0',
        '# TYPE lat histogram',
        '# HELP lat Latency.',
        'lat_bucket{le="0.5"} 1',
        'lat_bucket{le="+Inf"} 2',
        'lat_sum 0.75',
        'lat_count 2',
        '# TYPE node_uname_info gauge',
        '# HELP node_uname_info Labeled system information.',
        'node_uname_info{release="6.1"} 1',
        '# TYPE node_vmstat_pgfault unknown',
        '# HELP node_vmstat_pgfault /proc/vmstat information field pgfault.',
        'node_vmstat_pgfault 42',
        '# EOF',
        '',
      ].join('\n'),
    );
    expectOpenMetricsLines(e.openMetrics());
    expect(e.text).toBe(
      [
        '# HELP empty ',
        '# TYPE empty gauge',
        '',
        '# HELP events A counter named without the suffix.',
        '# TYPE events counter',
        'events 7',
        '',
        '# HELP http_requests_total Requests \\\\ served.\\nSecond "line".',
        '# TYPE http_requests_total counter',
        'http_requests_total{code="200",path="a\\\\b\\"c\\nd"} 3',
        'http_requests_total{code="500",path=""} 0',
        '',
        '# HELP lat Latency.',
        '# TYPE lat histogram',
        'lat_bucket{le="0.5"} 1',
        'lat_bucket{le="+Inf"} 2',
        'lat_sum 0.75',
        'lat_count 2',
        '',
        '# HELP node_uname_info Labeled system information.',
        '# TYPE node_uname_info gauge',
        'node_uname_info{release="6.1"} 1',
        '',
        '# HELP node_vmstat_pgfault /proc/vmstat information field pgfault.',
        '# TYPE node_vmstat_pgfault untyped',
        'node_vmstat_pgfault 42',
        '',
      ].join('\n'),
    );
  });

  test('histogram and summary families: TYPE unchanged, samples as in 0.0.4', () => {
    const om = both([
      fam('req_seconds', 'histogram', 'Request "time".', ['code']).addHistogram(
        { code: '200' },
        [
          [0.1, 2],
          [1e6, 3],
        ],
        4.5,
        3,
      ).family,
      fam('rpc_seconds', 'summary', 'RPC time.').addSummary(
        {},
        [
          [0.5, 1.25],
          [0.99, NaN],
        ],
        100,
        20,
      ).family,
    ]).openMetrics();
    expect(om).toBe(
      [
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
      ].join('\n'),
    );
    expectOpenMetricsLines(om);
  });

  test('HELP escaping: backslash, newline and double quote', () => {
    expect(escapeHelpOpenMetrics('a\\b\nc"d')).toBe('a\\\\b\\nc\\"d');
  });

  test('counter renames that would clash with another family fall back to unknown under the 0.0.4 name', () => {
    const om = both([
      fam('foo_total', 'counter', 'f').set(1).family,
      fam('foo', 'gauge', 'g').set(2).family,
      fam('bar', 'counter', 'b').set(3).family,
      fam('bar_total', 'gauge', 'bt').set(4).family,
    ]).openMetrics();
    expect(om).toBe(
      [
        '# TYPE bar unknown',
        '# HELP bar b',
        'bar 3',
        '# TYPE bar_total gauge',
        '# HELP bar_total bt',
        'bar_total 4',
        '# TYPE foo gauge',
        '# HELP foo g',
        'foo 2',
        '# TYPE foo_total unknown',
        '# HELP foo_total f',
        'foo_total 1',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  test('an empty exposition is just # EOF', () => {
    expect(both([]).openMetrics()).toBe('# EOF\n');
  });

  test('built once per exposition', () => {
    const e = both(crafted());
    expect(e.openMetrics()).toBe(e.openMetrics());
  });
});

describe('OpenMetrics of the golden exposition (read back through the textfile parser)', () => {
  const e = both(goldenFamilies());
  const lines = expectOpenMetricsLines(e.openMetrics());

  test('families: counters lose _total in TYPE/HELP, untyped is unknown, samples are the 0.0.4 ones', () => {
    const text = parseTextFormat(e.text);
    expect(text.length).toBeGreaterThan(250);
    expect(lines.filter((l) => l.startsWith('# TYPE ')).length).toBe(text.length);
    let counters = 0;
    let untyped = 0;
    for (const f of text) {
      const omName = f.type === 'counter' ? f.name.replace(/_total$/, '') : f.name;
      const at = lines.indexOf(`# TYPE ${omName} ${f.type === 'untyped' ? 'unknown' : f.type}`);
      expect({ name: f.name, found: at >= 0 }).toEqual({ name: f.name, found: true });
      const samples = lines.slice(at + 2, at + 2 + f.samples.length);
      const block =
        e.text
          .slice(0, -1)
          .split('\n\n')
          .find((b) => b.startsWith(`# HELP ${f.name} `)) ?? '';
      // A counter named without _total keeps its name and its samples gain the suffix.
      const renamed =
        f.type === 'counter' && omName === f.name
          ? (l: string): string => `${f.name}_total${l.slice(f.name.length)}`
          : (l: string): string => l;
      expect(samples).toEqual(block.split('\n').slice(2).map(renamed));
      if (f.type === 'counter') counters++;
      if (f.type === 'untyped') untyped++;
    }
    expect(counters).toBeGreaterThan(20);
    expect(untyped).toBeGreaterThan(10);
  });

  test('the text 0.0.4 reads back as the families it was rendered from', () => {
    const again = both(mergeTextfiles([{ path: 'golden', families: parseTextFormat(e.text) }]).families);
    expect(again.text).toBe(e.text);
  });
});

/** The label values a process name (comm) or a textfile can bring; none may cost the host its OpenMetrics. */
const HOSTILE: readonly [string, string][] = [
  ['carriage return', 'bad\rname'],
  ['CR LF', 'two\r\nlines'],
  ['newline', 'a\nb'],
  ['backslash', 'c:\\dir\\'],
  ['double quote', 'say "hi"'],
  ['invalid UTF-8 (bytes FF FE)', Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]).toString('utf8')],
  ['a UTF-8 character cut short', Buffer.from([0x63, 0x75, 0x74, 0xe5, 0x90]).toString('utf8')],
  ['a lone surrogate', 'job-\u{1F600}'.slice(0, 5)],
  ['NUL and tab', 'nul\0tab\t'],
  ['all of them', 'x\r\n\\"\uD800\0'],
];

/** What a label value reads back as from either format: well-formed (lone surrogates are U+FFFD). */
const expected = (v: string): string => Buffer.from(v, 'utf8').toString('utf8');

describe('hostile label values (issue 11 #10) through both formats', () => {
  const proc = defineCollector<{ names: string[] }, null>({
    name: 'procs',
    help: 'test',
    options: () => null,
    create: () => () => ({ names: [] }),
    otlp: () => [],
    prometheus: (d) => [
      d.names.reduce(
        (b, n) => b.add({ groupname: n }, 1),
        fam('namedprocess_namegroup_num_procs', 'gauge', 'Processes.', ['groupname']),
      ).family,
      fam('psutil_hostile_total', 'counter', 'A counter labelled "badly".\r', ['v']).add({ v: 'x\ry' }, 2).family,
    ],
  });
  const active = new Map<string, ActiveCollector>([['procs', { def: proc, options: null }]]);
  const adapter = new PrometheusAdapter(active);
  const e = adapter.exposition({
    id: 1,
    startedAt: 0,
    finishedAt: 1,
    bootTime: null,
    results: [dataResult('procs', 0, { names: HOSTILE.map(([, v]) => v) })],
  });

  test('the OpenMetrics exposition is built (no fallback), valid UTF-8 and ABNF line for line, every series there', () => {
    const om = e.openMetrics();
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(om, 'utf8'))).not.toThrow();
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(e.text, 'utf8'))).not.toThrow();
    const lines = expectOpenMetricsLines(om);
    expect(lines.filter((l) => l.startsWith('namedprocess_namegroup_num_procs{'))).toHaveLength(HOSTILE.length);
    expect(om).toContain('namedprocess_namegroup_num_procs{groupname="bad\rname"} 1\n');
    expect(om).toContain('namedprocess_namegroup_num_procs{groupname="two\r\\nlines"} 1\n');
    expect(om).toContain('# HELP psutil_hostile A counter labelled \\"badly\\".\r\n');
    expect(om).toContain('psutil_hostile_total{v="x\ry"} 2\n');
  });

  describeWithBinary('promtool')("Prometheus's parsers read every value back as it was", () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-om-hostile-'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('text 0.0.4 passes promtool check metrics', () => {
      expect(promtoolCheck(e.text)).toEqual({ status: 0, problems: [] });
    });

    test('OpenMetrics through promtool tsdb create-blocks-from openmetrics', () => {
      const dumped = ingest(dir, stampOpenMetrics(e.openMetrics()), 'hostile');
      const got = dumped
        .filter((l) => l.includes('__name__="namedprocess_namegroup_num_procs"'))
        .map((l) => unquoteDump(/groupname="((?:[^"\\]|\\.)*)"/.exec(l)?.[1] ?? ''));
      expect(got.sort()).toEqual(HOSTILE.map(([, v]) => expected(v)).sort());
    });
  });
});

/** Backfills OpenMetrics text into a TSDB and dumps it back: one `{labels} value ms` line per sample. */
function ingest(dir: string, om: string, name: string): string[] {
  const file = path.join(dir, `${name}.om`);
  const out = path.join(dir, name);
  fs.writeFileSync(file, om);
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, out], {
    encoding: 'utf8',
    timeout: 120000,
  });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  fs.mkdirSync(path.join(out, 'wal'), { recursive: true });
  const d = spawnSync('promtool', ['tsdb', 'dump', out], { encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20 });
  expect(d.status).toBe(0);
  return d.stdout.split('\n').filter(Boolean);
}

/** The backfill wants a timestamp on every sample: each sample line gets one, in seconds. */
function stampOpenMetrics(om: string): string {
  return om
    .split('\n')
    .map((l) => (l === '' || l.startsWith('#') ? l : `${l} 1700000000.123`))
    .join('\n');
}

/** A label value as `promtool tsdb dump` prints it (Go's %q): undone. */
function unquoteDump(s: string): string {
  return JSON.parse(`"${s.replace(/\\x([0-9a-f]{2})/g, '\\u00$1')}"`) as string;
}

describeWithBinary('promtool')("Prometheus's OpenMetrics parser (promtool tsdb create-blocks-from openmetrics)", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-om-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the golden exposition renders to OpenMetrics Prometheus ingests sample for sample', () => {
    const e = both(goldenFamilies());
    const dumped = ingest(dir, stampOpenMetrics(e.openMetrics()), 'golden');
    const samples = e.text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(dumped.length).toBe(samples.length);
    for (const l of dumped) expect(l.endsWith(' 1700000000123')).toBe(true);
    const names = (xs: string[]): string[] => [...new Set(xs)].sort();
    const counters = new Set(
      parseTextFormat(e.text)
        .filter((f) => f.type === 'counter')
        .map((f) => f.name),
    );
    const omName = (n: string): string => (counters.has(n) && !n.endsWith('_total') ? `${n}_total` : n);
    expect(names(dumped.map((l) => /__name__="([^"]+)"/.exec(l)?.[1] ?? ''))).toEqual(
      names(samples.map((s) => omName(/^[^{ ]+/.exec(s)?.[0] ?? ''))),
    );
  });

  test('histogram and summary families survive the parser sample for sample', () => {
    const om = both([
      fam('h', 'histogram', 'h', ['a']).addHistogram({ a: 'x' }, [[0.5, 1]], 1.5, 2).family,
      fam('s', 'summary', 's').addSummary({}, [[0.5, 3]], 6, 2).family,
    ]).openMetrics();
    expect(ingest(dir, stampOpenMetrics(om), 'distributions').sort()).toEqual([
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
    const om = both([
      fam('c_total', 'counter', 'Help with \\ and \n and "quotes".', ['v']).add({ v: 'a\\b"c\nd' }, 1).family,
      fam('events', 'counter', 'e').set(7).family,
      fam('u', 'untyped', 'u').set(2).family,
    ]).openMetrics();
    expect(ingest(dir, stampOpenMetrics(om), 'crafted').sort()).toEqual([
      '{__name__="c_total", v="a\\\\b\\"c\\nd"} 1 1700000000123',
      '{__name__="events_total"} 7 1700000000123',
      '{__name__="u"} 2 1700000000123',
    ]);
  });
});
