/** The ipvs, fibrechannel and tapestats collectors' mappings on the golden host's files and their options. */
import { fibrechannelFamilies } from '../../../src/exporters/collectors/fibrechannel';
import { ipvsFamilies, ipvsLabels } from '../../../src/exporters/collectors/ipvs';
import { tapestatsFamilies } from '../../../src/exporters/collectors/tapestats';
import { NameFilter } from '../../../src/exporters/catalog';
import { createPsutil } from '../../../src/index';
import { own } from '../../helpers/fixtures';

const golden = createPsutil({
  procfs: own('golden-host', 'proc'),
  sysfs: own('golden-host', 'sys'),
  rootfs: own('golden-host'),
});

describe('ipvs', () => {
  test("backend_labels: node_exporter's order whatever the option's, unknown names refused", () => {
    expect(ipvsLabels('proto,local_address')).toEqual(['local_address', 'proto']);
    expect(() => ipvsLabels('proto,nope,zzz')).toThrow('unknown IPVS backend labels: "nope, zzz"');
  });

  test('fewer labels: real servers sharing them are summed', () => {
    const fams = ipvsFamilies(golden.ipvs(), { labels: ['proto'] });
    const weight = fams.find((f) => f.name === 'node_ipvs_backend_weight');
    expect(weight?.series).toEqual([
      { labels: { proto: 'TCP' }, value: 1 + 3 + 2 + 0 },
      { labels: { proto: 'UDP' }, value: 1 },
      { labels: { proto: 'FWM' }, value: 12 },
    ]);
  });

  test('no IPVS: no families', () => {
    expect(ipvsFamilies(null, { labels: ['proto'] })).toEqual([]);
  });
});

describe('fibrechannel and tapestats', () => {
  test('an unimplemented counter is left out; info carries every attribute label', () => {
    const fams = fibrechannelFamilies(golden.fibreChannelHosts());
    expect(fams.find((f) => f.name === 'node_fibrechannel_dumped_frames_total')).toBeUndefined();
    expect(fams.find((f) => f.name === 'node_fibrechannel_info')?.labelNames).toHaveLength(11);
  });

  test('ignored_devices filters; nanoseconds become seconds as node_exporter multiplies them', () => {
    const tapes = golden.scsiTapes();
    expect(tapestatsFamilies(tapes, { filter: new NameFilter('', '^st1$') })).toEqual([]);
    const fams = tapestatsFamilies(tapes, { filter: new NameFilter('', '^$') });
    expect(fams.find((f) => f.name === 'node_tape_io_time_seconds_total')?.series[0]?.value).toBe(
      8123456789012 * 0.000000001,
    );
  });
});
