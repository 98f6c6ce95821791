/**
 * Sensors: psutil's sensors_temperatures, sensors_fans and sensors_battery, plus raw sysfs readers for the agent's
 * node_exporter-compatible families: hwmonChips() (node_hwmon_*), thermalZones() (node_thermal_zone_temp) and
 * powerSupplies() (node_power_supply_*), coolingDevices() (node_cooling_device_*). Validation and freezing live here; the reading is in linux/sensors.ts.
 */
import type { Context } from './context';
import { bool, options } from './options';
import type { CoolingDeviceRaw, HwmonChipRaw, PowerSupplyRaw, ThermalZoneRaw } from './linux/sensors';

/** psutil's shwtemp, in °C (or °F with `fahrenheit`). */
export interface Temperature {
  readonly label: string;
  readonly current: number;
  /** The max threshold; the critical one when only that exists. */
  readonly high: number | null;
  /** The critical threshold; the high one when only that exists. */
  readonly critical: number | null;
}

/** psutil's sfan. */
export interface Fan {
  readonly label: string;
  /** Revolutions per minute. */
  readonly current: number;
}

/** psutil's sbattery. */
export interface Battery {
  /** 0-100 (a float when computed from energy/charge, an integer from `capacity`). */
  readonly percent: number;
  /** Seconds left, POWER_TIME_UNLIMITED (-2) when plugged in, POWER_TIME_UNKNOWN (-1) when it cannot be told. */
  readonly secsleft: number;
  /** null when neither an AC adapter nor the battery status tells. */
  readonly powerPlugged: boolean | null;
}

export type HwmonChip = Readonly<Omit<HwmonChipRaw, 'attributes' | 'deviceAttributes'>> & {
  readonly attributes: Readonly<Record<string, string>>;
  readonly deviceAttributes: Readonly<Record<string, string>>;
};
export type ThermalZone = Readonly<ThermalZoneRaw>;
/** A cooling device of the thermal class (not a psutil function): node_cooling_device_{cur,max}_state. */
export type CoolingDevice = Readonly<CoolingDeviceRaw>;
export type PowerSupply = Readonly<Omit<PowerSupplyRaw, 'attributes'>> & {
  readonly attributes: Readonly<Record<string, string>>;
};

export interface SensorsTemperaturesOptions {
  /** Degrees Fahrenheit instead of Celsius (default false). */
  fahrenheit?: boolean;
}

export function sensorsApi(ctx: Context) {
  const sensors = () => ctx.os.sensors;
  return {
    /**
     * Temperatures by chip name (psutil's sensors_temperatures): hwmon temp*_{input,max,crit,label} (also under
     * device/), falling back to thermal zones when hwmon has none. `{}` when the machine has no sensors.
     */
    sensorsTemperatures(opts?: SensorsTemperaturesOptions): Readonly<Record<string, readonly Temperature[]>> {
      const o = options<SensorsTemperaturesOptions>('sensorsTemperatures', opts, ['fahrenheit']);
      const f = bool('sensorsTemperatures', 'fahrenheit', o.fahrenheit, false);
      const convert = (n: number | null): number | null => (n === null ? null : f ? (n * 9) / 5 + 32 : n);
      const entries: Array<[string, readonly Temperature[]]> = [];
      for (const [unit, rows] of sensors().sensorsTemperatures(ctx.fs)) {
        entries.push([
          unit,
          Object.freeze(
            rows.map(([label, cur, hi, crit]) => {
              const current = convert(cur)!;
              let high = convert(hi);
              let critical = convert(crit);
              // psutil fills a missing threshold from the other one (by truthiness: 0 counts as missing).
              if (high && !critical) critical = high;
              else if (critical && !high) high = critical;
              return Object.freeze({ label, current, high, critical });
            }),
          ),
        ]);
      }
      return Object.freeze(Object.fromEntries(entries));
    },

    /** Fan speeds by chip name (psutil's sensors_fans). `{}` when there are none. */
    sensorsFans(): Readonly<Record<string, readonly Fan[]>> {
      const entries: Array<[string, readonly Fan[]]> = [];
      for (const [unit, rows] of sensors().sensorsFans(ctx.fs)) {
        entries.push([unit, Object.freeze(rows.map(([label, current]) => Object.freeze({ label, current })))]);
      }
      return Object.freeze(Object.fromEntries(entries));
    },

    /** The first battery's state (psutil's sensors_battery), or null without a battery. */
    sensorsBattery(): Battery | null {
      const b = sensors().sensorsBattery(ctx.fs);
      return b === null
        ? null
        : Object.freeze({ percent: b.percent, secsleft: b.secsleft, powerPlugged: b.powerPlugged });
    },

    /**
     * Every hwmon chip under <sysfs>/class/hwmon, raw: class entry, resolved paths (for node_exporter's chip label:
     * the device path's last two components, else `chipName`, else the entry), the `name` attribute, and the sensor
     * attribute files (temp*, fan*, in*, pwm*, curr*, power*, energy*, humidity*, intrusion*, freq*, ...) of the chip
     * and of its device/ directory as trimmed text in the kernel's units (m°C, mV, mA, µW, µJ, RPM, Hz).
     */
    hwmonChips(): readonly HwmonChip[] {
      return Object.freeze(
        sensors()
          .hwmonChips(ctx.fs)
          .map((c) =>
            Object.freeze({
              ...c,
              attributes: Object.freeze(c.attributes),
              deviceAttributes: Object.freeze(c.deviceAttributes),
            }),
          ),
      );
    },

    /** Every <sysfs>/class/thermal/thermal_zoneN: zone number, type, temp (m°C), policy, mode, passive. */
    thermalZones(): readonly ThermalZone[] {
      return Object.freeze(
        sensors()
          .thermalZones(ctx.fs)
          .map((z) => Object.freeze(z)),
      );
    },

    /** Every <sysfs>/class/thermal/cooling_deviceN: its number, type, max_state and cur_state. */
    coolingDevices(): readonly CoolingDevice[] {
      return Object.freeze(
        sensors()
          .coolingDevices(ctx.fs)
          .map((c) => Object.freeze(c)),
      );
    },

    /** Every <sysfs>/class/power_supply entry with its readable attribute files (raw text, kernel units: µV, µWh...). */
    powerSupplies(): readonly PowerSupply[] {
      return Object.freeze(
        sensors()
          .powerSupplies(ctx.fs)
          .map((p) =>
            Object.freeze({
              ...p,
              attributes: Object.freeze(p.attributes),
            }),
          ),
      );
    },
  };
}
