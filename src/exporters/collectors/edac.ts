/**
 * edac: node_edac_{correctable,uncorrectable}_errors_total{controller}, node_edac_csrow_{...}_total{controller,csrow}
 * (csrow `unknown`: the errors that name none) from /sys/devices/system/edac/mc, as node_exporter 1.5, and newer
 * node_exporter's node_edac_channel_{...}_total{controller,csrow,channel,dimm_label}. Silent without EDAC. OTLP: none
 * in the semantic conventions.
 */
import type { EdacController } from '../../index';
import { defineCollector, fam, families } from '../catalog';

/** newer node_exporter's dimm_label: `#` dropped, `_` before csrow and channel (mc#0csrow#1channel#0 -> mc0_csrow1_channel0). */
export function dimmLabel(raw: string | null): string {
  if (raw === null) return 'unknown';
  return raw.replaceAll('#', '').replaceAll('csrow', '_csrow').replaceAll('channel', '_channel');
}

export function edacFamilies(d: readonly EdacController[]) {
  const ce = fam('node_edac_correctable_errors_total', 'counter', 'Total correctable memory errors.', ['controller']);
  const ue = fam('node_edac_uncorrectable_errors_total', 'counter', 'Total uncorrectable memory errors.', [
    'controller',
  ]);
  const rowCe = fam(
    'node_edac_csrow_correctable_errors_total',
    'counter',
    'Total correctable memory errors for this csrow.',
    ['controller', 'csrow'],
  );
  const rowUe = fam(
    'node_edac_csrow_uncorrectable_errors_total',
    'counter',
    'Total uncorrectable memory errors for this csrow.',
    ['controller', 'csrow'],
  );
  const chLabels = ['controller', 'csrow', 'channel', 'dimm_label'];
  const chCe = fam(
    'node_edac_channel_correctable_errors_total',
    'counter',
    'Total correctable memory errors for this channel.',
    chLabels,
  );
  const chUe = fam(
    'node_edac_channel_uncorrectable_errors_total',
    'counter',
    'Total uncorrectable memory errors for this channel.',
    chLabels,
  );
  for (const mc of d) {
    const controller = mc.controller;
    if (mc.correctable !== null) ce.add({ controller }, mc.correctable);
    if (mc.uncorrectable !== null) ue.add({ controller }, mc.uncorrectable);
    for (const row of mc.csrows) {
      const csrow = row.csrow;
      if (row.correctable !== null) rowCe.add({ controller, csrow }, row.correctable);
      if (row.uncorrectable !== null) rowUe.add({ controller, csrow }, row.uncorrectable);
      for (const ch of row.channels) {
        const l = { controller, csrow, channel: ch.channel, dimm_label: dimmLabel(ch.dimmLabel) };
        if (ch.correctable !== null) chCe.add(l, ch.correctable);
        if (ch.uncorrectable !== null) chUe.add(l, ch.uncorrectable);
      }
    }
  }
  return families(ce, ue, rowCe, rowUe, chCe, chUe);
}

export const edacCollector = defineCollector<readonly EdacController[], null>({
  name: 'edac',
  help: 'Memory error counts (EDAC) per controller, csrow and channel.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.edacControllers(),
  prometheus: (d) => edacFamilies(d),
  otlp: () => [],
});
