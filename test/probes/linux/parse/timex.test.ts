import { ParseError } from '../../../../src/probes/errors';
import { STA_NANO, TIME_ERROR, timexFromRaw, type TimexRaw } from '../../../../src/probes/linux/parse/timex';

const raw: TimexRaw = {
  state: 0,
  offset: -2500,
  freq: -1310720, // -20 ppm in 2^-16 ppm
  maxerror: 16000,
  esterror: 250,
  status: 0x2001, // STA_PLL | STA_NANO
  constant: 7,
  tick: 10000,
  ppsfreq: 655360, // 10 ppm
  jitter: 1500,
  shift: 4,
  stabil: 65536, // 1 ppm
  jitcnt: 3,
  calcnt: 11,
  errcnt: 2,
  stbcnt: 5,
  tai: 37,
};

describe('timexFromRaw', () => {
  test("node_exporter's units: offset and jitter in ns under STA_NANO, scaled ppm as ratios, µs as seconds", () => {
    expect(timexFromRaw(raw)).toEqual({
      syncStatus: 1,
      offsetSeconds: -2500 / 1e9,
      frequencyAdjustmentRatio: 1 + -1310720 / 65536e6,
      maxerrorSeconds: 0.016,
      estimatedErrorSeconds: 0.00025,
      status: 0x2001,
      loopTimeConstant: 7,
      tickSeconds: 0.01,
      ppsFrequencyHertz: 655360 / 65536e6,
      ppsJitterSeconds: 1500 / 1e9,
      ppsShiftSeconds: 4,
      ppsStabilityHertz: 65536 / 65536e6,
      ppsJitterTotal: 3,
      ppsCalibrationTotal: 11,
      ppsErrorTotal: 2,
      ppsStabilityExceededTotal: 5,
      taiOffsetSeconds: 37,
    });
    expect(timexFromRaw(raw).frequencyAdjustmentRatio).toBeCloseTo(1 - 20e-6, 12);
  });

  test('without STA_NANO, offset and jitter are microseconds; TIME_ERROR is unsynchronised', () => {
    const t = timexFromRaw({ ...raw, status: raw.status & ~STA_NANO, state: TIME_ERROR });
    expect(t.offsetSeconds).toBe(-2500 / 1e6);
    expect(t.ppsJitterSeconds).toBe(1500 / 1e6);
    expect(t.syncStatus).toBe(0);
    // The other states (TIME_INS ... TIME_WAIT) are synchronised.
    for (const state of [1, 2, 3, 4]) expect(timexFromRaw({ ...raw, state }).syncStatus).toBe(1);
  });

  test('a field that is not a finite number is a ParseError', () => {
    expect(() => timexFromRaw({ ...raw, freq: NaN })).toThrow(ParseError);
    expect(() => timexFromRaw({ ...raw, tai: Infinity })).toThrow(/tai/);
  });
});
