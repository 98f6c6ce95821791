import type { Family } from '../../src/exporters/catalog';
import { defineCollector, fam, families } from '../../src/exporters/catalog';
import {
  assembleOpenMetrics,
  assembleText,
  BlockOrder,
  blockText,
  exposition,
  DEFAULT_LIMITS,
  goFloat,
  orderBlocks,
  renderFamilies,
  safeLabelValue,
  TRUNCATION_MARKER,
  type ExpositionLimits,
  type FamilyBlock,
} from '../../src/exporters/exposition';
import { dataResult, failedResult, type CollectorResult } from '../../src/exporters/pass';
import {
  PrometheusAdapter,
  renderCollector,
  selfFamilies,
  SelfRenderer,
  snapshotFamilies,
  type ActiveCollector,
} from '../../src/exporters/prometheus';
import type { CollectorFilter } from '../../src/exporters/filter';
import type { Snapshot } from '../../src/exporters/snapshot';
import { silentLogger } from '../../src/exporters/log';
import { hasBinary, promtoolCheck } from '../e2e/agent-process';
import { parseExposition, seriesKey } from './golden-compare';

type Data = { fams: Family[] };

const passthrough = defineCollector<Data, null>({
  name: 'fake',
  help: 'test',
  options: () => null,
  create: () => () => ({ fams: [] }),
  prometheus: (d) => d.fams,
  otlp: () => [],
});

const active = new Map<string, ActiveCollector>([['fake', { def: passthrough, options: null }]]);

let id = 0;
function snap(results: CollectorResult[]): Snapshot {
  id++;
  return { id, startedAt: 0, finishedAt: 0, bootTime: null, results };
}

function ok(fams: Family[]): Snapshot {
  return snap([dataResult('fake', 0.001, { fams })]);
}

describe('PrometheusAdapter', () => {
  test('a series that is gone vanishes on the next render; a family that is gone too', async () => {
    const a = new PrometheusAdapter(active);
    const t1 = await a.render(
      ok(
        families(
          fam('x_bytes', 'gauge', 'x', ['device']).add({ device: 'eth0' }, 1).add({ device: 'eth1' }, 2),
          fam('y_total', 'counter', 'y').set(5),
        ),
      ),
    );
    expect(t1).toContain('x_bytes{device="eth1"} 2');
    expect(t1).toContain('y_total 5');
    const t2 = await a.render(ok(families(fam('x_bytes', 'gauge', 'x', ['device']).add({ device: 'eth0' }, 3))));
    expect(t2).toContain('x_bytes{device="eth0"} 3');
    expect(t2).not.toContain('eth1');
    expect(t2).not.toContain('y_total');
  });

  test('counters hold absolute values (reset then inc), and may go down across renders (a counter reset)', async () => {
    const a = new PrometheusAdapter(active);
    await a.render(ok([fam('c_total', 'counter', 'c').set(10).family]));
    const t = await a.render(ok([fam('c_total', 'counter', 'c').set(3).family]));
    expect(t).toMatch(/^c_total 3$/m);
  });

  test('untyped families print TYPE untyped; types, HELP, one block per family, names sorted', async () => {
    const a = new PrometheusAdapter(active);
    const t = await a.render(
      ok([fam('z_g', 'gauge', 'zz').set(1).family, fam('a_u', 'untyped', 'help with \\ and\nnewline').set(2).family]),
    );
    const e = parseExposition(t);
    expect(e.types.get('a_u')).toBe('untyped');
    expect(e.types.get('z_g')).toBe('gauge');
    expect(t).toContain('# HELP a_u help with \\\\ and\\nnewline');
    expect(t.indexOf('# TYPE a_u')).toBeLessThan(t.indexOf('# TYPE z_g'));
    expect(t.match(/^# TYPE a_u /gm)).toHaveLength(1);
  });

  test('label values are escaped (backslash, quote, newline) and printed in label-name order', async () => {
    const a = new PrometheusAdapter(active);
    const t = await a.render(ok([fam('l', 'gauge', 'l', ['z', 'a']).add({ z: 'q"\\\n', a: '\u00e9' }, 1).family]));
    expect(t).toContain('l{a="\u00e9",z="q\\"\\\\\\n"} 1');
  });

  test('NaN and infinities in gauges are printed; a negative or NaN counter reading is dropped, not the family', async () => {
    const a = new PrometheusAdapter(active);
    const t = await a.render(
      ok([
        fam('g', 'gauge', 'g', ['k']).add({ k: 'nan' }, NaN).add({ k: 'inf' }, Infinity).family,
        fam('c_total', 'counter', 'c', ['k']).add({ k: 'bad' }, -1).add({ k: 'nan' }, NaN).add({ k: 'ok' }, 1).family,
      ]),
    );
    // prom-client spells it Nan; Prometheus's parser (Go ParseFloat) reads it case-insensitively.
    expect(t).toMatch(/^g\{k="nan"\} nan$/im);
    expect(t).toContain('g{k="inf"} +Inf');
    expect(t).toContain('c_total{k="ok"} 1');
    expect(t).not.toContain('bad');
  });

  test('a failed collector loses its families and shows success 0; self metrics are always there', async () => {
    const a = new PrometheusAdapter(active);
    const t = await a.render(snap([failedResult('fake', 0.5, 'boom')]));
    const keys = parseExposition(t).series.map(seriesKey);
    expect(keys).toContain(
      seriesKey({ name: 'psutil_exporter_scrape_collector_success', labels: { collector: 'fake' } }),
    );
    expect(t).toContain('psutil_exporter_scrape_collector_success{collector="fake"} 0');
    expect(t).toContain('psutil_exporter_scrape_collector_duration_seconds{collector="fake"} 0.5');
    expect(t).toMatch(
      /^psutil_exporter_build_info\{nodejs_version="[^"]+",psutil_version="7\.[^"]+",version="[^"]+"\} 1$/m,
    );
  });

  test('a mapping that produces an invalid name fails that collector only', () => {
    const fams = snapshotFamilies(ok([fam('bad-name', 'gauge', 'x').set(1).family]), active);
    expect(fams.find((f) => f.name === 'bad-name')).toBeUndefined();
    const success = fams.find((f) => f.name === 'psutil_exporter_scrape_collector_success');
    expect(success?.series[0]?.value).toBe(0);
  });

  test('the same snapshot renders once (cached), a new one again', async () => {
    const a = new PrometheusAdapter(active);
    const s = ok([fam('n', 'gauge', 'n').set(1).family]);
    const p1 = a.render(s);
    expect(a.render(s)).toBe(p1);
    await p1;
  });

  test('a family whose labels change is rebuilt', async () => {
    const a = new PrometheusAdapter(active);
    await a.render(ok([fam('f', 'gauge', 'f', ['a']).add({ a: '1' }, 1).family]));
    const t = await a.render(ok([fam('f', 'gauge', 'f', ['b']).add({ b: '2' }, 2).family]));
    expect(t).toContain('f{b="2"} 2');
    expect(t).not.toContain('a="1"');
  });
});

describe('histogram and summary families', () => {
  test.each([
    [0, '0'],
    [-0, '0'],
    [1, '1'],
    [0.25, '0.25'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [100000, '100000'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [-2.5e-7, '-2.5e-07'],
    [1e100, '1e+100'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ])('goFloat(%p) is %p (Go FormatFloat g -1)', (v, want) => {
    expect(goFloat(v)).toBe(want);
  });

  test('rendered as prom-client rendered them: own sample names, le/quantile last, +Inf added, sorted bounds', () => {
    const render = (fs: Family[]): string[] => renderFamilies(fs, DEFAULT_LIMITS).families.map(blockText);
    const h = fam('lat_seconds', 'histogram', 'Latency.', ['path']).addHistogram(
      { path: '/x' },
      [
        [1e6, 4],
        [0.5, 1],
      ],
      9.5,
      5,
    ).family;
    const s = fam('rpc_seconds', 'summary', 'RPC.', []).addSummary(
      {},
      [
        [0.99, 3],
        [0.5, 1],
      ],
      4,
      2,
    ).family;
    const t = render([s, h]).join('\n\n');
    expect(t).toBe(
      [
        '# HELP lat_seconds Latency.',
        '# TYPE lat_seconds histogram',
        'lat_seconds_bucket{path="/x",le="0.5"} 1',
        'lat_seconds_bucket{path="/x",le="1e+06"} 4',
        'lat_seconds_bucket{path="/x",le="+Inf"} 5',
        'lat_seconds_sum{path="/x"} 9.5',
        'lat_seconds_count{path="/x"} 5',
        '',
        '# HELP rpc_seconds RPC.',
        '# TYPE rpc_seconds summary',
        'rpc_seconds{quantile="0.5"} 1',
        'rpc_seconds{quantile="0.99"} 3',
        'rpc_seconds_sum 4',
        'rpc_seconds_count 2',
      ].join('\n'),
    );
    const again = render([
      fam('lat_seconds', 'histogram', 'Latency.', ['path']).addHistogram({ path: '/y' }, [], 0, 0).family,
    ]);
    expect(again).toEqual([
      '# HELP lat_seconds Latency.\n# TYPE lat_seconds histogram\nlat_seconds_bucket{path="/y",le="+Inf"} 0\nlat_seconds_sum{path="/y"} 0\nlat_seconds_count{path="/y"} 0',
    ]);
    if (hasBinary('promtool')) expect(promtoolCheck(`${t}\n`)).toEqual({ status: 0, problems: [] });
  });

  test('add() on a histogram, addHistogram on a gauge, a histogram labelled le: refused', () => {
    expect(() => fam('h', 'histogram', 'h').set(1)).toThrow(TypeError);
    expect(() => fam('g', 'gauge', 'g').addHistogram({}, [], 0, 0)).toThrow(TypeError);
    expect(() => fam('g', 'gauge', 'g').addSummary({}, [], 0, 0)).toThrow(TypeError);
    expect(
      renderCollector(
        active.get('fake') as ActiveCollector,
        { fams: [fam('h', 'histogram', 'h', ['le']).addHistogram({ le: '1' }, [], 0, 0).family] },
        DEFAULT_LIMITS,
      ),
    ).toEqual({ error: expect.stringMatching(/label named le/) });
  });

  test('caps: a label set is one series however many lines it has; its label values are cut like any other', async () => {
    const a = new PrometheusAdapter(active, undefined, undefined, { maxLabelValueBytes: 16, maxSeriesPerFamily: 2 });
    const b = fam('h', 'histogram', 'h', ['v']);
    for (let i = 0; i < 3; i++)
      b.addHistogram(
        { v: `${i}${'y'.repeat(40)}` },
        [
          [1, i],
          [2, i],
        ],
        i,
        i,
      );
    const t = await a.render(ok([b.family]));
    const lines = t.split('\n').filter((l) => /^h_/.test(l));
    expect(lines).toHaveLength(2 * 5);
    expect(
      lines.every((l) => l.includes(`{v="0${'y'.repeat(12)}..."`) || l.includes(`{v="1${'y'.repeat(12)}..."`)),
    ).toBe(true);
    expect(t).toContain('psutil_exporter_series_dropped_total{family="h"} 1');
    expect(t).toContain('psutil_exporter_label_values_truncated_total{family="h"} 2');
  });
});

describe('safeLabelValue', () => {
  const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
  /** Valid UTF-8 (a fatal decoder accepts it) and the same text back. */
  const validUtf8 = (s: string): boolean =>
    new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(s, 'utf8')) === s;

  test('short values pass untouched; 0 means no cap', () => {
    expect(safeLabelValue('eth0', 1024)).toEqual({ value: 'eth0', cut: false });
    const long = 'x'.repeat(5000);
    expect(safeLabelValue(long, 0)).toEqual({ value: long, cut: false });
    // Exactly at the cap is not cut.
    expect(safeLabelValue('y'.repeat(1024), 1024)).toEqual({ value: 'y'.repeat(1024), cut: false });
  });

  test('a 100 KiB value is cut to the cap and ends in the marker', () => {
    const r = safeLabelValue('a'.repeat(100 * 1024), 1024);
    expect(r.cut).toBe(true);
    expect(bytes(r.value)).toBe(1024);
    expect(r.value.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  test.each([
    ['2-byte', '\u00e9'],
    ['3-byte', '\u540c'],
    ['4-byte (a surrogate pair in UTF-16)', '\u{1F600}'],
  ])('a cut never splits a %s character', (_what, ch) => {
    for (const cap of [1020, 1021, 1022, 1023, 1024, 7, 4, 3]) {
      const r = safeLabelValue('ab' + ch.repeat(40000), cap);
      expect(r.cut).toBe(true);
      expect(bytes(r.value)).toBeLessThanOrEqual(cap);
      expect(bytes(r.value)).toBeGreaterThan(Math.max(0, cap - TRUNCATION_MARKER.length - 4));
      expect(validUtf8(r.value)).toBe(true);
      expect(r.value).not.toContain('\uFFFD');
    }
  });

  test('lone surrogates become U+FFFD, whether or not the value is cut', () => {
    expect(safeLabelValue('a\uD800b', 1024)).toEqual({ value: 'a\uFFFDb', cut: false });
    expect(safeLabelValue('\uDC00x\uD83D', 1024)).toEqual({ value: '\uFFFDx\uFFFD', cut: false });
    // A pair cut in half by an earlier UTF-16 truncation (comm limited to 15 code units).
    expect(safeLabelValue('job-\u{1F600}'.slice(0, 5), 1024).value).toBe('job-\uFFFD');
    const r = safeLabelValue('\uD800'.repeat(3000), 1024);
    expect(validUtf8(r.value)).toBe(true);
    expect(bytes(r.value)).toBeLessThanOrEqual(1024);
  });
});

describe('exposition limits through the adapter', () => {
  const limits: ExpositionLimits = { maxLabelValueBytes: 64, maxSeriesPerFamily: 10 };

  test('series over the cap are dropped (the first kept) and counted per family, cumulatively', async () => {
    const a = new PrometheusAdapter(active, undefined, undefined, limits);
    const many = (): Family => {
      const b = fam('node_filesystem_size_bytes', 'gauge', 'size', ['mountpoint']);
      for (let i = 0; i < 25; i++) b.add({ mountpoint: `/m${String(i).padStart(2, '0')}` }, i);
      return b.family;
    };
    const t1 = await a.render(ok([many(), fam('small', 'gauge', 's').set(1).family]));
    const e1 = parseExposition(t1);
    const kept = e1.series.filter((s) => s.name === 'node_filesystem_size_bytes').map((s) => s.labels['mountpoint']);
    expect(kept).toEqual(Array.from({ length: 10 }, (_, i) => `/m${String(i).padStart(2, '0')}`));
    expect(t1).toContain('psutil_exporter_series_dropped_total{family="node_filesystem_size_bytes"} 15');
    expect(t1).toContain('small 1');
    expect(t1).not.toContain('family="small"');
    const t2 = await a.render(ok([many()]));
    expect(t2).toContain('psutil_exporter_series_dropped_total{family="node_filesystem_size_bytes"} 30');
    expect(parseExposition(t2).types.get('psutil_exporter_series_dropped_total')).toBe('counter');
  });

  test('long and malformed label values: cut, made well-formed, counted; the output is valid UTF-8 and passes promtool', async () => {
    const a = new PrometheusAdapter(active, undefined, undefined, limits);
    const t = await a.render(
      ok([
        fam('f', 'gauge', 'f', ['v'])
          .add({ v: 'x'.repeat(100 * 1024) }, 1)
          .add({ v: 'bad\uD800' }, 2)
          .add({ v: 'q"\\\n\r\t\0' }, 3).family,
      ]),
    );
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(t, 'utf8'))).not.toThrow();
    expect(t).toContain(`f{v="${'x'.repeat(61)}..."} 1`);
    expect(t).toContain('f{v="bad\uFFFD"} 2');
    expect(t).toContain('psutil_exporter_label_values_truncated_total{family="f"} 1');
    // \r, \t and NUL stay raw (the text format has no escape for them; Prometheus reads them back as they were).
    expect(t).toContain('f{v="q\\"\\\\\\n\r\t\0"} 3');
    expect(t.split('\n').filter((l) => l.startsWith('f{'))).toHaveLength(3);
    if (hasBinary('promtool')) expect(promtoolCheck(t)).toEqual({ status: 0, problems: [] });
  });

  test('results rendered where they ran (the worker) assemble to the same text as rendering the data here', async () => {
    const fams = (): Family[] =>
      families(
        fam('b_bytes', 'gauge', 'b', ['device'])
          .add({ device: 'sda' }, 1)
          .add({ device: 'x'.repeat(200) }, 2),
        fam('a_total', 'counter', 'a').set(7),
      );
    const here = new PrometheusAdapter(active, undefined, undefined, limits);
    const textHere = await here.render(snap([dataResult('fake', 0.001, { fams: fams() })]));
    // What worker.ts does: render the collector's families there and send the blocks instead of the data.
    const rendered = renderCollector(active.get('fake') as ActiveCollector, { fams: fams() }, limits);
    if ('error' in rendered) throw new Error(rendered.error);
    const main = new PrometheusAdapter(new Map(), undefined, undefined, limits);
    const textThere = await main.render(
      snap([{ kind: 'rendered', name: 'fake', ok: true, durationSeconds: 0.001, ...rendered }]),
    );
    expect(textThere).toBe(textHere);
    expect(textThere).toContain('psutil_exporter_label_values_truncated_total{family="b_bytes"} 1');
  });

  test('a mapping that fails, where it ran (the worker sends an error) or here, counts as a failed collector', async () => {
    const bad = { fams: [fam('bad-name', 'gauge', 'x').set(1).family] };
    expect(renderCollector(active.get('fake') as ActiveCollector, bad, limits)).toEqual({
      error: expect.stringMatching(/invalid metric or label name/),
    });
    const t = await new PrometheusAdapter(active).render(snap([dataResult('fake', 0.001, bad)]));
    expect(t).toContain('psutil_exporter_scrape_collector_success{collector="fake"} 0');
    expect(t).not.toContain('bad-name');
  });

  test('the pass wall time comes from the runner when it measured one (the worker leaves its rendering out)', async () => {
    const main = new PrometheusAdapter(new Map());
    const t = await main.render({
      id: 999,
      startedAt: 0,
      finishedAt: 5000,
      collectionSeconds: 0.25,
      bootTime: null,
      results: [],
    });
    expect(t).toMatch(/^psutil_exporter_collection_duration_seconds 0\.25$/m);
  });
});

describe("the agent's own families, rendered straight to text", () => {
  const results = (names: readonly string[], seconds: number): CollectorResult[] =>
    names.map((n, i) => (i % 3 === 2 ? failedResult(n, seconds * (i + 1), 'x') : dataResult(n, seconds * (i + 1), {})));
  const successOf = (rs: readonly CollectorResult[]): Map<string, number> =>
    new Map(rs.map((r) => [r.name, r.ok ? 1 : 0]));
  const general = (
    s: Snapshot,
    success: Map<string, number>,
    labels: ReadonlyMap<string, readonly string[]> | undefined,
    filter: CollectorFilter | null,
    limits: ExpositionLimits,
  ) =>
    renderFamilies(selfFamilies(s, success, { processMetrics: false, ...(labels ? { labels } : {}) }, filter), limits);

  const names = ['cpu', 'sensors', 'meminfo', 'sockets', 'textfile'];
  const labels = new Map([
    ['sensors', ['hwmon', 'thermal_zone', 'powersupplyclass']],
    ['sockets', ['tcpstat']],
  ]);
  const filter: CollectorFilter = {
    key: 'k',
    keep: new Map<string, readonly string[] | null>([
      ['sensors', ['node_hwmon_']],
      ['meminfo', null],
    ]),
    names: new Map([['sensors', ['hwmon']]]),
  };
  test.each([
    ['plain names, node_exporter labels', names, labels, null, DEFAULT_LIMITS],
    ['a filter', names, undefined, filter, DEFAULT_LIMITS],
    ['no collectors', [], undefined, null, DEFAULT_LIMITS],
    ['names to escape', ['a"b', 'c\\d', 'e\nf', 'cpu'], undefined, null, DEFAULT_LIMITS],
    [
      'a name the cap cuts',
      ['cpu', 'x'.repeat(40)],
      undefined,
      null,
      { maxLabelValueBytes: 16, maxSeriesPerFamily: 0 },
    ],
    ['more series than the cap', names, labels, null, { maxLabelValueBytes: 0, maxSeriesPerFamily: 3 }],
    [
      'two collectors under one node_exporter name',
      names,
      new Map([
        ['cpu', ['x']],
        ['meminfo', ['x']],
      ]),
      null,
      DEFAULT_LIMITS,
    ],
    ['a collector twice in a snapshot', ['cpu', 'meminfo', 'cpu'], undefined, null, DEFAULT_LIMITS],
  ] as const)('the same blocks and limit counts as the general rendering: %s', (_, ns, ls, f, limits) => {
    const own = new SelfRenderer(limits, silentLogger);
    // Twice with other values: what is kept between passes is the layout, never a value.
    for (const seconds of [0.001, 0.25]) {
      const rs = results(ns, seconds);
      const s: Snapshot = { ...snap(rs), startedAt: 1000, finishedAt: 1000 + seconds * 1000 };
      const got = own.render(s, successOf(rs), ls, f);
      expect(got).toEqual(general(s, successOf(rs), ls, f, limits));
    }
  });

  test('a new snapshot changes the text; other collectors give another layout', () => {
    const own = new SelfRenderer(DEFAULT_LIMITS, silentLogger);
    const text = (rs: CollectorResult[]) =>
      own.render(snap(rs), successOf(rs), labels, null).families.map(blockText).join('\n\n');
    const a = text(results(names, 0.001));
    const b = text(results(names, 0.002));
    expect(b).not.toBe(a);
    expect(b).toContain('psutil_exporter_scrape_collector_duration_seconds{collector="cpu"} 0.002');
    const c = text(results(['cpu'], 0.002));
    expect(c).not.toContain('meminfo');
    expect(text(results(names, 0.001))).toBe(a);
  });
});

describe('assembling the blocks', () => {
  const blk = (name: string, v: number): FamilyBlock => ({
    name,
    type: 'gauge',
    help: name,
    head: `# HELP ${name} ${name}\n# TYPE ${name} gauge`,
    samples: `${name} ${v}`,
  });

  test('BlockOrder: the order orderBlocks gives, pass after pass, with the blocks of each pass', () => {
    const logged: string[] = [];
    const log = { ...silentLogger, warn: (msg: string) => logged.push(msg) };
    const order = new BlockOrder();
    const pass = (names: string[], v: number): FamilyBlock[] => names.map((n) => blk(n, v));
    const check = (blocks: FamilyBlock[]): void => {
      const want = orderBlocks(blocks);
      const got = order.order(blocks, log);
      expect(got).toEqual(want);
      // The very blocks of this pass, not the ones the order was made with.
      got.forEach((b, i) => expect(b).toBe(want[i]));
    };
    check(pass(['c', 'a', 'b'], 1));
    check(pass(['c', 'a', 'b'], 2));
    check(pass(['c', 'a', 'd', 'b'], 3));
    check(pass(['c', 'a', 'd', 'b'], 4));
    // A duplicate is dropped and logged at every pass, as orderBlocks does.
    logged.length = 0;
    check(pass(['b', 'a', 'b'], 5));
    check(pass(['b', 'a', 'b'], 6));
    expect(logged).toEqual(['duplicate family dropped', 'duplicate family dropped']);
    check(pass([], 7));
    check(pass(['c', 'a', 'b'], 8));
  });

  test('OpenMetrics with the family lines kept between passes: as made afresh, when a HELP, type or name changes too', () => {
    const order = new BlockOrder();
    const pass = (fams: Family[]) => {
      const blocks = renderFamilies(fams, DEFAULT_LIMITS).families;
      const got = exposition(blocks, silentLogger, order).openMetrics();
      expect(got).toBe(assembleOpenMetrics(orderBlocks(blocks)));
      return got;
    };
    const a = pass(families(fam('a_total', 'counter', 'A.').set(1), fam('b', 'counter', 'B.').set(2)));
    expect(a).toBe('# TYPE a counter\n# HELP a A.\na_total 1\n# TYPE b counter\n# HELP b B.\nb_total 2\n# EOF\n');
    expect(pass(families(fam('a_total', 'counter', 'A.').set(3), fam('b', 'counter', 'B.').set(4)))).toContain(
      'b_total 4',
    );
    expect(pass(families(fam('a_total', 'counter', 'A2.').set(3), fam('b', 'gauge', 'B.').set(4)))).toBe(
      '# TYPE a counter\n# HELP a A2.\na_total 3\n# TYPE b gauge\n# HELP b B.\nb 4\n# EOF\n',
    );
    // A family whose name makes a counter's clash: the counter is exposed as unknown under its own name.
    expect(pass(families(fam('a_total', 'counter', 'A2.').set(3), fam('a_created', 'gauge', 'C.').set(1)))).toContain(
      '# TYPE a_total unknown\n',
    );
    expect(pass([])).toBe('# EOF\n');
  });

  test('assembleText: blocks separated by a blank line, one newline at the end', () => {
    expect(assembleText([])).toBe('\n');
    expect(assembleText([blk('a', 1)])).toBe('# HELP a a\n# TYPE a gauge\na 1\n');
    expect(assembleText([blk('a', 1), blk('b', 2)])).toBe(
      '# HELP a a\n# TYPE a gauge\na 1\n\n# HELP b b\n# TYPE b gauge\nb 2\n',
    );
  });
});
