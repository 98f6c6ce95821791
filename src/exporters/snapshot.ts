/**
 * The snapshot: what one collection pass produced, and the source that hands it out. Scrapes and OTLP exports ask
 * the source; a snapshot younger than max_age is served as is, and concurrent askers share the one pass in flight.
 * A pass is bounded by a deadline: collectors that have not answered by then count as failed, and the runner is told
 * to drop the thread that was doing the work.
 */
import type { AnyCollectorDef, CollectorEnv } from './catalog';
import { CollectionEngine } from './engine';
import type { Logger } from './log';
import { silentLogger } from './log';
import { failedResult, type CollectorPlan, type CollectorResult, type PassOutcome } from './pass';

export interface Snapshot {
  /** Increases by one per pass: renderers cache their output per id. */
  readonly id: number;
  /** When the pass started and ended (epoch ms). */
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly bootTime: number | null;
  /** Wall time of the collectors alone, when the runner measured it (the worker renders too); else finishedAt - startedAt. */
  readonly collectionSeconds?: number;
  /** One result per planned collector, in plan order. */
  readonly results: readonly CollectorResult[];
}

/** Runs passes somewhere: in this thread (InProcessRunner) or in a worker (WorkerRunner). */
export interface PassRunner {
  run(onResult: (r: CollectorResult) => void): Promise<PassOutcome>;
  /** The current pass overran its deadline: stop waiting for it (a worker is terminated and replaced). */
  abandon(): void;
  close(): Promise<void>;
  /**
   * Replaces the plans of the same names (a config reload); resolves with any collector's error once applied. A
   * runner without it (a test's) takes no reloads.
   */
  reconfigure?(plans: readonly CollectorPlan[]): Promise<string[]>;
  /** Resolves when a pass can start at once (a new worker has built its collectors): not part of the pass's time. */
  prepare?(): Promise<void>;
}

export class InProcessRunner implements PassRunner {
  private readonly engine: CollectionEngine;

  constructor(env: CollectorEnv, defs: ReadonlyMap<string, AnyCollectorDef>, plans: readonly CollectorPlan[]) {
    this.engine = new CollectionEngine(env, defs, plans);
  }

  run(onResult: (r: CollectorResult) => void): Promise<PassOutcome> {
    return this.engine.run(onResult);
  }

  reconfigure(plans: readonly CollectorPlan[]): Promise<string[]> {
    return Promise.resolve(this.engine.reconfigure(plans).errors);
  }

  abandon(): void {
    // Nothing to stop in this thread: the pass finishes in the background and its result is ignored.
  }

  async close(): Promise<void> {
    // Nothing held.
  }
}

/** How long a new worker may take to get ready before its first pass's deadline starts anyway. */
const STARTUP_BOUND_MS = 60_000;

export interface SnapshotSourceOptions {
  readonly plans: readonly CollectorPlan[];
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
  readonly log?: Logger;
  readonly now?: () => number;
}

export class SnapshotSource {
  private current: Snapshot | null = null;
  private inflight: Promise<Snapshot> | null = null;
  private nextId = 1;
  private readonly log: Logger;
  private readonly now: () => number;
  private passes = 0;
  /** A reconfiguration waiting for the pass in flight, or applying: the next pass starts its clock after it. */
  private barrier: Promise<unknown> | null = null;

  constructor(
    private readonly runner: PassRunner,
    private readonly opts: SnapshotSourceOptions,
  ) {
    this.log = opts.log ?? silentLogger;
    this.now = opts.now ?? Date.now;
  }

  /** The last snapshot, if any (for /readyz and the index page). */
  get latest(): Snapshot | null {
    return this.current;
  }

  get passCount(): number {
    return this.passes;
  }

  /**
   * A snapshot no older than `maxAgeMs` (default: the configured max_age): the cached one, the pass in flight, or a
   * new pass. Never rejects: a failed pass yields a snapshot whose collectors all show ok=false.
   */
  get(maxAgeMs: number = this.opts.maxAgeMs): Promise<Snapshot> {
    const cur = this.current;
    if (cur) {
      const age = this.now() - cur.finishedAt;
      if (age < maxAgeMs) {
        // Refresh ahead: a snapshot this close to its max age starts the next pass now, in the background, so that
        // under frequent scrapes the next one is ready before this one expires and nobody waits for a pass. Every
        // answer is still at most maxAgeMs old; scrapes further apart than max_age never trigger it.
        if (!this.inflight && age >= maxAgeMs - this.refreshLead(maxAgeMs)) void this.startPass();
        return Promise.resolve(cur);
      }
    }
    return this.inflight ?? this.startPass();
  }

  /** How long before expiry a pass is started ahead: 1.5 times the last pass's wall time, at most half the max age. */
  private refreshLead(maxAgeMs: number): number {
    const cur = this.current;
    if (!cur) return 0;
    return Math.min(maxAgeMs / 2, 1.5 * (cur.finishedAt - cur.startedAt));
  }

  private startPass(): Promise<Snapshot> {
    const p = this.pass().finally(() => {
      if (this.inflight === p) this.inflight = null;
    });
    this.inflight = p;
    return p;
  }

  /**
   * Hands new plans to the runner between passes (a config reload): after the pass in flight, before the next one
   * starts its deadline, so that applying them (compiling thousands of rules) is in no pass's time and cannot make a
   * pass overrun and the worker be replaced.
   */
  reconfigure(plans: readonly CollectorPlan[]): Promise<string[]> {
    const after = this.barrier ?? this.inflight ?? Promise.resolve();
    const applied = after
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => this.runner.reconfigure?.(plans) ?? []);
    const barrier = applied.finally(() => {
      if (this.barrier === barrier) this.barrier = null;
    });
    this.barrier = barrier;
    return applied;
  }

  /**
   * Waits for the runner to be ready (a new worker building its collectors), at most STARTUP_BOUND_MS: a worker that
   * cannot get ready in that time is left to the pass, whose deadline then replaces it.
   */
  private async prepared(): Promise<void> {
    if (!this.runner.prepare) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.runner.prepare(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(STARTUP_BOUND_MS, this.opts.timeoutMs));
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  private async pass(): Promise<Snapshot> {
    // The rejection is the reconfigure caller's to handle: a pass only waits for it to be over.
    while (this.barrier)
      await this.barrier.then(
        () => undefined,
        () => undefined,
      );
    // Only when there is something to wait for: a runner without prepare starts its pass in this very call.
    if (this.runner.prepare) await this.prepared();
    const startedAt = this.now();
    const got = new Map<string, CollectorResult>();
    let timer: NodeJS.Timeout | undefined;
    let outcome: PassOutcome | null = null;
    let failure: string | null = null;
    try {
      outcome = await Promise.race([
        this.runner.run((r) => got.set(r.name, r)),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), this.opts.timeoutMs);
        }),
      ]);
      if (outcome === null) {
        failure = `pass deadline of ${this.opts.timeoutMs} ms reached`;
        this.runner.abandon();
      }
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (failure !== null)
      this.log.warn('collection pass incomplete', {
        reason: failure,
        answered: got.size,
        planned: this.opts.plans.length,
      });
    const finishedAt = this.now();
    const byName = outcome ? new Map(outcome.results.map((r) => [r.name, r])) : got;
    const results = this.opts.plans.map(
      (p): CollectorResult =>
        byName.get(p.name) ?? failedResult(p.name, (finishedAt - startedAt) / 1000, failure ?? 'no result'),
    );
    for (const r of results) {
      if (!r.ok) this.log.debug('collector failed', { collector: r.name, error: r.error });
    }
    const snap: Snapshot = Object.freeze({
      id: this.nextId++,
      startedAt,
      finishedAt,
      bootTime: outcome?.bootTime ?? this.current?.bootTime ?? null,
      ...(outcome?.collectionSeconds !== undefined ? { collectionSeconds: outcome.collectionSeconds } : {}),
      results,
    });
    this.current = snap;
    this.passes++;
    return snap;
  }

  async close(): Promise<void> {
    await this.runner.close();
  }
}
