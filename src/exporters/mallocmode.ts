/**
 * glibc malloc's mmap and trim thresholds, fixed for the running agent at glibc's starting values (128 KiB).
 *
 * glibc starts by giving an allocation of 128 KiB or more a mapping of its own, returned to the system when freed,
 * but each time such a chunk is freed it raises the threshold to that chunk's size (up to 32 MiB) and the trim
 * threshold to twice that. The agent allocates a few such buffers on every pass, and more with per-process OTLP (the
 * packed records, their copies on the main thread, a ~2.2 MiB request body per 1,000 processes): after the first
 * frees they are carved from the threads' arenas, and the arenas keep what they free. Measured the night of
 * 2026-12-07, per-process OTLP exporting every 0.5 s, 70 processes, then cycles of 1,000 processes started for a
 * minute and killed (mallinfo2 and VmRSS every 30 s, agents side by side in a PID namespace):
 * - run 1: glibc's default 85 MB at 70 processes (19 MiB of arenas, 11 MiB of it free), 113-118 MB after two
 *   cycles (arenas 42 MiB, 29 MiB free); GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072 at exec 77 MB (10 MiB of
 *   arenas, 3 MiB free), then 93-97 MB; malloc_trim(0) every 30 s instead 97-111 MB.
 * - run 2, five cycles: the build before 82-83 MB, then 103-114 MB (arenas 31 MiB, 22 free at the end); this
 *   module's mallopt from the collection thread 75-76 MB, then 85-99 MB (14 MiB, 7 free); the tunable at exec 74-75,
 *   then 84-100 MB.
 * The default config (ab.js, 30 fresh scrapes after 30, 3 interleaved rounds, the tunable): 71.2 against 70.6 MB,
 * 17.7 against 16.3 ms of CPU per scrape.
 *
 * The trim threshold, which each raise doubled past the mmap threshold, goes back to its starting 128 KiB too. Set
 * with mallopt(3) from the collection thread (which loads koffi anyway: the main thread does not), once, before
 * its first pass; the setting is the process's, every thread's arena. An operator who chose malloc's thresholds
 * (GLIBC_TUNABLES with glibc.malloc.mmap_threshold or trim_threshold, or MALLOC_MMAP_THRESHOLD_ /
 * MALLOC_TRIM_THRESHOLD_) keeps that choice.
 */
import { UnsupportedOperation } from '../probes/errors';
import { M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, mallopt } from '../probes/linux/native-heap';

export const MMAP_THRESHOLD_BYTES = 128 * 1024;
/** glibc's starting trim threshold: free memory above it at the top of an arena goes back to the system. */
export const TRIM_THRESHOLD_BYTES = 128 * 1024;

export type MallocModeOutcome = 'fixed' | 'operator' | 'unsupported';

/** Whether the environment already sets malloc's mmap or trim threshold (glibc reads it at start). */
export function operatorMallocThresholds(env: NodeJS.ProcessEnv = process.env): boolean {
  const tunables = env['GLIBC_TUNABLES'] ?? '';
  return (
    /(^|:)glibc\.malloc\.(mmap|trim)_threshold=/.test(tunables) ||
    env['MALLOC_MMAP_THRESHOLD_'] !== undefined ||
    env['MALLOC_TRIM_THRESHOLD_'] !== undefined
  );
}

let outcome: MallocModeOutcome | null = null;

/**
 * Fixes the mmap and trim thresholds at glibc's starting values (no dynamic raise from then on), unless the operator
 * set one; 'unsupported' without glibc. Once per process: later calls give the first outcome.
 */
export function applyMallocMode(env: NodeJS.ProcessEnv = process.env): MallocModeOutcome {
  if (outcome !== null) return outcome;
  if (operatorMallocThresholds(env)) return (outcome = 'operator');
  try {
    // Both: a raise of the mmap threshold raised the trim threshold too, and mallopt sets only what it is given.
    const ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) && mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES);
    outcome = ok ? 'fixed' : 'unsupported';
  } catch (e) {
    if (!(e instanceof UnsupportedOperation)) throw e;
    outcome = 'unsupported';
  }
  return outcome;
}
