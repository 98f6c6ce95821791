/**
 * adjtimex(2)'s struct timex, as read with modes 0 (native.ts), into the units node_exporter's timex collector exports:
 * seconds, a frequency ratio and hertz. The kernel's units: offset and jitter in microseconds, or nanoseconds where
 * STA_NANO is set in status; maxerror, esterror and tick in microseconds; freq, ppsfreq and stabil in ppm with 16
 * fractional bits ("scaled ppm", 2^-16 ppm). Pure: numbers in, record out.
 */
import { ParseError } from '../../errors';

/** The struct's fields that matter here, as the kernel fills them, plus adjtimex's return value (the clock state). */
export interface TimexRaw {
  /** adjtimex's return value: TIME_OK 0, TIME_INS 1, TIME_DEL 2, TIME_OOP 3, TIME_WAIT 4, TIME_ERROR 5. */
  readonly state: number;
  readonly offset: number;
  readonly freq: number;
  readonly maxerror: number;
  readonly esterror: number;
  readonly status: number;
  readonly constant: number;
  readonly tick: number;
  readonly ppsfreq: number;
  readonly jitter: number;
  readonly shift: number;
  readonly stabil: number;
  readonly jitcnt: number;
  readonly calcnt: number;
  readonly errcnt: number;
  readonly stbcnt: number;
  readonly tai: number;
}

export interface Timex {
  /** 1 unless the kernel reports TIME_ERROR (the clock is not synchronised). */
  readonly syncStatus: number;
  readonly offsetSeconds: number;
  /** 1 + freq: the local clock's frequency adjustment as a ratio. */
  readonly frequencyAdjustmentRatio: number;
  readonly maxerrorSeconds: number;
  readonly estimatedErrorSeconds: number;
  /** The status word's bits (STA_PLL 0x1, ..., STA_UNSYNC 0x40, ..., STA_NANO 0x2000). */
  readonly status: number;
  readonly loopTimeConstant: number;
  readonly tickSeconds: number;
  readonly ppsFrequencyHertz: number;
  readonly ppsJitterSeconds: number;
  /** The PPS interval's log2 (seconds), exported as is, as node_exporter does. */
  readonly ppsShiftSeconds: number;
  readonly ppsStabilityHertz: number;
  readonly ppsJitterTotal: number;
  readonly ppsCalibrationTotal: number;
  readonly ppsErrorTotal: number;
  readonly ppsStabilityExceededTotal: number;
  readonly taiOffsetSeconds: number;
}

export const TIME_ERROR = 5;
/** STA_NANO: offset and jitter are in nanoseconds rather than microseconds. */
export const STA_NANO = 0x2000;
/** 2^16 * 10^6: scaled ppm per unit ratio. */
const PPM16 = 65536e6;
const MICRO = 1e6;
const NANO = 1e9;

export function timexFromRaw(raw: TimexRaw, path = 'adjtimex'): Timex {
  for (const [k, v] of Object.entries(raw)) {
    if (!Number.isFinite(v)) throw new ParseError(path, `${k} is not a finite number: ${String(v)}`);
  }
  const divisor = (raw.status & STA_NANO) !== 0 ? NANO : MICRO;
  return Object.freeze({
    syncStatus: raw.state === TIME_ERROR ? 0 : 1,
    offsetSeconds: raw.offset / divisor,
    frequencyAdjustmentRatio: 1 + raw.freq / PPM16,
    maxerrorSeconds: raw.maxerror / MICRO,
    estimatedErrorSeconds: raw.esterror / MICRO,
    status: raw.status,
    loopTimeConstant: raw.constant,
    tickSeconds: raw.tick / MICRO,
    ppsFrequencyHertz: raw.ppsfreq / PPM16,
    ppsJitterSeconds: raw.jitter / divisor,
    ppsShiftSeconds: raw.shift,
    ppsStabilityHertz: raw.stabil / PPM16,
    ppsJitterTotal: raw.jitcnt,
    ppsCalibrationTotal: raw.calcnt,
    ppsErrorTotal: raw.errcnt,
    ppsStabilityExceededTotal: raw.stbcnt,
    taiOffsetSeconds: raw.tai,
  });
}
