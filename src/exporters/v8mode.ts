/**
 * Whether the running agent keeps V8's optimizing compilers (config `runtime.jit`).
 *
 * Host collection is mostly system calls and short parses: measured with bench/agent.js, the interpreter alone
 * (`--max-opt=0`) with V8 tuned for size (`--optimize-for-size`) collects in the same time and keeps about 12 MB
 * less resident (no optimized code, no compiler pages of the node binary touched, a tighter heap). Process groups
 * walk every process and are JavaScript-heavy: there the optimizing compilers halve the pass (bench/groups.js), so
 * `auto` keeps them whenever process_names are configured at start. So does per-process OTLP (otlp.processes), read in
 * the same collector's walk: bench/otlp-processes.js under the lean flags took 523 ms of CPU per export of 1,000
 * processes against ~90 ms with the compilers (load ~10, interleaved).
 *
 * Both flags only steer later decisions (which tier a hot function may reach, how the heap grows), so setting them
 * from JavaScript before the collection worker starts and before anything is hot is safe; flags that change how V8
 * sets up its code space (--jitless, --lite-mode) are not, and are not used.
 *
 * --no-memory-reducer was measured and left out (issue 14). V8's memory reducer runs two full GCs per isolate once,
 * 8-11 s after start, when allocation slows down; --trace-gc --trace-incremental-marking over 3 minutes scraped every
 * 15 s showed no full GC after that (only scavenges): it costs start-up CPU, not CPU per scrape. Set from here the
 * flag reaches only the isolates created later (collection worker, config thread); the main isolate keeps its
 * reducer. A/B, the built agent with and without it in the lean flags, side by side, 3 rounds, medians: 30 fresh
 * scrapes 1 s apart from start 30.0 vs 25.7 ms CPU each (the start-up GCs fall in that window), the same 30 after a
 * 20 s warm-up 25.7 vs 25.7 ms; idle CPU over 60 s 0.10% vs 0.10%; scraped every 15 s 0.34% vs 0.34%; RSS 72.7 vs
 * 75.7 MB (after warm-up 72.7 vs 76.4), peak 77.1 vs 78.2 MB. A one-off ~0.1 s of CPU against 2-4 MB kept for good.
 *
 * A full GC in every isolate after start-up, and glibc's malloc_trim(0) after it, were measured and left out too
 * (issue 14): the memory reducer has already collected the start-up's garbage by then. The built agent scraped fresh
 * every second, default.yaml, 3 rounds, medians, load 8-13: one gc() per isolate at 8 s 72.4 MB against 71.1, with
 * malloc_trim 72.1; six gc() (bytecode older than --bytecode-old-age flushed) and malloc_trim 72.0 against 73.2,
 * --bytecode-old-age=1 with three 72.1, each for 10-13 ms more CPU per scrape after it (the flushed functions compiled
 * again).
 *
 * Flags given to node at exec, and glibc's malloc arena limit, were measured and left out too (issue 14). None can be
 * set from here: V8's thread pool and garbage collector are set up before any JavaScript runs (--single-threaded-gc set
 * by setFlagsFromString crashed the agent; given at exec it runs), and --jitless/--lite-mode shape the code space. The
 * agent would have to re-execute itself in place (execve(2) through koffi, same pid; built and tested in branch
 * v8exec-reexec, not merged: Node marks every inherited descriptor close-on-exec at start, stdio included, so such a
 * re-exec must clear FD_CLOEXEC on 0-2 first, and must skip a fork()ed child's IPC descriptor). A/B with ab.js, the
 * built agent on default.yaml (interpreter only), node with each against node bare, 15-20 fresh scrapes 1 s apart,
 * rounds interleaved, medians, load 2-7; one variant's CPU per scrape moved 24-37 ms between rounds. Three runs, bare
 * first (CPU ms per scrape, RSS MB):
 *   run 1 (3 rounds): bare 30.7, 71.0; --single-threaded-gc 29.3, 70.9; --single-threaded 28.0, 70.8;
 *     --v8-pool-size=1 27.3, 71.1 (3 threads fewer; =0, auto, picks the same on 2 cores: 27.3, 70.8);
 *     --max-semi-space-size=1 28.0, 70.9; --lite-mode 33.3, 69.6; --jitless 34.7, 69.3;
 *     GLIBC_TUNABLES=glibc.malloc.arena_max=1 29.3, 69.6; arena_max=2 30.7, 69.6;
 *     --single-threaded-gc --v8-pool-size=1 arena_max=2 28.7, 69.7; the same with --jitless 29.3, 68.2.
 *   run 2 (5 rounds): bare 26.5, 72.1; --v8-pool-size=1 26.5, 71.8; --single-threaded-gc --v8-pool-size=1
 *     arena_max=2 27.5, 70.2; the same with --jitless 28.0, 68.8; arena_max=2 --jitless 28.5, 68.7; everything
 *     (arena_max=1 --single-threaded --v8-pool-size=1 --jitless --max-semi-space-size=1) 29.0, 67.9.
 *   run 3 (4 rounds): bare 32.0, 70.7; arena_max=2 28.7, 69.5; arena_max=2 --v8-pool-size=1 31.3, 71.5;
 *     mallopt(M_ARENA_MAX, 2) called from a --require preload instead, no exec: 29.7, 69.1.
 * Groups (bench/sizing.js's setting: process_groups only, 2,000 extra processes in 200 groups, compilers on; 10
 * scrapes, 4 rounds, load 6-7): bare 374 ms, 88.4 MB; arena_max=2 352, 87.6; arena_max=2 --v8-pool-size=1 402, 88.0
 * (latency 835 against 616 ms: one pool thread for concurrent marking and the main isolate's compiles); mallopt 425,
 * 87.6. Start-up (time to /readyz, same runs) moved 0.8-1.4 s with the load and no variant stood out.
 * No flag moves the CPU per scrape beyond the rounds' spread: the GC helpers' ~2 ms is moved to the main thread by
 * --single-threaded-gc, not saved. Memory: the arena limit keeps 1.2-1.9 MB off on the host collectors and 0.8 MB with
 * groups (not the 3 MB once noted in the README), the interpreter-only code space (--jitless) 1.5 MB more for ~7% more
 * CPU and only where the config (read after start) allows it. Each is under the ~2 MB that a re-exec's own cost (a
 * second node start-up, ~0.1 s of CPU, koffi loaded on the main thread) was to buy; and the arena limit needs no exec:
 * mallopt(3) at start does as much.
 */
import * as v8 from 'node:v8';
// Type-only: cli.ts loads this file first thing, before any config code.
import type { AgentConfig } from '../config/defaults';

/**
 * --no-concurrent-recompilation: with the compilers handed back (process_names), TurboFan compiles on the isolate's own
 * thread instead of V8's 4 platform threads. Its zones are malloc'd on whichever thread compiles, and each platform
 * thread kept a glibc arena of its own, resident after the compiles: 9 arenas holding 11.5 MB at 2,000 extra processes
 * in 200 groups (smaps). On the collection worker's thread they reuse its arena. The flag is read when an isolate is
 * created: it takes for the collection worker and the config thread (started after it), not for the main isolate, and
 * it stays when the compilers are handed back. Measured in bench/sizing.js's groups setting (ab.js, the agent with only
 * process_groups, 10 fresh scrapes 1 s apart, interleaved, medians; figures in the commit): about 7 MB less resident
 * for the same CPU per scrape. The interpreter-only agent never compiles with TurboFan: nothing changes there.
 */
export const LEAN_V8_FLAGS: readonly string[] = Object.freeze([
  '--max-opt=0',
  '--optimize-for-size',
  '--no-concurrent-recompilation',
]);

/**
 * The node flags the agent is launched with (package.json's `npm start`, the Dockerfile's ENTRYPOINT; the tests check
 * both against this list). They size the main isolate's heap, which is set up before any JavaScript runs, so they
 * cannot be set from here (the workers' young generation is set per thread: worker.ts, statfs.ts).
 *
 * --max-semi-space-size=1: V8 grows the main isolate's young generation from 1 MB semi-spaces to 16 MB ones as the
 * scrapes' allocation survives, and its pages stay resident (--trace-gc, 3,500 fresh scrapes 70 ms apart: the main
 * heap committed 5.5 -> 37.7 MB for 5.2 MB live after a full GC). Measured side by side on 2026-12-07 (the agent
 * scraped fresh with gzip, collection.max_age 20 ms, 600 scrapes, 3 agents interleaved, load 2-4): default config
 * 86.1 MB without the flag, 75.0 MB with it, CPU per scrape 14.9 and 15.0 ms; with a `{{.Comm}}` process_names rule
 * 98.2 and 90.7 MB, 24.4 and 23.6 ms (2 MB semi-spaces: 93.9 MB). --semi-space-growth-factor=1 changed nothing.
 * At one fresh scrape a second the young generation grew little: the same build with and without the flag, side by
 * side, read 76.9 and 77.8 MB after 750 scrapes; the flag costs nothing there either.
 */
export const AGENT_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=1']);

/**
 * The flags of AGENT_NODE_FLAGS this process was not started with, on node's command line or in NODE_OPTIONS. A flag
 * given with another value counts as given (an operator's choice); V8 reads `_` and `-` alike.
 */
export function missingNodeFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env['NODE_OPTIONS'] ?? '',
): string[] {
  const name = (f: string): string => f.split('=', 1)[0]!.replace(/_/g, '-');
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map(name));
  return AGENT_NODE_FLAGS.filter((f) => !given.has(name(f)));
}

export interface V8Mode {
  readonly jit: boolean;
  /**
   * Whether --optimize-for-size stays on once the config is read (default true). False for per-process OTLP and
   * for the host collectors alone: see SPEED_V8_FLAGS.
   */
  readonly forSize?: boolean;
  /** Why, for the start-up log line. */
  readonly reason: string;
}

export function v8Mode(cfg: Pick<AgentConfig, 'runtime' | 'processNames' | 'collectors' | 'otlp'>): V8Mode {
  const setting = cfg.runtime.jit;
  const walk = cfg.collectors['process_groups']?.enabled === true;
  const rules = walk && cfg.processNames.length > 0;
  // Per-process OTLP is read in the same walk.
  const perProcess = walk && cfg.otlp.enabled && cfg.otlp.processes.enabled;
  const also = perProcess ? ', otlp.processes: per-process OTLP to read' : '';
  let jit: boolean;
  let reason: string;
  if (setting === true) [jit, reason] = [true, `runtime.jit: true${also}`];
  else if (setting === false) [jit, reason] = [false, 'runtime.jit: false'];
  else if (rules)
    [jit, reason] = [true, `runtime.jit: auto, ${cfg.processNames.length} process_names rule(s) to run${also}`];
  else if (perProcess) [jit, reason] = [true, `runtime.jit: auto${also}`];
  else [jit, reason] = [false, 'runtime.jit: auto, no process_names: host collectors only'];
  // --optimize-for-size is dropped (SPEED_V8_FLAGS) by per-process OTLP with the compilers and by the interpreter
  // for the host collectors alone; process groups keep it.
  const forSize = jit ? !perProcess : rules;
  return forSize ? { jit, reason } : { jit, forSize: false, reason };
}

/**
 * V8's own defaults for the lean flags, to hand the optimizing compilers back. --max-opt=0 also turned off the flags
 * it implies (--turbofan, --sparkplug): raising --max-opt alone would leave them off (checked in the tests).
 * --optimize-for-size stays on: with process groups at 2,000 extra processes (bench/sizing.js, groups) it kept the
 * agent at 88 MB resident instead of 111 MB for the same CPU per scrape (304 against 295 ms on a loaded host).
 */
export const DEFAULT_V8_FLAGS: readonly string[] = Object.freeze(['--max-opt=999', '--turbofan', '--sparkplug']);

/**
 * --no-optimize-for-size, set once the config is read, for per-process OTLP (otlp.processes) and for the host
 * collectors alone; process groups keep the lean start-up's --optimize-for-size (88 against 111 MB resident for the
 * same CPU, above; set after start-up instead of at it, 76.7 against 74.9 MB in an A/B).
 * - Per-process OTLP builds and encodes a 2.2 MB request from 1,000 records every export, and under the flag it cost
 *   twice the CPU: bench/otlp-processes.js (one process, 15 exports, medians) 65.6 ms per export without it, 114 ms
 *   with it and 132 ms with it and --max-semi-space-size=1 (protobuf 10.1 -> 49.0 ms, metrics 2.7 -> 7.7, walk 50.8 ->
 *   60.2); bench/otlp-agent.js (the built agent, whole-process CPU from /proc, 15 exports one second apart after 12,
 *   1,000 processes) 116-135 ms per export before, 71-81 ms after, the main thread 25 -> 13-15 ms and V8's platform
 *   threads (concurrent marking) 37 -> 9-15 ms per export, at the same resident size (113-115 MB against 112-120).
 * - The host collectors (default.yaml, interpreter only): ab.js, the built agent scraped fresh every second, 20
 *   scrapes after 5, 4 interleaved rounds, medians, load 0.0-0.3: 20.8 ms of CPU per scrape with the flag throughout,
 *   18.8 with it turned off after start-up (rounds 18.0-19.5 against 19.5-21.5), 67.4 against 67.6 MB; without it from
 *   the start 17.5 ms but 69.4 MB (start-up's heap growth stays resident). Earlier runs of the last two: 18.0 and 19.5
 *   against 21.0 and 20.5 ms.
 * The flag steers heap sizing and compiler heuristics as they are consulted, so it takes when set here, isolates
 * running.
 */
export const SPEED_V8_FLAGS: readonly string[] = Object.freeze(['--no-optimize-for-size']);

/** The flags applyV8Mode sets for `mode`. */
export function v8FlagsFor(mode: V8Mode): readonly string[] {
  const base = mode.jit ? DEFAULT_V8_FLAGS : LEAN_V8_FLAGS;
  return mode.forSize === false ? [...base, ...SPEED_V8_FLAGS] : base;
}

/** The mode last applied ("jit/forSize"), null before the first. */
let applied: string | null = null;

/**
 * Sets the flags of a mode for the whole process (both isolates). The running agent sets the lean ones as its very
 * first step, before the config thread and the collection worker exist (set later, the start-up's compiled code and
 * heap growth stay resident: 77 MB instead of 68 MB measured), and hands the compilers back, or drops
 * --optimize-for-size, once the config says so. The same mode again sets nothing.
 */
export function applyV8Mode(mode: V8Mode): void {
  const key = `${mode.jit}/${mode.forSize !== false}`;
  if (key === applied) return;
  for (const f of v8FlagsFor(mode)) v8.setFlagsFromString(f);
  applied = key;
}
