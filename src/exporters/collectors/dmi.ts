/**
 * dmi: node_dmi_info 1, labelled by each /sys/class/dmi/id string that can be read, as node_exporter (a file that is
 * absent or unreadable gives no label; an empty one an empty label). Silent without DMI. OTLP: none in the semantic
 * conventions.
 */
import { defineCollector, fam, families } from '../catalog';

export type DmiData = Readonly<Record<string, string>> | null;

export function dmiFamilies(d: DmiData) {
  const labels = d === null ? [] : Object.keys(d).sort();
  const info = fam(
    'node_dmi_info',
    'gauge',
    "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, " +
      'board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, chassis_serial, ' +
      'chassis_vendor, chassis_version, product_family, product_name, product_serial, product_sku, product_uuid, ' +
      'product_version, system_vendor if provided by DMI.',
    labels,
  );
  if (d !== null && labels.length > 0) info.add(d, 1);
  return families(info);
}

export const dmiCollector = defineCollector<DmiData, null>({
  name: 'dmi',
  help: 'Firmware identity strings (BIOS, board, chassis, product) from /sys/class/dmi/id.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.dmiInfo(),
  prometheus: (d) => dmiFamilies(d),
  otlp: () => [],
});
