/** The pure mappings from library values to families and OTLP metrics, one collector at a time. */
import type { Family, OtlpMetric } from '../../../src/exporters/catalog';
import { NameFilter } from '../../../src/exporters/catalog';
import { cpuFamilies, cpuMetrics, cpuModeUtilization, type CpuData } from '../../../src/exporters/collectors/cpu';
import { meminfoFamilies, meminfoMetrics, meminfoName } from '../../../src/exporters/collectors/meminfo';
import { netclassFamilies } from '../../../src/exporters/collectors/netclass';
import { osFamilies, osVersionValue } from '../../../src/exporters/collectors/os';
import { processesFamilies, processesMetrics } from '../../../src/exporters/collectors/processes';
import { cleanMetricName, groupSensors, hwmonChipIds } from '../../../src/exporters/collectors/sensors';
import { socketsFamilies, socketsMetrics } from '../../../src/exporters/collectors/sockets';
import { sockstatFamilies } from '../../../src/exporters/collectors/sockstat';
import { netdevFamilies, netdevMetrics } from '../../../src/exporters/collectors/netdev';
import { vmstatFamilies, vmstatMetrics } from '../../../src/exporters/collectors/vmstat';
import { netstatFamilies } from '../../../src/exporters/collectors/netstat';
import { usersFamilies } from '../../../src/exporters/collectors/users';
import { timeFamilies } from '../../../src/exporters/collectors/time';
import { compileGoRegexp } from '../../../src/util/goregexp';
import type { HwmonChip, NetClassIface, NetDevCounters, TcpConnectionStates } from '../../../src/index';

function get(fams: Family[], name: string): Family {
  const f = fams.find((x) => x.name === name);
  if (!f) throw new Error(`no family ${name} in ${fams.map((x) => x.name).join(', ')}`);
  return f;
}

function metric(ms: OtlpMetric[], name: string): OtlpMetric {
  const m = ms.find((x) => x.name === name);
  if (!m) throw new Error(`no metric ${name}`);
  return m;
}

const times = {
  user: 10,
  nice: 1,
  system: 5,
  idle: 100,
  iowait: 2,
  irq: 0.5,
  softirq: 0.25,
  steal: 0,
  guest: 3,
  guestNice: 0.5,
};

describe('cpu', () => {
  const d: CpuData = {
    stat: {
      cpuTotal: times,
      cpus: [
        { cpu: 0, ...times },
        { cpu: 3, ...times },
      ],
      cpuFieldCount: 10,
      ctxt: 1,
      btime: 1,
      intr: 1,
      softirq: 1,
      softirqs: null,
      processes: 1,
      procsRunning: 1,
      procsBlocked: 0,
    },
    throttles: { packages: [], cores: [] },
    isolated: null,
    info: null,
    percent: [12.5, 50],
    utilization: null,
  };
  const noFilters = { flagsInclude: null, bugsInclude: null };

  test('node_cpu_seconds_total: 8 modes per CPU, labelled with the kernel CPU number', () => {
    const f = get(cpuFamilies(d, { guest: true, info: false, percent: true, ...noFilters }), 'node_cpu_seconds_total');
    expect(f.type).toBe('counter');
    expect(f.series).toHaveLength(16);
    expect(f.series.find((s) => s.labels['cpu'] === '3' && s.labels['mode'] === 'softirq')?.value).toBe(0.25);
  });

  test('guest and percent follow their options', () => {
    const fams = cpuFamilies(d, { guest: false, info: false, percent: false, ...noFilters });
    expect(fams.map((f) => f.name)).toEqual(['node_cpu_seconds_total']);
    const all = cpuFamilies(d, { guest: true, info: false, percent: true, ...noFilters });
    expect(get(all, 'node_cpu_guest_seconds_total').series).toContainEqual({
      labels: { cpu: '0', mode: 'nice' },
      value: 0.5,
    });
    expect(get(all, 'psutil_cpu_percent').series).toContainEqual({ labels: { cpu: '3' }, value: 50 });
  });

  test('OTLP: irq and softirq become one `interrupt` series; logical numbers are numbers', () => {
    const m = metric(cpuMetrics(d), 'system.cpu.time');
    const intr = m.points.filter(
      (p) => p.attributes['cpu.mode'] === 'interrupt' && p.attributes['cpu.logical_number'] === 0,
    );
    expect(intr).toEqual([{ attributes: { 'cpu.mode': 'interrupt', 'cpu.logical_number': 0 }, value: 0.75 }]);
    expect(new Set(m.points.map((p) => JSON.stringify(p.attributes))).size).toBe(m.points.length);
    // First pass: nothing to compare, no utilization points.
    expect(cpuMetrics(d).some((x) => x.name === 'system.cpu.utilization')).toBe(false);
    expect(metric(cpuMetrics(d), 'system.cpu.logical.count').points[0]?.value).toBe(2);
  });
});

describe('cpu: system.cpu.utilization', () => {
  const later = (cpu: number, add: Partial<typeof times>) => {
    const t: Record<string, number> = { ...times };
    for (const [k, v] of Object.entries(add)) t[k] = (t[k] as number) + v;
    return { cpu, ...(t as typeof times) };
  };
  const stat = (cpus: CpuData['stat']['cpus']): CpuData['stat'] => ({
    cpuTotal: times,
    cpus,
    cpuFieldCount: 10,
    ctxt: 1,
    btime: 1,
    intr: 1,
    softirq: 1,
    softirqs: null,
    processes: 1,
    procsRunning: 1,
    procsBlocked: 0,
  });

  test('one point per CPU and cpu.mode: the share of each mode in the time between two passes', () => {
    const before = stat([
      { cpu: 0, ...times },
      { cpu: 3, ...times },
      { cpu: 5, ...times },
    ]);
    // cpu0: 4 s in all (user 1, guest 0.5 inside user, system 0.5, idle 2, irq 0.25 + softirq 0.25).
    // cpu3: no time passed (no point); cpu5: gone (no point); cpu7: new (no point).
    const after = stat([
      later(0, { user: 1, guest: 0.5, system: 0.5, idle: 2, irq: 0.25, softirq: 0.25 }),
      { cpu: 3, ...times },
      { cpu: 7, ...times },
    ]);
    const u = cpuModeUtilization(before, after);
    expect(u).toEqual([
      {
        cpu: 0,
        fractions: { user: 0.25, nice: 0, system: 0.125, idle: 0.5, iowait: 0, interrupt: 0.125, steal: 0 },
      },
    ]);
    const m = metric(cpuMetrics({ ...mkData(after), utilization: u }), 'system.cpu.utilization');
    expect(m.kind).toBe('gauge');
    expect(m.unit).toBe('1');
    expect(m.points.map((p) => p.attributes['cpu.mode'])).toEqual([
      'user',
      'nice',
      'system',
      'idle',
      'iowait',
      'interrupt',
      'steal',
    ]);
    expect(m.points.every((p) => p.attributes['cpu.logical_number'] === 0)).toBe(true);
    expect(m.points.reduce((a, p) => a + p.value, 0)).toBeCloseTo(1, 12);
    // The modes and attributes are system.cpu.time's.
    const time = metric(cpuMetrics(mkData(after)), 'system.cpu.time');
    const keys = (ps: typeof m.points) => new Set(ps.map((p) => JSON.stringify(p.attributes)));
    for (const k of keys(m.points)) expect(keys(time.points).has(k)).toBe(true);
  });

  test('a counter that steps back counts as 0, the rest still sum to 1', () => {
    const u = cpuModeUtilization(stat([{ cpu: 1, ...times }]), stat([later(1, { iowait: -1, idle: 3, user: 1 })]));
    expect(u[0]?.fractions).toMatchObject({ iowait: 0, idle: 0.75, user: 0.25 });
  });
});

function mkData(stat: CpuData['stat']): CpuData {
  return { stat, throttles: { packages: [], cores: [] }, isolated: null, info: null, percent: null, utilization: null };
}

describe('meminfo', () => {
  test.each([
    ['MemTotal', 'node_memory_MemTotal_bytes'],
    ['Active(anon)', 'node_memory_Active_anon_bytes'],
    ['Inactive(file)', 'node_memory_Inactive_file_bytes'],
    ['HugePages_Total', 'node_memory_HugePages_Total'],
    ['Hugepagesize', 'node_memory_Hugepagesize_bytes'],
    ['NFS_Unstable', 'node_memory_NFS_Unstable_bytes'],
  ])('%s -> %s', (field, name) => {
    expect(meminfoName(field)).toBe(name);
  });

  test('one gauge family per field', () => {
    const fams = meminfoFamilies({ MemTotal: 1024, 'Active(anon)': 5 });
    expect(fams.map((f) => [f.name, f.type, f.series[0]?.value])).toEqual([
      ['node_memory_MemTotal_bytes', 'gauge', 1024],
      ['node_memory_Active_anon_bytes', 'gauge', 5],
    ]);
  });

  test('OTLP: the usage states add up to the total', () => {
    const d = {
      MemTotal: 1000,
      MemFree: 100,
      Buffers: 50,
      Cached: 300,
      SReclaimable: 20,
      SUnreclaim: 10,
      MemAvailable: 400,
      Shmem: 5,
      SwapTotal: 200,
      SwapFree: 150,
    };
    const ms = meminfoMetrics(d);
    const usage = metric(ms, 'system.memory.usage');
    expect(usage.points.reduce((a, p) => a + p.value, 0)).toBe(1000);
    expect(usage.points.find((p) => p.attributes['system.memory.state'] === 'cached')?.value).toBe(320);
    expect(metric(ms, 'system.paging.usage').points.map((p) => p.value)).toEqual([50, 150]);
    expect(metric(ms, 'system.memory.linux.available').points[0]?.value).toBe(400);
  });
});

describe('vmstat and netstat-style filters', () => {
  test('only fields matching the RE2 filter, untyped, unanchored like Go MatchString', () => {
    const fams = vmstatFamilies(
      { pgfault: 10, pgmajfault: 1, nr_free_pages: 5, oom_kill: 0 },
      { fields: compileGoRegexp('^(oom_kill|pgpg|pswp|pg.*fault).*') },
    );
    expect(fams.map((f) => [f.name, f.type])).toEqual([
      ['node_vmstat_pgfault', 'untyped'],
      ['node_vmstat_pgmajfault', 'untyped'],
      ['node_vmstat_oom_kill', 'untyped'],
    ]);
    const ms = vmstatMetrics({ pgfault: 10, pgmajfault: 1, pswpin: 2, pswpout: 3 });
    expect(metric(ms, 'system.paging.faults').points.map((p) => p.value)).toEqual([1, 9]);
  });

  test('vmstat: the verdicts kept per pattern follow each pattern, pass after pass, with the values of that pass', () => {
    const pg = { fields: compileGoRegexp('^pg') };
    const nr = { fields: compileGoRegexp('^nr_') };
    const view = (fams: Family[]): Array<[string, string, number | undefined]> =>
      fams.map((f) => [f.name, f.help, f.series[0]?.value]);
    for (const n of [1, 2, 3]) {
      const d = { pgfault: n, 'nr_free-pages': 10 * n, oom_kill: 0 };
      expect(view(vmstatFamilies(d, pg))).toEqual([
        ['node_vmstat_pgfault', '/proc/vmstat information field pgfault.', n],
      ]);
      // The same field names under another pattern: its own verdicts, and the name sanitized as before.
      expect(view(vmstatFamilies(d, nr))).toEqual([
        ['node_vmstat_nr_free_pages', '/proc/vmstat information field nr_free-pages.', 10 * n],
      ]);
    }
    // A field first seen on a later pass is matched then.
    expect(view(vmstatFamilies({ pgsteal: 7 }, pg))).toEqual([
      ['node_vmstat_pgsteal', '/proc/vmstat information field pgsteal.', 7],
    ]);
  });

  test('netstat: node_netstat_<Proto>_<Field> for the fields matching, per pattern and pass; the same field name under two protos', () => {
    const tcp = { fields: compileGoRegexp('^Tcp_') };
    const ext = { fields: compileGoRegexp('^(Tcp|TcpExt)_(ActiveOpens|Syn.*)$') };
    const view = (fams: Family[]): Array<[string, string, number | undefined]> =>
      fams.map((f) => [f.name, f.help, f.series[0]?.value]);
    for (const n of [1, 2]) {
      const d = {
        Tcp: { ActiveOpens: n, 'Odd-Name': 2 * n },
        TcpExt: { ActiveOpens: 3 * n, SyncookiesSent: 4 * n },
        Udp: { InDatagrams: 5 },
      };
      expect(view(netstatFamilies(d, tcp))).toEqual([
        ['node_netstat_Tcp_ActiveOpens', 'Statistic TcpActiveOpens.', n],
        ['node_netstat_Tcp_Odd_Name', 'Statistic TcpOdd-Name.', 2 * n],
      ]);
      expect(view(netstatFamilies(d, ext))).toEqual([
        ['node_netstat_Tcp_ActiveOpens', 'Statistic TcpActiveOpens.', n],
        ['node_netstat_TcpExt_ActiveOpens', 'Statistic TcpExtActiveOpens.', 3 * n],
        ['node_netstat_TcpExt_SyncookiesSent', 'Statistic TcpExtSyncookiesSent.', 4 * n],
      ]);
    }
  });
});

describe('netdev and netclass', () => {
  const counters = (n: number): NetDevCounters => ({
    receiveBytes: n,
    receivePackets: n,
    receiveErrs: 0,
    receiveDrop: 0,
    receiveFifo: 0,
    receiveFrame: 0,
    receiveCompressed: 0,
    receiveMulticast: 0,
    transmitBytes: 2 * n,
    transmitPackets: n,
    transmitErrs: 0,
    transmitDrop: 0,
    transmitFifo: 0,
    transmitColls: 0,
    transmitCarrier: 0,
    transmitCompressed: 0,
  });

  test('16 counter families per device and rx_nohandler where sysfs has it; the device filter applies', () => {
    const fams = netdevFamilies(
      { dev: { eth0: counters(5), lo: counters(1) }, nohandler: { eth0: 7, lo: 0 } },
      { filter: new NameFilter('', '^lo$') },
    );
    expect(fams).toHaveLength(17);
    expect(get(fams, 'node_network_receive_nohandler_total')).toMatchObject({
      help: 'Network device statistic receive_nohandler.',
      series: [{ labels: { device: 'eth0' }, value: 7 }],
    });
    expect(get(fams, 'node_network_transmit_bytes_total').series).toEqual([{ labels: { device: 'eth0' }, value: 10 }]);
    expect(fams.every((f) => f.type === 'counter' && f.name.endsWith('_total'))).toBe(true);
    const io = metric(
      netdevMetrics({ dev: { eth0: counters(5) }, nohandler: {} }, { filter: new NameFilter('', '') }),
      'system.network.io',
    );
    expect(io.points).toContainEqual({
      attributes: { 'network.interface.name': 'eth0', 'network.io.direction': 'transmit' },
      value: 10,
    });
  });

  const iface = (over: Partial<NetClassIface>): NetClassIface => ({
    addrAssignType: 3,
    addrLen: 6,
    address: '01:02:03:04:05:06',
    broadcast: 'ff:ff:ff:ff:ff:ff',
    carrier: 1,
    carrierChanges: 2,
    carrierUpCount: 1,
    carrierDownCount: 1,
    devId: 0,
    dormant: 0,
    duplex: 'full',
    flags: 4099,
    ifalias: '',
    ifindex: 2,
    iflink: 2,
    linkMode: 0,
    mtu: 1500,
    nameAssignType: null,
    netdevGroup: 0,
    operstate: 'up',
    physPortId: null,
    physPortName: null,
    physSwitchId: null,
    speed: 1000,
    txQueueLen: 1000,
    type: 1,
    ...over,
  });

  test('up, info (with adminstate), properties present only where the kernel gives them, speed in bytes', () => {
    const fams = netclassFamilies(
      {
        ifaces: { eth0: iface({}), veth: iface({ speed: -1, operstate: 'down', flags: 4098 }), dmz: iface({}) },
        addrs: null,
      },
      { ignored: new NameFilter('', '^dmz$'), ignoreInvalidSpeed: false, addresses: false },
    );
    expect(get(fams, 'node_network_up').series).toEqual([
      { labels: { device: 'eth0' }, value: 1 },
      { labels: { device: 'veth' }, value: 0 },
    ]);
    expect(get(fams, 'node_network_speed_bytes').series).toEqual([
      { labels: { device: 'eth0' }, value: 125000000 },
      { labels: { device: 'veth' }, value: -125000 },
    ]);
    expect(get(fams, 'node_network_info').series[1]?.labels['adminstate']).toBe('down');
    expect(fams.find((f) => f.name === 'node_network_name_assign_type')).toBeUndefined();
    expect(get(fams, 'node_network_carrier_changes_total').type).toBe('counter');
    const quiet = netclassFamilies(
      { ifaces: { veth: iface({ speed: -1 }) }, addrs: null },
      { ignored: new NameFilter('', '^$'), ignoreInvalidSpeed: true, addresses: false },
    );
    expect(quiet.find((f) => f.name === 'node_network_speed_bytes')).toBeUndefined();
  });

  test('psutil_network_address_info from net_if_addrs', () => {
    const fams = netclassFamilies(
      {
        ifaces: {},
        addrs: {
          eth0: [
            { family: 2, address: '10.0.0.1', netmask: '255.0.0.0', broadcast: '10.255.255.255', ptp: null },
            { family: 17, address: '01:02:03:04:05:06', netmask: null, broadcast: null, ptp: null },
          ],
        },
      },
      { ignored: new NameFilter('', '^$'), ignoreInvalidSpeed: false, addresses: true },
    );
    expect(get(fams, 'psutil_network_address_info').series.map((s) => s.labels['family'])).toEqual(['inet', 'link']);
  });
});

describe('sensors', () => {
  test('cleanMetricName as node_exporter: lower case, invalid characters to _, trimmed', () => {
    expect(cleanMetricName('Coretemp.0')).toBe('coretemp_0');
    expect(cleanMetricName('__x-y__')).toBe('x_y');
    expect(cleanMetricName('Left side')).toBe('left_side');
  });

  test('attribute files group by sensor; unnumbered files get 0', () => {
    const g = groupSensors({ temp1_input: '1', temp1_label: 'a', beep_enable: '1', fan2_min: '3' });
    expect([...g.keys()].sort()).toEqual(['beep_enable0', 'fan2', 'temp1']);
    expect(g.get('temp1')?.get('label')).toBe('a');
    expect(g.get('beep_enable0')?.get('')).toBe('1');
  });

  test('chips sharing a device are told apart by their name', () => {
    const chip = (name: string, devicePath: string | null, chipName: string | null): HwmonChip => ({
      name,
      path: `/sys/class/hwmon/${name}`,
      realPath: `/sys/devices/x/${name}`,
      devicePath,
      chipName,
      attributes: {},
      deviceAttributes: {},
    });
    expect(
      hwmonChipIds([
        chip('hwmon0', '/sys/devices/platform/coretemp.0', 'coretemp'),
        chip('hwmon1', '/sys/devices/platform/asus-nb-wmi', 'asus'),
        chip('hwmon2', '/sys/devices/platform/asus-nb-wmi', 'asus_wmi_sensors'),
        chip('hwmon3', null, 'acpitz'),
        chip('hwmon4', null, null),
      ]),
    ).toEqual([
      'platform_coretemp_0',
      'platform_asus_nb_wmi_asus',
      'platform_asus_nb_wmi_asus_wmi_sensors',
      'acpitz',
      'hwmon4',
    ]);
  });
});

describe('sockets, sockstat, processes, os, users, time', () => {
  const states = {
    ESTABLISHED: 3,
    SYN_SENT: 0,
    SYN_RECV: 0,
    FIN_WAIT1: 0,
    FIN_WAIT2: 0,
    TIME_WAIT: 1,
    CLOSE: 0,
    CLOSE_WAIT: 0,
    LAST_ACK: 0,
    LISTEN: 4,
    CLOSING: 0,
  } as TcpConnectionStates;

  const stats = { states, txQueuedBytes: 4096, rxQueuedBytes: 12 };

  test('node_tcp_connection_states has every state and the two queued-bytes states; OTLP uses semantic-convention state names', () => {
    const f = get(socketsFamilies(stats), 'node_tcp_connection_states');
    expect(f.series).toHaveLength(13);
    expect(f.series.find((s) => s.labels['state'] === 'listen')?.value).toBe(4);
    expect(f.series.find((s) => s.labels['state'] === 'tx_queued_bytes')?.value).toBe(4096);
    expect(f.series.find((s) => s.labels['state'] === 'rx_queued_bytes')?.value).toBe(12);
    const m = metric(socketsMetrics(stats), 'system.network.connection.count');
    expect(m.points.find((p) => p.attributes['network.connection.state'] === 'fin_wait_1')).toBeDefined();
  });

  test('sockstat: used, protocol fields, mem in pages and bytes', () => {
    const fams = sockstatFamilies({
      used: 10,
      protocols: { TCP: { inuse: 2, mem: 3, memBytes: 12288 }, FRAG6: { inuse: 0, memory: 0 } },
    });
    expect(fams.map((f) => f.name)).toEqual([
      'node_sockstat_sockets_used',
      'node_sockstat_TCP_inuse',
      'node_sockstat_TCP_mem',
      'node_sockstat_TCP_mem_bytes',
      'node_sockstat_FRAG6_inuse',
      'node_sockstat_FRAG6_memory',
    ]);
  });

  test('processes: states as letters, limits, OTLP states folded into semantic conventions', () => {
    const d = {
      summary: { pids: 5, threads: 9, states: { R: 1, S: 2, I: 1, Z: 1 }, threadStates: { S: 9 }, skipped: 0 },
      limits: { pidMax: 4194304, threadsMax: null },
    };
    const fams = processesFamilies(d);
    expect(fams.map((f) => f.name)).toEqual([
      'node_processes_max_processes',
      'node_processes_pids',
      'node_processes_state',
      'node_processes_threads',
      'node_processes_threads_state',
    ]);
    const m = metric(processesMetrics(d), 'system.process.count');
    expect(Object.fromEntries(m.points.map((p) => [p.attributes['process.state'], p.value]))).toEqual({
      running: 1,
      sleeping: 3,
      defunct: 1,
    });
  });

  test.each([
    ['12', 12],
    ['22.04', 22.04],
    ['3.18.4', 3.18],
    ['rolling', 0],
    [undefined, 0],
  ])('os version %s -> %s', (v, want) => {
    expect(osVersionValue(v)).toBe(want);
  });

  test('node_os_info carries every label, empty where os-release has no such key', () => {
    const f = get(osFamilies({ path: '/etc/os-release', fields: { ID: 'debian', VERSION_ID: '12' } }), 'node_os_info');
    expect(Object.keys(f.series[0]?.labels ?? {})).toHaveLength(12);
    expect(f.series[0]?.labels['variant']).toBe('');
  });

  test('users: sessions per user and each start time', () => {
    const fams = usersFamilies([
      { name: 'root', terminal: 'pts/0', host: '10.0.0.1', started: 100, pid: 5 },
      { name: 'root', terminal: null, host: 'localhost', started: 200, pid: 6 },
    ]);
    expect(get(fams, 'psutil_user_sessions').series).toEqual([{ labels: { user: 'root' }, value: 2 }]);
    expect(get(fams, 'psutil_user_session_start_time_seconds').series[1]?.labels['terminal']).toBe('');
  });

  test('time: clocksources per device', () => {
    const fams = timeFamilies({
      now: 5,
      zone: 'UTC',
      offsetSeconds: 0,
      clocksources: [{ device: '0', available: ['tsc', 'hpet'], current: 'tsc' }],
    });
    expect(get(fams, 'node_time_clocksource_available_info').series).toHaveLength(2);
    expect(get(fams, 'node_time_zone_offset_seconds').series).toEqual([{ labels: { time_zone: 'UTC' }, value: 0 }]);
  });
});
