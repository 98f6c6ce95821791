/** netstat: node_netstat_<Proto>_<Field> (untyped) from /proc/net/{netstat,snmp,snmp6}, filtered by `fields`. */
import { compileGoRegexp, type GoRegexp } from '../../util/goregexp';
import type { NetstatRecord } from '../../index';
import { defineCollector, fam, families, optString } from '../catalog';

export interface NetstatOptions {
  readonly fields: GoRegexp;
}

/** A series' family name and help, or null where `fields` filters it out. */
type Series = { readonly name: string; readonly help: string } | null;

/**
 * Per compiled `fields` pattern, proto -> field -> Series: the same few hundred names recur on every pass, and
 * matching each against the pattern again was most of this collector's rendering. Bounded like NameFilter's cache.
 */
const SERIES = new WeakMap<GoRegexp, Map<string, Map<string, Series>>>();
const MAX_CACHED_PROTOS = 256;
const MAX_CACHED_FIELDS = 4096;

function seriesOf(o: NetstatOptions, proto: string, field: string): Series {
  let byProto = SERIES.get(o.fields);
  if (byProto === undefined) {
    byProto = new Map();
    SERIES.set(o.fields, byProto);
  }
  let byField = byProto.get(proto);
  if (byField === undefined) {
    if (byProto.size >= MAX_CACHED_PROTOS) byProto.clear();
    byField = new Map();
    byProto.set(proto, byField);
  }
  let s = byField.get(field);
  if (s === undefined) {
    const key = `${proto}_${field}`.replace(/[^a-zA-Z0-9_]/g, '_');
    s = o.fields.test(key) ? { name: `node_netstat_${key}`, help: `Statistic ${proto}${field}.` } : null;
    if (byField.size >= MAX_CACHED_FIELDS) byField.clear();
    byField.set(field, s);
  }
  return s;
}

export function netstatFamilies(d: NetstatRecord, o: NetstatOptions) {
  const out = [];
  for (const [proto, fields] of Object.entries(d)) {
    for (const [field, value] of Object.entries(fields)) {
      const s = seriesOf(o, proto, field);
      if (s !== null) out.push(fam(s.name, 'untyped', s.help).set(value));
    }
  }
  return families(...out);
}

export const netstatCollector = defineCollector<NetstatRecord, NetstatOptions>({
  name: 'netstat',
  help: 'Network protocol statistics from /proc/net/netstat, snmp and snmp6.',
  options: (raw) => ({ fields: compileGoRegexp(optString(raw, 'fields')) }),
  create:
    ({ psutil }) =>
    () =>
      psutil.netstat(),
  prometheus: netstatFamilies,
  otlp: () => [],
});
