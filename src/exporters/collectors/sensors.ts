/**
 * sensors: node_exporter's hwmon, thermal_zone and powersupplyclass collectors in one: node_hwmon_*{chip,sensor}
 * (chip names, units and element names as hwmon_linux.go builds them), node_thermal_zone_temp{zone,type},
 * node_cooling_device_{cur,max}_state{name,type},
 * node_power_supply_*{power_supply} and node_power_supply_info. OTLP: hw.temperature, hw.battery.charge.
 */
import type { CoolingDevice, HwmonChip, PowerSupply, ThermalZone } from '../../index';
import {
  defineCollector,
  fam,
  families,
  metrics,
  NameFilter,
  optBool,
  optString,
  otel,
  type FamilyBuilder,
  type PromType,
} from '../catalog';

export interface SensorsOptions {
  readonly chips: NameFilter;
  /** node_exporter's three collectors this one holds, each on or off (--[no-]collector.hwmon, ...); on when unset. */
  readonly hwmon?: boolean;
  readonly thermalZone?: boolean;
  readonly powerSupply?: boolean;
  /** Power supplies left out (--collector.powersupply.ignored-supplies); none when unset. */
  readonly ignoredSupplies?: NameFilter;
}

export interface SensorsData {
  readonly hwmon: readonly HwmonChip[];
  readonly thermal: readonly ThermalZone[];
  readonly cooling: readonly CoolingDevice[];
  readonly power: readonly PowerSupply[];
}

/** node_exporter's cleanMetricName: lower case, [^a-z0-9:_] -> _, trimmed of _. */
export function cleanMetricName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9:_]/g, '_')
    .replace(/^_+|_+$/g, '');
}

function basename(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1);
}

function dirname(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t.slice(0, Math.max(0, t.lastIndexOf('/')));
}

/**
 * The stable chip name node_exporter derives: <bus>_<device> of the resolved device link (platform_coretemp_0),
 * else the `name` attribute, else the hwmonN directory.
 */
export function hwmonChipId(c: HwmonChip): string | null {
  if (c.devicePath !== null) {
    const dev = cleanMetricName(basename(c.devicePath));
    const type = cleanMetricName(basename(dirname(c.devicePath)));
    if (type !== '' && dev !== '') return `${type}_${dev}`;
    if (dev !== '') return dev;
  }
  if (c.chipName) {
    const n = cleanMetricName(c.chipName);
    if (n !== '') return n;
  }
  const n = cleanMetricName(basename(c.realPath));
  return n === '' ? null : n;
}

const SENSOR_FILE = /^([^0-9]+)([0-9]*)(?:_(.+))?$/;

/** Groups attribute files by sensor: `temp1_input` -> sensors['temp1']['input']; `beep_enable` -> ['beep_enable0']['']. */
export function groupSensors(attrs: Readonly<Record<string, string>>): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [file, value] of Object.entries(attrs)) {
    const m = SENSOR_FILE.exec(file);
    if (!m) continue;
    // Go's strconv.Atoi("") fails, so node_exporter keeps num 0 for files without a number.
    const sensor = `${m[1]}${m[2] ? String(Number(m[2])) : '0'}`;
    let s = out.get(sensor);
    if (!s) out.set(sensor, (s = new Map<string, string>()));
    s.set(m[3] ?? '', value);
  }
  return out;
}

class Families {
  private readonly byName = new Map<string, FamilyBuilder>();
  get(name: string, help: string, labels: readonly string[], type: PromType = 'gauge'): FamilyBuilder {
    let b = this.byName.get(name);
    if (!b) this.byName.set(name, (b = fam(name, type, help, labels)));
    return b;
  }
  all(): FamilyBuilder[] {
    return [...this.byName.values()];
  }
}

function num(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (t === '') return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

const HW = ['chip', 'sensor'];

function hwmonInto(f: Families, chip: string, sensor: string, data: Map<string, string>): void {
  const labels = { chip, sensor };
  const label = data.get('label');
  if (label !== undefined)
    f.get('node_hwmon_sensor_label', 'Label for given chip and sensor', ['chip', 'sensor', 'label']).add(
      { chip, sensor, label },
      1,
    );
  const type = SENSOR_FILE.exec(sensor)?.[1] ?? sensor;
  if (type === 'beep_enable') {
    f.get('node_hwmon_beep_enabled', 'Hardware beep enabled', HW).add(labels, data.get('') === '1' ? 1 : 0);
    return;
  }
  if (type === 'vrm') {
    const v = num(data.get(''));
    if (v !== null) f.get('node_hwmon_voltage_regulator_version', 'Hardware voltage regulator', HW).add(labels, v);
    return;
  }
  if (type === 'update_interval') {
    const v = num(data.get(''));
    if (v !== null)
      f.get('node_hwmon_update_interval_seconds', 'Hardware monitor update interval', HW).add(labels, v * 0.001);
    return;
  }
  const prefix = `node_hwmon_${type}`;
  for (const [element, text] of data) {
    if (element === 'label') continue;
    let name = prefix;
    if (element === 'input') {
      // `temp1` and `temp1_input` both present: the suffixed one keeps `_input` in its name.
      if (data.has('')) name += '_input';
    } else if (element !== '') {
      name += `_${cleanMetricName(element)}`;
    }
    const v = num(text);
    if (v === null) continue;
    if (element === 'fault' || element === 'alarm') {
      f.get(name, `Hardware sensor ${element} status (${type})`, HW).add(labels, v);
    } else if (element === 'beep') {
      f.get(`${name}_enabled`, 'Hardware monitor sensor has beeping enabled', HW).add(labels, v);
    } else if (type === 'in' || type === 'cpu') {
      f.get(`${name}_volts`, `Hardware monitor for voltage (${element})`, HW).add(labels, v * 0.001);
    } else if (type === 'temp' && element !== 'type') {
      f.get(`${name}_celsius`, `Hardware monitor for temperature (${element === '' ? 'input' : element})`, HW).add(
        labels,
        v * 0.001,
      );
    } else if (type === 'curr') {
      f.get(`${name}_amps`, `Hardware monitor for current (${element})`, HW).add(labels, v * 0.001);
    } else if (type === 'energy') {
      f.get(`${name}_joule_total`, `Hardware monitor for joules used so far (${element})`, HW, 'counter').add(
        labels,
        v / 1e6,
      );
    } else if (type === 'power' && element === 'accuracy') {
      f.get(name, 'Hardware monitor power meter accuracy, as a ratio', HW).add(labels, v / 1e6);
    } else if (type === 'power' && /^average_interval(_min|_max)?$/.test(element)) {
      f.get(`${name}_seconds`, `Hardware monitor power usage update interval (${element})`, HW).add(labels, v * 0.001);
    } else if (type === 'power') {
      f.get(`${name}_watt`, `Hardware monitor for power usage in watts (${element})`, HW).add(labels, v / 1e6);
    } else if (type === 'humidity') {
      f.get(
        name,
        `Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (${element})`,
        HW,
      ).add(labels, v / 1e6);
    } else if (
      type === 'fan' &&
      (element === 'input' || element === 'min' || element === 'max' || element === 'target')
    ) {
      f.get(`${name}_rpm`, `Hardware monitor for fan revolutions per minute (${element})`, HW).add(labels, v);
    } else if (type === 'freq') {
      // Only frequencies with a label are exported, the label standing in for the sensor (GPU sclk/mclk).
      if (element === 'input' && label !== undefined) {
        f.get(`${name}_freq_mhz`, 'Hardware monitor for GPU frequency in MHz', HW).add(
          { chip, sensor: cleanMetricName(label) },
          v / 1e6,
        );
      }
    } else {
      f.get(name, `Hardware monitor ${type} element ${element}`, HW).add(labels, v);
    }
  }
}

/** [family suffix, sysfs attribute, divisor] per node_exporter's powersupplyclass collector. */
const PS_VALUES: ReadonlyArray<readonly [string, string, number]> = [
  ['authentic', 'authentic', 1],
  ['calibrate', 'calibrate', 1],
  ['capacity', 'capacity', 1],
  ['capacity_alert_max', 'capacity_alert_max', 1],
  ['capacity_alert_min', 'capacity_alert_min', 1],
  ['cyclecount', 'cycle_count', 1],
  ['online', 'online', 1],
  ['present', 'present', 1],
  ['time_to_empty_seconds', 'time_to_empty_now', 1],
  ['time_to_full_seconds', 'time_to_full_now', 1],
  ['current_boot', 'current_boot', 1e6],
  ['current_max', 'current_max', 1e6],
  ['current_ampere', 'current_now', 1e6],
  ['energy_empty', 'energy_empty', 1e6],
  ['energy_empty_design', 'energy_empty_design', 1e6],
  ['energy_full', 'energy_full', 1e6],
  ['energy_full_design', 'energy_full_design', 1e6],
  ['energy_watthour', 'energy_now', 1e6],
  ['voltage_boot', 'voltage_boot', 1e6],
  ['voltage_max', 'voltage_max', 1e6],
  ['voltage_max_design', 'voltage_max_design', 1e6],
  ['voltage_min', 'voltage_min', 1e6],
  ['voltage_min_design', 'voltage_min_design', 1e6],
  ['voltage_volt', 'voltage_now', 1e6],
  ['voltage_ocv', 'voltage_ocv', 1e6],
  ['charge_control_limit', 'charge_control_limit', 1e6],
  ['charge_control_limit_max', 'charge_control_limit_max', 1e6],
  ['charge_counter', 'charge_counter', 1e6],
  ['charge_empty', 'charge_empty', 1e6],
  ['charge_empty_design', 'charge_empty_design', 1e6],
  ['charge_full', 'charge_full', 1e6],
  ['charge_full_design', 'charge_full_design', 1e6],
  ['charge_ampere', 'charge_now', 1e6],
  ['charge_term_current', 'charge_term_current', 1e6],
  ['constant_charge_current', 'constant_charge_current', 1e6],
  ['constant_charge_current_max', 'constant_charge_current_max', 1e6],
  ['constant_charge_voltage', 'constant_charge_voltage', 1e6],
  ['constant_charge_voltage_max', 'constant_charge_voltage_max', 1e6],
  ['precharge_current', 'precharge_current', 1e6],
  ['input_current_limit', 'input_current_limit', 1e6],
  ['power_watt', 'power_now', 1e6],
  ['temp_celsius', 'temp', 10],
  ['temp_alert_max_celsius', 'temp_alert_max', 10],
  ['temp_alert_min_celsius', 'temp_alert_min', 10],
  ['temp_ambient_celsius', 'temp_ambient', 10],
  ['temp_ambient_max_celsius', 'temp_ambient_max', 10],
  ['temp_ambient_min_celsius', 'temp_ambient_min', 10],
  ['temp_max_celsius', 'temp_max', 10],
  ['temp_min_celsius', 'temp_min', 10],
];

const PS_INFO = [
  'capacity_level',
  'charge_type',
  'health',
  'manufacturer',
  'model_name',
  'serial_number',
  'status',
  'technology',
  'type',
  'usb_type',
  'scope',
];

/**
 * Chip ids for a set of chips: where several hwmon directories hang off one device (a wifi phy with a sensor per
 * radio, asus-nb-wmi's two chips), node_exporter appends each one's `name` to keep them apart.
 */
export function hwmonChipIds(chips: readonly HwmonChip[]): Array<string | null> {
  const base = chips.map(hwmonChipId);
  const seen = new Map<string, number>();
  for (const b of base) if (b !== null) seen.set(b, (seen.get(b) ?? 0) + 1);
  return chips.map((c, i) => {
    const b = base[i] ?? null;
    if (b === null || (seen.get(b) ?? 0) < 2 || !c.chipName) return b;
    const n = cleanMetricName(c.chipName);
    return n === '' ? b : `${b}_${n}`;
  });
}

export function sensorsFamilies(d: SensorsData, o: SensorsOptions) {
  const f = new Families();
  const ids = hwmonChipIds(d.hwmon);
  for (const [i, c] of d.hwmon.entries()) {
    const chip = ids[i] ?? null;
    if (chip === null || !o.chips.passes(chip)) continue;
    if (c.chipName) {
      const n = cleanMetricName(c.chipName);
      if (n !== '')
        f.get('node_hwmon_chip_names', 'Annotation metric for human-readable chip names', ['chip', 'chip_name']).add(
          { chip, chip_name: n },
          1,
        );
    }
    for (const [sensor, data] of groupSensors({ ...c.attributes, ...c.deviceAttributes }))
      hwmonInto(f, chip, sensor, data);
  }
  for (const z of d.thermal) {
    if (z.temp === null) continue;
    f.get('node_thermal_zone_temp', 'Zone temperature in Celsius', ['zone', 'type']).add(
      { zone: z.zone, type: z.type ?? '' },
      z.temp / 1000,
    );
  }
  for (const c of d.cooling) {
    const labels = { name: c.name, type: c.type };
    f.get('node_cooling_device_cur_state', 'Current throttle state of the cooling device', ['name', 'type']).add(
      labels,
      c.curState,
    );
    f.get('node_cooling_device_max_state', 'Maximum throttle state of the cooling device', ['name', 'type']).add(
      labels,
      c.maxState,
    );
  }
  for (const p of d.power) {
    const a = p.attributes;
    for (const [suffix, file, div] of PS_VALUES) {
      const t = a[file];
      // procfs parses these as integers; anything else (a driver's text) is left out, as there.
      if (t === undefined || !/^-?[0-9]+$/.test(t.trim())) continue;
      f.get(`node_power_supply_${suffix}`, `${suffix} value of /sys/class/power_supply/<power_supply>.`, [
        'power_supply',
      ]).add({ power_supply: p.name }, Number(t) / div);
    }
    const labels: Record<string, string> = { power_supply: p.name };
    for (const k of PS_INFO) labels[k] = a[k] ?? '';
    // node_exporter gives each supply only its non-empty labels; Prometheus reads an empty label as an absent one.
    f.get('node_power_supply_info', 'info of /sys/class/power_supply/<power_supply>.', [
      'power_supply',
      ...PS_INFO,
    ]).add(labels, 1);
  }
  return families(...f.all());
}

export function sensorsMetrics(d: SensorsData, o: SensorsOptions) {
  const temp = otel('hw.temperature', 'gauge', 'Cel', 'Temperature of hardware sensors and thermal zones.');
  const charge = otel('hw.battery.charge', 'gauge', '1', 'Remaining battery charge, as a fraction.');
  const ids = hwmonChipIds(d.hwmon);
  for (const [i, c] of d.hwmon.entries()) {
    const chip = ids[i] ?? null;
    if (chip === null || !o.chips.passes(chip)) continue;
    for (const [sensor, data] of groupSensors({ ...c.attributes, ...c.deviceAttributes })) {
      if (!sensor.startsWith('temp')) continue;
      const v = num(data.get('input') ?? data.get(''));
      if (v === null) continue;
      const label = data.get('label');
      temp.add(
        {
          'hw.id': `${chip}_${sensor}`,
          'hw.type': 'temperature',
          ...(label !== undefined ? { 'hw.name': label } : {}),
        },
        v / 1000,
      );
    }
  }
  for (const z of d.thermal) {
    if (z.temp !== null)
      temp.add({ 'hw.id': `thermal_zone${z.zone}`, 'hw.type': 'temperature', 'hw.name': z.type ?? '' }, z.temp / 1000);
  }
  for (const p of d.power) {
    const cap = num(p.attributes['capacity']);
    if (cap !== null && p.attributes['type'] === 'Battery')
      charge.add({ 'hw.id': p.name, 'hw.type': 'battery' }, cap / 100);
  }
  return metrics(temp, charge);
}

export const sensorsCollector = defineCollector<SensorsData, SensorsOptions>({
  name: 'sensors',
  help: 'hwmon sensors, thermal zones, cooling devices and power supplies from sysfs.',
  options: (raw) => ({
    chips: new NameFilter(optString(raw, 'chip_include'), optString(raw, 'chip_exclude')),
    hwmon: optBool(raw, 'hwmon', true),
    thermalZone: optBool(raw, 'thermal_zone', true),
    powerSupply: optBool(raw, 'powersupplyclass', true),
    // node_exporter's default "^$" ignores nothing; as an exclude filter, a name matching it is left out.
    ignoredSupplies: new NameFilter('', optString(raw, 'powersupply_ignored_supplies', '^$')),
  }),
  create:
    ({ psutil }, o) =>
    () => ({
      // A part turned off is not read at all.
      hwmon: o.hwmon === false ? [] : psutil.hwmonChips(),
      thermal: o.thermalZone === false ? [] : psutil.thermalZones(),
      // node_exporter's thermal_zone collector serves the cooling devices too.
      cooling: o.thermalZone === false ? [] : psutil.coolingDevices(),
      power:
        o.powerSupply === false
          ? []
          : psutil.powerSupplies().filter((p) => o.ignoredSupplies?.passes(p.name) !== false),
    }),
  prometheus: sensorsFamilies,
  otlp: sensorsMetrics,
});
