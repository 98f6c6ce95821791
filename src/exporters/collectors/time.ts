/**
 * time: node_time_seconds, node_time_zone_offset_seconds{time_zone}, node_time_clocksource_{available,current}_info
 * {clocksource,device}.
 */
import type { Clocksource } from '../../index';
import { defineCollector, fam, families } from '../catalog';
import { loadLocalZone, zoneAbbreviation } from '../tzname';

export interface TimeData {
  /** Epoch seconds when the pass ran. */
  readonly now: number;
  readonly zone: string;
  readonly offsetSeconds: number;
  readonly clocksources: readonly Clocksource[];
}

export function timeFamilies(d: TimeData) {
  const avail = fam(
    'node_time_clocksource_available_info',
    'gauge',
    "Available clocksources read from '/sys/devices/system/clocksource'.",
    ['device', 'clocksource'],
  );
  const cur = fam(
    'node_time_clocksource_current_info',
    'gauge',
    "Current clocksource read from '/sys/devices/system/clocksource'.",
    ['device', 'clocksource'],
  );
  for (const c of d.clocksources) {
    for (const a of c.available) avail.add({ device: c.device, clocksource: a }, 1);
    if (c.current !== null) cur.add({ device: c.device, clocksource: c.current }, 1);
  }
  return families(
    avail,
    cur,
    fam('node_time_seconds', 'gauge', 'System time in seconds since epoch (1970).').set(d.now),
    fam('node_time_zone_offset_seconds', 'gauge', 'System time zone offset in seconds.', ['time_zone']).add(
      { time_zone: d.zone },
      d.offsetSeconds,
    ),
  );
}

export const timeCollector = defineCollector<TimeData, null>({
  name: 'time',
  help: 'System time, time zone and clocksources.',
  options: () => null,
  create: ({ psutil }) => {
    // Loaded once per worker, as Go loads time.Local once per process; the abbreviation is looked up per pass.
    const local = loadLocalZone();
    return () => {
      const date = new Date();
      const now = date.getTime() / 1000;
      const offsetSeconds = -date.getTimezoneOffset() * 60;
      return {
        now,
        zone: zoneAbbreviation(local, Math.floor(now), offsetSeconds),
        offsetSeconds,
        clocksources: psutil.clocksources(),
      };
    };
  },
  prometheus: (d) => timeFamilies(d),
  otlp: () => [],
});
