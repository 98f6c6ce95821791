/**
 * Side by side with Debian's prometheus-node-exporter on this machine, the same collectors on both: every family
 * node_exporter emits is emitted by the agent with the same type and label names, and every series both have
 * agrees within tolerance (the agent's value lies between two node_exporter scrapes taken around it, give or take
 * what moves between reads).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseExposition, seriesKey, type Exposition } from '../exporters/golden-compare';
import { describeWithBinary, freePort, request, startAgent, waitFor, type RunningAgent } from './agent-process';

const NODE_EXPORTER = 'prometheus-node-exporter';

/**
 * node_exporter collectors that match ours. netdev goes over netlink, node_exporter's default: that is where its
 * node_network_receive_nohandler_total comes from (the agent reads /proc/net/dev and sysfs statistics).
 */
const COLLECTOR_FLAGS = [
  'cpu',
  'cpufreq',
  'loadavg',
  'stat',
  'meminfo',
  'vmstat',
  'diskstats',
  'filesystem',
  'netdev',
  'netclass',
  'netstat',
  'sockstat',
  'tcpstat',
  'hwmon',
  'thermal_zone',
  'powersupplyclass',
  'uname',
  'os',
  'time',
  'processes',
  'pressure',
  'filefd',
  'entropy',
  'softnet',
  'conntrack',
  'interrupts',
  'arp',
  'udp_queues',
  // The live clock's adjtimex(2); the others read subsystems this machine may lack (both sides then silent).
  'timex',
  'mdadm',
  'nfs',
  'nfsd',
  'nvme',
  'dmi',
  'rapl',
  'edac',
  'bonding',
  'xfs',
  'btrfs',
  'zfs',
].map((c) => `--collector.${c}`);

/** node_exporter's self metrics, not host metrics. */
const SELF = /^(go_|process_|promhttp_|node_scrape_collector_|node_exporter_build_info)/;

/**
 * Labels the agent adds, from node_exporter releases newer than Debian's 1.5.0 (and in e2e-output.txt):
 * node_disk_info gained `rotational`, node_network_info `adminstate`.
 */
const NEWER_LABELS: Readonly<Record<string, readonly string[]>> = {
  node_disk_info: ['rotational'],
  node_network_info: ['adminstate'],
};

/**
 * Series node_exporter 1.5.0 has that the agent does not, and why:
 * - node_disk_*{device="zram*"}: newer node_exporter's default device exclusion (`^(z?ram|...)`) leaves zram out;
 * - node_disk_info, node_network_info: the same series under the newer label sets above.
 */
const KNOWN_ABSENT = /^(node_disk_\w+\{device="z?ram\d+"|node_disk_info\{|node_network_info\{)/;

/** node_exporter's --collector.cpu.info.{flags,bugs}-include, and the agent's same options (they turn cpu info on). */
const CPU_FLAGS = '^(fpu|sse2?|avx.*|ht)$';
const CPU_BUGS = '.';

/**
 * node_exporter 1.5.0 sums sock_diag's queues, whose send queue of a listener is its backlog limit (`ss -ltn` prints
 * it as Send-Q), not bytes; the agent sums /proc/net/tcp's tx_queue, 0 for a listener. The limits are taken off
 * node_exporter's tx_queued_bytes before the values are compared.
 */
function listenerBacklogs(): number {
  const r = spawnSync('ss', ['-Hltn'], { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0) throw new Error(`ss -Hltn failed: ${r.stderr}`);
  let sum = 0;
  for (const line of r.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'LISTEN' && f[2] !== undefined) sum += Number(f[2]);
  }
  return sum;
}
const TX_QUEUED = 'node_tcp_connection_states{state="tx_queued_bytes"}';

/** How far a value may move between two reads a few milliseconds apart. */
function tolerance(name: string, ref: number): number {
  // Counts of things that come and go by the hundred per second on a busy machine (sockets, process states).
  if (
    /^node_(procs_|processes_|tcp_connection_states|sockstat_|load|filefd_allocated|nf_conntrack_entries$|udp_queues)/.test(
      name,
    )
  )
    return Math.max(64, Math.abs(ref) * 0.5);
  if (/^node_(context_switches|intr|forks|vmstat_|netstat_|interrupts_total|softnet_)/.test(name))
    return Math.max(1000, Math.abs(ref) * 0.01);
  // PSI stall seconds: the agent reads between the two node_exporter scrapes, so only timing jitter is allowed for.
  if (/^node_pressure_/.test(name)) return 0.5;
  if (/^node_memory_/.test(name)) return Math.max(64 << 20, Math.abs(ref) * 0.05);
  if (/^node_filesystem_(free|avail)_bytes|^node_filesystem_files_free/.test(name))
    return Math.max(256 << 20, Math.abs(ref) * 0.01);
  if (name === 'node_time_seconds') return 5;
  return Math.max(2, Math.abs(ref) * 0.02);
}

function labelNames(e: Exposition, family: string): string[] {
  const s = new Set<string>();
  for (const x of e.series) if (x.name === family) for (const k of Object.keys(x.labels)) s.add(k);
  return [...s].sort();
}

describeWithBinary(NODE_EXPORTER)('side by side with prometheus-node-exporter', () => {
  let ne: ChildProcess;
  let nePort: number;
  let agent: RunningAgent;
  let before: Exposition;
  let ours: Exposition;
  let after: Exposition;
  let cfgDir: string;
  let backlogs: number;

  beforeAll(async () => {
    nePort = await freePort();
    ne = spawn(
      NODE_EXPORTER,
      [
        `--web.listen-address=127.0.0.1:${nePort}`,
        '--collector.disable-defaults',
        ...COLLECTOR_FLAGS,
        `--collector.cpu.info.flags-include=${CPU_FLAGS}`,
        `--collector.cpu.info.bugs-include=${CPU_BUGS}`,
      ],
      { stdio: 'ignore' },
    );
    // The agent's node_exporter-default collectors plus the three node_exporter has off by default but runs here.
    cfgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-sbs-'));
    fs.writeFileSync(
      path.join(cfgDir, 'c.yaml'),
      'collectors:\n  sockets: {enabled: true}\n  processes: {enabled: true, threads: true}\n  interrupts: {enabled: true}\n' +
        `  cpu: {flags_include: '${CPU_FLAGS}', bugs_include: '${CPU_BUGS}'}\n`,
    );
    agent = await startAgent(['--log.level=warn', `--config.file=${path.join(cfgDir, 'c.yaml')}`]);
    const neUrl = `http://127.0.0.1:${nePort}/metrics`;
    await waitFor('node_exporter', async () => (await request(neUrl)).status === 200);
    // Warm both up, let the agent's snapshot age past max_age (a scrape within it is served from the cache), then
    // take node_exporter, agent, node_exporter back to back.
    await request(`${agent.url}/metrics`);
    await new Promise((r) => setTimeout(r, 1000));
    backlogs = listenerBacklogs();
    before = parseExposition((await request(neUrl)).body.toString());
    ours = parseExposition((await request(`${agent.url}/metrics`)).body.toString());
    after = parseExposition((await request(neUrl)).body.toString());
  });

  afterAll(async () => {
    ne?.kill('SIGTERM');
    await agent?.stop();
    fs.rmSync(cfgDir, { recursive: true, force: true });
  });

  test('every family node_exporter emits is emitted with the same type and label names', () => {
    const problems: string[] = [];
    for (const [family, type] of before.types) {
      if (SELF.test(family) || !before.series.some((s) => s.name === family)) continue;
      if (!ours.types.has(family)) {
        problems.push(`missing family ${family}`);
        continue;
      }
      if (ours.types.get(family) !== type)
        problems.push(`${family}: type ${ours.types.get(family)}, node_exporter ${type}`);
      const want = labelNames(before, family);
      const got = labelNames(ours, family).filter((l) => !(NEWER_LABELS[family] ?? []).includes(l));
      if (got.join(',') !== want.join(','))
        problems.push(`${family}: labels ${got.join(',')}, node_exporter ${want.join(',')}`);
    }
    expect(problems).toEqual([]);
  });

  test('series absent from the agent are only the documented ones', () => {
    const have = new Set(ours.series.map(seriesKey));
    // A state label seen by node_exporter but not at the agent's read (a zombie reaped in between) counts as 0.
    const transient = (s: { name: string; value: number }): boolean =>
      /^node_(processes_state|processes_threads_state|tcp_connection_states)$/.test(s.name) &&
      s.value <= tolerance(s.name, 0);
    const absent = before.series
      .filter((s) => !SELF.test(s.name) && !have.has(seriesKey(s)) && !transient(s))
      .map((s) => {
        const labels = Object.keys(s.labels)
          .sort()
          .map((k) => `${k}="${s.labels[k]}"`)
          .join(',');
        return `${s.name}{${labels}}`;
      });
    expect(absent.filter((k) => !KNOWN_ABSENT.test(k))).toEqual([]);
  });

  test('values agree within tolerance', () => {
    const mine = new Map(ours.series.map((s) => [seriesKey(s), s.value]));
    const later = new Map(after.series.map((s) => [seriesKey(s), s.value]));
    const off: string[] = [];
    let compared = 0;
    for (const s of before.series) {
      if (SELF.test(s.name)) continue;
      const k = seriesKey(s);
      const v = mine.get(k);
      if (v === undefined) continue;
      compared++;
      const off0 = k === TX_QUEUED ? backlogs : 0;
      const w = (later.get(k) ?? s.value) - off0;
      const lo = Math.min(s.value - off0, w);
      const hi = Math.max(s.value - off0, w);
      const tol = tolerance(s.name, hi);
      if (v < lo - tol || v > hi + tol) off.push(`${k}: agent ${v}, node_exporter ${s.value}..${w}`);
    }
    expect(off).toEqual([]);
    expect(compared).toBeGreaterThan(100);
    // The families this run exists for beside the older ones: both sides have them.
    for (const k of [TX_QUEUED, 'node_tcp_connection_states{state="rx_queued_bytes"}'])
      expect({ k, ours: mine.has(k) }).toEqual({ k, ours: true });
    expect(ours.series.some((x) => x.name === 'node_network_receive_nohandler_total')).toBe(true);
    expect(ours.series.some((x) => x.name === 'node_cpu_flag_info')).toBe(true);
  });
});
