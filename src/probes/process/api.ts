/**
 * The process area's system-wide functions of one context (psutil's pids, pid_exists, process_iter, wait_procs, and
 * ours: procfsSelfPid, processSummary, kernelLimits), and the context's Process and Popen subclasses bound to its roots.
 */
import type { Context } from '../context';
import { NoSuchProcess, TimeoutExpired } from '../errors';
import type {
  KernelLimits,
  ProcessAttr,
  ProcessInfo,
  ProcessIterOptions,
  ProcessSummary,
  ProcessSummaryOptions,
} from './types';
import { readsStatus, resolveAttrs } from './attrs';
import { describeValue, nowSeconds, options, secondsArg } from './args';
import { ENV, ProcessEnv } from './env';
import { bindProcessClass, makeProcess, Process } from './process';
import { Popen } from './popen';

/** A process yielded by processIter({ attrs }): `info` holds the attributes asked for. */
export type IterProcess<K extends ProcessAttr = ProcessAttr, V = null> = Process & { readonly info: ProcessInfo<K, V> };

export interface ProcessIterFn {
  <K extends ProcessAttr = ProcessAttr, V = null>(
    opts: ProcessIterOptions<K, V> & { attrs: readonly K[] },
  ): Generator<IterProcess<K, V>, void, undefined>;
  (opts?: ProcessIterOptions<ProcessAttr, unknown>): Generator<Process, void, undefined>;
  /** Forgets the Process objects kept between calls (psutil's process_iter.cache_clear()). */
  cacheClear(): void;
}

export interface WaitProcsOptions {
  /** Seconds; absent or null: until every process is gone. */
  timeout?: number | null | undefined;
  /** Called with each process as it goes, after its `returncode` is set. */
  callback?: ((proc: Process) => void) | null | undefined;
}

/**
 * processIter's objects kept between calls (psutil's _pmap), by ascending pid: two parallel arrays, which a walk merges
 * with the ascending pid list instead of hashing every pid into one map and out of another.
 */
interface ProcessTable {
  readonly pids: readonly number[];
  readonly procs: readonly Process[];
}

const EMPTY_TABLE: ProcessTable = { pids: [], procs: [] };

/** One context's process state: its env, its classes, and processIter's table (kept between calls). */
interface ProcessArea {
  readonly env: ProcessEnv;
  readonly Process: typeof Process;
  readonly Popen: typeof Popen;
  table: ProcessTable;
}

const ProcessBase = Process;
const PopenBase = Popen;

function makeArea(ctx: Context): ProcessArea {
  const env = new ProcessEnv(ctx);
  // Class expressions named like the base (for toString and stack traces) must extend it through an alias.
  const P = class Process extends ProcessBase {
    static readonly [ENV] = env;
  };
  const Q = class Popen extends PopenBase {
    static readonly [ENV] = env;
  };
  bindProcessClass(env, P);
  return { env, Process: P, Popen: Q, table: EMPTY_TABLE };
}

export function processApi(ctx: Context) {
  const area = ctx.slot('process', () => makeArea(ctx));
  const env = area.env;
  function processIterImpl(opts?: ProcessIterOptions<ProcessAttr, unknown>): Generator<Process, void, undefined> {
    const o = options<ProcessIterOptions<ProcessAttr, unknown>>('processIter', opts, ['attrs', 'adValue']);
    const withInfo = o.attrs !== undefined && o.attrs !== null;
    const { names, explicit } = resolveAttrs('processIter', o.attrs);
    const adValue = o.adValue ?? null;
    return iterate(withInfo, names, explicit, adValue);
  }

  function* iterate(
    withInfo: boolean,
    names: readonly ProcessAttr[],
    explicit: boolean,
    adValue: unknown,
  ): Generator<Process, void, undefined> {
    const statusWanted = readsStatus(names);
    const { pids: oldPids, procs: oldProcs } = area.table;
    const pids: number[] = [];
    const procs: Process[] = [];
    const dropped = new Set<number>(env.reused);
    env.reused.clear();
    const current = env.pids();
    let reached = 0;
    // The old table's object for `pid`, if any: both lists ascend, so one cursor walks the old pids once.
    let j = 0;
    const kept = (pid: number): Process | undefined => {
      while (j < oldPids.length && oldPids[j]! < pid) j++;
      return j < oldPids.length && oldPids[j] === pid && (dropped.size === 0 || !dropped.has(pid))
        ? oldProcs[j]
        : undefined;
    };
    try {
      for (const pid of current) {
        reached++;
        let proc = kept(pid);
        try {
          if (proc === undefined) {
            // A new pid: its stat is read once, for identity and for the attributes.
            const h = env.os.handle(env.fs, pid);
            h.enter();
            try {
              proc = makeProcess(env, pid, { handle: h });
              if (withInfo) proc.info = proc._dict(names, explicit, adValue, true, statusWanted);
            } finally {
              h.exit();
            }
          } else if (withInfo) {
            proc.info = proc._dict(names, explicit, adValue, true, statusWanted);
          }
        } catch (err) {
          // Gone meanwhile: dropped and skipped (psutil). Anything else is a real error.
          if (err instanceof NoSuchProcess) {
            dropped.add(pid);
            continue;
          }
          throw err;
        }
        pids.push(pid);
        procs.push(proc);
        yield proc;
      }
    } finally {
      // The caller may stop early: the objects of pids not reached yet stay for the next call (psutil's _pmap copy).
      for (let i = reached; i < current.length; i++) {
        const pid = current[i]!;
        const p = kept(pid);
        if (p !== undefined) {
          pids.push(pid);
          procs.push(p);
        }
      }
      area.table = { pids, procs };
    }
  }

  const processIter = Object.assign(processIterImpl, {
    cacheClear(): void {
      area.table = EMPTY_TABLE;
    },
  }) as ProcessIterFn;

  return {
    /** Process bound to this instance's roots (a subclass of the exported Process). */
    Process: area.Process,
    /** Popen bound to this instance's roots. */
    Popen: area.Popen,
    /** The pids in the procfs root, ascending (thread ids are not listed). */
    pids(): number[] {
      return env.pids();
    },
    /**
     * (ours) This process's pid as the instance's procfs numbers it (its `self` link, resolved in that procfs's PID
     * namespace), read afresh; null when the root has no usable `self` (a procfs of a PID namespace this process is
     * not in, a tree without the link). It equals `process.pid` exactly when the procfs shows our own PID namespace,
     * so that its pids are the ones kill(2), setpriority(2) and prlimit(2) reach (setters and signals require it).
     */
    procfsSelfPid(): number | null {
      return env.os.selfPid(env.fs);
    },
    /** Whether a process (not a thread) with this pid exists. */
    pidExists(pid: number): boolean {
      if (typeof pid !== 'number' || !Number.isInteger(pid))
        throw new TypeError(`pidExists: pid must be an integer, got ${describeValue(pid)}`);
      if (pid < 0 || pid > env.os.PID_MAX) return false;
      // kill(0, 0) would signal our own process group: pid 0 is looked up in the list (none on Linux).
      if (pid === 0) return env.pids().includes(0);
      return env.os.pidExists(env.fs, pid, env.native);
    },
    /**
     * Every process, ascending by pid, as Process objects kept between calls (so cpuPercent() works across
     * calls). With `attrs`, each gets `info` (asDict inside oneshot: only the files those attributes need are
     * read). Processes that vanish are skipped; AccessDenied and ZombieProcess values become `adValue`.
     */
    processIter,
    /**
     * Waits for processes to end: resolves [gone, alive] when all are gone or `timeout` seconds pass. Each gone
     * process gets `returncode` (null unless it is a Popen) and is passed to `callback`.
     */
    async waitProcs(procs: Iterable<Process>, opts?: WaitProcsOptions): Promise<[Process[], Process[]]> {
      if (procs === null || typeof procs !== 'object' || typeof procs[Symbol.iterator] !== 'function') {
        throw new TypeError(`waitProcs: procs must be an iterable of Process, got ${describeValue(procs)}`);
      }
      const list = [...procs];
      for (const p of list)
        if (!(p instanceof Process))
          throw new TypeError(`waitProcs: procs must hold Process objects, got ${describeValue(p)}`);
      const o = options<WaitProcsOptions>('waitProcs', opts, ['timeout', 'callback']);
      const timeout = secondsArg('waitProcs', 'timeout', o.timeout);
      const callback = o.callback ?? null;
      if (callback !== null && typeof callback !== 'function')
        throw new TypeError(`waitProcs: callback must be a function, got ${describeValue(callback)}`);
      const deadline = timeout === null ? null : nowSeconds() + timeout;
      const gone: Process[] = [];
      await Promise.all(
        list.map(async (p) => {
          let rc: number | null;
          try {
            rc = await p.wait(deadline === null ? undefined : { timeout: Math.max(0, deadline - nowSeconds()) });
          } catch (err) {
            if (err instanceof TimeoutExpired) return;
            throw err;
          }
          if (rc !== null || !p.isRunning()) {
            p.returncode = rc;
            gone.push(p);
            if (callback !== null) callback(p);
          }
        }),
      );
      return [gone, list.filter((p) => !gone.includes(p))];
    },

    // ---- ours (not psutil's; docs/library-extensions.md) ----
    /** The kernel's process and thread limits. */
    kernelLimits(): KernelLimits {
      return Object.freeze(ctx.os.sysinfo.kernelLimits(ctx.fs));
    },
    /** Processes and threads counted by state in one walk of <procfs> (no Process objects). */
    processSummary(opts: ProcessSummaryOptions = {}): ProcessSummary {
      const t = opts.threads ?? false;
      if (typeof t !== 'boolean') throw new TypeError(`processSummary: threads must be a boolean, got ${typeof t}`);
      const r = ctx.os.sysinfo.processSummary(ctx.fs, t);
      return Object.freeze({
        pids: r.pids,
        threads: r.threads,
        states: Object.freeze(r.states),
        threadStates: r.threadStates === null ? null : Object.freeze(r.threadStates),
        skipped: r.skipped,
      });
    },
  };
}
