/**
 * timex: node_timex_* from adjtimex(2) (the kernel's NTP clock discipline: offset, frequency, error estimates, status
 * bits, PLL time constant, tick, PPS counters, TAI offset), names, HELP, types and units as node_exporter's.
 * The live kernel's state whatever the roots. OTLP: none in the semantic conventions.
 */
import type { Timex } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function timexFamilies(d: Timex) {
  const g = (name: string, help: string, v: number) => fam(`node_timex_${name}`, 'gauge', help).set(v);
  const c = (name: string, help: string, v: number) => fam(`node_timex_${name}`, 'counter', help).set(v);
  return families(
    g('offset_seconds', 'Time offset in between local system and reference clock.', d.offsetSeconds),
    g('frequency_adjustment_ratio', 'Local clock frequency adjustment.', d.frequencyAdjustmentRatio),
    g('maxerror_seconds', 'Maximum error in seconds.', d.maxerrorSeconds),
    g('estimated_error_seconds', 'Estimated error in seconds.', d.estimatedErrorSeconds),
    g('status', 'Value of the status array bits.', d.status),
    g('loop_time_constant', 'Phase-locked loop time constant.', d.loopTimeConstant),
    g('tick_seconds', 'Seconds between clock ticks.', d.tickSeconds),
    g('pps_frequency_hertz', 'Pulse per second frequency.', d.ppsFrequencyHertz),
    g('pps_jitter_seconds', 'Pulse per second jitter.', d.ppsJitterSeconds),
    g('pps_shift_seconds', 'Pulse per second interval duration.', d.ppsShiftSeconds),
    g('pps_stability_hertz', 'Pulse per second stability, average of recent frequency changes.', d.ppsStabilityHertz),
    c('pps_jitter_total', 'Pulse per second count of jitter limit exceeded events.', d.ppsJitterTotal),
    c('pps_calibration_total', 'Pulse per second count of calibration intervals.', d.ppsCalibrationTotal),
    c('pps_error_total', 'Pulse per second count of calibration errors.', d.ppsErrorTotal),
    c(
      'pps_stability_exceeded_total',
      'Pulse per second count of stability limit exceeded events.',
      d.ppsStabilityExceededTotal,
    ),
    g('tai_offset_seconds', 'International Atomic Time (TAI) offset.', d.taiOffsetSeconds),
    g('sync_status', 'Is clock synchronized to a reliable server (1 = yes, 0 = no).', d.syncStatus),
  );
}

export const timexCollector = defineCollector<Timex, null>({
  name: 'timex',
  help: "The kernel's clock discipline from adjtimex(2): offset, frequency, errors, status, PPS, TAI.",
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.timex(),
  prometheus: (d) => timexFamilies(d),
  otlp: () => [],
});
