/**
 * The golden comparison. Ours: node_exporter 1.5.0's exposition of our own fake host (test/fixtures/golden-host,
 * node_exporter-1.5.0.prom, written by its regenerate.sh) against the agent's on the same tree: every series of the
 * file, same labels, type and value (bit for bit), and nothing more from the agent than the documented newer
 * node_exporter series and its own families. The peers' extra (describePeer): node_exporter's own fixture host and its
 * e2e-output.txt, for the families we cover. Both parse into series with empty labels dropped (Prometheus reads an
 * empty label as an absent one; node_exporter's power_supply_info gives each supply only its non-empty labels).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NODE_EXPORTER_FIXTURES, own } from '../helpers/fixtures';

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

/**
 * The series' name and labels as one string. node_rapl_*'s `path` label is the zone's directory as the sysfs root
 * names it (relative in the recorded command lines, wherever a test put the tree for the agent): only its part from
 * class/powercap/ on is compared.
 */
export function seriesKey(s: { name: string; labels: Record<string, string> }): string {
  const path = s.labels['path'];
  const at = path === undefined || !s.name.startsWith('node_rapl_') ? -1 : path.indexOf('/class/powercap/');
  const labels = at < 0 ? s.labels : { ...s.labels, path: '<sysfs>' + (path as string).slice(at) };
  return `${s.name}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;
}

// ---- ours: node_exporter 1.5.0 on test/fixtures/golden-host ----

/** The fake host; the agent runs on it from the repository root (its textfile directory is relative, as recorded). */
export const GOLDEN_HOST = own('golden-host');
/** The agent's collectors and options, equivalent to the node_exporter command line in the expected file's header. */
export const GOLDEN_HOST_CONFIG_FILE = path.join(GOLDEN_HOST, 'config.yaml');
/** What Debian's prometheus-node-exporter 1.5.0 serves on the tree (regenerate.sh). */
export const GOLDEN_HOST_EXPECTED_FILE = path.join(GOLDEN_HOST, 'node_exporter-1.5.0.prom');

/** The agent's path flags for the fake host. */
export function goldenHostPaths(): { procfs: string; sysfs: string; rootfs: string } {
  return { procfs: path.join(GOLDEN_HOST, 'proc'), sysfs: path.join(GOLDEN_HOST, 'sys'), rootfs: GOLDEN_HOST };
}

/**
 * node_exporter's per-collector duration and success: run-dependent (durations) or about the exporter rather than the
 * host; the agent's own, under node_exporter's collector names, are checked in test/e2e/flags.test.ts.
 */
const NODE_EXPORTER_SELF = new Set(['node_scrape_collector_success', 'node_scrape_collector_duration_seconds']);

/** Values that depend on the checkout rather than the tree (the files' mtimes): their series' labels are compared. */
const CHECKOUT_DEPENDENT = new Set(['node_textfile_mtime_seconds']);

/** Labels that node_exporter releases newer than 1.5.0 added and the agent has: dropped from ours before matching. */
export const NEWER_LABELS: Readonly<Record<string, readonly string[]>> = {
  node_disk_info: ['rotational'],
  node_network_info: ['adminstate'],
  node_nvme_info: ['cntlid'],
};

/** Both sides of one difference: node_exporter 1.5.0's procfs (0.8) lacks two NFSv4 operations. */
const NFSD_V4_OPS =
  "1.5.0's procfs reads proc4ops without SETCLIENTID and SETCLIENTID_CONFIRM (columns 35 and 36), so its Verify, " +
  'Write and RelLockOwner take the columns of the two before them; newer node_exporter (the e2e output) and the ' +
  'agent read every operation at its number';

/** Both sides of one difference: a disk whose udev data has ID_SERIAL and no ID_SERIAL_SHORT (cciss!c0d0 here). */
const SERIAL_FALLBACK =
  "node_disk_info's serial falls back to ID_SERIAL without ID_SERIAL_SHORT in newer node_exporter and the agent " +
  "(the peers' e2e-output.txt: mmcblk0), 1.5.0 leaves it empty";

/**
 * Series the agent emits on the fake host that node_exporter 1.5.0 does not, each with the reason. Apart from the
 * agent's own families and the clock, all are newer node_exporter's (its e2e-output.txt has every one of them).
 */
export const AGENT_ONLY: ReadonlyArray<readonly [RegExp, string]> = [
  [/^psutil_/, "the agent's own families (psutil_cpu_percent is off here; psutil_exporter_* self metrics)"],
  [/^node_time_(seconds|zone_offset_seconds)\{/, 'the clock at the run: regenerate.sh leaves them out of the file'],
  [/^node_cpu_scaling_governor\{/, 'cpufreq governors: newer node_exporter'],
  [/^node_cpu_frequency_hertz\{core=/, "/proc/cpuinfo's `cpu MHz` with cpu.info: newer node_exporter"],
  [
    /^node_softnet_(cpu_collision_total|received_rps_total|flow_limit_count_total|backlog_len)\{/,
    'softnet columns 4-13: newer node_exporter',
  ],
  [/^node_pressure_irq_stalled_seconds_total\{/, 'irq pressure (Linux 6.1+): newer node_exporter'],
  [
    /^node_hwmon_freq_freq_mhz\{|^node_hwmon_sensor_label\{.*sensor="freq\d+"/,
    'hwmon freq sensors (amdgpu sclk/mclk): 1.5.0 skips freqN files',
  ],
  [/^node_disk_info\{device="cciss!c0d0",/, SERIAL_FALLBACK],
  [/^node_edac_channel_(un)?correctable_errors_total\{/, 'EDAC per-channel counts: newer node_exporter'],
  [
    /^node_btrfs_(commits_total|last_commit_seconds|max_commit_seconds|commit_seconds_total)\{/,
    'btrfs commit_stats: newer node_exporter',
  ],
  [/^node_nfsd_requests_total\{method="SetClientID(Confirm)?",proto="4"\}$/, NFSD_V4_OPS],
  [
    /^node_network_receive_nohandler_total\{/,
    "rx_nohandler from sysfs statistics: node_exporter reads it over netlink (its default), regenerate.sh's run has netlink off",
  ],
];

/**
 * Series of node_exporter 1.5.0 that the agent does not emit, each with the reason. Keep it short: each is a
 * difference a user of 1.5.0 would see.
 */
export const NODE_EXPORTER_ONLY: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /^node_cpu_frequency_hertz\{cpu="\d+"\}$/,
    "cpufreq's cpuinfo_cur_freq, 1.5.0's only node_cpu_frequency_hertz: with cpu.info on, the agent's cpu collector " +
      "fills that name from /proc/cpuinfo ({package,core,cpu}, as newer node_exporter) and cpufreq's same-named series are dropped",
  ],
  [/^node_disk_info\{device="cciss!c0d0",/, SERIAL_FALLBACK],
];

/**
 * Series of node_exporter 1.5.0 whose value the agent gives differently on purpose, each with the reason: the value
 * is not compared (the series must still be there on both sides).
 */
export const HOST_VALUE_DIFFERENCES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^node_nfsd_requests_total\{method="(Verify|Write|RelLockOwner)",proto="4"\}$/, NFSD_V4_OPS],
];

export interface HostComparison {
  /** Families of the file the agent does not emit at all. */
  missingFamilies: string[];
  typeMismatches: string[];
  /** Series of the file the agent lacks (undocumented). */
  missingSeries: string[];
  wrongValues: string[];
  /** Series the agent emits that the file does not have (undocumented). */
  extraSeries: string[];
  /** Series of the file compared (found or not). */
  compared: number;
  /** Series of the file the agent reproduces: same labels (newer labels aside), type and value. */
  reproduced: number;
}

function dropLabels(s: ParsedSeries): ParsedSeries {
  const drop = NEWER_LABELS[s.name];
  if (!drop) return s;
  const labels = { ...s.labels };
  for (const l of drop) delete labels[l];
  return { ...s, labels };
}

const sameValue = (a: number, b: number): boolean => (Number.isNaN(a) ? Number.isNaN(b) : a === b);

/** The agent's exposition of the fake host against node_exporter 1.5.0's. */
export function compareWithNodeExporter(ref: Exposition, ours: Exposition): HostComparison {
  const out: HostComparison = {
    missingFamilies: [],
    typeMismatches: [],
    missingSeries: [],
    wrongValues: [],
    extraSeries: [],
    compared: 0,
    reproduced: 0,
  };
  const mine = new Map(ours.series.map((s) => [seriesKey(dropLabels(s)), s]));
  const theirs = new Set(ref.series.map(seriesKey));
  const ourFamilies = new Set(ours.series.map((s) => s.name));
  for (const f of new Set(ref.series.map((s) => s.name))) {
    if (NODE_EXPORTER_SELF.has(f)) continue;
    if (!ourFamilies.has(f)) out.missingFamilies.push(f);
    else if (ref.types.get(f) !== ours.types.get(f))
      out.typeMismatches.push(`${f}: ${String(ref.types.get(f))} != ${String(ours.types.get(f))}`);
  }
  for (const s of ref.series) {
    if (NODE_EXPORTER_SELF.has(s.name)) continue;
    out.compared++;
    const k = seriesKey(s);
    const o = mine.get(k);
    if (!o) {
      if (!NODE_EXPORTER_ONLY.some(([re]) => re.test(k))) out.missingSeries.push(k);
      continue;
    }
    if (HOST_VALUE_DIFFERENCES.some(([re]) => re.test(k))) out.reproduced++;
    else if (!CHECKOUT_DEPENDENT.has(s.name) && !sameValue(s.value, o.value))
      out.wrongValues.push(`${k}: node_exporter ${s.value}, agent ${o.value}`);
    else out.reproduced++;
  }
  for (const s of ours.series) {
    // The process_* families are the agent process's own (node_exporter's were left out of the expected file).
    if (NODE_EXPORTER_SELF.has(s.name) || s.name.startsWith('process_')) continue;
    const k = seriesKey(dropLabels(s));
    if (!theirs.has(k) && !AGENT_ONLY.some(([re]) => re.test(k))) out.extraSeries.push(k);
  }
  return out;
}

/** Every documented difference must still occur: an entry that matches nothing is stale. */
export function staleAllowances(ref: Exposition, ours: Exposition): string[] {
  const refKeys = ref.series.map(seriesKey);
  const ourKeys = ours.series.map((s) => seriesKey(dropLabels(s)));
  const stale: string[] = [];
  for (const [re, why] of NODE_EXPORTER_ONLY)
    if (!refKeys.some((k) => re.test(k))) stale.push(`node_exporter-only ${re.source}: ${why}`);
  const mine = new Map(ours.series.map((s) => [seriesKey(dropLabels(s)), s]));
  for (const [re, why] of HOST_VALUE_DIFFERENCES) {
    const differs = ref.series.some((r) => {
      const k = seriesKey(r);
      const o = mine.get(k);
      return re.test(k) && o !== undefined && !sameValue(r.value, o.value);
    });
    if (!differs) stale.push(`value difference ${re.source}: ${why}`);
  }
  for (const [re, why] of AGENT_ONLY)
    if (!ourKeys.some((k) => re.test(k))) stale.push(`agent-only ${re.source}: ${why}`);
  for (const [family, labels] of Object.entries(NEWER_LABELS)) {
    for (const l of labels)
      if (!ours.series.some((s) => s.name === family && l in s.labels)) stale.push(`newer label ${family}{${l}}`);
  }
  return stale;
}

// ---- the peers' extra: node_exporter's fixture host and its e2e-output.txt ----

let e2e: Exposition | null = null;
export function e2eExposition(): Exposition {
  e2e ??= parseExposition(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'e2e-output.txt'), 'utf8'));
  return e2e;
}

/**
 * The node_exporter families our collectors cover on its fixture tree. Left out, with the reason:
 * - node_network_{receive,transmit}_* (netdev): e2e ran netdev over netlink on the live machine's `lo`; the tree has
 *   no /proc/net/dev.
 * - node_memory_numa_* (meminfo_numa, off by default).
 * - node_md_{degraded,raid_disks}: newer node_exporter reads them from /sys/block/md<N>/md, 1.5.0 and the agent do not.
 * - node_nvme_namespace_*: newer node_exporter's, not read.
 * - node_timex_*: e2e's came from the live machine (the agent's timex is off on the tree).
 */
export const COVERED =
  /^node_(cpu_(seconds_total|guest_seconds_total|info|frequency_hertz|scaling_.*|frequency_(min|max)_hertz|flag_info|bug_info|isolated|(core|package)_throttles_total|vulnerabilities_info)|cooling_device_.*|softirqs_functions_total|ipvs_.*|fibrechannel_.*|infiniband_.*|tape_.*|bcache_.*|load(1|5|15)|boot_time_seconds|context_switches_total|forks_total|intr_total|procs_(running|blocked)|softirqs_total|memory_(?!numa_).*|vmstat_.*|disk_.*|network_(?!(receive|transmit)_).*|netstat_.*|sockstat_.*|hwmon_.*|thermal_zone_temp|power_supply_.*|processes_.*|time_clocksource_.*|pressure_.*|filefd_.*|entropy_.*|softnet_.*|schedstat_.*|nf_conntrack_.*|interrupts_total|arp_entries|udp_queues|textfile_.*|md_(disks_required|disks|state|blocks|blocks_synced)|nfsd?_.*|nvme_info|dmi_info|rapl_.*|edac_.*|bonding_.*|xfs_.*|btrfs_.*|zfs_.*)$|^testmetric.*$/;

export interface Comparison {
  missingFamilies: string[];
  typeMismatches: string[];
  missingSeries: string[];
  wrongValues: string[];
  compared: number;
}

/**
 * Covered e2e series whose value the agent gives differently on purpose, each with the reason: the value is not
 * compared (the series must still be there).
 */
export const E2E_VALUE_DIFFERENCES: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /^node_nfs_requests_total\{method="(LayoutGet|GetDeviceInfo)",proto="4"\}$/,
    "proc4's 45th and 46th columns are LAYOUTGET then GETDEVICEINFO (the kernel's NFSPROC4_CLNT_* order, procfs' " +
      'ClientV4Stats, node_exporter 1.5.0); the e2e output has the two values the other way round',
  ],
];

/** Every covered e2e series must be in `ours` with the same labels, type and value (exactly: the float64 node_exporter printed). */
export function compareWithE2e(ours: Exposition): Comparison {
  const ref = e2eExposition();
  const byKey = new Map(ours.series.map((s) => [seriesKey(s), s]));
  const ourFamilies = new Set(ours.series.map((s) => s.name));
  const families = [...new Set(ref.series.map((s) => s.name))].filter((n) => COVERED.test(n));
  const out: Comparison = { missingFamilies: [], typeMismatches: [], missingSeries: [], wrongValues: [], compared: 0 };
  for (const f of families) {
    if (!ourFamilies.has(f)) out.missingFamilies.push(f);
    else if (ref.types.get(f) !== ours.types.get(f))
      out.typeMismatches.push(`${f}: ${ref.types.get(f)} != ${ours.types.get(f)}`);
  }
  for (const s of ref.series) {
    if (!COVERED.test(s.name)) continue;
    out.compared++;
    const o = byKey.get(seriesKey(s));
    if (!o) {
      out.missingSeries.push(seriesKey(s));
      continue;
    }
    if (E2E_VALUE_DIFFERENCES.some(([re]) => re.test(seriesKey(s)))) continue;
    const same = Number.isNaN(s.value) ? Number.isNaN(o.value) : o.value === s.value;
    if (!same) out.wrongValues.push(`${seriesKey(s)}: want ${s.value}, got ${o.value}`);
  }
  return out;
}

/** The agent config that matches how the peers' e2e-output.txt was produced (their fixtures/README.md). */
export const GOLDEN_CONFIG_FILE = path.resolve(__dirname, '..', 'fixtures', 'golden', 'node_exporter-fixture.yaml');
export const GOLDEN_CONFIG = fs.readFileSync(GOLDEN_CONFIG_FILE, 'utf8');

/** The agent's own exposition of the peers' tree, checked in (regenerate with UPDATE_GOLDEN=1 where the peers' tree is). */
export const GOLDEN_EXPOSITION_FILE = path.resolve(__dirname, '..', 'fixtures', 'golden', 'node_exporter-fixture.prom');

/**
 * Lines that depend on the run, not on the tree: build info, durations, the wall clock and time zone, the checkout's
 * file mtimes; and node_rapl_*'s `path` label keeps only its part under the sysfs root (the tree is materialized in a
 * temporary directory).
 */
export function stableLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) =>
      l.startsWith('node_rapl_') ? l.replace(/path="[^"]*(\/class\/powercap\/[^"]*)"/, 'path="<sysfs>$1"') : l,
    )
    .filter(
      (l) =>
        !/^(# (HELP|TYPE) )?(psutil_exporter_build_info|psutil_exporter_collection_duration_seconds|psutil_exporter_scrape_collector_duration_seconds|node_scrape_collector_duration_seconds|process_\w+|node_time_seconds|node_time_zone_offset_seconds)\b/.test(
          l,
        ) && !/^node_textfile_mtime_seconds\{/.test(l),
    );
}
