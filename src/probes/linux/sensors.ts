/**
 * Linux sensors backend: /sys/class/hwmon, /sys/class/thermal and /sys/class/power_supply, read the way psutil's
 * sensors_* functions read them, plus raw readers for the agent's node_hwmon_*, node_thermal_zone_* and
 * node_power_supply_* families. Plain functions taking the ProcFs first.
 *
 * Error policy: a sensor file that cannot be read (EIO/ENODATA from a sensor that is off, a race with a driver) skips
 * that sensor, as psutil does ("/sys/class/hwmon really is a stinky broken mess": psutil #1009, #1101, #1129, #1245,
 * #1323); a file that reads but holds something other than a number is a ParseError naming the file.
 */
import * as path from 'node:path';
import type { ProcFs } from './procfs';
import { OsError, ParseError } from '../errors';
import { POWER_TIME_UNKNOWN, POWER_TIME_UNLIMITED } from '../constants';

// ---------------------------------------------------------------------------------------------------------------
// attribute helpers

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A numeric sysfs attribute: null when it cannot be read, ParseError when it is not a number. */
function readNumber(fs: ProcFs, p: string, kind: 'int' | 'float'): number | null {
  const text = fs.readAttr(p);
  if (text === null) return null;
  if (!(kind === 'int' ? INT : FLOAT).test(text)) {
    throw new ParseError(
      p,
      `expected ${kind === 'int' ? 'an integer' : 'a number'}, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return Number(text);
}

/**
 * Entries of a directory matching a glob-like test; [] when it does not exist or is not a directory. The existence
 * check first spares building an error for the common absent case (no hwmon class in a VM or container).
 */
function list(fs: ProcFs, dir: string, test: (name: string) => boolean): string[] {
  if (!fs.exists(dir)) return [];
  return fs.readdirOrEmpty(dir).filter(test);
}

/** The hwmon class entries (`hwmon*`), listed once per call (a class directory: kept open on a real sysfs). */
function hwmonEntries(fs: ProcFs): string[] {
  return fs.readdirHotOrEmpty(fs.sys('class/hwmon')).filter((n) => n.startsWith('hwmon'));
}

/** The target of a symlink, resolved against its directory; the path itself when it is not a link (EINVAL). */
function resolveLink(fs: ProcFs, p: string): string {
  try {
    return path.resolve(path.dirname(p), fs.readlink(p));
  } catch (err) {
    if (err instanceof OsError && err.osCode === 'EINVAL') return p;
    throw err;
  }
}

function isDirectory(fs: ProcFs, p: string): boolean {
  return fs.exists(p) && fs.stat(p).isDirectory();
}

// ---------------------------------------------------------------------------------------------------------------
// psutil: sensors_temperatures / sensors_fans / sensors_battery

/** psutil's raw temperature tuple: (label, current, high, critical) in °C. */
export type TemperatureRow = [label: string, current: number, high: number | null, critical: number | null];
export type FanRow = [label: string, current: number];

/**
 * Sensor base paths (`.../hwmon0/temp1`) for a prefix, as psutil globs `/sys/class/hwmon/hwmon*\/<prefix>*_*`
 * (and `.../device/<prefix>*_*` when `device`), sorted as full paths.
 */
function hwmonBases(fs: ProcFs, hwmons: readonly string[], prefix: string, where: 'dir' | 'device'): string[] {
  const root = fs.sys('class/hwmon');
  const bases = new Set<string>();
  for (const h of hwmons) {
    const dir = where === 'dir' ? `${root}/${h}` : `${root}/${h}/device`;
    for (const f of list(fs, dir, (n) => n.startsWith(prefix) && n.indexOf('_', prefix.length) >= 0)) {
      bases.add(`${dir}/${f.slice(0, f.indexOf('_'))}`);
    }
  }
  return [...bases].sort();
}

/**
 * psutil's coretemp addition (#1708): temperature bases under devices/platform/coretemp.* whose hwmon is not listed in
 * class/hwmon. (psutil's own comparison never matches, so on a normal sysfs, where every hwmon is listed, this adds
 * nothing, which is also what psutil ends up reading.)
 */
function coretempExtraBases(fs: ProcFs, hwmons: readonly string[]): string[] {
  const platform = fs.sys('devices/platform');
  const listed = new Set(hwmons);
  const out: string[] = [];
  for (const ct of list(fs, platform, (n) => n.startsWith('coretemp.')).sort()) {
    for (const h of list(fs, `${platform}/${ct}/hwmon`, (n) => n.startsWith('hwmon')).sort()) {
      if (listed.has(h)) continue;
      const dir = `${platform}/${ct}/hwmon/${h}`;
      const bases = new Set(
        list(fs, dir, (n) => n.startsWith('temp') && n.includes('_')).map(
          (f) => `${dir}/${f.slice(0, f.indexOf('_'))}`,
        ),
      );
      out.push(...[...bases].sort());
    }
  }
  return out;
}

/** Temperatures grouped by chip name, in psutil's order; falls back to thermal zones when hwmon has none. */
export function sensorsTemperatures(fs: ProcFs): Map<string, TemperatureRow[]> {
  const ret = new Map<string, TemperatureRow[]>();
  const add = (unit: string, row: TemperatureRow): void => {
    const rows = ret.get(unit);
    if (rows) rows.push(row);
    else ret.set(unit, [row]);
  };
  const hwmons = hwmonEntries(fs);
  const bases = [
    ...new Set([...hwmonBases(fs, hwmons, 'temp', 'dir'), ...hwmonBases(fs, hwmons, 'temp', 'device')]),
  ].sort();
  bases.push(...coretempExtraBases(fs, hwmons));
  for (const base of bases) {
    const current = readNumber(fs, base + '_input', 'float');
    if (current === null) continue;
    const unit = fs.readAttr(path.dirname(base) + '/name');
    if (unit === null) continue;
    const high = readNumber(fs, base + '_max', 'float');
    const critical = readNumber(fs, base + '_crit', 'float');
    const label = fs.readAttr(base + '_label') ?? '';
    add(unit, [label, current / 1000, high === null ? null : high / 1000, critical === null ? null : critical / 1000]);
  }
  if (bases.length > 0) return ret;

  // No hwmon temperature at all: thermal zones, with 'high' and 'critical' from their trip points.
  const thermal = fs.sys('class/thermal');
  for (const z of fs
    .readdirHotOrEmpty(thermal)
    .filter((n) => n.startsWith('thermal_zone'))
    .sort()) {
    const dir = `${thermal}/${z}`;
    const current = readNumber(fs, dir + '/temp', 'float');
    if (current === null) continue;
    const unit = fs.readAttr(dir + '/type');
    if (unit === null) continue;
    let high: number | null = null;
    let critical: number | null = null;
    const trips = new Set(
      list(fs, dir, (n) => n.startsWith('trip_point')).map((n) => n.split('_').slice(0, 3).join('_')),
    );
    for (const tp of [...trips].sort()) {
      const type = fs.readAttr(`${dir}/${tp}_type`) ?? '';
      if (type === 'critical') critical = readNumber(fs, `${dir}/${tp}_temp`, 'float');
      else if (type === 'high') high = readNumber(fs, `${dir}/${tp}_temp`, 'float');
    }
    add(unit, ['', current / 1000, high === null ? null : high / 1000, critical === null ? null : critical / 1000]);
  }
  return ret;
}

/**
 * Fans grouped by chip name. As psutil: `hwmon*\/fan*_*`, and only when there is none at all `hwmon*\/device/fan*_*`;
 * a fan whose input cannot be read is skipped, but a chip without a `name` is an error (psutil does not catch it).
 */
export function sensorsFans(fs: ProcFs): Map<string, FanRow[]> {
  const ret = new Map<string, FanRow[]>();
  const hwmons = hwmonEntries(fs);
  let bases = hwmonBases(fs, hwmons, 'fan', 'dir');
  if (bases.length === 0) bases = hwmonBases(fs, hwmons, 'fan', 'device');
  for (const base of bases) {
    const current = readNumber(fs, base + '_input', 'int');
    if (current === null) continue;
    const unit = fs.readText(path.dirname(base) + '/name', 64 * 1024).trim();
    const label = fs.readAttr(base + '_label') ?? '';
    const rows = ret.get(unit);
    if (rows) rows.push([label, current]);
    else ret.set(unit, [[label, current]]);
  }
  return ret;
}

/** psutil's sbattery(percent, secsleft, power_plugged). */
export interface BatteryRaw {
  percent: number;
  secsleft: number;
  powerPlugged: boolean | null;
}

/** psutil's multi_bcat: the first of `paths` that can be read, as an integer (ParseError when it is not one). */
function firstInt(fs: ProcFs, ...paths: string[]): number | null {
  for (const p of paths) {
    const v = readNumber(fs, p, 'int');
    if (v !== null) return v;
  }
  return null;
}

/**
 * The first battery (BAT* or *battery*, smallest name: psutil #1238) or null when there is none (or no power_supply
 * class at all). Energy (µWh) or charge (µAh) files, whichever exists; AC0/AC online, else the status, for
 * power_plugged.
 */
export function sensorsBattery(fs: ProcFs): BatteryRaw | null {
  const ps = fs.sys('class/power_supply');
  // A class directory lives as long as the system: kept open and listed again on a real sysfs (readdirHotOrEmpty).
  const bats = fs
    .readdirHotOrEmpty(ps)
    .filter((n) => n.startsWith('BAT') || n.toLowerCase().includes('battery'))
    .sort();
  if (bats.length === 0) return null;
  const root = `${ps}/${bats[0]!}`;
  const energyNow = firstInt(fs, root + '/energy_now', root + '/charge_now');
  const powerNow = firstInt(fs, root + '/power_now', root + '/current_now');
  const energyFull = firstInt(fs, root + '/energy_full', root + '/charge_full');
  const timeToEmpty = firstInt(fs, root + '/time_to_empty_now');

  let percent: number;
  if (energyFull !== null && energyNow !== null) {
    percent = energyFull === 0 ? 0 : (100 * energyNow) / energyFull;
  } else {
    const capacity = readNumber(fs, root + '/capacity', 'int');
    if (capacity === null || capacity === -1) return null;
    percent = capacity;
  }

  let powerPlugged: boolean | null = null;
  const online = firstInt(fs, `${ps}/AC0/online`, `${ps}/AC/online`);
  if (online !== null) {
    powerPlugged = online === 1;
  } else {
    const status = (fs.readAttr(root + '/status') ?? '').toLowerCase();
    if (status === 'discharging') powerPlugged = false;
    else if (status === 'charging' || status === 'full') powerPlugged = true;
  }

  let secsleft: number;
  if (powerPlugged) {
    secsleft = POWER_TIME_UNLIMITED;
  } else if (energyNow !== null && powerNow !== null) {
    // power_now/current_now is negative on some firmware while discharging (psutil 7 takes abs()).
    secsleft = powerNow === 0 ? POWER_TIME_UNKNOWN : Math.trunc((energyNow / Math.abs(powerNow)) * 3600);
  } else if (timeToEmpty !== null) {
    secsleft = Math.trunc(timeToEmpty * 60);
    if (secsleft < 0) secsleft = POWER_TIME_UNKNOWN;
  } else {
    secsleft = POWER_TIME_UNKNOWN;
  }
  return { percent, secsleft, powerPlugged };
}

// ---------------------------------------------------------------------------------------------------------------
// raw readers for the agent

/** node_exporter's hwmon sensor types: the attribute files worth reading (device/ dirs also hold PCI config, ROMs). */
export const HWMON_SENSOR_TYPES: readonly string[] = Object.freeze([
  'vrm',
  'beep_enable',
  'update_interval',
  'in',
  'cpu',
  'fan',
  'pwm',
  'temp',
  'curr',
  'power',
  'energy',
  'humidity',
  'intrusion',
  'freq',
]);

const SENSOR_FILE = /^([^0-9]+)([0-9]*)(?:_(.+))?$/;

function sensorAttributes(fs: ProcFs, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirOrEmpty(dir).sort()) {
    const m = SENSOR_FILE.exec(f);
    if (m === null || !HWMON_SENSOR_TYPES.includes(m[1]!)) continue;
    // Write-only or failing attributes (EIO, ENODATA) are left out, as node_exporter does.
    const v = fs.readAttr(`${dir}/${f}`);
    if (v !== null) out[f] = v;
  }
  return out;
}

export interface HwmonChipRaw {
  /** The class entry: 'hwmon0'. */
  name: string;
  /** `<sysfs>/class/hwmon/hwmon0`. */
  path: string;
  /** The class entry's target (`<sysfs>/devices/platform/coretemp.0/hwmon/hwmon0`); `path` when it is not a link. */
  realPath: string;
  /** Where `device` points (`<sysfs>/devices/platform/coretemp.0`), or null without a device link. */
  devicePath: string | null;
  /** The `name` attribute ('coretemp'), or null. */
  chipName: string | null;
  /** Sensor attribute files of the hwmon directory, raw trimmed text: `{ temp1_input: '55000', temp1_label: ... }`. */
  attributes: Record<string, string>;
  /** The same for its `device/` directory (older drivers keep their sensors there: psutil #971). */
  deviceAttributes: Record<string, string>;
}

/** Every hwmon chip whose class entry leads to a directory (dangling links are left out, as node_exporter does). */
export function hwmonChips(fs: ProcFs): HwmonChipRaw[] {
  const root = fs.sys('class/hwmon');
  const out: HwmonChipRaw[] = [];
  for (const name of list(fs, root, () => true).sort(byNumericSuffix)) {
    const p = `${root}/${name}`;
    if (!isDirectory(fs, p)) continue;
    const realPath = resolveLink(fs, p);
    const dev = `${p}/device`;
    const hasDevice = isDirectory(fs, dev);
    out.push({
      name,
      path: p,
      realPath,
      devicePath: hasDevice ? resolveLink(fs, `${realPath}/device`) : null,
      chipName: fs.readAttr(`${p}/name`),
      attributes: sensorAttributes(fs, p),
      deviceAttributes: hasDevice ? sensorAttributes(fs, dev) : {},
    });
  }
  return out;
}

export interface ThermalZoneRaw {
  /** The zone number as text: '0' for thermal_zone0 (node_exporter's `zone` label). */
  zone: string;
  type: string | null;
  /** Millidegrees Celsius, as the kernel reports it; null when it cannot be read (a zone that is off). */
  temp: number | null;
  policy: string | null;
  /** 'enabled' / 'disabled', or null where the kernel has no mode file. */
  mode: string | null;
  /** Passive trip temperature in m°C, or null. */
  passive: number | null;
}

export function thermalZones(fs: ProcFs): ThermalZoneRaw[] {
  const root = fs.sys('class/thermal');
  const out: ThermalZoneRaw[] = [];
  for (const name of list(fs, root, (n) => /^thermal_zone\d+$/.test(n)).sort(byNumericSuffix)) {
    const dir = `${root}/${name}`;
    if (!isDirectory(fs, dir)) continue;
    out.push({
      zone: name.slice('thermal_zone'.length),
      type: fs.readAttr(dir + '/type'),
      temp: readNumber(fs, dir + '/temp', 'int'),
      policy: fs.readAttr(dir + '/policy'),
      mode: fs.readAttr(dir + '/mode'),
      passive: readNumber(fs, dir + '/passive', 'int'),
    });
  }
  return out;
}

export interface CoolingDeviceRaw {
  /** The number of cooling_deviceN, as text (node_exporter's `name` label). */
  name: string;
  /** `Processor`, `Fan`, `intel_powerclamp`, ... */
  type: string;
  maxState: number;
  /** -1 is legal (intel_powerclamp when idle). */
  curState: number;
}

/**
 * Every <sysfs>/class/thermal/cooling_deviceN with type, max_state and cur_state (node_exporter's thermal_zone
 * collector). A device missing one of them is left out, as procfs skips unreadable ones; a state that is not an
 * integer is a ParseError.
 */
export function coolingDevices(fs: ProcFs): CoolingDeviceRaw[] {
  const root = fs.sys('class/thermal');
  const out: CoolingDeviceRaw[] = [];
  for (const name of list(fs, root, (n) => /^cooling_device\d+$/.test(n)).sort(byNumericSuffix)) {
    const dir = `${root}/${name}`;
    if (!isDirectory(fs, dir)) continue;
    const type = fs.readAttr(dir + '/type');
    const maxState = readNumber(fs, dir + '/max_state', 'int');
    const curState = readNumber(fs, dir + '/cur_state', 'int');
    if (type === null || maxState === null || curState === null) continue;
    out.push({ name: name.slice('cooling_device'.length), type, maxState, curState });
  }
  return out;
}

export interface PowerSupplyRaw {
  /** 'BAT0', 'AC', ... */
  name: string;
  path: string;
  /**
   * Every readable attribute file (not uevent, not subdirectories), raw trimmed text in the kernel's units (µV, µWh,
   * µA, ...): `{ type: 'Battery', energy_now: '36580000', status: 'Discharging', ... }`.
   */
  attributes: Record<string, string>;
}

export function powerSupplies(fs: ProcFs): PowerSupplyRaw[] {
  const root = fs.sys('class/power_supply');
  const out: PowerSupplyRaw[] = [];
  for (const name of list(fs, root, () => true).sort()) {
    const dir = `${root}/${name}`;
    if (!isDirectory(fs, dir)) continue;
    const attributes: Record<string, string> = {};
    for (const f of fs.readdirOrEmpty(dir).sort()) {
      if (f === 'uevent') continue;
      // Directories (power/, device, subsystem) fail with EISDIR and unsupported attributes with EINVAL/ENODATA:
      // readAttr gives null for both, and they are left out, as prometheus/procfs does.
      const v = fs.readAttr(`${dir}/${f}`);
      if (v !== null) attributes[f] = v;
    }
    out.push({ name, path: dir, attributes });
  }
  return out;
}

/** hwmon2 before hwmon10. */
function byNumericSuffix(a: string, b: string): number {
  const na = /(\d+)$/.exec(a);
  const nb = /(\d+)$/.exec(b);
  const pa = na ? a.slice(0, na.index) : a;
  const pb = nb ? b.slice(0, nb.index) : b;
  if (pa !== pb || !na || !nb) return a < b ? -1 : a > b ? 1 : 0;
  return Number(na[1]) - Number(nb[1]);
}
