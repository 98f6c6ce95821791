/** sockstat: node_sockstat_sockets_used and node_sockstat_<PROTO>_<field> from /proc/net/sockstat{,6}. */
import type { SockStat } from '../../index';
import { defineCollector, fam, families } from '../catalog';

/** memBytes -> mem_bytes (the library's camelCase for node_exporter's derived field). */
function fieldName(f: string): string {
  return f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/[^a-zA-Z0-9_]/g, '_');
}

export function sockstatFamilies(d: SockStat) {
  const out = [];
  if (d.used !== null)
    out.push(fam('node_sockstat_sockets_used', 'gauge', 'Number of IPv4 sockets in use.').set(d.used));
  for (const [proto, fields] of Object.entries(d.protocols)) {
    for (const [field, value] of Object.entries(fields)) {
      const key = `${proto}_${fieldName(field)}`.replace(/[^a-zA-Z0-9_]/g, '_');
      out.push(
        fam(`node_sockstat_${key}`, 'gauge', `Number of ${proto} sockets in state ${fieldName(field)}.`).set(value),
      );
    }
  }
  return families(...out);
}

export const sockstatCollector = defineCollector<SockStat, null>({
  name: 'sockstat',
  help: 'Socket usage from /proc/net/sockstat and sockstat6.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.sockStat(),
  prometheus: (d) => sockstatFamilies(d),
  otlp: () => [],
});
