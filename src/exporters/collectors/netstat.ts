/** netstat: node_netstat_<Proto>_<Field> (untyped) from /proc/net/{netstat,snmp,snmp6}, filtered by `fields`. */
import { RE2JS } from 're2js';
import type { NetstatRecord } from '../../index';
import { defineCollector, fam, families, optString } from '../catalog';

export interface NetstatOptions {
  readonly fields: RE2JS;
}

export function netstatFamilies(d: NetstatRecord, o: NetstatOptions) {
  const out = [];
  for (const [proto, fields] of Object.entries(d)) {
    for (const [field, value] of Object.entries(fields)) {
      const key = `${proto}_${field}`.replace(/[^a-zA-Z0-9_]/g, '_');
      if (!o.fields.matcher(key).find()) continue;
      out.push(fam(`node_netstat_${key}`, 'untyped', `Statistic ${proto}${field}.`).set(value));
    }
  }
  return families(...out);
}

export const netstatCollector = defineCollector<NetstatRecord, NetstatOptions>({
  name: 'netstat',
  help: 'Network protocol statistics from /proc/net/netstat, snmp and snmp6.',
  options: (raw) => ({ fields: RE2JS.compile(optString(raw, 'fields')) }),
  create: ({ psutil }) => () => psutil.netstat(),
  prometheus: netstatFamilies,
  otlp: () => [],
});
