/**
 * Differential tests against /usr/bin/python3 psutil 5.9 on this machine (often no sensors at all: {} and None).
 * psutil reads /sys directly (no PROCFS_PATH for it), so the values on a fixture tree are checked against
 * node_exporter's golden output in sensors.test.ts instead.
 */
import { sensorsBattery, sensorsFans, sensorsTemperatures } from '../../src/index';
import { describeOracle, py } from '../helpers/oracle';
import { retry } from '../helpers/retry';

describeOracle('sensors: live, against psutil', () => {
  // Temperatures and fan speeds move: same chips, labels and counts, values within a tolerance.
  test.each([false, true])('sensors_temperatures(fahrenheit=%p)', (fahrenheit) => {
    retry(3, () => {
      const theirs = py<Record<string, Array<Record<string, number | string | null>>>>(
        `out = psutil.sensors_temperatures(fahrenheit=${fahrenheit ? 'True' : 'False'})`,
      );
      const ours = sensorsTemperatures({ fahrenheit });
      expect(Object.keys(ours)).toEqual(Object.keys(theirs));
      for (const [chip, rows] of Object.entries(ours)) {
        const t = theirs[chip]!;
        expect(rows.map((r) => r.label)).toEqual(t.map((r) => r['label']));
        rows.forEach((r, i) => {
          expect(Math.abs(r.current - (t[i]!['current'] as number))).toBeLessThanOrEqual(10);
          expect(r.high).toEqual(t[i]!['high']);
          expect(r.critical).toEqual(t[i]!['critical']);
        });
      }
    });
  });

  test('sensors_fans', () => {
    retry(3, () => {
      const theirs = py<Record<string, Array<{ label: string; current: number }>>>('out = psutil.sensors_fans()');
      const ours = sensorsFans();
      expect(Object.keys(ours)).toEqual(Object.keys(theirs));
      for (const [chip, rows] of Object.entries(ours)) {
        expect(rows.map((r) => r.label)).toEqual(theirs[chip]!.map((r) => r.label));
        rows.forEach((r, i) => expect(Math.abs(r.current - theirs[chip]![i]!.current)).toBeLessThanOrEqual(500));
      }
    });
  });

  test('sensors_battery', () => {
    retry(3, () => {
      const theirs = py<{ percent: number; secsleft: number; power_plugged: boolean | null } | null>(
        'out = psutil.sensors_battery()',
      );
      const ours = sensorsBattery();
      if (theirs === null) {
        expect(ours).toBeNull();
        return;
      }
      expect(ours).not.toBeNull();
      expect(Math.abs(ours!.percent - theirs.percent)).toBeLessThanOrEqual(1);
      expect(ours!.powerPlugged).toBe(theirs.power_plugged);
    });
  });
});
