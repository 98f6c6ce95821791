/** Go-style durations ("500ms", "5s", "1m30s"), as node_exporter's flags and the config file write them. */
const DURATION_PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  if (!/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(text)) return null;
  let ms = 0;
  for (const m of text.matchAll(DURATION_PART)) ms += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return ms;
}
