/**
 * node_exporter's command line, read into config assignments: every flag is one config key (or, for
 * `--[no-]collector.<name>`, a collector's `enabled`), so flags and the YAML file are one model. The loader
 * (load.ts) applies the assignments to the file's data before checking it against the schema: a flag's value is
 * checked as the key's would be, its problems are reported under the flag's name, and `--check-config` shows the
 * result. Parsing here needs no schema (the main thread of the running agent never loads ajv): kingpin's rules are
 * followed for the shape of the line (`--flag=value`, `--flag value`, `--flag` and `--no-flag` for booleans).
 *
 * The collector flags are generic over the agent's collectors (collectors/names.ts) and node_exporter's collector
 * names (NODE_EXPORTER_COLLECTORS): a collector added to names.ts gets its `--[no-]collector.<name>` and its
 * `--collector.<name>.<option>` flags (option `a-b.c` -> key `a_b_c`) with no change here.
 */
import { COLLECTOR_NAMES } from '../exporters/collectors/names';

/** A config key set by a flag. `value` is the text given (coerced to the key's type by the loader). */
export interface FlagAssignment {
  /** The flag as the user wrote it (`--collector.vmstat.fields=...`), for messages. */
  readonly flag: string;
  readonly path: readonly string[];
  readonly value: string | boolean | readonly string[];
  /**
   * The value is a path of this machine that the key reads under paths.rootfs (node_exporter's --path.udev.data is
   * not under its --path.rootfs, our collectors.diskstats.udev_data is): the loader takes the rootfs prefix off.
   */
  readonly underRootfs?: boolean;
}

/** Something the line asked for that the agent says rather than refuses: logged once the logger is made. */
export interface FlagNote {
  readonly level: 'info' | 'warn';
  readonly flag: string;
  readonly msg: string;
}

export interface ParsedFlags {
  readonly configFile?: string;
  readonly once: boolean;
  readonly checkConfig: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly assignments: readonly FlagAssignment[];
  readonly notes: readonly FlagNote[];
}

/** A command line that cannot be used: one line per problem, each naming its flag. */
export class FlagError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/**
 * node_exporter 1.5's collectors (Debian's build: `prometheus-node-exporter --help`), with their default state there,
 * and ours where the name differs: node_exporter's hwmon, thermal_zone and powersupplyclass are parts of our
 * `sensors` (each a boolean option of it), its tcpstat is our `sockets`. A name without `ours` maps to the collector
 * of the same name when collectors/names.ts has it; otherwise the agent does not have it.
 */
export interface NodeExporterCollector {
  readonly name: string;
  readonly defaultOn: boolean;
  readonly ours?: string;
  /** The boolean option of `ours` that turns this part on or off. */
  readonly part?: string;
  /** Families of `ours` that belong to this part (the `collect[]` filter), by name prefix. */
  readonly prefixes?: readonly string[];
}

const on = (name: string, extra: Partial<NodeExporterCollector> = {}): NodeExporterCollector => ({
  name,
  defaultOn: true,
  ...extra,
});
const off = (name: string, extra: Partial<NodeExporterCollector> = {}): NodeExporterCollector => ({
  name,
  defaultOn: false,
  ...extra,
});

export const NODE_EXPORTER_COLLECTORS: readonly NodeExporterCollector[] = Object.freeze([
  on('arp'),
  on('bcache'),
  on('bonding'),
  on('btrfs'),
  off('buddyinfo'),
  off('cgroups'),
  on('conntrack'),
  on('cpu'),
  on('cpufreq'),
  on('diskstats'),
  on('dmi'),
  off('drbd'),
  off('drm'),
  on('edac'),
  on('entropy'),
  off('ethtool'),
  on('fibrechannel'),
  on('filefd'),
  on('filesystem'),
  on('hwmon', { ours: 'sensors', part: 'hwmon', prefixes: ['node_hwmon_'] }),
  on('infiniband'),
  off('interrupts'),
  on('ipvs'),
  off('ksmd'),
  off('lnstat'),
  on('loadavg'),
  off('logind'),
  on('mdadm'),
  on('meminfo'),
  off('meminfo_numa'),
  off('mountstats'),
  on('netclass'),
  on('netdev'),
  on('netstat'),
  off('network_route'),
  on('nfs'),
  on('nfsd'),
  off('ntp'),
  on('nvme'),
  on('os'),
  off('perf'),
  on('powersupplyclass', { ours: 'sensors', part: 'powersupplyclass', prefixes: ['node_power_supply_'] }),
  on('pressure'),
  off('processes'),
  off('qdisc'),
  on('rapl'),
  off('runit'),
  on('schedstat'),
  on('selinux'),
  off('slabinfo'),
  on('sockstat'),
  on('softnet'),
  on('stat'),
  off('supervisord'),
  off('sysctl'),
  // Upstream's default is off; Debian's build turns it on.
  on('systemd'),
  on('tapestats'),
  off('tcpstat', { ours: 'sockets' }),
  on('textfile'),
  on('thermal_zone', {
    ours: 'sensors',
    part: 'thermal_zone',
    prefixes: ['node_thermal_zone_', 'node_cooling_device_'],
  }),
  on('time'),
  on('timex'),
  on('udp_queues'),
  on('uname'),
  on('vmstat'),
  off('wifi'),
  on('xfs'),
  on('zfs'),
  off('zoneinfo'),
]);

/** Collectors node_exporter itself has dropped (removed in 0.16): their flags are accepted, with a warning. */
export const DROPPED_COLLECTORS: readonly string[] = Object.freeze(['gmond', 'megacli', 'devstat']);

/** The parts (boolean options) of one of our collectors that node_exporter has as collectors of their own. */
export function collectorParts(ours: string): readonly NodeExporterCollector[] {
  return NODE_EXPORTER_COLLECTORS.filter((c) => c.ours === ours && c.part !== undefined);
}

const NE_BY_NAME = new Map(NODE_EXPORTER_COLLECTORS.map((c) => [c.name, c]));

/**
 * What a collector name (node_exporter's or ours) means here: our collector and, for a part, its option; null when
 * the agent has no such collector (`known`: node_exporter has one of that name).
 */
export function resolveCollector(
  name: string,
): { ours: string; part?: NodeExporterCollector } | { ours: null; known: boolean } {
  const ne = NE_BY_NAME.get(name);
  const ours = ne?.ours ?? name;
  if (!COLLECTOR_NAMES.includes(ours)) return { ours: null, known: ne !== undefined };
  return ne?.part !== undefined ? { ours, part: ne } : { ours };
}

/** The node_exporter names a collector of ours answers to (its parts', or its own), for the self metrics' labels. */
export function nodeExporterNames(ours: string): readonly string[] {
  const parts = collectorParts(ours);
  if (parts.length > 0) return parts.map((p) => p.name);
  const renamed = NODE_EXPORTER_COLLECTORS.find((c) => c.ours === ours);
  return [renamed?.name ?? ours];
}

interface KeyFlag {
  readonly kind: 'key';
  readonly path: readonly string[];
  readonly bool?: boolean;
  readonly repeat?: boolean;
  readonly underRootfs?: boolean;
  /** Set for an old spelling: the flag to use instead (a warning says so). */
  readonly renamed?: string;
  readonly help: string;
}
interface IgnoredFlag {
  readonly kind: 'ignored';
  readonly bool?: boolean;
  readonly level: 'info' | 'warn';
  readonly why: string;
}
interface RefusedFlag {
  readonly kind: 'refused';
  readonly bool?: boolean;
  readonly why: string;
}
type FlagSpec = KeyFlag | IgnoredFlag | RefusedFlag;

const key = (path: readonly string[], help: string, extra: Partial<KeyFlag> = {}): KeyFlag => ({
  kind: 'key',
  path,
  help,
  ...extra,
});
const NETLINK =
  'chooses where node_exporter reads (netlink or /proc); the agent reads /proc and sysfs, the same series: no effect';

/** Every flag that is not `--[no-]collector.<name>` nor a generic `--collector.<name>.<option>`. */
export const FLAGS: Readonly<Record<string, FlagSpec>> = Object.freeze({
  'web.listen-address': key(['web', 'listen_address'], 'address of /metrics, HOST:PORT; repeat for several', {
    repeat: true,
  }),
  'web.telemetry-path': key(['web', 'telemetry_path'], 'path of the metrics'),
  'web.max-requests': key(['web', 'max_requests'], 'concurrent scrapes served, more get 503 (0: no limit)'),
  'web.disable-exporter-metrics': key(['web', 'disable_exporter_metrics'], 'leave out the process_* families', {
    bool: true,
  }),
  'web.config.file': key(['web', 'config_file'], "exporter-toolkit's web config file (TLS, basic auth)"),
  'web.systemd-socket': {
    kind: 'refused',
    bool: true,
    why: 'systemd socket activation is not supported: the agent opens its own listeners (--web.listen-address)',
  },
  'path.procfs': key(['paths', 'procfs'], 'procfs mount point'),
  'path.sysfs': key(['paths', 'sysfs'], 'sysfs mount point'),
  'path.rootfs': key(['paths', 'rootfs'], 'rootfs mount point'),
  'path.udev.data': key(['collectors', 'diskstats', 'udev_data'], 'udev data path', { underRootfs: true }),
  'log.level': key(['log', 'level'], 'lowest level logged: debug, info, warn, error'),
  'log.format': key(['log', 'format'], 'json (the default here) or logfmt'),
  'runtime.gomaxprocs': {
    kind: 'ignored',
    level: 'warn',
    why: "sets Go's GOMAXPROCS: the agent is not a Go program, the flag has no effect",
  },
  'collector.disable-defaults': key(['collection', 'disable_defaults'], 'every collector off unless turned on', {
    bool: true,
  }),
  // Old spellings node_exporter 1.5 still accepts (hidden from its --help).
  'collector.filesystem.ignored-mount-points': key(['collectors', 'filesystem', 'mount_points_exclude'], '', {
    renamed: '--collector.filesystem.mount-points-exclude',
  }),
  'collector.filesystem.ignored-fs-types': key(['collectors', 'filesystem', 'fs_types_exclude'], '', {
    renamed: '--collector.filesystem.fs-types-exclude',
  }),
  'collector.diskstats.ignored-devices': key(['collectors', 'diskstats', 'device_exclude'], '', {
    renamed: '--collector.diskstats.device-exclude',
  }),
  // Spellings node_exporter has dropped (before 1.5): still read, with a warning.
  'collector.netdev.ignored-devices': key(['collectors', 'netdev', 'device_exclude'], '', {
    renamed: '--collector.netdev.device-exclude',
  }),
  'collector.netdev.device-blacklist': key(['collectors', 'netdev', 'device_exclude'], '', {
    renamed: '--collector.netdev.device-exclude',
  }),
  'collector.netdev.device-whitelist': key(['collectors', 'netdev', 'device_include'], '', {
    renamed: '--collector.netdev.device-include',
  }),
  // Options whose key here has another name than the generic rule gives.
  'collector.filesystem.mount-timeout': key(['collectors', 'filesystem', 'stat_timeout'], 'statfs time limit'),
  'collector.hwmon.chip-include': key(['collectors', 'sensors', 'chip_include'], 'hwmon chips to include'),
  'collector.hwmon.chip-exclude': key(['collectors', 'sensors', 'chip_exclude'], 'hwmon chips to exclude'),
  'collector.powersupply.ignored-supplies': key(
    ['collectors', 'sensors', 'powersupply_ignored_supplies'],
    'power supplies to leave out',
  ),
  'collector.cpu.info.flags-include': key(
    ['collectors', 'cpu', 'flags_include'],
    'cpu flags to report (turns info on)',
  ),
  'collector.cpu.info.bugs-include': key(['collectors', 'cpu', 'bugs_include'], 'cpu bugs to report (turns info on)'),
  'collector.systemd.unit-whitelist': key(['collectors', 'systemd', 'unit_include'], '', {
    renamed: '--collector.systemd.unit-include',
  }),
  'collector.systemd.unit-blacklist': key(['collectors', 'systemd', 'unit_exclude'], '', {
    renamed: '--collector.systemd.unit-exclude',
  }),
  'collector.netclass_rtnl.with-stats': {
    kind: 'refused',
    bool: true,
    why: "netclass's netlink statistics (replacing netdev) are not supported: netdev serves /proc/net/dev",
  },
  'collector.qdisk.device-include': {
    kind: 'refused',
    why: 'an option of the qdisc collector, which this agent does not have',
  },
  'collector.qdisk.device-exclude': {
    kind: 'refused',
    why: 'an option of the qdisc collector, which this agent does not have',
  },
  'collector.netdev.netlink': { kind: 'ignored', bool: true, level: 'info', why: NETLINK },
  'collector.netclass.netlink': { kind: 'ignored', bool: true, level: 'info', why: NETLINK },
  'collector.arp.netlink': { kind: 'ignored', bool: true, level: 'info', why: NETLINK },
});

/**
 * node_exporter's boolean option flags (kingpin's `--flag`/`--no-flag`) of the generic `--collector.<name>.<option>`
 * kind: without the list a bare one would take the next argument as its value.
 */
const BOOLEAN_OPTIONS: ReadonlySet<string> = new Set([
  'collector.cgroups.cpu',
  'collector.cgroups.memory',
  'collector.cgroups.io',
  'collector.cgroups.pids',
  'collector.cgroups.pressure',
  'collector.bcache.priorityStats',
  'collector.cpu.guest',
  'collector.cpu.info',
  'collector.netclass.ignore-invalid-speed',
  'collector.netclass_rtnl.with-stats',
  'collector.netdev.address-info',
  'collector.netdev.enable-detailed-metrics',
  'collector.ntp.server-is-local',
  'collector.rapl.enable-zone-label',
  'collector.stat.softirq',
  'collector.systemd.enable-task-metrics',
  'collector.systemd.enable-restarts-metrics',
  'collector.systemd.enable-start-time-metrics',
  'collector.systemd.private',
]);

/** Our own flags, beside node_exporter's. */
const OWN_BOOLEANS = new Set(['once', 'check-config', 'help', 'help-long', 'help-man', 'version']);

type Resolved =
  | { readonly kind: 'spec'; readonly spec: FlagSpec }
  | { readonly kind: 'collector'; readonly name: string }
  | { readonly kind: 'option'; readonly collector: string; readonly option: string; readonly bool: boolean }
  | { readonly kind: 'own'; readonly bool: boolean }
  | { readonly kind: 'unknown' };

function resolveFlag(name: string): Resolved {
  if (OWN_BOOLEANS.has(name)) return { kind: 'own', bool: true };
  if (name === 'config.file') return { kind: 'own', bool: false };
  const spec = FLAGS[name];
  if (spec !== undefined) return { kind: 'spec', spec };
  const m = /^collector\.([A-Za-z0-9_]+)(?:\.(.+))?$/.exec(name);
  if (m === null) return { kind: 'unknown' };
  const collector = m[1] as string;
  const known =
    NE_BY_NAME.has(collector) || COLLECTOR_NAMES.includes(collector) || DROPPED_COLLECTORS.includes(collector);
  if (!known) return { kind: 'unknown' };
  if (m[2] === undefined) return { kind: 'collector', name: collector };
  return { kind: 'option', collector, option: m[2], bool: BOOLEAN_OPTIONS.has(name) };
}

function isBool(r: Resolved): boolean {
  switch (r.kind) {
    case 'spec':
      return r.spec.bool === true;
    case 'collector':
      return true;
    case 'option':
    case 'own':
      return r.bool;
    case 'unknown':
      return false;
  }
}

/**
 * Reads a command line. Throws FlagError with every problem (unknown flags, missing values, collectors the agent
 * does not have); values are checked later, by the loader, as the keys they set.
 */
export function parseFlags(argv: readonly string[]): ParsedFlags {
  const problems: string[] = [];
  const notes: FlagNote[] = [];
  const assignments: FlagAssignment[] = [];
  const repeated = new Map<string, { flag: string; values: string[] }>();
  let configFile: string | undefined;
  const own = new Set<string>();

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h') {
      own.add('help');
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      problems.push(`unexpected argument ${JSON.stringify(arg)}: every setting is a --flag (try --help)`);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let inline: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    let r = resolveFlag(name);
    let negated = false;
    if (r.kind === 'unknown' && name.startsWith('no-')) {
      const plain = resolveFlag(name.slice(3));
      if (isBool(plain)) {
        negated = true;
        name = name.slice(3);
        r = plain;
      }
    }
    if (r.kind === 'unknown') {
      problems.push(`--${name}: unknown flag (try --help)`);
      continue;
    }
    const bool = isBool(r);
    let value: string | boolean;
    if (bool) {
      if (inline !== undefined) {
        // kingpin refuses a value on a boolean flag; `=true`/`=false` are read, as a config key would take them.
        if (negated || (inline !== 'true' && inline !== 'false')) {
          problems.push(
            `--${negated ? 'no-' : ''}${name}: a boolean flag takes no value, got ${JSON.stringify(inline)}`,
          );
          continue;
        }
        value = inline === 'true';
      } else value = !negated;
    } else {
      if (inline === undefined) {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) {
          problems.push(`--${name}: expected a value (--${name}=VALUE)`);
          continue;
        }
        inline = next;
        i++;
      }
      value = inline;
    }
    const written = `--${negated ? 'no-' : ''}${name}${typeof value === 'string' ? `=${value}` : ''}`;

    switch (r.kind) {
      case 'own':
        if (name === 'config.file') configFile = value as string;
        else if (value === true) own.add(name.startsWith('help') ? 'help' : name);
        else own.delete(name);
        break;
      case 'spec': {
        const s = r.spec;
        if (s.kind === 'refused') problems.push(`--${name}: ${s.why}`);
        else if (s.kind === 'ignored') notes.push({ level: s.level, flag: written, msg: s.why });
        else {
          if (s.renamed !== undefined)
            notes.push({ level: 'warn', flag: written, msg: `an old spelling of ${s.renamed}: read as that` });
          if (s.repeat === true && typeof value === 'string') {
            const k = s.path.join('.');
            const prev = repeated.get(k);
            if (prev) {
              prev.values.push(value);
              prev.flag += ` ${written}`;
            } else repeated.set(k, { flag: written, values: [value] });
          } else
            assignments.push({
              flag: written,
              path: s.path,
              value,
              ...(s.underRootfs === true ? { underRootfs: true } : {}),
            });
        }
        break;
      }
      case 'collector':
        collectorFlag(r.name, value as boolean, written, assignments, notes, problems);
        break;
      case 'option': {
        if (DROPPED_COLLECTORS.includes(r.collector)) {
          notes.push({
            level: 'warn',
            flag: written,
            msg: `node_exporter has dropped its ${r.collector} collector: ignored`,
          });
          break;
        }
        const c = resolveCollector(r.collector);
        if (c.ours === null) {
          problems.push(
            `--${name}: an option of node_exporter's ${r.collector} collector, which this agent does not have`,
          );
          break;
        }
        assignments.push({ flag: written, path: ['collectors', c.ours, r.option.replace(/[.-]/g, '_')], value });
        break;
      }
    }
  }
  for (const [k, { flag, values }] of repeated)
    assignments.push({ flag, path: k.split('.'), value: values.length === 1 ? (values[0] as string) : values });
  if (problems.length > 0) throw new FlagError(problems);
  return {
    ...(configFile !== undefined ? { configFile } : {}),
    once: own.has('once'),
    checkConfig: own.has('check-config'),
    help: own.has('help'),
    version: own.has('version'),
    assignments,
    notes,
  };
}

function collectorFlag(
  name: string,
  enable: boolean,
  written: string,
  assignments: FlagAssignment[],
  notes: FlagNote[],
  problems: string[],
): void {
  if (DROPPED_COLLECTORS.includes(name)) {
    notes.push({ level: 'warn', flag: written, msg: `node_exporter has dropped its ${name} collector: ignored` });
    return;
  }
  const c = resolveCollector(name);
  if (c.ours === null) {
    // Turning off what is not here asks for nothing: accepted. Turning it on cannot be done: refused.
    if (enable)
      problems.push(`${written}: node_exporter's ${name} collector is not in this agent (README: collectors)`);
    else notes.push({ level: 'info', flag: written, msg: `the agent has no ${name} collector: nothing to turn off` });
    return;
  }
  if (c.part !== undefined && c.part.part !== undefined) {
    assignments.push({ flag: written, path: ['collectors', c.ours, c.part.part], value: enable });
    // Turning a part on runs its collector; turning one off leaves the collector to its other parts.
    if (enable) assignments.push({ flag: written, path: ['collectors', c.ours, 'enabled'], value: true });
    return;
  }
  assignments.push({ flag: written, path: ['collectors', c.ours, 'enabled'], value: enable });
}

/** `--help`: node_exporter's flags this agent reads, its own, and the collectors. */
export function helpText(): string {
  const lines = [
    'usage: psutil-exporter [<flags>]',
    '',
    "Host metrics from the psutil surface: Prometheus /metrics with node_exporter's names, and OTLP push.",
    "node_exporter's flags are read with their meaning; each sets a config key (README: flags), and a flag",
    'overrides its key in --config.file.',
    '',
    'Flags:',
    '  -h, --help                 list every flag and exit',
    '      --version              print the version and exit',
    '      --config.file=FILE     YAML config file (config/schema.json); without it, every default',
    '      --check-config         check the config with the flags applied, print the effective config, exit 0 or 1',
    '      --once                 collect once, print the exposition (text 0.0.4) and exit',
  ];
  for (const [name, s] of Object.entries(FLAGS)) {
    if (s.kind !== 'key' || s.renamed !== undefined) continue;
    const left = `      --${s.bool === true ? '[no-]' : ''}${name}${s.bool === true ? '' : '=...'}`;
    lines.push(`${left.padEnd(50)} ${s.help} (${s.path.join('.')})`);
  }
  lines.push(
    '      --collector.<name>.<option>=...               collectors.<name>.<option> (option a-b.c: key a_b_c)',
    '      --[no-]collector.<name>                       turn a collector on or off (collectors.<name>.enabled)',
    '',
    'Collectors (node_exporter names are read too):',
  );
  for (const n of COLLECTOR_NAMES) {
    const ne = nodeExporterNames(n).filter((x) => x !== n);
    lines.push(`      ${n}${ne.length > 0 ? ` (node_exporter: ${ne.join(', ')})` : ''}`);
  }
  return lines.join('\n') + '\n';
}
