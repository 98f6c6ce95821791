import type { AnyCollectorDef, Family } from '../../src/exporters/catalog';
import { defineCollector, fam, families } from '../../src/exporters/catalog';
import type { CollectorResult } from '../../src/exporters/engine';
import { PrometheusAdapter, snapshotFamilies, type ActiveCollector } from '../../src/exporters/prometheus';
import type { Snapshot } from '../../src/exporters/snapshot';
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

const active = new Map<string, ActiveCollector>([['fake', { def: passthrough as unknown as AnyCollectorDef, options: null }]]);

let id = 0;
function snap(results: CollectorResult[]): Snapshot {
  id++;
  return { id, startedAt: 0, finishedAt: 0, bootTime: null, results };
}

function ok(fams: Family[]): Snapshot {
  return snap([{ name: 'fake', ok: true, durationSeconds: 0.001, data: { fams } }]);
}

describe('PrometheusAdapter', () => {
  test('a series that is gone vanishes on the next render; a family that is gone too', async () => {
    const a = new PrometheusAdapter(active);
    const t1 = await a.render(ok(families(
      fam('x_bytes', 'gauge', 'x', ['device']).add({ device: 'eth0' }, 1).add({ device: 'eth1' }, 2),
      fam('y_total', 'counter', 'y').set(5),
    )));
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
    const t = await a.render(ok([
      fam('z_g', 'gauge', 'zz').set(1).family,
      fam('a_u', 'untyped', 'help with \\ and\nnewline').set(2).family,
    ]));
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
    const t = await a.render(ok([
      fam('g', 'gauge', 'g', ['k']).add({ k: 'nan' }, NaN).add({ k: 'inf' }, Infinity).family,
      fam('c_total', 'counter', 'c', ['k']).add({ k: 'bad' }, -1).add({ k: 'nan' }, NaN).add({ k: 'ok' }, 1).family,
    ]));
    // prom-client spells it Nan; Prometheus's parser (Go ParseFloat) reads it case-insensitively.
    expect(t).toMatch(/^g\{k="nan"\} nan$/im);
    expect(t).toContain('g{k="inf"} +Inf');
    expect(t).toContain('c_total{k="ok"} 1');
    expect(t).not.toContain('bad');
  });

  test('a failed collector loses its families and shows success 0; self metrics are always there', async () => {
    const a = new PrometheusAdapter(active);
    const t = await a.render(snap([{ name: 'fake', ok: false, durationSeconds: 0.5, error: 'boom' }]));
    const keys = parseExposition(t).series.map(seriesKey);
    expect(keys).toContain(seriesKey({ name: 'psutil_exporter_scrape_collector_success', labels: { collector: 'fake' } }));
    expect(t).toContain('psutil_exporter_scrape_collector_success{collector="fake"} 0');
    expect(t).toContain('psutil_exporter_scrape_collector_duration_seconds{collector="fake"} 0.5');
    expect(t).toMatch(/^psutil_exporter_build_info\{nodejs_version="[^"]+",psutil_version="7\.[^"]+",version="[^"]+"\} 1$/m);
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
