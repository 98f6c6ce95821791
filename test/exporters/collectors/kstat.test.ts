/** The pure mappings of the kernel-statistics collectors (pressure ... udp_queues) on inputs the fixture host lacks. */
import { NameFilter } from '../../../src/exporters/catalog';
import { arpFamilies } from '../../../src/exporters/collectors/arp';
import { conntrackFamilies, conntrackMetrics } from '../../../src/exporters/collectors/conntrack';
import { interruptsFamilies } from '../../../src/exporters/collectors/interrupts';
import { pressureFamilies } from '../../../src/exporters/collectors/pressure';
import { softnetFamilies } from '../../../src/exporters/collectors/softnet';
import { udpQueuesFamilies } from '../../../src/exporters/collectors/udp_queues';
import type { ArpEntry } from '../../../src/index';

const line = (total: number) => ({ avg10: 0, avg60: 0, avg300: 0, total });

describe('kernel statistics collectors', () => {
  test('pressure: irq only where the kernel has it; microseconds to seconds as node_exporter divides', () => {
    const fams = pressureFamilies({
      cpu: { some: line(14036781), full: line(0) },
      io: { some: line(1), full: line(2) },
      memory: { some: line(3), full: line(4) },
      irq: null,
    });
    expect(fams.map((f) => f.name)).toEqual([
      'node_pressure_cpu_waiting_seconds_total',
      'node_pressure_io_waiting_seconds_total',
      'node_pressure_io_stalled_seconds_total',
      'node_pressure_memory_waiting_seconds_total',
      'node_pressure_memory_stalled_seconds_total',
    ]);
    expect(fams[0]?.series[0]?.value).toBe(14.036781000000001);
    expect(fams.every((f) => f.type === 'counter')).toBe(true);
  });

  test('softnet: seven families per CPU, labelled with the CPU number', () => {
    const fams = softnetFamilies([
      {
        cpu: 3,
        processed: 5,
        dropped: 1,
        timeSqueezed: 2,
        cpuCollision: 0,
        receivedRps: 7,
        flowLimitCount: 0,
        backlogLen: 4,
      },
    ]);
    expect(fams).toHaveLength(7);
    expect(fams.find((f) => f.name === 'node_softnet_backlog_len')).toMatchObject({
      type: 'gauge',
      series: [{ labels: { cpu: '3' }, value: 4 }],
    });
    expect(fams.find((f) => f.name === 'node_softnet_received_rps_total')?.series[0]?.value).toBe(7);
  });

  test('conntrack: statistics summed over CPUs, left out without the stat file; OTLP count and max', () => {
    const d = { entries: 5, entriesLimit: 100, stat: [{ found: 1, search_restart: 2 }, { found: 3 }] };
    const fams = conntrackFamilies(d);
    expect(fams.find((f) => f.name === 'node_nf_conntrack_stat_found')?.series[0]?.value).toBe(4);
    expect(fams.find((f) => f.name === 'node_nf_conntrack_stat_search_restart')?.series[0]?.value).toBe(2);
    expect(conntrackFamilies({ ...d, stat: null }).map((f) => f.name)).toEqual([
      'node_nf_conntrack_entries',
      'node_nf_conntrack_entries_limit',
    ]);
    expect(conntrackMetrics(d).map((m) => [m.name, m.points[0]?.value])).toEqual([
      ['system.network.conntrack.count', 5],
      ['system.network.conntrack.max', 100],
    ]);
  });

  test('interrupts: one series per CPU; a name printed twice keeps its last line, as node_exporter', () => {
    const f = interruptsFamilies([
      { name: 'NMI', info: 'old', devices: '', counts: [1, 2] },
      { name: '24', info: 'IO-APIC', devices: '5-edge ACPI:Ged', counts: [3, 4] },
      { name: 'NMI', info: 'Non-maskable interrupts', devices: '', counts: [5, 6] },
    ])[0];
    expect(f?.series).toEqual([
      { labels: { cpu: '0', type: '24', info: 'IO-APIC', devices: '5-edge ACPI:Ged' }, value: 3 },
      { labels: { cpu: '1', type: '24', info: 'IO-APIC', devices: '5-edge ACPI:Ged' }, value: 4 },
      { labels: { cpu: '0', type: 'NMI', info: 'Non-maskable interrupts', devices: '' }, value: 5 },
      { labels: { cpu: '1', type: 'NMI', info: 'Non-maskable interrupts', devices: '' }, value: 6 },
    ]);
  });

  test('arp: entries counted per device; the device filter applies', () => {
    const e = (device: string): ArpEntry => ({
      ipAddress: '10.0.0.1',
      hwType: 1,
      flags: 2,
      hwAddress: '00:00:00:00:00:01',
      mask: '*',
      device,
    });
    const d = [e('eth0'), e('eth0'), e('nope'), e('eth1')];
    expect(
      arpFamilies(d, { filter: new NameFilter('', '') })[0]?.series.map((s) => [s.labels['device'], s.value]),
    ).toEqual([
      ['eth0', 2],
      ['nope', 1],
      ['eth1', 1],
    ]);
    expect(arpFamilies(d, { filter: new NameFilter('', 'nope') })[0]?.series.map((s) => s.labels['device'])).toEqual([
      'eth0',
      'eth1',
    ]);
  });

  test('udp_queues: a table the kernel lacks is left out', () => {
    const f = udpQueuesFamilies({ v4: { txQueue: 21, rxQueue: 0, sockets: 1 }, v6: null })[0];
    expect(f?.series).toEqual([
      { labels: { queue: 'tx', ip: 'v4' }, value: 21 },
      { labels: { queue: 'rx', ip: 'v4' }, value: 0 },
    ]);
  });
});
