import { dataResult, type CollectorResult, type PassOutcome } from '../../src/exporters/pass';
import { SnapshotSource, type PassRunner } from '../../src/exporters/snapshot';

/** A runner whose passes the test finishes by hand. */
class ManualRunner implements PassRunner {
  runs = 0;
  abandoned = 0;
  pending: Array<{ onResult: (r: CollectorResult) => void; resolve: (o: PassOutcome) => void }> = [];
  run(onResult: (r: CollectorResult) => void): Promise<PassOutcome> {
    this.runs++;
    return new Promise((resolve) => this.pending.push({ onResult, resolve }));
  }
  finish(results: CollectorResult[]): void {
    const p = this.pending.shift();
    for (const r of results) p?.onResult(r);
    p?.resolve({ results, bootTime: 1000 });
  }
  abandon(): void {
    this.abandoned++;
    this.pending.shift();
  }
  async close(): Promise<void> {
    // nothing held
  }
}

const plans = [
  { name: 'a', timeoutMs: 100, options: {} },
  { name: 'b', timeoutMs: 100, options: {} },
];
const good: CollectorResult[] = [dataResult('a', 0, 1), dataResult('b', 0, 2)];

describe('SnapshotSource', () => {
  test('concurrent askers share one pass; a fresh snapshot is served without a new pass', async () => {
    let now = 0;
    const r = new ManualRunner();
    const s = new SnapshotSource(r, { plans, maxAgeMs: 1000, timeoutMs: 5000, now: () => now });
    const p1 = s.get();
    const p2 = s.get();
    expect(r.runs).toBe(1);
    r.finish(good);
    const [a, b] = await Promise.all([p1, p2]);
    expect(a).toBe(b);
    expect(a.bootTime).toBe(1000);
    now = 500;
    expect(await s.get()).toBe(a);
    expect(r.runs).toBe(1);
    now = 1501;
    const p3 = s.get();
    expect(r.runs).toBe(2);
    r.finish(good);
    expect((await p3).id).toBe(a.id + 1);
  });

  test('at the deadline, what answered is kept, the rest fails, and the runner is told to drop the pass', async () => {
    const r = new ManualRunner();
    const s = new SnapshotSource(r, { plans, maxAgeMs: 0, timeoutMs: 30 });
    const p = s.get();
    r.pending[0]?.onResult(good[0] as CollectorResult);
    const snap = await p;
    expect(snap.results.map((x) => x.ok)).toEqual([true, false]);
    expect(snap.results[1]?.error).toMatch(/deadline/);
    expect(r.abandoned).toBe(1);
  });

  test('a runner that rejects yields a snapshot of failures, never a rejection', async () => {
    const r: PassRunner = {
      run: () => Promise.reject(new Error('worker died')),
      abandon: () => undefined,
      close: async () => undefined,
    };
    const snap = await new SnapshotSource(r, { plans, maxAgeMs: 0, timeoutMs: 1000 }).get();
    // One failure per plan (an empty list would pass an every()).
    expect(snap.results).toEqual(
      plans.map((p) => expect.objectContaining({ name: p.name, ok: false, error: 'worker died' })),
    );
  });
  test('refresh ahead: near its max age a fresh snapshot is still served while the next pass starts in the background', async () => {
    let now = 0;
    const r = new ManualRunner();
    const s = new SnapshotSource(r, { plans, maxAgeMs: 1000, timeoutMs: 5000, now: () => now });
    const p1 = s.get();
    now = 100; // the pass takes 100 ms: passes start 150 ms ahead of expiry
    r.finish(good);
    const a = await p1;
    now = 100 + 849;
    expect(await s.get()).toBe(a);
    expect(r.runs).toBe(1);
    now = 100 + 851;
    expect(await s.get()).toBe(a); // still fresh: served at once...
    expect(r.runs).toBe(2); // ...and the next pass is under way
    expect(await s.get()).toBe(a);
    expect(r.runs).toBe(2); // one pass in flight at a time
    now = 100 + 900;
    r.finish(good);
    await new Promise((res) => setImmediate(res));
    const b = await s.get();
    expect(b.id).toBe(a.id + 1);
    expect(r.runs).toBe(2);
    // Past the max age without a pass ahead (scrapes far apart): the asker waits for a new pass, as before.
    now = 100 + 900 + 5000;
    const p3 = s.get();
    expect(r.runs).toBe(3);
    r.finish(good);
    expect((await p3).id).toBe(b.id + 1);
  });

  test('refresh ahead starts no earlier than half the max age, however slow the last pass was', async () => {
    let now = 0;
    const r = new ManualRunner();
    const s = new SnapshotSource(r, { plans, maxAgeMs: 1000, timeoutMs: 5000, now: () => now });
    const p1 = s.get();
    now = 4000; // a 4 s pass
    r.finish(good);
    await p1;
    now = 4000 + 499;
    await s.get();
    expect(r.runs).toBe(1);
    now = 4000 + 500;
    await s.get();
    expect(r.runs).toBe(2);
    r.finish(good); // the pass ahead ends (its deadline timer with it)
  });
});
