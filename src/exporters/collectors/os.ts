/** os: node_os_info{...os-release fields} = 1 and node_os_version{id,id_like,name} = major.minor of VERSION_ID. */
import type { OsRelease } from '../../index';
import { defineCollector, fam, families } from '../catalog';

/** [label, os-release key] in node_exporter's label order. */
const INFO_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['build_id', 'BUILD_ID'],
  ['id', 'ID'],
  ['id_like', 'ID_LIKE'],
  ['image_id', 'IMAGE_ID'],
  ['image_version', 'IMAGE_VERSION'],
  ['name', 'NAME'],
  ['pretty_name', 'PRETTY_NAME'],
  ['variant', 'VARIANT'],
  ['variant_id', 'VARIANT_ID'],
  ['version', 'VERSION'],
  ['version_codename', 'VERSION_CODENAME'],
  ['version_id', 'VERSION_ID'],
];

/** node_exporter: the leading `major.minor` of VERSION_ID as a float; 0 when it has none. */
export function osVersionValue(versionId: string | undefined): number {
  const m = /^[0-9]+\.?[0-9]*/.exec(versionId ?? '');
  return m ? Number.parseFloat(m[0]) : 0;
}

export function osFamilies(d: OsRelease) {
  const f = d.fields;
  const labels: Record<string, string> = {};
  for (const [label, key] of INFO_LABELS) labels[label] = f[key] ?? '';
  return families(
    fam(
      'node_os_info',
      'gauge',
      "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
      INFO_LABELS.map(([l]) => l),
    ).add(labels, 1),
    fam('node_os_version', 'gauge', 'Metric containing the major.minor part of the OS version.', [
      'id',
      'id_like',
      'name',
    ]).add({ id: f['ID'] ?? '', id_like: f['ID_LIKE'] ?? '', name: f['NAME'] ?? '' }, osVersionValue(f['VERSION_ID'])),
  );
}

export const osCollector = defineCollector<OsRelease, null>({
  name: 'os',
  help: 'Operating system release from os-release under the rootfs.',
  options: () => null,
  create:
    ({ psutil }) =>
    () => {
      const r = psutil.osRelease();
      if (r === null) throw new Error('no /etc/os-release or /usr/lib/os-release under the rootfs');
      return r;
    },
  prometheus: (d) => osFamilies(d),
  otlp: () => [],
});
