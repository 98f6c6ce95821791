/** filefd: node_filefd_{allocated,maximum} from /proc/sys/fs/file-nr. OTLP: none in the semantic conventions. */
import type { FileNr } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function filefdFamilies(d: FileNr) {
  return families(
    fam('node_filefd_allocated', 'gauge', 'File descriptor statistics: allocated.').set(d.allocated),
    fam('node_filefd_maximum', 'gauge', 'File descriptor statistics: maximum.').set(d.maximum),
  );
}

export const filefdCollector = defineCollector<FileNr, null>({
  name: 'filefd',
  help: 'File handles allocated and the maximum, from /proc/sys/fs/file-nr.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.fileNr(),
  prometheus: (d) => filefdFamilies(d),
  otlp: () => [],
});
