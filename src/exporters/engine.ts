/**
 * One collection pass: every enabled collector in turn, each within its time budget, in whichever thread this runs
 * (the worker in the agent; the caller's thread for --once and unit tests). A collector that throws or overruns its
 * budget yields `ok: false` and no data, and costs nothing else.
 */
import { performance } from 'node:perf_hooks';
import type { AnyCollectorDef, CollectFn, CollectorEnv, Reconfigurable } from './catalog';
import { dataResult, failedResult, type CollectorPlan, type CollectorResult, type PassOutcome } from './pass';

export type { CollectorPlan, CollectorResult, PassOutcome } from './pass';

export class BudgetExceeded extends Error {
  override readonly name = 'BudgetExceeded';
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function isThenable<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

interface Prepared {
  plan: CollectorPlan;
  /** A collect function; one that is Reconfigurable takes new options in place (a config reload). */
  fn: (CollectFn<unknown> & Partial<Reconfigurable<unknown>>) | null;
  setupError: string | null;
}

export class CollectionEngine {
  private readonly prepared: Prepared[];
  private readonly env: CollectorEnv;
  private bootTime: number | null | undefined;

  constructor(
    env: CollectorEnv,
    private readonly defs: ReadonlyMap<string, AnyCollectorDef>,
    plans: readonly CollectorPlan[],
  ) {
    this.env = env;
    this.prepared = plans.map((plan) => {
      const def = defs.get(plan.name);
      if (!def) return { plan, fn: null, setupError: `unknown collector ${plan.name}` };
      try {
        return { plan, fn: def.create(env, def.options(plan.options)), setupError: null };
      } catch (e) {
        // A collector that cannot even start reports success 0 on every pass rather than stopping the agent.
        return { plan, fn: null, setupError: errorText(e) };
      }
    });
  }

  /**
   * Replaces the plans of the same names (a config reload), between passes: a collector that can be reconfigured
   * (Reconfigurable) keeps its state, another is created again. Returns each replaced collector's parsed options, for
   * the renderers; a collector whose new options do not parse keeps its old ones, and the reason is returned.
   */
  reconfigure(plans: readonly CollectorPlan[]): { options: Map<string, unknown>; errors: string[] } {
    const options = new Map<string, unknown>();
    const errors: string[] = [];
    for (const plan of plans) {
      const p = this.prepared.find((x) => x.plan.name === plan.name);
      const def = this.defs.get(plan.name);
      if (!p || !def) continue; // not enabled in this engine: enabling a collector needs a restart
      try {
        const parsed = def.options(plan.options);
        const fn = p.fn;
        if (fn !== null && typeof fn.reconfigure === 'function') fn.reconfigure(parsed);
        else p.fn = def.create(this.env, parsed);
        p.plan = plan;
        p.setupError = null;
        options.set(plan.name, parsed);
      } catch (e) {
        errors.push(`${plan.name}: ${errorText(e)}`);
      }
    }
    return { options, errors };
  }

  /** Boot time once per engine (it does not change while the host runs). */
  private boot(): number | null {
    if (this.bootTime === undefined) {
      const fn = (this.env.psutil as { bootTime?: () => number }).bootTime;
      try {
        this.bootTime = typeof fn === 'function' ? fn() : null;
      } catch (e) {
        this.bootTime = null;
        void e; // without a boot time, OTLP start times fall back to the agent's start (otlp.ts); nothing else needs it
      }
    }
    return this.bootTime;
  }

  /**
   * Runs every collector; `onResult` hears each result as soon as it is known (the worker streams them, so a pass
   * cut short by its deadline still keeps what finished). When it returns a promise (the worker renders and sends the
   * result), the next collector waits for it: what finished is on its way before a later collector can hang the
   * thread, and the handling is in no collector's duration.
   */
  async run(onResult: (r: CollectorResult) => unknown = () => undefined): Promise<PassOutcome> {
    const results: CollectorResult[] = [];
    for (const { plan, fn, setupError } of this.prepared) {
      const r = fn === null ? failedResult(plan.name, 0, setupError ?? 'not available') : await this.runOne(plan, fn);
      results.push(r);
      const handled = onResult(r);
      if (isThenable(handled)) await handled;
    }
    return { results, bootTime: this.boot() };
  }

  private async runOne(plan: CollectorPlan, fn: CollectFn<unknown>): Promise<CollectorResult> {
    const t0 = performance.now();
    const deadline = Date.now() + plan.timeoutMs;
    const elapsed = (): number => (performance.now() - t0) / 1000;
    let out: unknown;
    let incomplete: string | null = null;
    const incompleteFn = (reason: string): void => {
      incomplete ??= reason;
    };
    const done = (data: unknown): CollectorResult => {
      const r = settle(plan, data, elapsed());
      return r.ok && incomplete !== null ? { ...r, incomplete } : r;
    };
    try {
      out = fn({ deadline, incomplete: incompleteFn });
    } catch (e) {
      return failedResult(plan.name, elapsed(), errorText(e));
    }
    if (!isThenable(out)) return done(out);
    // Awaited before the next collector starts: each duration is that collector's own (the filesystem collector's
    // statfs calls still run in parallel with each other, each bounded).
    try {
      return done(await withTimeout(out, plan.timeoutMs));
    } catch (e) {
      return failedResult(plan.name, elapsed(), errorText(e));
    }
  }
}

function settle(plan: CollectorPlan, data: unknown, seconds: number): CollectorResult {
  if (seconds * 1000 > plan.timeoutMs) {
    return failedResult(
      plan.name,
      seconds,
      `BudgetExceeded: took ${(seconds * 1000).toFixed(0)} ms, budget ${plan.timeoutMs} ms`,
    );
  }
  return dataResult(plan.name, seconds, data);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new BudgetExceeded(`no answer within its budget of ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
