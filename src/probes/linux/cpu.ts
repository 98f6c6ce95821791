/**
 * Linux CPU backend: /proc/stat, /proc/cpuinfo, /proc/loadavg and the sysfs cpu tree. Plain functions taking the
 * ProcFs first; values stay in the kernel's units (ticks, kHz) except where noted, the facade converts.
 */
import type { ProcFs } from './procfs';
import { parseStat, parseStatBtime, parseStatTotal, type StatCpuLine, type StatRecord } from './parse/stat';
import { parseCpuinfo, cpuinfoMhz, type CpuinfoBlock } from './parse/cpuinfo';
import { parseLoadavg, type Loadavg } from './parse/loadavg';
import { parseCpuList } from './parse/pidstatus';
import { parseSoftirqs, type Softirqs } from './parse/softirqs';
import { parseVulnerability, type CpuVulnerability } from './parse/vulnerability';
import { ParseError } from '../errors';
import * as native from './native';

// The system-wide files here are read with readHot: kept open and re-read from offset 0 on a real procfs/sysfs.
// stat and loadavg are single_open files (one record, whole): a short read has all of them.

export function readStat(fs: ProcFs): StatRecord {
  const p = fs.proc('stat');
  return parseStat(fs.readHotText(p, undefined, 'short'), p);
}

/** The btime line only (bootTime()): the intr line before it is not split. */
export function readStatBtime(fs: ProcFs): number | null {
  const p = fs.proc('stat');
  return parseStatBtime(fs.readHotText(p, undefined, 'short'), p);
}

/** The aggregate cpu line only (cpuTimes() without percpu): skips walking the per-CPU and intr lines. */
export function readStatTotal(fs: ProcFs): StatCpuLine {
  const p = fs.proc('stat');
  return parseStatTotal(fs.readHotText(p, undefined, 'short'), p);
}

export function readCpuinfo(fs: ProcFs): readonly CpuinfoBlock[] {
  const p = fs.proc('cpuinfo');
  return parseCpuinfo(fs.readHotText(p), p);
}

function readCpuinfoOrNull(fs: ProcFs): readonly CpuinfoBlock[] | null {
  const p = fs.proc('cpuinfo');
  const text = fs.readHotTextOrNull(p);
  return text === null ? null : parseCpuinfo(text, p);
}

export function readLoadavg(fs: ProcFs): Loadavg {
  const p = fs.proc('loadavg');
  return parseLoadavg(fs.readHotText(p, undefined, 'short'), p);
}

/**
 * psutil's getloadavg(): on the real /proc, sysinfo(2) as glibc's getloadavg(3) does (no file; full precision, where
 * /proc/loadavg rounds to 2 decimals); under any other procfs root (a fixture, a host's /proc mounted elsewhere)
 * that tree's loadavg file, since sysinfo would describe this machine. The array may be reused by the next call.
 */
export function loadavg(fs: ProcFs): readonly [number, number, number] {
  // native's array is reused by its next call: the caller copies.
  if (fs.procfs === '/proc') return native.sysinfoLoads();
  const l = readLoadavg(fs);
  return [l.load1, l.load5, l.load15];
}

/**
 * The online CPUs as sysconf(_SC_NPROCESSORS_ONLN) counts them (glibc reads /sys/devices/system/cpu/online), from a
 * kept-open fd of that file; null when it is absent or not a CPU list, and the caller asks sysconf itself.
 */
function onlineCpus(fs: ProcFs): number | null {
  const p = fs.sys('devices/system/cpu/online');
  const text = fs.readHotTextOrNull(p, undefined, 'short');
  if (text === null) return null;
  try {
    const n = parseCpuList(text, p).length;
    return n > 0 ? n : null;
  } catch (err) {
    // A malformed file: glibc then falls back as well, and sysconf gives its answer.
    if (err instanceof ParseError) return null;
    throw err;
  }
}

/**
 * Logical CPUs. On the real /proc, sysconf(_SC_NPROCESSORS_ONLN) as psutil does; with any other procfs root
 * (a fixture, a host's /proc mounted elsewhere) sysconf would describe the wrong machine, so count that tree's
 * /proc/cpuinfo `processor` lines, then its /proc/stat `cpuN` lines. null when nothing says.
 */
export function cpuCountLogical(fs: ProcFs): number | null {
  if (fs.procfs === '/proc') {
    // sysconf reads the real /sys: the same file, read faster, only when this instance's sysfs is the real one too.
    const online = fs.sysfs === '/sys' ? onlineCpus(fs) : null;
    if (online !== null) return online;
    const n = native.sysconf(native.SC_NPROCESSORS_ONLN);
    if (n > 0) return n;
  }
  const blocks = readCpuinfoOrNull(fs);
  let num = 0;
  if (blocks !== null) {
    for (const b of blocks) for (const k of Object.keys(b)) if (k.toLowerCase().startsWith('processor')) num++;
  }
  if (num === 0) {
    // Unknown cpuinfo format (sparc, some ARM): count the per-CPU lines of /proc/stat (psutil #200).
    num = readStat(fs).cpus.length;
  }
  return num > 0 ? num : null;
}

function cpuDirs(fs: ProcFs): { cpu: number; dir: string }[] {
  const base = fs.sys('devices/system/cpu');
  const out: { cpu: number; dir: string }[] = [];
  // Kept open and listed again on a real sysfs (the directory lives as long as the system).
  for (const name of fs.readdirHotOrEmpty(base)) {
    const m = /^cpu(\d+)$/.exec(name);
    if (m) out.push({ cpu: Number(m[1]), dir: `${base}/${name}` });
  }
  return out.sort((a, b) => a.cpu - b.cpu);
}

/**
 * Physical cores: distinct sysfs topology/core_cpus_list (or the older thread_siblings_list) values, else Σ `cpu cores`
 * per distinct `physical id` in /proc/cpuinfo. null when neither says (psutil mimics os.cpu_count()).
 */
export function cpuCountCores(fs: ProcFs): number | null {
  const dirs = cpuDirs(fs);
  for (const leaf of ['core_cpus_list', 'thread_siblings_list']) {
    const seen = new Set<string>();
    for (const d of dirs) {
      const v = fs.readAttr(`${d.dir}/topology/${leaf}`);
      if (v !== null) seen.add(v);
    }
    if (seen.size > 0) return seen.size;
  }
  const blocks = readCpuinfoOrNull(fs);
  if (blocks === null) return null;
  const perPackage = new Map<string, number>();
  for (const b of blocks) {
    let phys: string | undefined;
    let cores: string | undefined;
    for (const [k, v] of Object.entries(b)) {
      const key = k.toLowerCase();
      if (key === 'physical id') phys = v;
      else if (key === 'cpu cores') cores = v;
    }
    if (phys !== undefined && cores !== undefined && /^\d+$/.test(cores)) perPackage.set(phys, Number(cores));
  }
  let sum = 0;
  for (const n of perPackage.values()) sum += n;
  return sum > 0 ? sum : null;
}

/** One scpufreq in MHz. */
export interface FreqEntry {
  current: number;
  min: number;
  max: number;
}

/** A sysfs frequency attribute in kHz; `<unknown>`/`<unsupported>` (what some drivers print) count as absent. */
function khz(fs: ProcFs, p: string): number | null {
  const v = fs.readAttr(p);
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
}

/** khz() through a kept-open fd: for the cpufreq policy attributes cpuFreq() reads on every call. */
function khzHot(fs: ProcFs, p: string): number | null {
  const v = fs.readHotAttr(p);
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
}

/** A cpufreq directory: policyN, or cpuN/cpufreq where there are no policy dirs. */
export interface FreqPolicy {
  readonly n: number;
  readonly dir: string;
}

/**
 * What cpuFreq() found in sysfs, kept by the caller between calls (psutil itself decides at import whether cpufreq
 * exists): the cpufreq directories, sorted by number, and how many `cpu MHz` lines cpuinfo had then. A change in that
 * count (a CPU onlined for the first time creates its policy) or a directory that vanished (driver unloaded) makes
 * cpuFreq() look again.
 */
export interface CpuFreqProbe {
  readonly policies: readonly FreqPolicy[];
  readonly mhzCount: number;
}

function probePolicies(fs: ProcFs): FreqPolicy[] {
  const base = fs.sys('devices/system/cpu');
  let paths: FreqPolicy[] = [];
  for (const name of fs.readdirOrEmpty(`${base}/cpufreq`)) {
    const m = /^policy(\d+)$/.exec(name);
    if (m) paths.push({ n: Number(m[1]), dir: `${base}/cpufreq/${name}` });
  }
  if (paths.length === 0) {
    paths = cpuDirs(fs)
      .filter((d) => fs.exists(`${d.dir}/cpufreq`))
      .map((d) => ({ n: d.cpu, dir: `${d.dir}/cpufreq` }));
  }
  return paths.sort((a, b) => a.n - b.n);
}

export interface CpuFreqResult {
  entries: FreqEntry[];
  /** CPUs whose current frequency no file gave (psutil raises NotImplementedError; we report 0 and warn). */
  unknownCurrent: number[];
  /** The probe these entries came from: pass it to the next call. */
  probe: CpuFreqProbe;
}

/**
 * psutil's cpu_freq(): one entry per cpufreq policy (or per cpuN/cpufreq where there are no policy dirs). The
 * current value comes from /proc/cpuinfo `cpu MHz` when its count matches (psutil #1851, the kernel caches it
 * there), else scaling_cur_freq, else cpuinfo_cur_freq (old RedHat, psutil #1071); an offline CPU gives zeros.
 * Without any cpufreq in sysfs: the cpuinfo MHz values with min = max = 0. No source at all: no entries.
 * `probe` is the previous call's result.probe (null: look at sysfs now).
 */
export function cpuFreq(fs: ProcFs, probe: CpuFreqProbe | null = null): CpuFreqResult {
  const cpuinfo = fs.readHotTextOrNull(fs.proc('cpuinfo'));
  const mhz = cpuinfo === null ? [] : cpuinfoMhz(cpuinfo);
  let pr =
    probe !== null && probe.mhzCount === mhz.length ? probe : { policies: probePolicies(fs), mhzCount: mhz.length };
  let r = freqEntries(fs, pr.policies, mhz, pr === probe);
  if (r === null) {
    // A kept directory vanished: look again.
    pr = { policies: probePolicies(fs), mhzCount: mhz.length };
    r = freqEntries(fs, pr.policies, mhz, false)!;
  }
  return { ...r, probe: pr };
}

/**
 * The entries for these directories. With `verify` (directories from an earlier call), null when one of them is gone
 * and the probe is stale; a fresh probe's directories are taken as they are, as psutil takes its glob.
 */
function freqEntries(
  fs: ProcFs,
  paths: readonly FreqPolicy[],
  mhz: readonly number[],
  verify: boolean,
): { entries: FreqEntry[]; unknownCurrent: number[] } | null {
  if (paths.length === 0) return { entries: mhz.map((m) => ({ current: m, min: 0, max: 0 })), unknownCurrent: [] };
  const base = fs.sys('devices/system/cpu');
  const entries: FreqEntry[] = [];
  const unknownCurrent: number[] = [];
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i]!;
    let cur: number | null =
      paths.length === mhz.length ? (mhz[i] as number) * 1000 : khzHot(fs, `${p.dir}/scaling_cur_freq`);
    cur ??= khzHot(fs, `${p.dir}/cpuinfo_cur_freq`);
    const min = khzHot(fs, `${p.dir}/scaling_min_freq`);
    const max = khzHot(fs, `${p.dir}/scaling_max_freq`);
    // Only a failed read costs the existence check.
    if (verify && (cur === null || min === null || max === null) && !fs.exists(p.dir)) return null;
    if (cur === null) {
      if (fs.readHotAttr(`${base}/cpu${p.n}/online`) === '0') {
        entries.push({ current: 0, min: 0, max: 0 });
        continue;
      }
      unknownCurrent.push(p.n);
      cur = 0;
    }
    entries.push({ current: cur / 1000, min: (min ?? 0) / 1000, max: (max ?? 0) / 1000 });
  }
  return { entries, unknownCurrent };
}

export interface CpuFreqDetail {
  cpu: number;
  /** cpuinfo_cur_freq: the frequency the hardware reports (root-only on some drivers). */
  currentHz: number | null;
  minHz: number | null;
  maxHz: number | null;
  /** scaling_cur_freq: what the governor last set (or the driver's estimate). */
  scalingCurrentHz: number | null;
  scalingMinHz: number | null;
  scalingMaxHz: number | null;
  governor: string | null;
  availableGovernors: string[];
  driver: string | null;
}

/** Per-CPU sysfs cpufreq attributes, node_exporter's cpufreq collector way (cpuN/cpufreq, following symlinks). */
export function cpuFreqDetails(fs: ProcFs): CpuFreqDetail[] {
  const out: CpuFreqDetail[] = [];
  const hz = (p: string) => {
    const k = khz(fs, p);
    return k === null ? null : k * 1000;
  };
  for (const d of cpuDirs(fs)) {
    const dir = `${d.dir}/cpufreq`;
    // A cpufreq entry that is not a directory (a dangling or flattened link) has nothing to read.
    if (fs.readdirOrEmpty(dir).length === 0) continue;
    const govs = fs.readAttr(`${dir}/scaling_available_governors`);
    out.push({
      cpu: d.cpu,
      currentHz: hz(`${dir}/cpuinfo_cur_freq`),
      minHz: hz(`${dir}/cpuinfo_min_freq`),
      maxHz: hz(`${dir}/cpuinfo_max_freq`),
      scalingCurrentHz: hz(`${dir}/scaling_cur_freq`),
      scalingMinHz: hz(`${dir}/scaling_min_freq`),
      scalingMaxHz: hz(`${dir}/scaling_max_freq`),
      governor: fs.readAttr(`${dir}/scaling_governor`),
      availableGovernors: govs === null || govs === '' ? [] : govs.split(/\s+/),
      driver: fs.readAttr(`${dir}/scaling_driver`),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// node_exporter's cpu extras: thermal throttle counts, isolated CPUs, vulnerabilities; /proc/softirqs

export type { Softirqs, SoftirqLine } from './parse/softirqs';
export type { CpuVulnerability };

export interface CpuThrottles {
  /** thermal_throttle/package_throttle_count, read once per physical package (from its first CPU that has it). */
  packages: { package: number; throttles: number }[];
  /** thermal_throttle/core_throttle_count, read once per (package, core) (from its first CPU that has it). */
  cores: { package: number; core: number; throttles: number }[];
}

/** A sysfs attribute holding one unsigned decimal; null when absent, unreadable or not a number (node_exporter skips it). */
function uintAttr(fs: ProcFs, p: string): number | null {
  const v = fs.readAttr(p);
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
}

/** The CPU directories whose throttle counts answer for a package or a (package, core), as a pass reads them. */
interface ThrottleTopology {
  /** /sys/devices/system/cpu/online when read: the topology is valid while it reads the same. */
  readonly online: string | null;
  /** The cpuN names listed, joined: a CPU added or removed (physical hotplug) changes it. */
  readonly listed: string;
  readonly packages: ReadonlyArray<{ readonly package: number; readonly dir: string }>;
  readonly cores: ReadonlyArray<{ readonly package: number; readonly core: number; readonly dir: string }>;
}

/**
 * Per ProcFs (one per root): the last topology read. physical_package_id and core_id are fixed while a CPU is
 * online, and its topology directory only appears or goes with CPU hotplug, which rewrites cpu/online (and, for a
 * physically added or removed CPU, the cpuN listing): either changing reads the topology again.
 */
const throttleTopologies = new WeakMap<ProcFs, ThrottleTopology>();

function throttleTopology(fs: ProcFs): ThrottleTopology {
  const online = fs.readAttr(fs.sys('devices/system/cpu/online'));
  // In node_exporter's glob order (cpu10 before cpu2): the first CPU of a core or package is the one whose count is read.
  const dirs = cpuDirs(fs).sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  const listed = dirs.map((d) => d.cpu).join(',');
  const known = throttleTopologies.get(fs);
  if (known !== undefined && known.online === online && known.listed === listed) return known;
  const packages = new Map<number, string>();
  const cores = new Map<string, { package: number; core: number; dir: string }>();
  for (const d of dirs) {
    const pkg = uintAttr(fs, `${d.dir}/topology/physical_package_id`);
    const core = uintAttr(fs, `${d.dir}/topology/core_id`);
    if (pkg === null || core === null) continue;
    const key = `${pkg}/${core}`;
    // Hyperthread siblings share the core's count: the first CPU read answers for the core.
    if (!cores.has(key)) cores.set(key, { package: pkg, core, dir: d.dir });
    if (!packages.has(pkg)) packages.set(pkg, d.dir);
  }
  const topo: ThrottleTopology = {
    online,
    listed,
    packages: [...packages].map(([pkg, dir]) => ({ package: pkg, dir })),
    cores: [...cores.values()],
  };
  throttleTopologies.set(fs, topo);
  return topo;
}

/**
 * cpuN/thermal_throttle counts (x86 with thermal interrupts), node_exporter's way: CPUs without a topology are
 * skipped, each package and each (package, core) is read once, and a missing count leaves its series out. The
 * topology is read again only after CPU hotplug (throttleTopology); the counts every pass.
 */
export function cpuThermalThrottles(fs: ProcFs): CpuThrottles {
  const topo = throttleTopology(fs);
  const out: CpuThrottles = { packages: [], cores: [] };
  for (const p of topo.packages) {
    const n = uintAttr(fs, `${p.dir}/thermal_throttle/package_throttle_count`);
    if (n !== null) out.packages.push({ package: p.package, throttles: n });
  }
  for (const c of topo.cores) {
    const n = uintAttr(fs, `${c.dir}/thermal_throttle/core_throttle_count`);
    if (n !== null) out.cores.push({ package: c.package, core: c.core, throttles: n });
  }
  return out;
}

/** /sys/devices/system/cpu/isolated as CPU numbers; null where the file is absent (kernels before 4.2). */
export function isolatedCpus(fs: ProcFs): number[] | null {
  const p = fs.sys('devices/system/cpu/isolated');
  const text = fs.readTextOrNull(p);
  return text === null ? null : parseCpuList(text, p);
}

/** /sys/devices/system/cpu/vulnerabilities/*, by file name; [] where the directory is absent (kernels before 4.15). */
export function cpuVulnerabilities(fs: ProcFs): CpuVulnerability[] {
  const dir = fs.sys('devices/system/cpu/vulnerabilities');
  return fs
    .readdirOrEmpty(dir)
    .sort()
    .map((name) => {
      const p = `${dir}/${name}`;
      return parseVulnerability(name, fs.readText(p), p);
    });
}

/** /proc/softirqs: per-CPU counts of each softirq vector. */
export function procSoftirqs(fs: ProcFs): Softirqs {
  const p = fs.proc('softirqs');
  // A seq_file whose lines grow with the CPU count (11 bytes a CPU): only a read of 0 bytes ends it.
  return parseSoftirqs(fs.readHotText(p, undefined, 'eof'), p);
}
