/**
 * Go-style durations ("500ms", "5s", "1m30s"), as node_exporter's flags and the config file write them. A leaf: it
 * imports nothing, so the config loader, the admin API and the collectors share it without importing each other.
 */
const DURATION_PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest delay Node's timers keep: setTimeout/setInterval take a signed 32-bit number of ms and fire after 1 ms
 * (with a TimeoutOverflowWarning) for anything longer, so a longer duration would act as 1 ms.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  if (!/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(text)) return null;
  let ms = 0;
  for (const m of text.matchAll(DURATION_PART)) ms += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return ms;
}

/** `MAX_TIMER_MS` as a config file writes it, for messages. */
export const MAX_TIMER_TEXT = '596h31m23.647s';
