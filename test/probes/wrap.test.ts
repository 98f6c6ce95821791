import { WrapNumbers } from '../../src/probes/wrap';

describe('WrapNumbers (nowrap)', () => {
  test('a counter that goes back is compensated with the previous value, and stays so', () => {
    const w = new WrapNumbers<{ a: number; b: number }>();
    expect(w.run({ eth0: { a: 100, b: 5 } })['eth0']).toEqual({ a: 100, b: 5 });
    expect(w.run({ eth0: { a: 10, b: 6 } })['eth0']).toEqual({ a: 110, b: 6 });
    expect(w.run({ eth0: { a: 20, b: 7 } })['eth0']).toEqual({ a: 120, b: 7 });
    // A second wrap adds the last raw value again.
    expect(w.run({ eth0: { a: 5, b: 8 } })['eth0']).toEqual({ a: 125, b: 8 });
  });

  test('a key that disappears loses its reminder; clear() forgets everything', () => {
    const w = new WrapNumbers<{ a: number }>();
    w.run({ x: { a: 50 } });
    expect(w.run({ x: { a: 1 } })['x']!.a).toBe(51);
    w.run({});
    expect(w.run({ x: { a: 2 } })['x']!.a).toBe(2);
    w.run({ x: { a: 50 } });
    w.clear();
    expect(w.run({ x: { a: 1 } })['x']!.a).toBe(1);
  });
});
