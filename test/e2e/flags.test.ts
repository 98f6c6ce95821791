/**
 * node_exporter's command lines on the built agent: the systemd-unit line (a textfile directory, wifi off, a
 * web config file; `--collector.systemd` only where the agent has a systemd collector), node_exporter's own
 * end-to-end-test.sh flag set on its fixture host, and its scrape filter (`collect[]`/`exclude[]`) through real HTTP
 * GETs, each exposition linted with promtool.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFlags } from '../../src/config/flags';
import { configSchema } from '../../src/config/load';
import { COLLECTOR_NAMES } from '../../src/exporters/collectors/names';
import { compareWithE2e, parseExposition, type Exposition } from '../exporters/golden-compare';
import { describePeer, NODE_EXPORTER_FIXTURES, REPO } from '../helpers/fixtures';
import { materializeSymlinks } from '../helpers/symlink-tree';
import {
  describeWithBinary,
  freePort,
  hasBinary,
  promtoolCheck,
  request,
  runCli,
  startAgent,
  type RunningAgent,
} from './agent-process';

/** promtool's findings apart from node_exporter's own names (camelCase netstat/vmstat fields, entropy in bits). */
function promtoolProblems(text: string): string[] {
  return promtoolCheck(text).problems.filter(
    (p) =>
      !/^node_\S+ metric names should be written in 'snake_case' not 'camelCase'$/.test(p) &&
      !/^node_entropy_(available|pool_size)_bits use base unit "bytes" instead of "bits"$/.test(p),
  );
}

const families = (e: Exposition): Set<string> => new Set(e.series.map((s) => s.name));
const scraped = (e: Exposition, family: string): string[] =>
  e.series
    .filter((s) => s.name === family)
    .map((s) => s.labels['collector'] ?? '')
    .sort();

describe("the issue's systemd-unit flag line, two listeners", () => {
  let agent: RunningAgent;
  let dir: string;
  let second: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-flags-'));
    fs.writeFileSync(
      path.join(dir, 'unit.prom'),
      '# HELP unit_test_metric A test.\n# TYPE unit_test_metric gauge\nunit_test_metric 42\n',
    );
    // exporter-toolkit's web config with nothing in it: plain HTTP, as node_exporter serves with it.
    fs.writeFileSync(path.join(dir, 'web.yml'), '# no TLS, no basic auth\n');
    second = await freePort();
    agent = await startAgent([
      ...(COLLECTOR_NAMES.includes('systemd') ? ['--collector.systemd'] : []),
      `--collector.textfile.directory=${dir}`,
      '--no-collector.wifi',
      `--web.config.file=${path.join(dir, 'web.yml')}`,
      `--web.listen-address=127.0.0.1:${second}`,
      '--log.format=logfmt',
    ]);
  });

  afterAll(async () => {
    await agent?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("both listeners serve; the textfile directory is the flag's; self metrics under node_exporter names", async () => {
    const a = parseExposition((await request(`${agent.url}/metrics`)).body.toString());
    const b = await request(`http://127.0.0.1:${second}/metrics`);
    expect(b.status).toBe(200);
    expect(a.series.find((s) => s.name === 'unit_test_metric')?.value).toBe(42);
    const collectors = scraped(a, 'node_scrape_collector_success');
    expect(collectors).toEqual(expect.arrayContaining(['cpu', 'hwmon', 'meminfo', 'textfile', 'thermal_zone']));
    // node_exporter's default set: tcpstat and processes are off.
    expect(collectors).not.toContain('tcpstat');
    expect(collectors).not.toContain('processes');
    for (const f of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_open_fds',
      'process_max_fds',
    ])
      expect(families(a)).toContain(f);
    expect(a.series.find((s) => s.name === 'process_start_time_seconds')?.value).toBeLessThanOrEqual(Date.now() / 1000);
  });

  test('logs are logfmt and note the flag that asked for nothing', () => {
    const lines = agent.stderr().split('\n').filter(Boolean);
    expect(lines.every((l) => /^ts=\S+ level=(debug|info|warn|error) msg=/.test(l))).toBe(true);
    expect(agent.stderr()).toMatch(
      /flag=--no-collector.wifi note="the agent has no wifi collector: nothing to turn off"/,
    );
  });

  describe("collect[] and exclude[] (node_exporter's filter)", () => {
    const get = async (query: string): Promise<{ status: number; text: string }> => {
      const r = await request(`${agent.url}/metrics?${query}`);
      return { status: r.status, text: r.body.toString() };
    };

    test("collect[]=cpu&collect[]=meminfo: those collectors' families, and the agent's own", async () => {
      const r = await get('collect[]=cpu&collect[]=meminfo');
      expect(r.status).toBe(200);
      const e = parseExposition(r.text);
      const host = [...families(e)].filter((f) => !/^(process_|psutil_exporter_|node_scrape_collector_)/.test(f));
      expect(host.filter((f) => !/^(node_cpu_|node_memory_|psutil_cpu_percent$)/.test(f))).toEqual([]);
      expect(host).toEqual(expect.arrayContaining(['node_cpu_seconds_total', 'node_memory_MemTotal_bytes']));
      expect(scraped(e, 'node_scrape_collector_success')).toEqual(['cpu', 'meminfo']);
      if (hasBinary('promtool')) expect(promtoolProblems(r.text)).toEqual([]);
    });

    test('a part of sensors by its node_exporter name: collect[]=hwmon keeps only node_hwmon_*', async () => {
      const e = parseExposition((await get('collect[]=thermal_zone&collect[]=hwmon')).text);
      const host = [...families(e)].filter((f) => !/^(process_|psutil_exporter_|node_scrape_collector_)/.test(f));
      expect(host.filter((f) => !/^node_(hwmon|thermal_zone|cooling_device)_/.test(f))).toEqual([]);
      expect(scraped(e, 'node_scrape_collector_success')).toEqual(['hwmon', 'thermal_zone']);
    });

    test('exclude[]=cpu: everything else', async () => {
      const e = parseExposition((await get('exclude[]=cpu&exclude[]=nosuch')).text);
      expect(families(e).has('node_cpu_seconds_total')).toBe(false);
      expect(families(e).has('node_memory_MemTotal_bytes')).toBe(true);
      expect(scraped(e, 'node_scrape_collector_success')).not.toContain('cpu');
    });

    test('an unknown or disabled collector, or both kinds at once: 400 with the reason', async () => {
      expect(await get('collect[]=nosuch')).toEqual({
        status: 400,
        text: "Couldn't create filtered metrics handler: couldn't create collector: missing collector: nosuch\n",
      });
      expect(await get('collect[]=cpu&collect[]=processes')).toEqual({
        status: 400,
        text: "Couldn't create filtered metrics handler: couldn't create collector: disabled collector: processes\n",
      });
      expect((await get('collect[]=cpu&exclude[]=meminfo')).status).toBe(400);
    });
  });
});

test('--web.disable-exporter-metrics leaves out process_* and keeps node_scrape_collector_*', async () => {
  const a = await startAgent(['--web.disable-exporter-metrics', '--collector.disable-defaults', '--collector.loadavg']);
  try {
    const e = parseExposition((await request(`${a.url}/metrics`)).body.toString());
    expect([...families(e)].filter((f) => f.startsWith('process_'))).toEqual([]);
    // process_groups is not one of node_exporter's defaults: process_names says whether it has work.
    expect(scraped(e, 'node_scrape_collector_success')).toEqual(['loadavg', 'process_groups']);
  } finally {
    await a.stop();
  }
});

/**
 * node_exporter's end-to-end-test.sh (prometheus/node_exporter), as it runs on linux/x86_64: every collector of its
 * lists turned on or off, its collector flags, on the fixture host. As the script does, flags for a collector the
 * build lacks, or for an option it does not define, are left out (its "IGNORED FLAGS"); here that is decided by the
 * agent's own collector list and config schema.
 */
const E2E_ENABLED =
  `arp bcache bcachefs bonding btrfs buddyinfo cgroups conntrack cpu cpufreq cpu_vulnerabilities diskstats
  dmi drbd edac entropy fibrechannel filefd hwmon infiniband interrupts ipvs kernel_hung ksmd lnstat loadavg mdadm
  meminfo meminfo_numa mountstats netdev netstat nfs nfsd pcidevice pressure processes qdisc rapl schedstat slabinfo
  sockstat softirqs stat sysctl textfile thermal_zone tls udp_queues vmstat watchdog wifi xfrm xfs zfs zoneinfo`.split(
    /\s+/,
  );
const E2E_DISABLED = ['selinux', 'filesystem', 'timex', 'uname'];
const E2E_FLAGS = [
  '--collector.cpu.info',
  '--collector.arp.device-exclude=nope',
  '--collector.bcache.priorityStats',
  '--collector.cpu.info.bugs-include=^(cpu_meltdown|spectre_.*|mds)$',
  '--collector.cpu.info.flags-include=^(aes|avx.?|constant_tsc)$',
  '--collector.hwmon.chip-include=(applesmc|asus_nb_wmi|coretemp|hwmon4|ieee80211|nct6779)',
  '--collector.netclass.ignore-invalid-speed',
  '--collector.netclass.ignored-devices=(dmz|int)',
  '--collector.netdev.device-include=lo',
  '--collector.qdisc.device-include=(wlan0|eth0)',
  '--collector.qdisc.fixtures=collector/fixtures/qdisc/',
  '--collector.stat.softirq',
  '--collector.sysctl.include-info=kernel.seccomp.actions_avail',
  '--collector.sysctl.include=fs.file-nr',
  '--collector.textfile.directory=test/fixtures/textfile/two_metric_files/',
  '--collector.wifi.fixtures=collector/fixtures/wifi',
  '--no-collector.arp.netlink',
];

/** Whether the agent reads a flag (the script's test: does the build define it?). */
function supported(flag: string): boolean {
  let assignments;
  try {
    assignments = parseFlags([flag]).assignments;
  } catch (e) {
    void e; // refused: a collector the agent lacks
    return false;
  }
  const schema = configSchema();
  return assignments.every((a) => {
    const [, collector, key] = a.path;
    if (a.path[0] !== 'collectors' || collector === undefined || key === undefined) return true;
    return schema.properties?.['collectors']?.properties?.[collector]?.properties?.[key] !== undefined;
  });
}

describePeer("node_exporter's end-to-end-test.sh flag set on its fixture host", () => {
  let root: string;
  let out: string;
  const collectorFlags = [
    ...E2E_ENABLED.map((c) => `--collector.${c}`),
    ...E2E_DISABLED.map((c) => `--no-collector.${c}`),
  ].filter(supported);
  const optionFlags = E2E_FLAGS.filter(supported);

  beforeAll(() => {
    root = materializeSymlinks(NODE_EXPORTER_FIXTURES, ['proc', 'sys', 'udev']);
    const r = runCli([
      '--once',
      `--path.rootfs=${root}`,
      `--path.procfs=${path.join(root, 'proc')}`,
      `--path.sysfs=${path.join(root, 'sys')}`,
      `--path.udev.data=${path.join(root, 'udev', 'data')}`,
      ...collectorFlags,
      ...optionFlags,
      '--log.level=debug',
    ]);
    if (r.status !== 0) throw new Error(`--once failed (${String(r.status)}): ${r.stderr}`);
    out = r.stdout;
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the flags the agent has an equivalent for are read (none of the core ones left out)', () => {
    for (const f of [
      '--collector.cpu.info',
      '--collector.arp.device-exclude=nope',
      '--collector.hwmon.chip-include=(applesmc|asus_nb_wmi|coretemp|hwmon4|ieee80211|nct6779)',
      '--collector.netclass.ignore-invalid-speed',
      '--collector.netclass.ignored-devices=(dmz|int)',
      '--collector.netdev.device-include=lo',
      '--collector.stat.softirq',
      '--collector.textfile.directory=test/fixtures/textfile/two_metric_files/',
      '--no-collector.arp.netlink',
    ])
      expect(optionFlags).toContain(f);
    expect(collectorFlags).toEqual(
      expect.arrayContaining(['--collector.cpu', '--collector.hwmon', '--collector.processes', '--no-collector.uname']),
    );
  });

  test("every series of e2e-output.txt for the collectors the agent has, as node_exporter's own test wants", () => {
    expect(process.cwd()).toBe(REPO);
    const c = compareWithE2e(parseExposition(out));
    expect({
      families: c.missingFamilies,
      types: c.typeMismatches,
      series: c.missingSeries,
      values: c.wrongValues,
    }).toEqual({ families: [], types: [], series: [], values: [] });
    expect(c.compared).toBeGreaterThan(600);
  });

  describeWithBinary('promtool')('promtool', () => {
    test('passes promtool check metrics', () => {
      expect(promtoolProblems(out)).toEqual([]);
    });
  });
});
