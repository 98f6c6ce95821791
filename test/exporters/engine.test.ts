import { defineCollector, type AnyCollectorDef } from '../../src/exporters/catalog';
import { CollectionEngine, type CollectorPlan, type CollectorResult } from '../../src/exporters/engine';
import { createPsutil } from '../../src/index';

function def(name: string, collect: () => unknown): AnyCollectorDef {
  return defineCollector<unknown, null>({
    name,
    help: name,
    options: () => null,
    create: () => collect,
    prometheus: () => [],
    otlp: () => [],
  });
}

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin: a synchronous collector that overruns its budget
  }
}

/** A result's error, or its data: undefined for the other kind. */
const err = (r?: CollectorResult): string | undefined => (r?.kind === 'failed' ? r.error : undefined);
const data = (r?: CollectorResult): unknown => (r?.kind === 'data' ? r.data : undefined);

const env = { psutil: createPsutil(), roots: { procfs: '/proc', sysfs: '/sys', rootfs: '/' } };

describe('CollectionEngine', () => {
  test('a throwing collector fails alone; the others keep their data, in plan order', async () => {
    const defs = new Map([
      ['a', def('a', () => ({ v: 1 }))],
      [
        'b',
        def('b', () => {
          throw new Error('boom');
        }),
      ],
      ['c', def('c', async () => ({ v: 3 }))],
    ]);
    const plans: CollectorPlan[] = ['a', 'b', 'c'].map((name) => ({ name, timeoutMs: 1000, options: {} }));
    const seen: string[] = [];
    const out = await new CollectionEngine(env, defs, plans).run((r) => seen.push(r.name));
    expect(out.results.map((r) => [r.name, r.ok])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
    expect(err(out.results[1])).toBe('Error: boom');
    expect(data(out.results[2])).toEqual({ v: 3 });
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect(typeof out.bootTime).toBe('number');
  });

  test('a result handler that returns a promise is waited for before the next collector starts (the worker sends each result before a later collector can block it)', async () => {
    const events: string[] = [];
    const defs = new Map([
      [
        'a',
        def('a', () => {
          events.push('a:run');
          return 1;
        }),
      ],
      [
        'b',
        def('b', () => {
          events.push('b:run');
          return 2;
        }),
      ],
    ]);
    const plans: CollectorPlan[] = ['a', 'b'].map((name) => ({ name, timeoutMs: 1000, options: {} }));
    await new CollectionEngine(env, defs, plans).run(async (r) => {
      await new Promise((res) => setImmediate(res));
      events.push(`${r.name}:sent`);
    });
    expect(events).toEqual(['a:run', 'a:sent', 'b:run', 'b:sent']);
  });

  test('a synchronous collector over its budget loses its data and fails', async () => {
    const defs = new Map([
      [
        'slow',
        def('slow', () => {
          busyWait(60);
          return { v: 1 };
        }),
      ],
    ]);
    const out = await new CollectionEngine(env, defs, [{ name: 'slow', timeoutMs: 20, options: {} }]).run();
    expect(out.results[0]).toMatchObject({ name: 'slow', ok: false });
    expect(data(out.results[0])).toBeUndefined();
    expect(err(out.results[0])).toMatch(/BudgetExceeded/);
  });

  test('an async collector that never answers fails at its budget without holding the pass', async () => {
    const defs = new Map([
      ['hang', def('hang', () => new Promise(() => undefined))],
      ['fine', def('fine', () => 1)],
    ]);
    const plans = [
      { name: 'hang', timeoutMs: 50, options: {} },
      { name: 'fine', timeoutMs: 50, options: {} },
    ];
    const out = await new CollectionEngine(env, defs, plans).run();
    expect(out.results.map((r) => r.ok)).toEqual([false, true]);
    expect(err(out.results[0])).toMatch(/budget of 50 ms/);
  });

  test('an unknown collector or one whose setup throws reports failure every pass', async () => {
    const broken = defineCollector<unknown, null>({
      name: 'broken',
      help: '',
      options: () => {
        throw new Error('bad option');
      },
      create: () => () => 1,
      prometheus: () => [],
      otlp: () => [],
    }) as AnyCollectorDef;
    const out = await new CollectionEngine(env, new Map([['broken', broken]]), [
      { name: 'broken', timeoutMs: 10, options: {} },
      { name: 'nope', timeoutMs: 10, options: {} },
    ]).run();
    expect(out.results.map((r) => [r.ok, err(r)])).toEqual([
      [false, 'Error: bad option'],
      [false, 'unknown collector nope'],
    ]);
  });
});
