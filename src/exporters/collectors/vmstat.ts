/**
 * vmstat: node_vmstat_<field> (untyped, as node_exporter) for the /proc/vmstat fields matching `fields`.
 * OTLP: system.paging.faults{system.paging.fault.type}, system.paging.operations{system.paging.direction}.
 */
import { compileGoRegexp, type GoRegexp } from '../../util/goregexp';
import { defineCollector, fam, families, metrics, optString, otel } from '../catalog';

export interface VmstatOptions {
  readonly fields: GoRegexp;
}

export type VmstatData = Readonly<Record<string, number>>;

/** A field's family name and help, or null where `fields` filters it out. */
type Series = { readonly name: string; readonly help: string } | null;

/**
 * Per compiled `fields` pattern, field -> Series: /proc/vmstat's ~180 names recur on every pass, and matching each
 * against the pattern again cost more than reading the file. Bounded like NameFilter's cache.
 */
const SERIES = new WeakMap<GoRegexp, Map<string, Series>>();
const MAX_CACHED_FIELDS = 4096;

function seriesOf(o: VmstatOptions, field: string): Series {
  let byField = SERIES.get(o.fields);
  if (byField === undefined) {
    byField = new Map();
    SERIES.set(o.fields, byField);
  }
  let s = byField.get(field);
  if (s === undefined) {
    s = o.fields.test(field)
      ? {
          name: `node_vmstat_${field.replace(/[^a-zA-Z0-9_]/g, '_')}`,
          help: `/proc/vmstat information field ${field}.`,
        }
      : null;
    if (byField.size >= MAX_CACHED_FIELDS) byField.clear();
    byField.set(field, s);
  }
  return s;
}

export function vmstatFamilies(d: VmstatData, o: VmstatOptions) {
  const out = [];
  for (const [field, value] of Object.entries(d)) {
    const s = seriesOf(o, field);
    if (s !== null) out.push(fam(s.name, 'untyped', s.help).set(value));
  }
  return families(...out);
}

export function vmstatMetrics(d: VmstatData) {
  const faults = otel('system.paging.faults', 'counter', '{fault}', 'Page faults by type.', 'int');
  const ops = otel('system.paging.operations', 'counter', '{operation}', 'Pages swapped in and out.', 'int');
  const all = d['pgfault'];
  const major = d['pgmajfault'];
  if (all !== undefined && major !== undefined) {
    faults.add({ 'system.paging.fault.type': 'major' }, major);
    faults.add({ 'system.paging.fault.type': 'minor' }, Math.max(0, all - major));
  }
  if (d['pswpin'] !== undefined) ops.add({ 'system.paging.direction': 'in' }, d['pswpin']);
  if (d['pswpout'] !== undefined) ops.add({ 'system.paging.direction': 'out' }, d['pswpout']);
  return metrics(faults, ops);
}

export const vmstatCollector = defineCollector<VmstatData, VmstatOptions>({
  name: 'vmstat',
  help: 'Selected /proc/vmstat fields.',
  options: (raw) => ({ fields: compileGoRegexp(optString(raw, 'fields', '^(oom_kill|pgpg|pswp|pg.*fault).*')) }),
  create:
    ({ psutil }) =>
    () =>
      psutil.procVmstat(),
  prometheus: vmstatFamilies,
  otlp: (d) => vmstatMetrics(d),
});
