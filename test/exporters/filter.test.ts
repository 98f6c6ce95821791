/**
 * node_exporter's scrape filter on a snapshot (exporters/filter.ts, PrometheusAdapter.filteredExposition), the
 * process_* readers (exporters/self.ts) on their file formats, and logfmt lines.
 */
import * as fs from 'node:fs';
import { parseFlags } from '../../src/config/flags';
import { parseConfig } from '../../src/config/load';
import { fam } from '../../src/exporters/catalog';
import { collectorFilter, collectorLabels, FilterError } from '../../src/exporters/filter';
import { logfmtLine } from '../../src/exporters/log';
import { PrometheusAdapter } from '../../src/exporters/prometheus';
import { dataResult } from '../../src/exporters/pass';
import * as os from 'node:os';
import * as path from 'node:path';
import { blockText, DEFAULT_LIMITS, renderFamilies } from '../../src/exporters/exposition';
import {
  openFdCount,
  parseBootTime,
  parseLimit,
  parseSelfStat,
  processBlocks,
  processFamilies,
  readProcText,
} from '../../src/exporters/self';
import type { Snapshot } from '../../src/exporters/snapshot';
import { parseExposition } from './golden-compare';

const cfg = parseConfig('');
const enabled = Object.entries(cfg.collectors)
  .filter(([, s]) => s.enabled)
  .map(([n]) => n);

describe('collectorFilter', () => {
  test('no query: no filter; collect[] with node_exporter names and ours', () => {
    expect(collectorFilter([], [], enabled, cfg.collectors)).toBeNull();
    const f = collectorFilter(['cpu', 'hwmon', 'sensors'], [], enabled, cfg.collectors);
    // sensors by our name is its three parts; hwmon named as well counts once
    expect(f?.keep.get('cpu')).toBeNull();
    expect(f?.keep.get('sensors')).toEqual([
      'node_hwmon_',
      'node_power_supply_',
      'node_thermal_zone_',
      'node_cooling_device_',
    ]);
    expect(f?.names.get('sensors')).toEqual(['hwmon', 'powersupplyclass', 'thermal_zone']);
    expect(collectorFilter(['hwmon'], [], enabled, cfg.collectors)?.keep.get('sensors')).toEqual(['node_hwmon_']);
  });

  test("unknown and disabled collectors, and both kinds at once, are node_exporter's 400s", () => {
    const err = (c: string[], e: string[] = []): string => {
      try {
        collectorFilter(c, e, enabled, cfg.collectors);
      } catch (x) {
        if (x instanceof FilterError) return x.message;
        throw x;
      }
      return 'no error';
    };
    expect(err(['nosuch'])).toMatch(/missing collector: nosuch$/);
    expect(err(['tcpstat'])).toMatch(/disabled collector: tcpstat$/);
    expect(err(['cpu'], ['meminfo'])).toBe('Combined collect and exclude queries are not allowed.');
  });

  test('exclude[]: every enabled unit but those; a part excluded leaves the others', () => {
    const f = collectorFilter([], ['cpu', 'hwmon', 'nosuch'], enabled, cfg.collectors);
    expect(f?.keep.has('cpu')).toBe(false);
    expect(f?.keep.get('sensors')).toEqual(['node_power_supply_', 'node_thermal_zone_', 'node_cooling_device_']);
    expect(f?.keep.has('meminfo')).toBe(true);
  });

  test("self-metric labels: node_exporter's names, a part off left out", () => {
    const c = parseConfig('', 'x', parseFlags(['--no-collector.powersupplyclass', '--collector.tcpstat']).assignments);
    const on = Object.entries(c.collectors)
      .filter(([, s]) => s.enabled)
      .map(([n]) => n);
    const labels = collectorLabels(on, c.collectors);
    expect(labels.get('sensors')).toEqual(['hwmon', 'thermal_zone']);
    expect(labels.get('sockets')).toEqual(['tcpstat']);
    expect(labels.get('cpu')).toEqual(['cpu']);
  });
});

describe('filteredExposition', () => {
  const families = {
    cpu: [fam('node_cpu_seconds_total', 'counter', 'c', ['cpu']).add({ cpu: '0' }, 1).family],
    sensors: [
      fam('node_hwmon_temp_celsius', 'gauge', 'h', ['chip']).add({ chip: 'a' }, 40).family,
      fam('node_thermal_zone_temp', 'gauge', 't', ['zone']).add({ zone: '0' }, 41).family,
    ],
  };
  const active = new Map(
    Object.entries(families).map(([name, fams]) => [
      name,
      {
        def: {
          name,
          help: name,
          options: () => null,
          create: () => () => null,
          prometheus: () => fams,
          otlp: () => [],
        },
        options: null,
      },
    ]),
  );
  const snap: Snapshot = {
    id: 7,
    startedAt: 0,
    finishedAt: 1,
    bootTime: null,
    results: [dataResult('cpu', 0.001, {}), dataResult('sensors', 0.002, {})],
  };

  test("a part keeps its families only; the self metrics are the filter's collectors'", () => {
    const a = new PrometheusAdapter(active, undefined, undefined, undefined, {
      processMetrics: true,
      labels: new Map([['sensors', ['hwmon', 'thermal_zone']]]),
    });
    const all = parseExposition(a.exposition(snap).text);
    expect(
      all.series.filter((s) => s.name === 'node_scrape_collector_success').map((s) => s.labels['collector']),
    ).toEqual(['cpu', 'hwmon', 'thermal_zone']);
    expect(all.series.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
    const f = collectorFilter(['hwmon'], [], ['cpu', 'sensors'], cfg.collectors);
    const e = parseExposition(a.filteredExposition(snap, f as NonNullable<typeof f>).text);
    const names = new Set(e.series.map((s) => s.name));
    expect(names.has('node_hwmon_temp_celsius')).toBe(true);
    expect(names.has('node_thermal_zone_temp')).toBe(false);
    expect(names.has('node_cpu_seconds_total')).toBe(false);
    expect(
      e.series.filter((s) => s.name === 'node_scrape_collector_success').map((s) => s.labels['collector']),
    ).toEqual(['hwmon']);
    expect(names.has('process_resident_memory_bytes')).toBe(true);
  });
});

describe('process_* readers', () => {
  test('stat: fields after a comm with spaces and parentheses', () => {
    const line = '584 ((a b ) ( c d) ) S 1 584 584 0 -1 4194560 1 0 0 0 10 20 0 0 20 0 1 0 12345 987654 100';
    expect(parseSelfStat(line)).toEqual({ startTicks: 12345, vsizeBytes: 987654 });
    expect(parseSelfStat('garbage')).toBeNull();
  });

  test('limits: the soft limit; unlimited as 2^64', () => {
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units     \n' +
      'Max open files            1024                 4096                 files     \n' +
      'Max address space         unlimited            unlimited            bytes     \n';
    expect(parseLimit(limits, 'Max open files')).toBe(1024);
    expect(parseLimit(limits, 'Max address space')).toBe(2 ** 64);
    expect(parseLimit(limits, 'Max nothing')).toBeNull();
  });

  test('btime; and the live families agree with /proc/self', () => {
    expect(parseBootTime('cpu 1 2\nbtime 1700000000\n')).toBe(1700000000);
    const byName = new Map(processFamilies().map((f) => [f.name, f.series[0]?.value]));
    const soft = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1];
    expect(byName.get('process_max_fds')).toBe(Number(soft));
    expect(byName.get('process_resident_memory_bytes')).toBeGreaterThan(1 << 20);
    expect(byName.get('process_start_time_seconds')).toBeLessThanOrEqual(Date.now() / 1000);
    expect(byName.get('process_start_time_seconds')).toBeGreaterThan(Date.now() / 1000 - process.uptime() - 5);
  });
});

describe('process_* straight to text', () => {
  test('the blocks renderFamilies makes of the families: the same lines, values that do not move equal', () => {
    const blocks = processBlocks();
    const general = renderFamilies(processFamilies(), DEFAULT_LIMITS).families;
    expect(blocks.map((b) => b.name)).toEqual(general.map((b) => b.name));
    const moving = new Set(['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_open_fds']);
    blocks.forEach((b, i) => {
      const g = general[i];
      const value = /^\S+ (\S+)$/m;
      const text = blockText(b);
      const gText = g === undefined ? undefined : blockText(g);
      expect({ ...b, samples: text.replace(value, 'V') }).toEqual({ ...g, samples: gText?.replace(value, 'V') });
      if (!moving.has(b.name)) expect(text).toBe(gText);
      expect(Number(value.exec(text)?.[1])).not.toBeNaN();
    });
  });

  test('open fds: the count a listing of /proc/self/fd gives, one more with a file opened', () => {
    const listed = (): number => fs.readdirSync('/proc/self/fd').length - 1;
    const before = openFdCount();
    expect(before).toBe(listed());
    const fd = fs.openSync('/proc/self/stat', 'r');
    try {
      expect(openFdCount()).toBe(before + 1);
    } finally {
      fs.closeSync(fd);
    }
  });

  test('readProcText: the whole file, also one larger than its buffer', () => {
    expect(readProcText('/proc/self/limits')).toMatch(/^Max open files /m);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proctext-'));
    try {
      const text = 'x'.repeat(10_000) + '\nend\n';
      fs.writeFileSync(path.join(dir, 'big'), text);
      expect(readProcText(path.join(dir, 'big'))).toBe(text);
      fs.writeFileSync(path.join(dir, 'empty'), '');
      expect(readProcText(path.join(dir, 'empty'))).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('logfmt: bare values, quoted where needed, errors as their message', () => {
  expect(logfmtLine('T', 'info', 'listening', { address: '127.0.0.1:9', n: 3, note: 'a "b" c' })).toBe(
    'ts=T level=info msg=listening address=127.0.0.1:9 n=3 note="a \\"b\\" c"\n',
  );
});
