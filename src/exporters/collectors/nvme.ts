/**
 * nvme: node_nvme_info{device,serial,model,state,firmware_revision,cntlid} 1 per controller of /sys/class/nvme, as
 * node_exporter (cntlid: newer node_exporter's label, absent from 1.5.0's). OTLP: none in the semantic conventions.
 */
import type { NvmeController } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function nvmeFamilies(d: readonly NvmeController[]) {
  const info = fam('node_nvme_info', 'gauge', 'Non-numeric data from /sys/class/nvme/<device>, value is always 1.', [
    'device',
    'firmware_revision',
    'model',
    'serial',
    'state',
    'cntlid',
  ]);
  for (const c of d) {
    info.add(
      {
        device: c.device,
        firmware_revision: c.firmwareRevision ?? '',
        model: c.model ?? '',
        serial: c.serial ?? '',
        state: c.state ?? '',
        cntlid: c.cntlid ?? '',
      },
      1,
    );
  }
  return families(info);
}

export const nvmeCollector = defineCollector<readonly NvmeController[], null>({
  name: 'nvme',
  help: 'NVMe controllers from /sys/class/nvme: model, serial, firmware, state.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.nvmeControllers(),
  prometheus: (d) => nvmeFamilies(d),
  otlp: () => [],
});
