/**
 * fibrechannel: node_exporter's fibrechannel collector from /sys/class/fc_host: node_fibrechannel_info{fc_host,...}
 * and one counter family per statistics file, leaving out counters the HBA firmware reports as 2^64 - 1 (not
 * implemented). Silent without fibre channel. OTLP: none in the semantic conventions.
 */
import type { FcCounter, FibreChannelHost } from '../../index';
import { defineCollector, fam, families, type FamilyBuilder } from '../catalog';

const COUNTERS: ReadonlyArray<readonly [FcCounter, string, string]> = [
  ['dumped_frames', 'dumped_frames_total', 'Number of dumped frames'],
  ['error_frames', 'error_frames_total', 'Number of errors in frames'],
  ['invalid_crc_count', 'invalid_crc_total', 'Invalid Cyclic Redundancy Check count'],
  ['rx_frames', 'rx_frames_total', 'Number of frames received'],
  ['rx_words', 'rx_words_total', 'Number of words received by host port'],
  ['tx_frames', 'tx_frames_total', 'Number of frames transmitted by host port'],
  ['tx_words', 'tx_words_total', 'Number of words transmitted by host port'],
  ['seconds_since_last_reset', 'seconds_since_last_reset_total', 'Number of seconds since last host port reset'],
  ['invalid_tx_word_count', 'invalid_tx_words_total', 'Number of invalid words transmitted by host port'],
  ['link_failure_count', 'link_failure_total', 'Number of times the host port link has failed'],
  ['loss_of_sync_count', 'loss_of_sync_total', 'Number of failures on either bit or transmission word boundaries'],
  ['loss_of_signal_count', 'loss_of_signal_total', 'Number of times signal has been lost'],
  ['nos_count', 'nos_total', 'Number Not_Operational Primitive Sequence received by host port'],
  ['fcp_packet_aborts', 'fcp_packet_aborts_total', 'Number of aborted packets'],
];

const INFO_LABELS = [
  'speed',
  'port_state',
  'port_type',
  'port_id',
  'port_name',
  'fabric_name',
  'symbolic_name',
  'supported_classes',
  'supported_speeds',
  'dev_loss_tmo',
] as const;

export function fibrechannelFamilies(d: readonly FibreChannelHost[]) {
  const info = fam(
    'node_fibrechannel_info',
    'gauge',
    'Non-numeric data from /sys/class/fc_host/<host>, value is always 1.',
    ['fc_host', ...INFO_LABELS],
  );
  const counters: FamilyBuilder[] = COUNTERS.map(([, name, help]) =>
    fam(`node_fibrechannel_${name}`, 'counter', help, ['fc_host']),
  );
  for (const h of d) {
    const labels: Record<string, string> = { fc_host: h.name };
    for (const l of INFO_LABELS) labels[l] = h.attributes[l] ?? '';
    info.add(labels, 1);
    COUNTERS.forEach(([file], i) => {
      const v = h.counters[file];
      if (v !== null) counters[i]?.add({ fc_host: h.name }, v);
    });
  }
  return families(info, ...counters);
}

export const fibrechannelCollector = defineCollector<readonly FibreChannelHost[], null>({
  name: 'fibrechannel',
  help: 'Fibre channel host ports and their statistics from /sys/class/fc_host.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.fibreChannelHosts(),
  prometheus: (d) => fibrechannelFamilies(d),
  otlp: () => [],
});
