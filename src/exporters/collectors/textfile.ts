/**
 * textfile: node_exporter's textfile collector. Every `*.prom` file of the configured directories (not recursive,
 * sorted by name) is parsed as Prometheus text format 0.0.4 and its families are served unchanged, with
 * node_textfile_mtime_seconds{file} (the files read successfully) and node_textfile_scrape_error (0/1). OTLP: none.
 *
 * Facts carried over from node_exporter 1.5 (collector/textfile.go, its fixtures, and the Debian 1.5.0 binary run on
 * crafted directories):
 * - A file that cannot be opened or read, does not parse (expfmt's rules: a final line without its newline, a second
 *   HELP or TYPE line, TYPE after samples, a bad escape, a float "1e400", "0x1A" or "1_000", a duplicate or reserved
 *   label name...) or has a timestamp on any sample is skipped whole: no families, no mtime, scrape_error 1.
 * - A family without HELP gets "Metric read from <the files that hold it, joined by ', '>"; the file label and those
 *   paths are the directory joined with the file name, as given (a relative directory stays relative).
 * - A family in several files is merged; the first file (in name order) sets its HELP and type, and a later file whose
 *   HELP (after the rule above) or type differs loses that family; a series already seen is dropped (first wins).
 *   node_exporter's registry drops those too but keeps scrape_error 0; here each is logged and sets scrape_error 1
 *   (newer node_exporter does the same for a HELP conflict), so the loss is visible.
 * - An empty directory option reads nothing and reports scrape_error 0; a directory that cannot be listed is 1.
 * - histogram and summary families pass through as client_golang rewrites them: per label set (le/quantile aside,
 *   wherever its lines stand in the family), buckets by ascending `le` and quantiles ascending (the last of a repeated
 *   bound wins), then _sum and _count; a missing _sum or _count is 0, a histogram without a `+Inf` bucket gets one
 *   holding _count; a bucket line without `le` or a summary line without `quantile` is ignored; an `le`/`quantile`
 *   that is not a float fails the file; bucket and _count values are cut to whole numbers (uint64), and le/quantile
 *   are written in Go's float format (`le="1e+06"`).
 *
 * Where this collector differs, on purpose:
 * - a histogram or summary series whose bucket or _count value is NaN, infinite, negative or 2^64 and over is dropped
 *   (logged, scrape_error 1); node_exporter serves what Go's undefined uint64 conversion gave (2^63, 2^64...).
 * - invalid UTF-8 becomes U+FFFD (node_exporter refuses the file), a file over `max_file_bytes` is refused, so are
 *   FIFOs and other non-regular files (opened non-blocking, never waited on); label names starting with `__` are a
 *   parse error (node_exporter 1.5 panics on them); no glob patterns (list the directories instead).
 * - counter samples that are negative or NaN are dropped by the exposition (exposition/render.ts), as for every
 *   collector.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LogLevel } from '../../config/defaults';
import { defineCollector, fam, type Family } from '../catalog';
import { parseGoFloat, parseTextFormat, type TextFamily, type TextSample } from '../exposition/parse';
import { createLogger, type Logger } from '../log';

// ---- merging the files' families (pure) ----

export interface ParsedTextfile {
  /** The path as node_exporter prints it: the directory joined with the file name. */
  readonly path: string;
  readonly families: readonly TextFamily[];
}

export const MTIME_FAMILY = 'node_textfile_mtime_seconds';
export const ERROR_FAMILY = 'node_textfile_scrape_error';

/**
 * Families from the files (in their order) as the collector serves them, and what was dropped on the way (each a
 * problem: logged, scrape_error 1). Families keep the first file's HELP and type; label names are the union, a series
 * without one of them gets "" (the same series to Prometheus).
 */
export function mergeTextfiles(files: readonly ParsedTextfile[]): { families: Family[]; problems: string[] } {
  const problems: string[] = [];
  const occurrences = new Map<string, { path: string; family: TextFamily }[]>();
  for (const file of files) {
    for (const family of file.families) {
      let list = occurrences.get(family.name);
      if (!list) occurrences.set(family.name, (list = []));
      list.push({ path: file.path, family });
    }
  }
  const out: Family[] = [];
  for (const [name, list] of occurrences) {
    const first = list[0];
    if (!first) continue;
    if (name === MTIME_FAMILY || name === ERROR_FAMILY) {
      problems.push(`metric ${name} in ${list.map((o) => o.path).join(', ')} is the collector's own: skipped`);
      continue;
    }
    const generated = `Metric read from ${list.map((o) => o.path).join(', ')}`;
    const help = first.family.help ?? generated;
    const type = first.family.type;
    const labelNames = new Set<string>();
    const kept: { sample: TextSample; path: string }[] = [];
    const groups: DistributionGroup[] = [];
    const seen = new Set<string>();
    const distribution = type === 'histogram' || type === 'summary';
    for (const o of list) {
      const h = o.family.help ?? generated;
      if (o !== first && (h !== help || o.family.type !== type)) {
        problems.push(
          o.family.type !== type
            ? `metric ${name} in ${o.path} is of type ${o.family.type}, but ${first.path} made it ${type}: skipped in ${o.path}`
            : `metric ${name} in ${o.path} has help ${JSON.stringify(h)} but ${first.path} gave it ${JSON.stringify(help)}: skipped in ${o.path}`,
        );
        continue;
      }
      if (distribution) {
        for (const g of distributionGroups(o.family, o.path)) {
          for (const l of Object.keys(g.labels)) labelNames.add(l);
          groups.push(g);
        }
        continue;
      }
      for (const s of o.family.samples) for (const l of Object.keys(s.labels)) labelNames.add(l);
      for (const sample of o.family.samples) kept.push({ sample, path: o.path });
    }
    const names = [...labelNames].sort();
    const f = fam(name, type, help, names);
    for (const g of groups) {
      const labels: Record<string, string> = {};
      for (const l of names) labels[l] = g.labels[l] ?? '';
      const key = names.map((l) => `${l}\u0000${labels[l] as string}`).join('\u0001');
      if (seen.has(key)) {
        problems.push(
          `metric ${name}${JSON.stringify(g.labels)} in ${g.path} was seen before with the same labels: dropped`,
        );
        continue;
      }
      seen.add(key);
      const counts = type === 'histogram' ? [g.count, ...g.bounds.map(([, v]) => v)] : [g.count];
      const bad = counts.find((v) => toCount(v) === null);
      if (bad !== undefined) {
        problems.push(
          `metric ${name}${JSON.stringify(g.labels)} in ${g.path} has count ${bad}, not a whole number of observations: dropped`,
        );
        continue;
      }
      const count = toCount(g.count) as number;
      if (type === 'histogram')
        f.addHistogram(
          labels,
          g.bounds.map(([le, v]) => [le, toCount(v) as number] as const),
          g.sum,
          count,
        );
      else f.addSummary(labels, g.bounds, g.sum, count);
    }
    for (const { sample: s, path: from } of kept) {
      const labels: Record<string, string> = {};
      for (const l of names) labels[l] = s.labels[l] ?? '';
      const key = names.map((l) => `${l}\u0000${labels[l] as string}`).join('\u0001');
      if (seen.has(key)) {
        problems.push(
          `metric ${name}${JSON.stringify(s.labels)} in ${from} was seen before with the same labels: dropped`,
        );
        continue;
      }
      seen.add(key);
      f.add(labels, s.value);
    }
    if (f.family.series.length > 0) out.push(f.family);
  }
  return { families: out, problems };
}

/** A histogram's or summary's samples of one label set in one file, as expfmt gathers them into one metric. */
interface DistributionGroup {
  readonly path: string;
  /** The labels without `le` (histogram) or `quantile` (summary). */
  readonly labels: Readonly<Record<string, string>>;
  /** [le, cumulative count] or [quantile, value], in file order. */
  readonly bounds: [number, number][];
  sum: number;
  count: number;
}

/**
 * expfmt's reading of a histogram or summary family: samples are grouped by their labels (le/quantile aside) wherever
 * they stand in the family; `<name>_sum` and `<name>_count` set the sum and count (0 when missing), any other sample
 * with `le` (histogram) or `quantile` (summary) is a bucket or quantile, and one without is ignored (its label set
 * still makes a series). The bound was checked as a float by the parser.
 */
function distributionGroups(f: TextFamily, file: string): DistributionGroup[] {
  const bound = f.type === 'histogram' ? 'le' : 'quantile';
  const groups = new Map<string, DistributionGroup>();
  for (const s of f.samples) {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.labels)) if (k !== bound) labels[k] = v;
    const key = Object.keys(labels)
      .sort()
      .map((k) => `${k}\u0000${labels[k] as string}`)
      .join('\u0001');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { path: file, labels, bounds: [], sum: 0, count: 0 }));
    const b = s.labels[bound];
    if (s.name === `${f.name}_sum`) g.sum = s.value;
    else if (s.name === `${f.name}_count`) g.count = s.value;
    else if (b !== undefined) g.bounds.push([parseGoFloat(b) ?? NaN, s.value]);
  }
  return [...groups.values()];
}

/**
 * A count as expfmt stores it (uint64(value): the fraction cut off), or null when Go's conversion is undefined
 * (NaN, infinite, negative, 2^64 and over; node_exporter then serves whatever the CPU made of it).
 */
function toCount(v: number): number | null {
  return Number.isFinite(v) && v > -1 && v < 2 ** 64 ? Math.trunc(v) + 0 : null;
}

// ---- reading the directories ----

export interface TextfileOptions {
  /** Directories to read, in order ('' entries dropped). */
  readonly directories: readonly string[];
  readonly maxFileBytes: number;
  readonly logLevel: LogLevel;
}

export interface TextfileData {
  readonly families: Family[];
  /** The files read successfully, by path, with their mtime in whole seconds. */
  readonly mtimes: { readonly file: string; readonly mtime: number }[];
  readonly error: boolean;
}

export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

/** An error's message (with its errno name first); structural, as errors from another realm fail instanceof. */
function errText(e: unknown): string {
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    const { message, code } = e as { message: string; code?: unknown };
    return typeof code === 'string' && /^E[A-Z]+$/.test(code) && !message.startsWith(code)
      ? `${code}: ${message}`
      : message;
  }
  return String(e);
}

/** One file: its families and mtime, or why it is skipped. Never throws. */
export function readTextfile(
  file: string,
  maxBytes: number,
): { parsed: ParsedTextfile; mtime: number } | { problem: string } {
  let fd: number;
  try {
    // Non-blocking: a FIFO named *.prom must not hold the collection thread until a writer comes.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    return { problem: `failed to open textfile data file ${JSON.stringify(file)}: ${errText(e)}` };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { problem: `textfile ${JSON.stringify(file)} is not a regular file` };
    if (st.size > maxBytes)
      return { problem: `textfile ${JSON.stringify(file)} is ${st.size} bytes, over max_file_bytes (${maxBytes})` };
    // One byte over the cap tells a file that grew since fstat.
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let n = 0;
    for (;;) {
      const r = fs.readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > maxBytes) return { problem: `textfile ${JSON.stringify(file)} is over max_file_bytes (${maxBytes})` };
    }
    let families: TextFamily[];
    try {
      families = parseTextFormat(buf.subarray(0, n), file);
    } catch (e) {
      return { problem: `failed to parse textfile data from ${JSON.stringify(file)}: ${errText(e)}` };
    }
    if (families.some((f) => f.samples.some((s) => s.timestampMs !== null))) {
      return {
        problem: `textfile ${JSON.stringify(file)} contains unsupported client-side timestamps, skipping entire file`,
      };
    }
    // The mtime after parsing, as node_exporter: a file rewritten while read does not look fresh.
    const mtime = Math.floor(fs.fstatSync(fd).mtimeMs / 1000);
    return { parsed: { path: file, families }, mtime };
  } catch (e) {
    return { problem: `failed to read textfile ${JSON.stringify(file)}: ${errText(e)}` };
  } finally {
    fs.closeSync(fd);
  }
}

/** A pass: every directory's *.prom files, sorted by name; problems are logged and set the error flag. */
export function collectTextfiles(o: TextfileOptions, log: Logger): TextfileData {
  const problems: string[] = [];
  const parsed: ParsedTextfile[] = [];
  const mtimes = new Map<string, number>();
  for (const dir of o.directories) {
    let names: string[];
    try {
      names = fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.prom'))
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } catch (e) {
      problems.push(`failed to read textfile collector directory ${JSON.stringify(dir)}: ${errText(e)}`);
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const r = readTextfile(file, o.maxFileBytes);
      if ('problem' in r) {
        problems.push(r.problem);
        continue;
      }
      parsed.push(r.parsed);
      mtimes.set(file, r.mtime);
    }
  }
  const merged = mergeTextfiles(parsed);
  problems.push(...merged.problems);
  for (const p of problems) log.error('textfile collector', { problem: p });
  return {
    families: merged.families,
    mtimes: [...mtimes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([file, mtime]) => ({ file, mtime })),
    error: problems.length > 0,
  };
}

export function textfileFamilies(d: TextfileData): Family[] {
  const mtime = fam(MTIME_FAMILY, 'gauge', 'Unixtime mtime of textfiles successfully read.', ['file']);
  for (const m of d.mtimes) mtime.add({ file: m.file }, m.mtime);
  const error = fam(ERROR_FAMILY, 'gauge', '1 if there was an error opening or reading a file, 0 otherwise').set(
    d.error ? 1 : 0,
  );
  return [...d.families, ...[mtime, error].map((b) => b.family).filter((f) => f.series.length > 0)];
}

function parseOptions(raw: Readonly<Record<string, unknown>>): TextfileOptions {
  const dirs: string[] = [];
  const one = raw['directory'];
  if (typeof one === 'string' && one !== '') dirs.push(one);
  const many = raw['directories'];
  if (Array.isArray(many))
    for (const d of many) if (typeof d === 'string' && d !== '' && !dirs.includes(d)) dirs.push(d);
  const max = raw['max_file_bytes'];
  const level = raw['log_level'];
  return {
    directories: dirs,
    maxFileBytes: typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : DEFAULT_MAX_FILE_BYTES,
    logLevel: level === 'debug' || level === 'info' || level === 'warn' || level === 'error' ? level : 'info',
  };
}

export const textfileCollector = defineCollector<TextfileData, TextfileOptions>({
  name: 'textfile',
  help: "Metrics from *.prom files (node_exporter's textfile collector): cron jobs' and scripts' own metrics.",
  options: parseOptions,
  create: (_env, o) => {
    const log = createLogger(o.logLevel);
    return () => collectTextfiles(o, log);
  },
  prometheus: (d) => textfileFamilies(d),
  otlp: () => [],
});
