/**
 * Exposition safety (hardening B6 #21, #24): every label value is made well-formed (a lone surrogate, e.g. a comm cut
 * inside a character, becomes U+FFFD, so the UTF-8 on the wire is always valid) and cut to `maxLabelValueBytes` of
 * UTF-8 at a character boundary, ending in "..."; a family keeps at most `maxSeriesPerFamily` series, the first ones
 * the collector emitted. For the series cap a histogram's or summary's label set is one series, whatever its number of
 * lines (client_golang's notion of a metric; a histogram is never cut between its buckets).
 */
import type { Family, Series } from '../catalog';
import type { ExpositionLimits, FamilyLimited } from './types';

export const DEFAULT_LIMITS: ExpositionLimits = Object.freeze({ maxLabelValueBytes: 1024, maxSeriesPerFamily: 10000 });

export const TRUNCATION_MARKER = '...';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text with each lone surrogate replaced by U+FFFD: what Node would write, made explicit before any cut. */
export function wellFormed(s: string): string {
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s;
}

/**
 * A label value that is valid UTF-8 once encoded and at most `maxBytes` long: lone surrogates become U+FFFD (Node
 * would write them as U+FFFD too, but then the cap below could split a character); a longer value is cut where a
 * character starts and ends in "...". `cut` tells whether the length cap applied.
 */
export function safeLabelValue(v: string, maxBytes: number): { value: string; cut: boolean } {
  const value = wellFormed(v);
  // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4): short values skip the count.
  if (maxBytes <= 0 || value.length * 3 <= maxBytes) return { value, cut: false };
  const buf = Buffer.from(value, 'utf8');
  if (buf.length <= maxBytes) return { value, cut: false };
  let end = Math.max(0, maxBytes - TRUNCATION_MARKER.length);
  // buf[end] is the first byte left out: step back while it continues a character (10xxxxxx).
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return { value: buf.toString('utf8', 0, end) + TRUNCATION_MARKER, cut: true };
}

/** A family with the limits applied, and what they cost it (null when nothing was cut). */
export function limitFamily(f: Family, limits: ExpositionLimits): { family: Family; limited: FamilyLimited | null } {
  const keep =
    limits.maxSeriesPerFamily > 0 && f.series.length > limits.maxSeriesPerFamily
      ? f.series.slice(0, limits.maxSeriesPerFamily)
      : f.series;
  let truncated = 0;
  let changed = keep !== f.series;
  const series: Series[] = keep.map((s) => {
    let labels: Record<string, string> | null = null;
    for (const [k, v] of Object.entries(s.labels)) {
      const safe = safeLabelValue(v, limits.maxLabelValueBytes);
      if (safe.value !== v) {
        labels ??= { ...s.labels };
        labels[k] = safe.value;
        if (safe.cut) truncated++;
      }
    }
    if (labels === null) return s;
    changed = true;
    return { ...s, labels };
  });
  const dropped = f.series.length - keep.length;
  return {
    family: changed ? { ...f, series } : f,
    limited:
      dropped > 0 || truncated > 0 ? { family: f.name, droppedSeries: dropped, truncatedValues: truncated } : null,
  };
}
