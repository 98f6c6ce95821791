/**
 * conntrack: node_nf_conntrack_entries and node_nf_conntrack_entries_limit from
 * /proc/sys/net/netfilter/nf_conntrack_{count,max}, and node_nf_conntrack_stat_* (summed over CPUs) from
 * /proc/net/stat/nf_conntrack where the kernel has it. OTLP: system.network.conntrack.{count,max}, the hostmetrics
 * receiver's names.
 */
import type { NfConntrack } from '../../index';
import { defineCollector, fam, families, metrics, otel } from '../catalog';

/** node_exporter's statistics: [family suffix, header field, HELP]. */
const STATS: ReadonlyArray<readonly [string, string, string]> = [
  ['found', 'found', 'Number of searched entries which were successful.'],
  ['invalid', 'invalid', 'Number of packets seen which can not be tracked.'],
  ['ignore', 'ignore', 'Number of packets seen which are already connected to a conntrack entry.'],
  ['insert', 'insert', 'Number of entries inserted into the list.'],
  ['insert_failed', 'insert_failed', 'Number of entries for which list insertion was attempted but failed.'],
  ['drop', 'drop', 'Number of packets dropped due to conntrack failure.'],
  [
    'early_drop',
    'early_drop',
    'Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.',
  ],
  [
    'search_restart',
    'search_restart',
    'Number of conntrack table lookups which had to be restarted due to hashtable resizes.',
  ],
];

export function conntrackFamilies(d: NfConntrack) {
  const out = [
    fam(
      'node_nf_conntrack_entries',
      'gauge',
      'Number of currently allocated flow entries for connection tracking.',
    ).set(d.entries),
    fam('node_nf_conntrack_entries_limit', 'gauge', 'Maximum size of connection tracking table.').set(d.entriesLimit),
  ];
  if (d.stat !== null) {
    for (const [suffix, field, help] of STATS) {
      // search_restart is absent from kernels before 4.x (16 columns): it reads 0 there, as procfs gives it.
      const sum = d.stat.reduce((acc, cpu) => acc + (cpu[field] ?? 0), 0);
      out.push(fam(`node_nf_conntrack_stat_${suffix}`, 'gauge', help).set(sum));
    }
  }
  return families(...out);
}

export function conntrackMetrics(d: NfConntrack) {
  return metrics(
    otel(
      'system.network.conntrack.count',
      'updowncounter',
      '{entry}',
      'The count of entries in conntrack table.',
      'int',
    ).add({}, d.entries),
    otel(
      'system.network.conntrack.max',
      'updowncounter',
      '{entry}',
      'The limit for entries in the conntrack table.',
      'int',
    ).add({}, d.entriesLimit),
  );
}

export const conntrackCollector = defineCollector<NfConntrack, null>({
  name: 'conntrack',
  help: 'Connection tracking table size, limit and statistics (nf_conntrack).',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.nfConntrack(),
  prometheus: (d) => conntrackFamilies(d),
  otlp: (d) => conntrackMetrics(d),
});
