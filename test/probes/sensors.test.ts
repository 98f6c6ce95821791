/**
 * Sensors facade on fixture trees: our host-laptop (real sysfs links) and small trees for the other psutil code paths;
 * where the peers' trees are present, node_exporter's sys/ tree too (its symlinks restored), checked against both
 * psutil's semantics and node_exporter's own golden output (e2e-output.txt).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPsutil } from '../../src/probes/psutil';
import { ParseError, POWER_TIME_UNKNOWN, POWER_TIME_UNLIMITED } from '../../src/index';
import type { HwmonChip } from '../../src/probes/sensors';
import { HAVE_PEER_FIXTURES, NODE_EXPORTER_FIXTURES, describePeer, own } from '../helpers/fixtures';
import { family, e2eSeries } from '../helpers/e2e';
import { materializeSymlinks } from '../helpers/symlink-tree';
import { removeTmpTrees, tmpTree } from '../helpers/tmptree';

const EMPTY_PROC = own('disk-basic', 'proc');

let neSys = '';
beforeAll(() => {
  // Only for the describePeer blocks below, which are skipped where the peers' tree is absent.
  if (!HAVE_PEER_FIXTURES) return;
  neSys = materializeSymlinks(path.join(NODE_EXPORTER_FIXTURES, 'sys'), [
    'class/hwmon',
    'class/thermal',
    'class/power_supply',
    'devices/platform',
    'devices/virtual/thermal',
  ]);
});
afterAll(() => {
  if (neSys !== '') fs.rmSync(neSys, { recursive: true, force: true });
  removeTmpTrees();
});

const on = (sysfs: string) => createPsutil({ procfs: EMPTY_PROC, sysfs });

const LAPTOP_SYS = own('host-laptop', 'sys');

describe('host-laptop sys/ tree (real class links)', () => {
  test('sensorsTemperatures: hwmon temp*, grouped by name in sorted path order; the nameless hwmon10 skipped', () => {
    const t = on(LAPTOP_SYS).sensorsTemperatures();
    // Paths sort as strings: hwmon0, hwmon1, hwmon10 (no name: skipped), hwmon2, hwmon3 (no temperatures), hwmon4.
    expect(t).toEqual({
      acpitz: [{ label: '', current: 27.8, high: 119, critical: 119 }],
      nvme: [
        { label: 'Composite', current: 38.85, high: 81.85, critical: 84.85 },
        // The drive reports a max of 65261.85 °C for a sensor without a threshold: passed on as read.
        { label: 'Sensor 1', current: 44.85, high: 65261.85, critical: 65261.85 },
      ],
      coretemp: [
        { label: 'Package id 0', current: 48, high: 100, critical: 100 },
        { label: 'Core 0', current: 46, high: 100, critical: 100 },
        { label: 'Core 1', current: 47, high: 100, critical: 100 },
      ],
      thinkpad: [
        { label: '', current: 50, high: null, critical: null },
        { label: '', current: 0, high: null, critical: null },
      ],
    });
    expect(Object.isFrozen(t) && Object.isFrozen(t['nvme']) && Object.isFrozen(t['nvme']![0])).toBe(true);
    expect(on(LAPTOP_SYS).sensorsTemperatures({ fahrenheit: true })['coretemp']![0]).toEqual({
      label: 'Package id 0',
      current: 118.4,
      high: 212,
      critical: 212,
    });
  });

  test("sensorsFans: the chip directory's fans, a stopped fan included", () => {
    expect(on(LAPTOP_SYS).sensorsFans()).toEqual({
      thinkpad: [
        { label: '', current: 2950 },
        { label: '', current: 0 },
      ],
    });
  });

  test('sensorsBattery: charging on AC, percent from energy_now / energy_full, time unlimited', () => {
    expect(on(LAPTOP_SYS).sensorsBattery()).toEqual({
      percent: (100 * 36660000) / 45120000,
      secsleft: POWER_TIME_UNLIMITED,
      powerPlugged: true,
    });
  });

  test('hwmonChips: numeric order, links resolved to devices/, device links, a plain directory without a device', () => {
    const chips = on(LAPTOP_SYS).hwmonChips();
    expect(
      chips.map((c) => [
        c.name,
        c.chipName,
        path.relative(LAPTOP_SYS, c.realPath),
        c.devicePath && path.relative(LAPTOP_SYS, c.devicePath),
      ]),
    ).toEqual([
      ['hwmon0', 'acpitz', 'devices/virtual/thermal/thermal_zone0/hwmon0', null],
      [
        'hwmon1',
        'nvme',
        'devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/hwmon1',
        'devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0',
      ],
      ['hwmon2', 'coretemp', 'devices/platform/coretemp.0/hwmon/hwmon2', 'devices/platform/coretemp.0'],
      [
        'hwmon3',
        'BAT0',
        'devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:00/power_supply/BAT0/hwmon3',
        'devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:00/power_supply/BAT0',
      ],
      ['hwmon4', 'thinkpad', 'devices/platform/thinkpad_hwmon/hwmon/hwmon4', 'devices/platform/thinkpad_hwmon'],
      ['hwmon10', null, 'class/hwmon/hwmon10', null],
    ]);
    expect(chips[1]!.attributes).toEqual({
      temp1_alarm: '0',
      temp1_crit: '84850',
      temp1_input: '38850',
      temp1_label: 'Composite',
      temp1_max: '81850',
      temp1_min: '-273150',
      temp2_input: '44850',
      temp2_label: 'Sensor 1',
      temp2_max: '65261850',
      temp2_min: '-273150',
    });
    expect(chips[3]!.attributes).toEqual({ in0_input: '12601' });
    expect(chips[4]!.attributes).toMatchObject({ fan1_input: '2950', pwm1: '255', pwm1_enable: '2' });
    // The device directories hold no sensor files of their own (the nvme controller's `model` is not one).
    expect(chips.every((c) => Object.keys(c.deviceAttributes).length === 0)).toBe(true);
    expect(chips[2]!.attributes['name']).toBeUndefined();
  });

  test('thermalZones: zones through their links, cooling devices left out', () => {
    expect(on(LAPTOP_SYS).thermalZones()).toEqual([
      { zone: '0', type: 'acpitz', temp: 27800, policy: 'step_wise', mode: 'enabled', passive: null },
      { zone: '1', type: 'x86_pkg_temp', temp: 48000, policy: 'step_wise', mode: 'enabled', passive: null },
    ]);
  });

  test('powerSupplies: attribute files only (no uevent, no power/ directory, no device link)', () => {
    const ps = on(LAPTOP_SYS).powerSupplies();
    expect(ps.map((p) => p.name)).toEqual(['AC', 'BAT0']);
    expect(ps[0]!.attributes).toEqual({ online: '1', type: 'Mains' });
    expect(Object.keys(ps[1]!.attributes)).toEqual([
      'alarm',
      'capacity',
      'capacity_level',
      'charge_control_end_threshold',
      'charge_control_start_threshold',
      'cycle_count',
      'energy_full',
      'energy_full_design',
      'energy_now',
      'manufacturer',
      'model_name',
      'power_now',
      'present',
      'serial_number',
      'status',
      'technology',
      'type',
      'voltage_min_design',
      'voltage_now',
    ]);
    // Trimmed as node_exporter's reader trims: the serial's leading space goes.
    expect(ps[1]!.attributes['serial_number']).toBe('1234');
  });
});

describePeer('node_exporter sys/ tree: psutil semantics', () => {
  test('sensorsTemperatures: hwmon temp*, grouped by the name file, in sorted path order', () => {
    const t = on(neSys).sensorsTemperatures();
    // hwmon4 has temperatures but no name file: psutil skips those (reading `name` fails).
    expect(Object.keys(t)).toEqual(['coretemp', 'mt7996_phy0_2', 'mt7996_phy0_0', 'mt7996_phy0_1']);
    const core = (label: string, current: number) => ({ label, current, high: 84, critical: 100 });
    const socket = [
      core('Physical id 0', 55),
      core('Core 0', 54),
      core('Core 1', 52),
      core('Core 2', 53),
      core('Core 3', 50),
    ];
    expect(t['coretemp']).toEqual([...socket, ...socket]);
    expect(t['mt7996_phy0_0']).toEqual([{ label: '', current: 55, high: null, critical: null }]);
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t['coretemp'])).toBe(true);
    expect(Object.isFrozen(t['coretemp']![0])).toBe(true);
  });

  test('sensorsTemperatures({ fahrenheit: true }) converts current, high and critical', () => {
    const t = on(neSys).sensorsTemperatures({ fahrenheit: true });
    expect(t['coretemp']![0]).toEqual({ label: 'Physical id 0', current: 131, high: 183.2, critical: 212 });
    expect(t['mt7996_phy0_1']![0]).toEqual({ label: '', current: 132.8, high: null, critical: null });
  });

  test('sensorsFans: hwmon*/fan*; device/ fans (applesmc) are read only when no chip has fans of its own', () => {
    expect(on(neSys).sensorsFans()).toEqual({ nct6779: [{ label: '', current: 1098 }] });
  });

  test('sensorsBattery: BAT0 energy_now/energy_full, AC online 0, seconds from energy_now / power_now', () => {
    // psutil: 100 * 36580000 / 45070000, int(36580000 / 5002000 * 3600)
    expect(on(neSys).sensorsBattery()).toEqual({
      percent: (100 * 36580000) / 45070000,
      secsleft: 26327,
      powerPlugged: false,
    });
  });
});

/** node_exporter's chip label: device path's parent and name, else the name file, else the hwmon entry; a device
 * shared by several chips gets the chip name appended. The agent's collector owns the real rule; this checks that
 * hwmonChips() carries what it needs. */
function chipLabel(c: HwmonChip, all: readonly HwmonChip[]): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9:_]/g, '_')
      .replace(/^_+|_+$/g, '');
  let label = '';
  if (c.devicePath !== null) {
    const name = clean(path.basename(c.devicePath));
    const type = clean(path.basename(path.dirname(c.devicePath)));
    label = type && name ? `${type}_${name}` : name;
    if (label && c.chipName && all.filter((o) => o.devicePath === c.devicePath).length > 1)
      label += '_' + clean(c.chipName);
  }
  if (!label && c.chipName) label = clean(c.chipName);
  if (!label) label = clean(path.basename(c.realPath));
  return label;
}

describePeer("node_exporter sys/ tree: raw readers render node_exporter's families", () => {
  const rules: Array<[RegExp, (m: RegExpExecArray) => [type: string, prop: string, scale: number]]> = [
    [/^node_hwmon_(temp|in)_(celsius|volts)$/, (m) => [m[1]!, 'input', 0.001]],
    [/^node_hwmon_(temp|in)_(\w+)_(celsius|volts)$/, (m) => [m[1]!, m[2]!, 0.001]],
    [/^node_hwmon_fan_rpm$/, () => ['fan', 'input', 1]],
    [/^node_hwmon_fan_(\w+)_rpm$/, (m) => ['fan', m[1]!, 1]],
    [/^node_hwmon_(fan|in|intrusion)_beep_enabled$/, (m) => [m[1]!, 'beep', 1]],
    [/^node_hwmon_freq_freq_mhz$/, () => ['freq', 'input', 1e-6]],
    [/^node_hwmon_(fan|in|intrusion|pwm)_(\w+)$/, (m) => [m[1]!, m[2]!, 1]],
  ];

  test('every node_hwmon_* series of e2e-output.txt comes out of hwmonChips()', () => {
    const chips = on(neSys).hwmonChips();
    const byLabel = new Map(chips.map((c) => [chipLabel(c, chips), { ...c.attributes, ...c.deviceAttributes }]));
    const series = e2eSeries().filter((s) => s.name.startsWith('node_hwmon_'));
    expect(series.length).toBeGreaterThan(100);
    let checked = 0;
    for (const s of series) {
      const chip = s.labels['chip']!;
      const attrs = byLabel.get(chip);
      expect([s.name, chip, attrs !== undefined]).toEqual([s.name, chip, true]);
      if (s.name === 'node_hwmon_chip_names') {
        expect(chips.find((c) => chipLabel(c, chips) === chip)!.chipName).toBe(s.labels['chip_name']);
        checked++;
        continue;
      }
      const sensor = s.labels['sensor']!;
      if (s.name === 'node_hwmon_sensor_label') {
        expect(attrs![`${sensor}_label`]).toBe(s.labels['label']);
        checked++;
        continue;
      }
      const rule = rules
        .map(([re, f]) => {
          const m = re.exec(s.name);
          return m ? f(m) : null;
        })
        .find((x) => x !== null);
      expect([s.name, rule !== undefined]).toEqual([s.name, true]);
      const [type, prop, scale] = rule!;
      // Newer node_exporter names some sensors by their label ('sclk' for freq1).
      const key = new RegExp(`^${type}\\d+$`).test(sensor)
        ? sensor
        : Object.keys(attrs!)
            .find((k) => attrs![k] === sensor && k.startsWith(type) && k.endsWith('_label'))!
            .replace(/_label$/, '');
      const raw = attrs![`${key}_${prop}`];
      expect([s.name, chip, sensor, raw !== undefined]).toEqual([s.name, chip, sensor, true]);
      expect(Number(raw) * scale).toBeCloseTo(s.value, 9);
      checked++;
    }
    expect(checked).toBe(series.length);
  });

  test('hwmonChips: resolved class and device links, name, attribute split between the chip and device/', () => {
    const chips = on(neSys).hwmonChips();
    expect(chips.map((c) => c.name)).toEqual([
      'hwmon0',
      'hwmon1',
      'hwmon2',
      'hwmon3',
      'hwmon4',
      'hwmon5',
      'hwmon6',
      'hwmon7',
      'hwmon8',
      'hwmon9',
      'hwmon10',
    ]);
    const c0 = chips[0]!;
    expect(path.relative(neSys, c0.realPath)).toBe('devices/platform/coretemp.0/hwmon/hwmon0');
    expect(path.relative(neSys, c0.devicePath!)).toBe('devices/platform/coretemp.0');
    expect(c0).toMatchObject({ chipName: 'coretemp', deviceAttributes: {} });
    expect(c0.attributes).toMatchObject({ temp1_input: '55000', temp1_label: 'Physical id 0', temp1_crit_alarm: '0' });
    expect(c0.attributes['name']).toBeUndefined();
    const apple = chips[2]!;
    expect(apple.chipName).toBeNull();
    expect(apple.deviceAttributes).toMatchObject({ fan1_input: '0', fan1_label: 'Left side', fan2_min: '2000' });
    // A real directory, not a link: realPath is the class path, and there is no device.
    expect(chips[4]).toMatchObject({
      realPath: path.join(neSys, 'class/hwmon/hwmon4'),
      devicePath: null,
      chipName: null,
    });
    expect(Object.isFrozen(c0.attributes)).toBe(true);
  });

  test('thermalZones renders node_thermal_zone_temp', () => {
    const zones = on(neSys).thermalZones();
    expect(zones).toEqual([
      { zone: '0', type: 'cpu-thermal', temp: 12376, policy: 'step_wise', mode: null, passive: null },
    ]);
    for (const s of family('node_thermal_zone_temp')) {
      const z = zones.find((x) => x.zone === s.labels['zone'] && x.type === s.labels['type'])!;
      expect(z.temp! / 1000).toBe(s.value);
    }
  });

  test('powerSupplies renders every node_power_supply_* series', () => {
    const supplies = on(neSys).powerSupplies();
    expect(supplies.map((p) => p.name)).toEqual(['AC', 'BAT0']);
    const attr = (ps: string) => supplies.find((p) => p.name === ps)!.attributes;
    // family suffix -> [attribute, scale] (µ-units to base units), as node_exporter's powersupplyclass collector maps them
    const map: Record<string, [string, number]> = {
      capacity: ['capacity', 1],
      cyclecount: ['cycle_count', 1],
      energy_full: ['energy_full', 1e-6],
      energy_full_design: ['energy_full_design', 1e-6],
      energy_watthour: ['energy_now', 1e-6],
      online: ['online', 1],
      power_watt: ['power_now', 1e-6],
      present: ['present', 1],
      voltage_min_design: ['voltage_min_design', 1e-6],
      voltage_volt: ['voltage_now', 1e-6],
    };
    const series = e2eSeries().filter((s) => s.name.startsWith('node_power_supply_'));
    expect(series.length).toBeGreaterThan(10);
    for (const s of series) {
      const a = attr(s.labels['power_supply']!);
      if (s.name === 'node_power_supply_info') {
        for (const [k, v] of Object.entries(s.labels)) if (k !== 'power_supply') expect([k, a[k]]).toEqual([k, v]);
        continue;
      }
      const [file, scale] = map[s.name.slice('node_power_supply_'.length)]!;
      expect([s.name, Number(a[file]) * scale]).toEqual([s.name, expect.closeTo(s.value, 9)]);
    }
    expect(attr('BAT0')['uevent']).toBeUndefined();
  });
});

describe('our trees: the other psutil code paths', () => {
  test('hwmon with sensors under device/ (psutil #971): temperatures and fans read there, thresholds mirrored', () => {
    const p = on(own('sensors-device-subdir', 'sys'));
    expect(p.sensorsTemperatures()).toEqual({
      it8721: [
        { label: 'SYSTIN', current: 41, high: 70, critical: 70 },
        { label: '', current: 38.5, high: 95, critical: 95 },
      ],
      acpitz: [{ label: '', current: 27.8, high: 119, critical: 119 }],
    });
    expect(p.sensorsFans()).toEqual({
      it8721: [
        { label: 'CPU Fan', current: 1250 },
        { label: '', current: 0 },
      ],
    });
    const [c0] = p.hwmonChips();
    expect(c0).toMatchObject({ name: 'hwmon0', chipName: null, attributes: {} });
    expect(Object.keys(c0!.deviceAttributes)).toEqual([
      'fan1_input',
      'fan1_label',
      'fan2_input',
      'pwm1_enable',
      'temp1_input',
      'temp1_label',
      'temp1_max',
      'temp2_crit',
      'temp2_input',
    ]);
  });

  test('no hwmon temperature: thermal zones with trip points, unreadable zones skipped, string path order', () => {
    const p = on(own('sensors-thermal-only', 'sys'));
    expect(p.sensorsTemperatures()).toEqual({
      acpitz: [
        { label: '', current: 45, high: 105, critical: 105 },
        { label: '', current: 51, high: null, critical: null },
      ],
      x86_pkg_temp: [{ label: '', current: -2.5, high: 80, critical: 80 }],
    });
    expect(p.thermalZones()).toEqual([
      { zone: '0', type: 'acpitz', temp: 45000, policy: 'step_wise', mode: 'enabled', passive: 0 },
      { zone: '1', type: 'x86_pkg_temp', temp: -2500, policy: 'user_space', mode: null, passive: null },
      { zone: '2', type: 'broken', temp: null, policy: 'step_wise', mode: null, passive: null },
      { zone: '10', type: 'acpitz', temp: 51000, policy: 'step_wise', mode: null, passive: null },
    ]);
    expect(p.sensorsFans()).toEqual({ nct6775: [{ label: '', current: 1000 }] });
  });

  test('battery from charge_* and a negative current_now, no AC: status decides, the first BAT* wins', () => {
    const p = on(own('sensors-battery-charge', 'sys'));
    expect(p.sensorsBattery()).toEqual({ percent: 50, secsleft: 7200, powerPlugged: false });
    expect(p.powerSupplies().map((s) => s.name)).toEqual(['BAT1', 'BAT2', 'ucsi-source-psy-USBC000-001']);
  });

  test('a *battery* supply with capacity only and AC0 online: plugged, POWER_TIME_UNLIMITED', () => {
    expect(on(own('sensors-battery-capacity', 'sys')).sensorsBattery()).toEqual({
      percent: 73,
      secsleft: POWER_TIME_UNLIMITED,
      powerPlugged: true,
    });
  });

  test.each([
    [
      'time_to_empty_now (minutes) when energy and power are missing; unknown status',
      {
        'class/power_supply/BAT0/capacity': '40\n',
        'class/power_supply/BAT0/time_to_empty_now': '90\n',
        'class/power_supply/BAT0/status': 'Not charging\n',
      },
      { percent: 40, secsleft: 5400, powerPlugged: null },
    ],
    [
      'zero power and zero full energy',
      {
        'class/power_supply/BAT0/energy_now': '1\n',
        'class/power_supply/BAT0/energy_full': '0\n',
        'class/power_supply/BAT0/power_now': '0\n',
        'class/power_supply/BAT0/status': 'Discharging\n',
      },
      { percent: 0, secsleft: POWER_TIME_UNKNOWN, powerPlugged: false },
    ],
    [
      'charging by status (no AC supply)',
      {
        'class/power_supply/BAT0/capacity': '55\n',
        'class/power_supply/BAT0/status': 'Charging\n',
      },
      { percent: 55, secsleft: POWER_TIME_UNLIMITED, powerPlugged: true },
    ],
    [
      'AC online 0 and nothing to compute the time from',
      {
        'class/power_supply/BAT0/capacity': '12\n',
        'class/power_supply/AC/online': '0\n',
      },
      { percent: 12, secsleft: POWER_TIME_UNKNOWN, powerPlugged: false },
    ],
  ])('battery: %s', (_n, files, want) => {
    expect(on(tmpTree(files)).sensorsBattery()).toEqual(want);
  });

  test('no battery, no capacity, no power_supply class: null', () => {
    expect(on(tmpTree({ 'class/power_supply/AC/online': '1\n' })).sensorsBattery()).toBeNull();
    expect(on(tmpTree({ 'class/power_supply/BAT0/status': 'Unknown\n' })).sensorsBattery()).toBeNull();
    expect(on(tmpTree()).sensorsBattery()).toBeNull();
  });

  test('a machine without sensors: {} and [] everywhere', () => {
    const p = on(tmpTree({ 'class/.keep': '' }));
    expect(p.sensorsTemperatures()).toEqual({});
    expect(p.sensorsFans()).toEqual({});
    expect(p.hwmonChips()).toEqual([]);
    expect(p.thermalZones()).toEqual([]);
    expect(p.powerSupplies()).toEqual([]);
  });

  test.each([
    [
      'a temperature input',
      { 'class/hwmon/hwmon0/name': 'x\n', 'class/hwmon/hwmon0/temp1_input': 'hot\n' },
      'sensorsTemperatures',
      'temp1_input',
    ],
    [
      'a temperature threshold',
      {
        'class/hwmon/hwmon0/name': 'x\n',
        'class/hwmon/hwmon0/temp1_input': '1000\n',
        'class/hwmon/hwmon0/temp1_max': '1e3x\n',
      },
      'sensorsTemperatures',
      'temp1_max',
    ],
    [
      'a fan input',
      { 'class/hwmon/hwmon0/name': 'x\n', 'class/hwmon/hwmon0/fan1_input': '12.5\n' },
      'sensorsFans',
      'fan1_input',
    ],
    [
      'a zone temperature',
      { 'class/thermal/thermal_zone0/temp': 'n/a\n', 'class/thermal/thermal_zone0/type': 'acpitz\n' },
      'thermalZones',
      'temp',
    ],
    [
      'a battery energy',
      { 'class/power_supply/BAT0/energy_now': 'lots\n', 'class/power_supply/BAT0/energy_full': '10\n' },
      'sensorsBattery',
      'energy_now',
    ],
  ] as const)('garbage in %s -> ParseError naming the file', (_n, files, fn, file) => {
    const p = on(tmpTree(files));
    expect(() => p[fn]()).toThrow(ParseError);
    expect(() => p[fn]()).toThrow(new RegExp(`/${file}: `));
  });

  test('a fan chip without a name file is an error (psutil does not catch it either)', () => {
    const p = on(tmpTree({ 'class/hwmon/hwmon0/fan1_input': '100\n' }));
    expect(() => p.sensorsFans()).toThrow(expect.objectContaining({ osCode: 'ENOENT' }));
  });

  test('bad options -> TypeError naming the option', () => {
    const p = on(tmpTree());
    // @ts-expect-error: not a boolean
    expect(() => p.sensorsTemperatures({ fahrenheit: 'yes' })).toThrow(/fahrenheit must be a boolean/);
    // @ts-expect-error: unknown option
    expect(() => p.sensorsTemperatures({ farenheit: true })).toThrow(/unknown option 'farenheit'/);
  });
});
