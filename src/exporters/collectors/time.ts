/**
 * time: node_time_seconds, node_time_zone_offset_seconds{time_zone}, node_time_clocksource_{available,current}_info
 * {clocksource,device}.
 */
import type { Clocksource } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export interface TimeData {
  /** Epoch seconds when the pass ran. */
  readonly now: number;
  readonly zone: string;
  readonly offsetSeconds: number;
  readonly clocksources: readonly Clocksource[];
}

/** The zone's short name as Go's time.Now().Zone() gives it ('UTC', 'CET'), else the IANA name. */
export function zoneName(date: Date): string {
  try {
    const part = new Intl.DateTimeFormat('en-GB', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
    if (part && part.value) return part.value;
  } catch (e) {
    // Intl without time zone data (small-icu builds): the IANA name below is still right.
    void e;
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function timeFamilies(d: TimeData) {
  const avail = fam('node_time_clocksource_available_info', 'gauge', "Available clocksources read from '/sys/devices/system/clocksource'.", ['device', 'clocksource']);
  const cur = fam('node_time_clocksource_current_info', 'gauge', "Current clocksource read from '/sys/devices/system/clocksource'.", ['device', 'clocksource']);
  for (const c of d.clocksources) {
    for (const a of c.available) avail.add({ device: c.device, clocksource: a }, 1);
    if (c.current !== null) cur.add({ device: c.device, clocksource: c.current }, 1);
  }
  return families(
    avail,
    cur,
    fam('node_time_seconds', 'gauge', 'System time in seconds since epoch (1970).').set(d.now),
    fam('node_time_zone_offset_seconds', 'gauge', 'System time zone offset in seconds.', ['time_zone']).add({ time_zone: d.zone }, d.offsetSeconds),
  );
}

export const timeCollector = defineCollector<TimeData, null>({
  name: 'time',
  help: 'System time, time zone and clocksources.',
  options: () => null,
  create: ({ psutil }) => () => {
    const date = new Date();
    return { now: date.getTime() / 1000, zone: zoneName(date), offsetSeconds: -date.getTimezoneOffset() * 60, clocksources: psutil.clocksources() };
  },
  prometheus: (d) => timeFamilies(d),
  otlp: () => [],
});
