/** uname: node_uname_info{sysname,release,version,machine,nodename,domainname} = 1. */
import type { Uname } from '../../index';
import { defineCollector, fam, families, str } from '../catalog';

export function unameFamilies(d: Uname) {
  return families(
    fam('node_uname_info', 'gauge', 'Labeled system information as provided by the uname system call.', [
      'sysname',
      'release',
      'version',
      'machine',
      'nodename',
      'domainname',
    ]).add(
      {
        sysname: d.sysname,
        release: d.release,
        version: d.version,
        machine: d.machine,
        nodename: d.nodename,
        domainname: str(d.domainname),
      },
      1,
    ),
  );
}

export const unameCollector = defineCollector<Uname, null>({
  name: 'uname',
  help: 'Kernel and host names (uname(2)).',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.uname(),
  prometheus: (d) => unameFamilies(d),
  otlp: () => [],
});
