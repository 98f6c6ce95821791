/**
 * psutil's @retry_on_failure for live comparisons: memory and counters move between our read and the tool's, so a
 * check gets a few attempts before it fails. The last attempt's assertion error is the one reported.
 */
export function retry<T>(attempts: number, fn: () => T): T {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return fn();
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/** Parses `vmstat -s` into { 'total memory': n, 'interrupts': n, ... } (K values left in KiB). */
export function vmstatS(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(?:K\s+)?(.+?)\s*$/.exec(line);
    if (m) out[m[2] as string] = Number(m[1]);
  }
  return out;
}
