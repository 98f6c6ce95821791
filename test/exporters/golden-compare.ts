/**
 * Comparing an exposition with node_exporter's e2e-output.txt: both parsed into series, empty labels dropped
 * (Prometheus reads an empty label as an absent one; node_exporter's power_supply_info gives each supply only its
 * non-empty labels), values equal to 1e-9 relative.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NODE_EXPORTER_FIXTURES } from '../helpers/fixtures';

export interface ParsedSeries {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  series: ParsedSeries[];
  types: Map<string, string>;
  helps: Map<string, string>;
}

export function parseExposition(text: string): Exposition {
  const series: ParsedSeries[] = [];
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  for (const line of text.split('\n')) {
    let m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) {
      types.set(m[1] as string, m[2] as string);
      continue;
    }
    m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) {
      helps.set(m[1] as string, m[2] as string);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (l[2] !== '') labels[l[1] as string] = l[2] as string;
    }
    series.push({ name: m[1] as string, labels, value: m[3] === 'NaN' ? NaN : Number(m[3]) });
  }
  return { series, types, helps };
}

export function seriesKey(s: { name: string; labels: Record<string, string> }): string {
  return `${s.name}{${Object.keys(s.labels).sort().map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(',')}}`;
}

let e2e: Exposition | null = null;
export function e2eExposition(): Exposition {
  e2e ??= parseExposition(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'e2e-output.txt'), 'utf8'));
  return e2e;
}

/**
 * The node_exporter families our collectors cover on its fixture tree. Left out, with the reason:
 * - node_network_{receive,transmit}_* (netdev): e2e ran netdev over netlink on the live machine's `lo`; the tree has
 *   no /proc/net/dev.
 * - node_cpu_{flag,bug}_info, _isolated, _core/package_throttles_total, _vulnerabilities_info: extra cpu flags and
 *   sysfs files the library does not read (yet).
 * - node_memory_numa_* (meminfo_numa, off by default), node_cooling_device_* (thermal cooling devices, not read).
 */
export const COVERED = /^node_(cpu_(seconds_total|guest_seconds_total|info|frequency_hertz|scaling_.*|frequency_(min|max)_hertz)|load(1|5|15)|boot_time_seconds|context_switches_total|forks_total|intr_total|procs_(running|blocked)|softirqs_total|memory_(?!numa_).*|vmstat_.*|disk_.*|network_(?!(receive|transmit)_).*|netstat_.*|sockstat_.*|hwmon_.*|thermal_zone_temp|power_supply_.*|processes_.*|time_clocksource_.*|pressure_.*|filefd_.*|entropy_.*|softnet_.*|schedstat_.*|nf_conntrack_.*|interrupts_total|arp_entries|udp_queues|textfile_.*)$|^testmetric.*$/;

export interface Comparison {
  missingFamilies: string[];
  typeMismatches: string[];
  missingSeries: string[];
  wrongValues: string[];
  compared: number;
}

/** Every covered e2e series must be in `ours` with the same labels, type and value. */
export function compareWithE2e(ours: Exposition): Comparison {
  const ref = e2eExposition();
  const byKey = new Map(ours.series.map((s) => [seriesKey(s), s]));
  const ourFamilies = new Set(ours.series.map((s) => s.name));
  const families = [...new Set(ref.series.map((s) => s.name))].filter((n) => COVERED.test(n));
  const out: Comparison = { missingFamilies: [], typeMismatches: [], missingSeries: [], wrongValues: [], compared: 0 };
  for (const f of families) {
    if (!ourFamilies.has(f)) out.missingFamilies.push(f);
    else if (ref.types.get(f) !== ours.types.get(f)) out.typeMismatches.push(`${f}: ${ref.types.get(f)} != ${ours.types.get(f)}`);
  }
  for (const s of ref.series) {
    if (!COVERED.test(s.name)) continue;
    out.compared++;
    const o = byKey.get(seriesKey(s));
    if (!o) {
      out.missingSeries.push(seriesKey(s));
      continue;
    }
    const same = Number.isNaN(s.value) ? Number.isNaN(o.value) : Math.abs(o.value - s.value) <= Math.abs(s.value) * 1e-9;
    if (!same) out.wrongValues.push(`${seriesKey(s)}: want ${s.value}, got ${o.value}`);
  }
  return out;
}

/** The agent config that matches how e2e-output.txt was produced (fixtures/README.md), shared with the e2e test. */
export const GOLDEN_CONFIG_FILE = path.resolve(__dirname, '..', 'fixtures', 'golden', 'node_exporter-fixture.yaml');
export const GOLDEN_CONFIG = fs.readFileSync(GOLDEN_CONFIG_FILE, 'utf8');

/** Our own expected exposition for that tree (regenerate with UPDATE_GOLDEN=1). */
export const GOLDEN_EXPOSITION_FILE = path.resolve(__dirname, '..', 'fixtures', 'golden', 'node_exporter-fixture.prom');

/** Lines that depend on the run, not on the tree: build info, durations, the wall clock and time zone, the checkout's file mtimes. */
export function stableLines(text: string): string[] {
  return text.split('\n').filter((l) => !/^(# (HELP|TYPE) )?(psutil_exporter_build_info|psutil_exporter_collection_duration_seconds|psutil_exporter_scrape_collector_duration_seconds|node_time_seconds|node_time_zone_offset_seconds)\b/.test(l) && !/^node_textfile_mtime_seconds\{/.test(l));
}
