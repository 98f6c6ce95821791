/** The platform collectors' pure mappings: absent subsystems give no family; node_exporter's label rules. */
import { bondingFamilies } from '../../../src/exporters/collectors/bonding';
import { dmiFamilies } from '../../../src/exporters/collectors/dmi';
import { dimmLabel, edacFamilies } from '../../../src/exporters/collectors/edac';
import { mdadmFamilies } from '../../../src/exporters/collectors/mdadm';
import { nfsFamilies } from '../../../src/exporters/collectors/nfs';
import { nfsdFamilies } from '../../../src/exporters/collectors/nfsd';
import { nvmeFamilies } from '../../../src/exporters/collectors/nvme';
import { raplFamilies } from '../../../src/exporters/collectors/rapl';
import { timexFamilies } from '../../../src/exporters/collectors/timex';
import { timexFromRaw } from '../../../src/probes/linux/parse/timex';

describe('platform collectors', () => {
  test('an absent subsystem gives no family at all (the collector is silent, not failing)', () => {
    expect([
      mdadmFamilies([]),
      nfsFamilies(null),
      nfsdFamilies(null),
      nvmeFamilies([]),
      dmiFamilies(null),
      dmiFamilies({}),
      raplFamilies([]),
      edacFamilies([]),
      bondingFamilies([]),
    ]).toEqual([[], [], [], [], [], [], [], [], []]);
  });

  test("timex: node_exporter's 17 families, the PPS event counts as counters", () => {
    const raw = { state: 5, offset: 0, freq: 0, maxerror: 16e6, esterror: 16e6, status: 64, constant: 2 };
    const fams = timexFamilies(
      timexFromRaw({
        ...raw,
        tick: 10000,
        ppsfreq: 0,
        jitter: 0,
        shift: 0,
        stabil: 0,
        jitcnt: 0,
        calcnt: 0,
        errcnt: 0,
        stbcnt: 0,
        tai: 0,
      }),
    );
    expect(fams).toHaveLength(17);
    expect(fams.filter((f) => f.type === 'counter').map((f) => f.name)).toEqual([
      'node_timex_pps_jitter_total',
      'node_timex_pps_calibration_total',
      'node_timex_pps_error_total',
      'node_timex_pps_stability_exceeded_total',
    ]);
    expect(fams.find((f) => f.name === 'node_timex_sync_status')?.series[0]?.value).toBe(0);
  });

  test("mdadm: five node_md_state series per device, one of them 1, under node_exporter's state names", () => {
    const fams = mdadmFamilies([
      {
        name: 'md9',
        activityState: 'checking',
        disksActive: 2,
        disksFailed: 0,
        disksSpare: 0,
        disksDown: 0,
        disksTotal: 2,
        blocksTotal: 10,
        blocksSynced: 3,
      },
    ]);
    const state = fams.find((f) => f.name === 'node_md_state');
    expect(state?.series.map((s) => [s.labels['state'], s.value])).toEqual([
      ['active', 0],
      ['inactive', 0],
      ['recovering', 0],
      ['resync', 0],
      ['check', 1],
    ]);
  });

  test("edac: newer node_exporter's dimm_label form; `unknown` where the kernel has no label file", () => {
    expect(dimmLabel('mc#0csrow#1channel#0')).toBe('mc0_csrow1_channel0');
    expect(dimmLabel('CPU_SrcID#0_MC#0_Chan#1_DIMM#0')).toBe('CPU_SrcID0_MC0_Chan1_DIMM0');
    expect(dimmLabel(null)).toBe('unknown');
  });

  test('rapl: one family per zone name, joules from microjoules', () => {
    const fams = raplFamilies([
      { name: 'package', index: 0, path: '/sys/class/powercap/intel-rapl:0', microjoules: 1500000 },
      { name: 'package', index: 1, path: '/sys/class/powercap/intel-rapl:1', microjoules: 2 },
      { name: 'dram', index: 0, path: '/sys/class/powercap/intel-rapl:0:2', microjoules: 0 },
    ]);
    expect(fams.map((f) => [f.name, f.help, f.series.map((s) => s.value)])).toEqual([
      ['node_rapl_package_joules_total', 'Current RAPL package value in joules', [1.5, 0.000002]],
      ['node_rapl_dram_joules_total', 'Current RAPL dram value in joules', [0]],
    ]);
  });

  test('dmi: the labels are the files that could be read, whichever they are', () => {
    const [f] = dmiFamilies({ product_name: 'X1', bios_vendor: '' });
    expect(f?.labelNames).toEqual(['bios_vendor', 'product_name']);
    expect(f?.series).toEqual([{ labels: { product_name: 'X1', bios_vendor: '' }, value: 1 }]);
  });
});
