/**
 * Collection off the HTTP event loop: this file is both the worker thread's entry (it builds the library on the
 * configured roots and runs passes on request) and, in the main thread, the runner that talks to it. Results stream
 * back one collector at a time, so a pass cut short by its deadline keeps whatever finished; a worker stuck past the
 * deadline is terminated and the next pass starts a fresh one.
 */
import * as path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { CollectorPlan, CollectorResult, PassOutcome } from './engine';
import type { PassRunner } from './snapshot';

interface WorkerInit {
  readonly kind: 'psutil-exporter-collector';
  readonly roots: { procfs: string; sysfs: string; rootfs: string };
  readonly plans: readonly CollectorPlan[];
}

type ToWorker = { type: 'collect'; id: number };
type FromWorker =
  | { type: 'result'; id: number; result: CollectorResult }
  | { type: 'done'; id: number; bootTime: number | null }
  | { type: 'failed'; id: number; error: string };

export const WORKER_SCRIPT = path.join(__dirname, 'worker.js');

/** Main side: owns at most one worker; one pass at a time (the SnapshotSource never overlaps passes). */
export class WorkerRunner implements PassRunner {
  private worker: Worker | null = null;
  private nextId = 1;
  private current: {
    id: number;
    onResult: (r: CollectorResult) => void;
    resolve: (o: PassOutcome) => void;
    reject: (e: Error) => void;
    results: CollectorResult[];
  } | null = null;
  private closed = false;

  constructor(
    private readonly init: Omit<WorkerInit, 'kind'>,
    private readonly script: string = WORKER_SCRIPT,
  ) {}

  private spawn(): Worker {
    const w = new Worker(this.script, {
      workerData: { kind: 'psutil-exporter-collector', ...this.init } satisfies WorkerInit,
      // A pass allocates a few MB of short-lived strings: a small young generation keeps the thread's RSS down
      // (V8 otherwise grows it to 48 MB) at the cost of a few more scavenges.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    w.on('message', (m: FromWorker) => this.onMessage(w, m));
    w.on('error', (e) => this.fail(w, e));
    w.on('exit', (code) => this.fail(w, new Error(`collection worker exited with code ${code}`)));
    return w;
  }

  private onMessage(w: Worker, m: FromWorker): void {
    const cur = this.current;
    if (w !== this.worker || !cur || m.id !== cur.id) return; // a late answer from an abandoned pass
    if (m.type === 'result') {
      cur.results.push(m.result);
      cur.onResult(m.result);
    } else if (m.type === 'done') {
      this.current = null;
      cur.resolve({ results: cur.results, bootTime: m.bootTime });
    } else {
      this.current = null;
      cur.reject(new Error(m.error));
    }
  }

  private fail(w: Worker, e: Error): void {
    if (w !== this.worker) return;
    this.worker = null;
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

  abandon(): void {
    const w = this.worker;
    this.worker = null;
    const cur = this.current;
    this.current = null;
    if (cur) cur.reject(new Error('pass abandoned at its deadline'));
    if (w) void w.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    const cur = this.current;
    this.current = null;
    if (cur) cur.reject(new Error('collection worker closed'));
    if (w) await w.terminate();
  }
}

// ---- worker side ----

function workerMain(init: WorkerInit): void {
  // Loaded here, not at the top: the main thread imports this file only for WorkerRunner.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createPsutil } = require('../index') as typeof import('../index');
  const { COLLECTORS } = require('./collectors') as typeof import('./collectors');
  const { CollectionEngine } = require('./engine') as typeof import('./engine');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const port = parentPort;
  if (!port) return;
  const psutil = createPsutil(init.roots);
  const engine = new CollectionEngine({ psutil, roots: init.roots }, COLLECTORS, init.plans);
  let queue = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    if (m.type !== 'collect') return;
    queue = queue.then(async () => {
      try {
        const outcome = await engine.run((result) => {
          try {
            port.postMessage({ type: 'result', id: m.id, result } satisfies FromWorker);
          } catch (e) {
            // Data that cannot cross threads (a function, a symbol) is that collector's bug: it fails alone.
            const error = `cannot send its data: ${e instanceof Error ? e.message : String(e)}`;
            port.postMessage({ type: 'result', id: m.id, result: { name: result.name, ok: false, durationSeconds: result.durationSeconds, error } } satisfies FromWorker);
          }
        });
        port.postMessage({ type: 'done', id: m.id, bootTime: outcome.bootTime } satisfies FromWorker);
      } catch (e) {
        port.postMessage({ type: 'failed', id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
      }
    });
  });
}

if (!isMainThread && (workerData as Partial<WorkerInit> | null)?.kind === 'psutil-exporter-collector') {
  workerMain(workerData as WorkerInit);
}
