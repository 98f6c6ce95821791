/**
 * /proc/zoneinfo: per memory zone, the free page count and the min/low/high watermarks (in pages). virtualMemory()
 * needs the sum of the `low` watermarks to estimate `available` where MemAvailable is missing or 0
 * (psutil's calculate_avail_vmem, after the kernel's own si_mem_available()).
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface Zone {
  readonly node: number;
  readonly zone: string;
  readonly pagesFree: number | null;
  readonly min: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

export interface Zoneinfo {
  readonly zones: readonly Zone[];
  /** Σ `low` over all zones, in pages. */
  readonly lowWatermarkPages: number;
}

const HEADER = /^Node\s+(\d+),\s*zone\s+(\S+)/;
const FIELD = /^\s*(pages free|min|low|high)\s+(\d+)\s*$/;

export function parseZoneinfo(input: Buffer | string, path = '<input>'): Zoneinfo {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const zones: Zone[] = [];
  let cur: {
    node: number;
    zone: string;
    pagesFree: number | null;
    min: number | null;
    low: number | null;
    high: number | null;
  } | null = null;
  let low = 0;
  const flush = () => {
    if (cur !== null) zones.push(Object.freeze(cur));
  };
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h !== null) {
      flush();
      cur = { node: Number(h[1]), zone: h[2] as string, pagesFree: null, min: null, low: null, high: null };
      continue;
    }
    const f = FIELD.exec(line);
    if (f === null || cur === null) continue;
    const v = Number(f[2]);
    switch (f[1]) {
      case 'pages free':
        cur.pagesFree = v;
        break;
      case 'min':
        cur.min = v;
        break;
      case 'low':
        cur.low = v;
        low += v;
        break;
      case 'high':
        cur.high = v;
        break;
    }
  }
  flush();
  if (zones.length === 0) throw new ParseError(path, "no 'Node N, zone NAME' section");
  return Object.freeze({ zones: Object.freeze(zones), lowWatermarkPages: low });
}
