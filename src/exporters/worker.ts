/**
 * Collection off the HTTP event loop: this file is both the worker thread's entry (it builds the library on the
 * configured roots and runs passes on request) and, in the main thread, the runner that talks to it. Results stream
 * back one collector at a time, so a pass cut short by its deadline keeps whatever finished; a worker stuck past the
 * deadline is terminated and the next pass starts a fresh one.
 *
 * With `render` set (the agent), the worker also renders each collector's data where it was collected: a result
 * carries the collector's exposition blocks (and OTLP metrics when OTLP is on) instead of its data. The main thread then
 * never receives, holds or walks the pass's objects, which is what made its heap grow under scrape load; it loads
 * neither the library nor the collectors.
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  isMainThread,
  MessageChannel,
  parentPort,
  receiveMessageOnPort,
  Worker,
  workerData,
  type MessagePort,
} from 'node:worker_threads';
import type { LogLevel } from '../config/defaults';
import type { ExpositionLimits, WireBlocks } from './exposition/types';
import { transferList, WireDecoder, WireEncoder } from './exposition/wire';
import { failedResult, type CollectorPlan, type CollectorResult, type PassOutcome, type RenderedResult } from './pass';
import { packOtlp } from './otlp-pack';
import { closeOrphanedFds, setKeptFdSink } from '../probes/linux/keptfds';
import type { ActiveCollector } from './prometheus';
import type { PassRunner } from './snapshot';
import type { Logger } from './log';

export interface WorkerRenderInit {
  readonly limits: ExpositionLimits;
  /** Whether to map each collector's data to OTLP metrics too (otlp.enabled). */
  readonly otlp: boolean;
  readonly logLevel: LogLevel;
}

interface WorkerInit {
  readonly kind: 'psutil-exporter-collector';
  readonly roots: { procfs: string; sysfs: string; rootfs: string };
  readonly plans: readonly CollectorPlan[];
  /** Render in the worker (the agent); without it results carry raw data. */
  readonly render?: WorkerRenderInit;
}

type ToWorker =
  | { type: 'collect'; id: number }
  | { type: 'results-port'; port: MessagePort }
  | { type: 'reconfigure'; id: number; plans: readonly CollectorPlan[] }
  | { type: 'render-otlp'; on: boolean };

/** An early thread's data (startEarly): it has no init yet, and takes it as its first message. */
interface EarlyData {
  readonly kind: 'psutil-exporter-collector-early';
}
type FromWorker =
  /**
   * A collector's result; a rendered one crosses with its blocks as `wire` (exposition/wire.ts) and `families` empty,
   * the main thread decodes them into its families.
   */
  | { type: 'result'; id: number; result: CollectorResult; wire?: WireBlocks }
  | { type: 'reconfigured'; id: number; errors: string[] }
  | { type: 'ready' }
  | { type: 'booted' }
  | { type: 'done'; id: number; bootTime: number | null; collectionSeconds?: number }
  | { type: 'failed'; id: number; error: string }
  /** A table of the /proc fds the worker keeps between passes (keptfds.ts), closed here once the thread has ended. */
  | { type: 'kept-fds'; table: Int32Array };

/**
 * The worker's young generation, in MB. V8 would otherwise grow it to 48 MB; a pass allocates a few MB of short-lived
 * strings and objects. 4 rather than 8: measured with bench/agent.js, the same collection time and about 4 MB less
 * resident (the new space settles at 2 MB instead of 8).
 */
export const WORKER_YOUNG_GENERATION_MB = 4;

export const WORKER_SCRIPT = path.join(__dirname, 'worker.js');

/**
 * How long close() waits for the worker to end. A worker whose statfs thread waits on a stuck mount cannot end until
 * the kernel answers (Node joins that thread first); it is left behind, and the process exits without it (exitProcess).
 */
export const WORKER_CLOSE_WAIT_MS = 1000;

/** Workers told to end whose thread has not ended yet (one whose statfs thread waits on a stuck mount). */
let lingering = 0;

/** How many collection workers were terminated and have not ended yet. */
export function lingeringWorkers(): number {
  return lingering;
}

/** Ends a worker without waiting for it; resolves when its thread has ended. */
function retire(w: Worker): Promise<void> {
  lingering++;
  return new Promise<void>((resolve) => {
    const gone = (): void => {
      lingering--;
      resolve();
    };
    w.once('exit', gone);
    // terminate()'s own promise is not awaited: it may not settle for as long as a statfs hangs, and the 'exit' event
    // above reports the end however it comes; a rejection says no more than that event will.
    w.terminate().catch((e: unknown) => void e);
  });
}

/**
 * Exits with `code` through _exit(2), every thread ending with the process. process.exit() would first stop and join
 * each worker thread: one left behind by a stuck statfs is not joined until the kernel answers (the process would hang
 * there, and crash when the answer came to a thread torn down), and a thread stopped inside a native call (koffi)
 * aborts the whole process (FATAL ERROR ... napi_throw: SIGABRT, seen at SIGTERM in stuck-mounts.test.ts under load).
 * stderr and stdout are pipes or files here, written synchronously on Linux, so no log line is lost; the OTLP push
 * and the servers were stopped before. process.exit() only where libc cannot be reached (no glibc).
 */
export function exitProcess(code: number): never {
  // Loaded only here: the main thread does not load the library otherwise.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the main thread does not load the library otherwise
  const native = require('../probes/linux/native') as typeof import('../probes/linux/native');
  try {
    return native.exitNow(code);
  } catch (e) {
    // No koffi or no libc _exit here: the ordinary exit, joining the threads, is what remains.
    void e;
    if (lingering > 0) process.stderr.write('exit: _exit unavailable; joining a worker left on a stuck statfs\n');
    return process.exit(code);
  }
}

/**
 * The collection thread started early (startEarly), not yet taken by a WorkerRunner; `failed` once it errored or
 * exited before it was taken (then a runner starts a new one).
 */
let early: { worker: Worker; failed: boolean; booted: Promise<void> } | null = null;

/**
 * Starts the collection thread before the config is known (cli.ts, while the config thread reads and checks the
 * file): it boots and loads the library, the collectors and the renderer meanwhile, side by side with the config
 * thread, and takes its roots and plans from the first WorkerRunner of this script that needs a thread. Unref'd until
 * then: a refused config exits without waiting for it. Only where the thread can run this file (dist/, not ts-jest).
 */
export function startEarly(): void {
  if (early !== null || !__filename.endsWith('.js')) return;
  const worker = new Worker(WORKER_SCRIPT, {
    workerData: { kind: 'psutil-exporter-collector-early' } satisfies EarlyData,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  // Settled once the thread has loaded its modules (its 'booted' message) or ended: see settleEarly.
  const booted = new Promise<void>((resolve) => {
    const onMessage = (m: FromWorker): void => {
      if (m.type !== 'booted') return;
      worker.off('message', onMessage);
      resolve();
    };
    worker.on('message', onMessage);
    worker.once('exit', () => resolve());
  });
  const state = { worker, failed: false, booted };
  // Until a runner takes it (its own handlers then report what happens): a thread that failed is not handed out.
  const failed = (): void => {
    state.failed = true;
  };
  worker.once('error', failed);
  worker.once('exit', failed);
  worker.unref();
  early = state;
}

/**
 * Before the process ends with the early thread never taken (a refused config): lets the thread finish loading its
 * modules, then stops it. A thread stopped inside a native addon's load (koffi's dlopen and init) aborts the whole
 * process (FATAL ERROR ... napi_throw, SIGABRT), which turned a refused config's exit 1 into a crash under load.
 * Bounded: a thread that never boots is left to the exit as before.
 */
export async function settleEarly(boundMs = 10000): Promise<void> {
  const e = early;
  early = null;
  if (e === null) return;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), boundMs);
  });
  const outcome = await Promise.race([e.booted.then(() => 'booted' as const), bound]);
  clearTimeout(timer);
  if (outcome === 'booted') await e.worker.terminate();
}

/** The early thread, for a runner to send its init to; null when there is none or it failed. */
function adoptEarly(): Worker | null {
  const e = early;
  early = null;
  if (e === null) return null;
  e.worker.removeAllListeners('error');
  e.worker.removeAllListeners('exit');
  if (e.failed) return null;
  e.worker.ref();
  return e.worker;
}

/** Main side: owns at most one worker; one pass at a time (the SnapshotSource never overlaps passes). */
export class WorkerRunner implements PassRunner {
  private worker: Worker | null = null;
  /**
   * Where the current worker posts its results: a port nobody listens on, read with receiveMessageOnPort when the
   * worker says its pass is done (or the pass is cut short). A 'message' listener would wake this thread and run
   * Node's message dispatch once per collector, most of this thread's CPU per scrape; read here, a pass costs one
   * wake-up. What the worker posted stays queued for this thread even while the worker is stuck.
   */
  private results: MessagePort | null = null;
  private nextId = 1;
  private current: {
    id: number;
    onResult: (r: CollectorResult) => void;
    resolve: (o: PassOutcome) => void;
    reject: (e: Error) => void;
    results: CollectorResult[];
  } | null = null;
  private closed = false;
  /** The current worker's blocks made again (its WireEncoder's counterpart): a new one with each worker. */
  private decoder = new WireDecoder();
  /** Reconfigurations the worker has not confirmed yet, by message id. */
  private readonly acks = new Map<number, (errors: string[]) => void>();
  /** Resolves once the current worker has loaded its collectors and built them (compiled the rules). */
  private ready: Promise<void> = Promise.resolve();
  private onReady: (() => void) | null = null;

  constructor(
    private init: Omit<WorkerInit, 'kind'>,
    private readonly script: string = WORKER_SCRIPT,
  ) {}

  private spawn(): Worker {
    const init = { kind: 'psutil-exporter-collector', ...this.init } satisfies WorkerInit;
    let w = this.script === WORKER_SCRIPT ? adoptEarly() : null;
    if (w !== null) w.postMessage(init);
    else
      w = new Worker(this.script, {
        workerData: init,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
    this.ready = new Promise<void>((resolve) => {
      this.onReady = resolve;
    });
    const { port1, port2 } = new MessageChannel();
    this.decoder = new WireDecoder();
    this.results?.close();
    this.results = port1;
    w.postMessage({ type: 'results-port', port: port2 } satisfies ToWorker, [port2]);
    const kept: Int32Array[] = [];
    w.on('message', (m: FromWorker) => (m.type === 'kept-fds' ? kept.push(m.table) : this.onMessage(w, m)));
    // A terminated worker closes nothing itself: its kept fds (per-process OTLP's) are closed here.
    w.once('exit', () => {
      for (const t of kept) closeOrphanedFds(t);
    });
    w.on('error', (e) => this.fail(w, e));
    w.on('exit', (code) => this.fail(w, new Error(`collection worker exited with code ${code}`)));
    return w;
  }

  /** Hands the current pass every result its worker has posted so far (see `results`). */
  private drain(w: Worker): void {
    const port = this.results;
    if (port === null || w !== this.worker) return;
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port))
      this.onMessage(w, m.message as FromWorker);
  }

  private onMessage(w: Worker, m: FromWorker): void {
    if (m.type === 'booted' || m.type === 'kept-fds') return; // an early thread's, for settleEarly; spawn()'s
    if (m.type === 'ready') {
      if (w === this.worker) this.readied();
      return;
    }
    if (m.type === 'reconfigured') {
      this.acks.get(m.id)?.(m.errors);
      this.acks.delete(m.id);
      return;
    }
    if (w !== this.worker) return; // a late answer from an abandoned worker
    const cur = this.current;
    if (m.type === 'result') {
      // Decoded whatever becomes of it: the decoder must see every family line this worker sent.
      const r = this.decoded(m.result, m.wire);
      if (!cur || m.id !== cur.id) return; // a late answer from an abandoned pass
      cur.results.push(r);
      cur.onResult(r);
      return;
    }
    if (!cur || m.id !== cur.id) return; // a late answer from an abandoned pass
    if (m.type === 'done') {
      // Posted after the pass's results: they are all queued on the results port by now.
      this.drain(w);
      this.current = null;
      cur.resolve({
        results: cur.results,
        bootTime: m.bootTime,
        ...(m.collectionSeconds !== undefined ? { collectionSeconds: m.collectionSeconds } : {}),
      });
    } else {
      this.current = null;
      cur.reject(new Error(m.error));
    }
  }

  /** A result with its blocks decoded from the wire; a decoding bug fails that collector for this pass. */
  private decoded(r: CollectorResult, wire: WireBlocks | undefined): CollectorResult {
    if (wire === undefined || r.kind !== 'rendered') return r;
    try {
      return { ...r, families: this.decoder.decode(r.name, wire) };
    } catch (e) {
      return failedResult(r.name, r.durationSeconds, errorText(e));
    }
  }

  private fail(w: Worker, e: Error): void {
    if (w !== this.worker) return;
    // What finished before the thread died is kept (the pass's own results port).
    this.drain(w);
    this.worker = null;
    this.settleAcks();
    const cur = this.current;
    this.current = null;
    if (cur) cur.reject(e);
  }

  run(onResult: (r: CollectorResult) => void): Promise<PassOutcome> {
    if (this.closed) return Promise.reject(new Error('collection worker closed'));
    if (this.current) return Promise.reject(new Error('a pass is already running'));
    if (!this.worker) this.worker = this.spawn();
    const id = this.nextId++;
    return new Promise<PassOutcome>((resolve, reject) => {
      this.current = { id, onResult, resolve, reject, results: [] };
      this.worker?.postMessage({ type: 'collect', id } satisfies ToWorker);
    });
  }

  /**
   * Replaces the plans of the same names (a config reload): the live worker applies them between passes, and a worker
   * started later (after one is abandoned) starts with them. Resolves with the worker's errors once it has applied
   * them (or is gone: its successor has them from the start).
   */
  reconfigure(plans: readonly CollectorPlan[]): Promise<string[]> {
    this.init = { ...this.init, plans: this.init.plans.map((p) => plans.find((n) => n.name === p.name) ?? p) };
    const w = this.worker;
    if (!w || this.closed) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise<string[]>((resolve) => {
      this.acks.set(id, resolve);
      w.postMessage({ type: 'reconfigure', id, plans } satisfies ToWorker);
    });
  }

  /**
   * Turns the OTLP mapping on or off (a config reload that turns otlp.enabled): the live worker from its next pass
   * on, and a worker started later from the start.
   */
  setRenderOtlp(on: boolean): void {
    if (this.init.render === undefined || this.init.render.otlp === on) return;
    this.init = { ...this.init, render: { ...this.init.render, otlp: on } };
    this.worker?.postMessage({ type: 'render-otlp', on } satisfies ToWorker);
  }

  private readied(): void {
    this.onReady?.();
    this.onReady = null;
  }

  /**
   * Starts a worker if there is none and resolves once it is ready to collect: loading the library and the collectors
   * and compiling the rules (seconds for thousands of them, more on a loaded machine) is in no pass's deadline, where
   * it would make every pass of a new worker overrun, and the worker be replaced again, without end.
   */
  prepare(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.worker) this.worker = this.spawn();
    return this.ready;
  }

  /** The worker is gone: nothing it was asked to apply is pending any more. */
  private settleAcks(): void {
    this.readied();
    for (const resolve of this.acks.values()) resolve([]);
    this.acks.clear();
  }

  abandon(): void {
    const w = this.worker;
    // What finished before the deadline is kept, as the worker posted it.
    if (w) this.drain(w);
    this.worker = null;
    this.settleAcks();
    const cur = this.current;
    this.current = null;
    if (cur) cur.reject(new Error('pass abandoned at its deadline'));
    // Its statfs threads' late answers end there with it (statfs.ts): nothing of it reaches the next worker.
    if (w) void retire(w);
  }

  /** Ends the worker, waiting at most `waitMs` for its thread (see WORKER_CLOSE_WAIT_MS and lingeringWorkers()). */
  async close(waitMs = WORKER_CLOSE_WAIT_MS): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    this.results?.close();
    this.results = null;
    this.settleAcks();
    const cur = this.current;
    this.current = null;
    if (cur) cur.reject(new Error('collection worker closed'));
    if (!w) return;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    await Promise.race([retire(w), waited]);
    clearTimeout(timer);
  }
}

// ---- worker side ----

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Renders each collector's result in this thread (the `render` option): text and OTLP metrics instead of data. */
function makeRenderer(
  init: WorkerInit,
  render: WorkerRenderInit,
): {
  render: (r: CollectorResult) => Promise<CollectorResult>;
  setOptions: (name: string, options: unknown) => void;
  setOtlp: (on: boolean) => void;
  log: Logger;
} {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded in the worker only, when it renders */
  const { COLLECTORS } = require('./collectors') as typeof import('./collectors');
  const prom = require('./prometheus') as typeof import('./prometheus');
  const { createLogger } = require('./log') as typeof import('./log');
  /* eslint-enable @typescript-eslint/no-require-imports -- end of the lazy loads */
  const log = createLogger(render.logLevel);
  const active = new Map<string, ActiveCollector>();
  for (const p of init.plans) {
    const def = COLLECTORS.get(p.name);
    if (!def) continue;
    try {
      active.set(p.name, { def, options: def.options(p.options) });
    } catch (e) {
      // The engine hits the same error and reports the collector failed on every pass: nothing to render.
      void e;
    }
  }
  let otlpOn = render.otlp;
  const setOptions = (name: string, options: unknown): void => {
    const c = active.get(name);
    if (c) active.set(name, { def: c.def, options });
  };
  // eslint-disable-next-line @typescript-eslint/require-await -- the renderer's contract is async (a thrown mapping bug becomes a rejection the caller handles)
  const renderOne = async (r: CollectorResult): Promise<CollectorResult> => {
    if (r.kind !== 'data') return r;
    const c = active.get(r.name);
    if (!c)
      return {
        kind: 'rendered',
        ok: true,
        name: r.name,
        durationSeconds: r.durationSeconds,
        families: [],
        limited: [],
      };
    const rendered = prom.renderCollector(c, r.data, render.limits, log);
    if ('error' in rendered) {
      // A mapping bug costs the collector its families and shows as success 0, like a failed read.
      log.warn('collector rendering failed', { collector: r.name, err: rendered.error });
      return failedResult(r.name, r.durationSeconds, `rendering failed: ${rendered.error}`);
    }
    let otlp: RenderedResult['otlp'];
    let otlpPacked: RenderedResult['otlpPacked'];
    let otlpError: string | undefined;
    if (otlpOn) {
      try {
        // Per-process metrics cross to the main thread packed: a structured clone of each one costs far more.
        ({ plain: otlp, packed: otlpPacked } = packOtlp(c.def.otlp(r.data, c.options)));
      } catch (e) {
        // The OTLP side loses this collector's metrics only; the main thread logs it.
        otlpError = errorText(e);
      }
    }
    return {
      kind: 'rendered',
      ok: true,
      name: r.name,
      durationSeconds: r.durationSeconds,
      families: rendered.families,
      limited: rendered.limited,
      ...(r.incomplete !== undefined ? { incomplete: r.incomplete } : {}),
      ...(otlp !== undefined ? { otlp } : {}),
      ...(otlpPacked !== undefined ? { otlpPacked } : {}),
      ...(otlpError !== undefined ? { otlpError } : {}),
    };
  };
  return {
    render: renderOne,
    setOptions,
    setOtlp: (on) => {
      otlpOn = on;
    },
    log,
  };
}

function workerMain(init: WorkerInit): void {
  // Loaded here, not at the top: the main thread imports this file only for WorkerRunner.
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy: loaded in the worker thread only (comment above) */
  const { createPsutil } = require('../index') as typeof import('../index');
  const { COLLECTORS } = require('./collectors') as typeof import('./collectors');
  const { CollectionEngine } = require('./engine') as typeof import('./engine');
  const { applyMallocMode, MMAP_THRESHOLD_BYTES } = require('./mallocmode') as typeof import('./mallocmode');
  /* eslint-enable @typescript-eslint/no-require-imports -- end of the lazy loads */
  const port = parentPort;
  if (!port) return;
  setKeptFdSink((table) => port.postMessage({ type: 'kept-fds', table } satisfies FromWorker));
  const psutil = createPsutil(init.roots);
  const engine = new CollectionEngine({ psutil, roots: init.roots }, COLLECTORS, init.plans);
  const renderer = init.render ? makeRenderer(init, init.render) : null;
  // The agent's thread (it renders), not a library user's: glibc's mmap threshold stops rising (mallocmode.ts).
  if (renderer !== null) {
    const malloc = applyMallocMode();
    renderer.log.debug('malloc mode', { mmap_threshold: malloc === 'fixed' ? MMAP_THRESHOLD_BYTES : malloc });
  }
  const render = renderer?.render ?? null;
  port.postMessage({ type: 'ready' } satisfies FromWorker);
  // The runner's results port (WorkerRunner.results), sent right after the thread starts; the parent port until then.
  let out: MessagePort = port;
  const encoder = new WireEncoder();
  const send = (id: number, result: CollectorResult): void => {
    try {
      if (result.kind === 'rendered' && result.families.length > 0) {
        const wire = encoder.encode(result.name, result.families);
        try {
          out.postMessage(
            { type: 'result', id, result: { ...result, families: [] }, wire } satisfies FromWorker,
            transferList(wire),
          );
        } catch (e) {
          // Not delivered: the next result of this collector carries its family lines again.
          encoder.forget(result.name);
          throw e;
        }
      } else out.postMessage({ type: 'result', id, result } satisfies FromWorker);
    } catch (e) {
      // Data that cannot cross threads (a function, a symbol) is that collector's bug: it fails alone.
      const error = `cannot send its data: ${errorText(e)}`;
      out.postMessage({
        type: 'result',
        id,
        result: failedResult(result.name, result.durationSeconds, error),
      } satisfies FromWorker);
    }
  };
  let queue = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'results-port') {
      out = m.port;
      return;
    }
    if (m.type === 'reconfigure') {
      // Queued like a pass, so it runs between two of them, never inside one.
      queue = queue.then(() => {
        let errors: string[];
        try {
          const done = engine.reconfigure(m.plans);
          for (const [name, o] of done.options) renderer?.setOptions(name, o);
          errors = done.errors;
        } catch (e) {
          // Whatever failed, the queue must go on (a rejected queue would skip every later pass): reported instead.
          errors = [errorText(e)];
        }
        port.postMessage({ type: 'reconfigured', id: m.id, errors } satisfies FromWorker);
      });
      return;
    }
    if (m.type === 'render-otlp') {
      // Queued like a reconfiguration: a pass renders all its results one way.
      queue = queue.then(() => renderer?.setOtlp(m.on));
      return;
    }
    if (m.type !== 'collect') return;
    queue = queue.then(async () => {
      try {
        const t0 = performance.now();
        let renderMs = 0;
        // Each result is rendered and sent as soon as its collector is done, before the next one starts (the engine
        // waits): a pass cut short by its deadline, even by a collector that blocks this thread, keeps what finished.
        // The rendering time is kept out of the pass's collection time.
        const outcome = await engine.run(async (result) => {
          if (render === null) return send(m.id, result);
          const r0 = performance.now();
          let out: CollectorResult;
          try {
            out = await render(result);
          } catch (e) {
            out = failedResult(result.name, result.durationSeconds, `rendering failed: ${errorText(e)}`);
          }
          renderMs += performance.now() - r0;
          send(m.id, out);
        });
        const collectionSeconds = Math.max(0, performance.now() - t0 - renderMs) / 1000;
        port.postMessage({
          type: 'done',
          id: m.id,
          bootTime: outcome.bootTime,
          ...(render !== null ? { collectionSeconds } : {}),
        } satisfies FromWorker);
      } catch (e) {
        port.postMessage({ type: 'failed', id: m.id, error: errorText(e) } satisfies FromWorker);
      }
    });
  });
}

/** An early thread's wait for its init: the modules load first (what it was started early for). */
function earlyMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded before the init arrives: workerMain finds them cached */
  require('../index');
  require('./collectors');
  require('./engine');
  require('./prometheus');
  /* eslint-enable @typescript-eslint/no-require-imports -- end of the early loads */
  parentPort?.once('message', (init: WorkerInit) => workerMain(init));
  // Past the native addons' loads: the thread can now be stopped safely (settleEarly).
  parentPort?.postMessage({ type: 'booted' } satisfies FromWorker);
}

if (!isMainThread) {
  const kind = (workerData as Partial<WorkerInit> | Partial<EarlyData> | null)?.kind;
  if (kind === 'psutil-exporter-collector') workerMain(workerData as WorkerInit);
  else if (kind === 'psutil-exporter-collector-early') earlyMain();
}
