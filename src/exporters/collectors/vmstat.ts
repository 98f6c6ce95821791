/**
 * vmstat: node_vmstat_<field> (untyped, as node_exporter) for the /proc/vmstat fields matching `fields`.
 * OTLP: system.paging.faults{system.paging.fault.type}, system.paging.operations{system.paging.direction}.
 */
import { RE2JS } from 're2js';
import { defineCollector, fam, families, metrics, optString, otel } from '../catalog';

export interface VmstatOptions {
  readonly fields: RE2JS;
}

export type VmstatData = Readonly<Record<string, number>>;

export function vmstatFamilies(d: VmstatData, o: VmstatOptions) {
  const out = [];
  for (const [field, value] of Object.entries(d)) {
    if (!o.fields.matcher(field).find()) continue;
    const key = field.replace(/[^a-zA-Z0-9_]/g, '_');
    out.push(fam(`node_vmstat_${key}`, 'untyped', `/proc/vmstat information field ${field}.`).set(value));
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
  options: (raw) => ({ fields: RE2JS.compile(optString(raw, 'fields', '^(oom_kill|pgpg|pswp|pg.*fault).*')) }),
  create: ({ psutil }) => () => psutil.procVmstat(),
  prometheus: vmstatFamilies,
  otlp: (d) => vmstatMetrics(d),
});
