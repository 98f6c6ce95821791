/**
 * The local time zone's abbreviation as Go's `time.Now().Zone()` gives it (node_exporter's `time_zone` label), with
 * the zone loaded the way Go loads `time.Local`: `$TZ` (a leading `:` dropped; an absolute TZif path; a zone name
 * looked up under `$ZONEINFO` and the system zoneinfo directories; `""` or `"UTC"` meaning UTC), else
 * `/etc/localtime`; a zone that cannot be loaded is UTC, as in Go.
 *
 * Not through Intl: ICU's time zone names cost the agent about 5 MB of resident ICU data (measured with
 * /proc/<pid>/pagemap over the embedded icudt), and ICU's short names are not the TZif abbreviations Go prints
 * (`GMT+5:30` where Go says `IST`). This is the agent process's own zone, the one JavaScript's Date uses, not a host
 * file under the rootfs, so it is read here rather than through the library's ProcFs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TzType {
  /** Seconds east of UTC. */
  readonly utoff: number;
  readonly isDst: boolean;
  readonly abbr: string;
}

/** The POSIX TZ string of a TZif v2+ footer: the names and offsets in force after the last transition. */
export interface TzRule {
  readonly std: { readonly name: string; readonly utoff: number };
  readonly dst: { readonly name: string; readonly utoff: number } | null;
}

export interface TzInfo {
  /** Transition times (epoch seconds, ascending) and the type index each one starts. */
  readonly transitions: readonly number[];
  readonly typeIndex: readonly number[];
  readonly types: readonly TzType[];
  readonly rule: TzRule | null;
}

const UTC_NAME = 'UTC';
/** Go's platformZoneSources on Linux, after $ZONEINFO. */
const ZONE_DIRS = ['/usr/share/zoneinfo/', '/usr/share/lib/zoneinfo/', '/usr/lib/locale/TZ/', '/etc/zoneinfo/'];
/** A TZif file is a few KiB; anything far larger is not one. */
const MAX_TZIF_BYTES = 1 << 20;

interface Header {
  readonly version: number;
  readonly isutcnt: number;
  readonly isstdcnt: number;
  readonly leapcnt: number;
  readonly timecnt: number;
  readonly typecnt: number;
  readonly charcnt: number;
}

function header(buf: Buffer, at: number): Header | null {
  if (at + 44 > buf.length || buf.toString('latin1', at, at + 4) !== 'TZif') return null;
  const v = buf[at + 4] as number;
  const n = (i: number): number => buf.readUInt32BE(at + 20 + i * 4);
  return {
    version: v === 0 ? 1 : v - 0x30,
    isutcnt: n(0),
    isstdcnt: n(1),
    leapcnt: n(2),
    timecnt: n(3),
    typecnt: n(4),
    charcnt: n(5),
  };
}

/** Bytes of a data block after its header, with `timeSize`-byte times (4 in v1, 8 in v2+). */
function blockLength(h: Header, timeSize: number): number {
  return (
    h.timecnt * timeSize + h.timecnt + h.typecnt * 6 + h.charcnt + h.leapcnt * (timeSize + 4) + h.isstdcnt + h.isutcnt
  );
}

function offsetText(s: string): number | null {
  const m = /^([+-]?)(\d{1,3})(?::(\d{1,2})(?::(\d{1,2}))?)?$/.exec(s);
  if (!m) return null;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -secs : secs;
}

/**
 * The names and offsets of a POSIX TZ string (`CET-1CEST,M3.5.0,M10.5.0/3`, `<+0530>-5:30`, `IST-5:30`); the
 * transition rules after the commas are not needed to tell the names apart and are not evaluated. null when malformed.
 */
export function parsePosixTz(text: string): TzRule | null {
  const name = /^(?:<([A-Za-z0-9+-]{1,64})>|([A-Za-z]{3,64}))/;
  const m1 = name.exec(text);
  if (!m1) return null;
  let rest = text.slice(m1[0].length);
  const off1 = /^[+-]?\d{1,3}(?::\d{1,2}){0,2}/.exec(rest);
  if (!off1) return null;
  const stdOff = offsetText(off1[0]);
  if (stdOff === null) return null;
  rest = rest.slice(off1[0].length);
  // POSIX offsets count west of Greenwich: EST5 is UTC-5.
  const std = { name: m1[1] ?? m1[2] ?? '', utoff: stdOff === 0 ? 0 : -stdOff }; // UTC0 is +0, not -0
  const m2 = name.exec(rest);
  if (!m2) return rest === '' ? { std, dst: null } : null;
  rest = rest.slice(m2[0].length);
  const off2 = /^[+-]?\d{1,3}(?::\d{1,2}){0,2}/.exec(rest);
  const dstOff = off2 ? offsetText(off2[0]) : null;
  // Only the transition rules may follow (",M3.5.0,M10.5.0/3").
  if (!/^(?:$|,)/.test(rest.slice(off2 ? off2[0].length : 0))) return null;
  return { std, dst: { name: m2[1] ?? m2[2] ?? '', utoff: dstOff === null ? std.utoff + 3600 : -dstOff } };
}

/** A TZif file (RFC 8536, versions 1 to 4): the 64-bit block and footer when present. null when it is not one. */
export function parseTzif(buf: Buffer): TzInfo | null {
  const h1 = header(buf, 0);
  if (!h1) return null;
  let h = h1;
  let at = 44;
  let timeSize = 4;
  if (h1.version >= 2) {
    const h2 = header(buf, 44 + blockLength(h1, 4));
    if (!h2) return null;
    h = h2;
    at = 44 + blockLength(h1, 4) + 44;
    timeSize = 8;
  }
  if (h.typecnt === 0 || at + blockLength(h, timeSize) > buf.length) return null;
  const transitions: number[] = [];
  for (let i = 0; i < h.timecnt; i++) {
    transitions.push(timeSize === 8 ? Number(buf.readBigInt64BE(at + i * 8)) : buf.readInt32BE(at + i * 4));
  }
  at += h.timecnt * timeSize;
  const typeIndex: number[] = [];
  for (let i = 0; i < h.timecnt; i++) {
    const t = buf[at + i] as number;
    if (t >= h.typecnt) return null;
    typeIndex.push(t);
  }
  at += h.timecnt;
  const charsAt = at + h.typecnt * 6;
  const types: TzType[] = [];
  for (let i = 0; i < h.typecnt; i++) {
    const p = at + i * 6;
    const abbrind = buf[p + 5] as number;
    if (abbrind >= h.charcnt) return null;
    const end = buf.indexOf(0, charsAt + abbrind);
    const stop = end < 0 || end > charsAt + h.charcnt ? charsAt + h.charcnt : end;
    types.push({
      utoff: buf.readInt32BE(p),
      isDst: buf[p + 4] === 1,
      abbr: buf.toString('latin1', charsAt + abbrind, stop),
    });
  }
  let rule: TzRule | null = null;
  if (timeSize === 8) {
    const footAt = at + blockLength(h, timeSize) - h.timecnt * (timeSize + 1);
    if (buf[footAt] === 0x0a) {
      const end = buf.indexOf(0x0a, footAt + 1);
      if (end > footAt + 1) rule = parsePosixTz(buf.toString('latin1', footAt + 1, end));
    }
  }
  return { transitions, typeIndex, types, rule };
}

/**
 * The abbreviation in force at `nowSec`: the type of the last transition at or before it; past the last transition
 * the footer's rule (its DST name when `offsetSec`, the offset JavaScript's Date reports, is the rule's DST offset);
 * before the first transition (or with none) time type 0, as RFC 8536 says. UTC without a zone.
 */
export function zoneAbbreviation(info: TzInfo | null, nowSec: number, offsetSec: number): string {
  if (info === null) return UTC_NAME;
  const { transitions, typeIndex, types, rule } = info;
  const last = transitions.length - 1;
  if (rule !== null && (last < 0 || nowSec >= (transitions[last] as number))) {
    return rule.dst !== null && offsetSec === rule.dst.utoff && offsetSec !== rule.std.utoff
      ? rule.dst.name
      : rule.std.name;
  }
  if (last < 0 || nowSec < (transitions[0] as number)) return (types[0] as TzType).abbr;
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((transitions[mid] as number) <= nowSec) lo = mid;
    else hi = mid - 1;
  }
  return (types[typeIndex[lo] as number] as TzType).abbr;
}

function readTzif(file: string): TzInfo | null {
  let buf: Buffer;
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > MAX_TZIF_BYTES) return null;
    buf = fs.readFileSync(file);
  } catch (e) {
    // Absent or unreadable: the caller tries the next place, then settles on UTC as Go does.
    if ((e as NodeJS.ErrnoException).code !== undefined) return null;
    throw e;
  }
  return parseTzif(buf);
}

/** The process's local zone, loaded as Go's initLocal does; null means UTC. */
export function loadLocalZone(env: NodeJS.ProcessEnv = process.env): TzInfo | null {
  let tz = env['TZ'];
  if (tz === undefined) return readTzif('/etc/localtime');
  if (tz.startsWith(':')) tz = tz.slice(1);
  if (tz === '' || tz === 'UTC') return null;
  if (tz.startsWith('/')) return readTzif(tz);
  // A zone name never climbs out of the zoneinfo tree (Go refuses names with "..").
  if (tz.split('/').includes('..')) return null;
  const dirs = env['ZONEINFO'] ? [env['ZONEINFO'], ...ZONE_DIRS] : ZONE_DIRS;
  for (const d of dirs) {
    const info = readTzif(path.join(d, tz));
    if (info !== null) return info;
  }
  return null;
}
