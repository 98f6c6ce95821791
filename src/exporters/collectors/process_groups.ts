/**
 * process_groups: process-exporter's groups (namedprocess_namegroup_*) from the config's process_names, and the same
 * groups as OTLP process.* metrics. The grouper lives in the collection worker and keeps its state (accumulated
 * counters, the match cache) from pass to pass.
 *
 * Reload: the collector reads no file. The agent's one config watcher (src/config/watch.ts, wired in src/cli.ts)
 * loads a changed file off the collection thread and, between two passes, hands the collector its new process_names
 * and options (Reconfigurable: the grouper keeps its counters) with the reload's outcome, which the collector reports
 * as psutil_process_groups_config_last_reload_*. A refused file changes only that outcome: the rules in force stay.
 */
import type { LogLevel } from '../../config/defaults';
import { compileRulesConfig, type GroupOptions, type RulesConfig } from '../../rules/config';
import { otlpMetrics, prometheusFamilies } from '../../rules/families';
import { Grouper, type GroupSnapshot } from '../../rules/grouper';
import type { PsutilSource } from '../../rules/source';
import type { PodNames } from '../../rules/types';
import {
  defineCollector,
  type CollectFn,
  type CollectorEnv,
  type Family,
  type OtlpMetric,
  type Reconfigurable,
} from '../catalog';
import { createLogger } from '../log';
import {
  processKey,
  ProcessRecorder,
  processRecordPack,
  type CpuSample,
  type OtlpProcessOptions,
} from '../otlp-processes';
import { attachPacked, type PackedOtlp } from '../otlp-pack';

export interface ProcessGroupsOptions {
  /** The compiled rules, compiled when first asked for (a reload with the same rules compiles nothing). */
  readonly config: RulesConfig;
  /** The rules as written (process_names and the collector's own options), to tell a reload that changes them. */
  readonly rulesKey: string;
  /** The last reload's outcome (null: the agent watches no config file, e.g. --once or a test). */
  readonly reload: ReloadState | null;
  readonly logLevel: LogLevel;
  /** otlp.processes when on (injected by the agent): per-process OTLP resources from the same walk. */
  readonly otlpProcesses: OtlpProcessOptions | null;
}

export interface ReloadState {
  /** Whether the last reload attempt succeeded (true before any). */
  readonly ok: boolean;
  /** Epoch seconds of the last successful load (the initial one counts). */
  readonly successTime: number;
  readonly error: string | null;
}

export interface ProcessGroupsData {
  readonly snapshot: GroupSnapshot;
  /** null when no config file is watched (--once, tests, defaults). */
  readonly reload: ReloadState | null;
  /** Per-process OTLP metrics (each with its process's resource) and the processes past otlp.processes.max. */
  readonly perProcess?:
    { readonly packed: PackedOtlp | undefined; readonly dropped: number; readonly count: number } | undefined;
}

/** Keys the agent adds to this collector's options besides its own (see collectorPlans). */
const INJECTED = ['process_names', 'reload', 'log_level', 'otlp_processes'] as const;

function ownOptions(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!(INJECTED as readonly string[]).includes(k)) out[k] = v;
  return out;
}

/** The `reload` option the agent injects: the watcher's last outcome, snake_case as options are written. */
export interface ReloadOption {
  readonly ok: boolean;
  readonly success_time: number;
  readonly error: string | null;
}

function reloadState(v: unknown): ReloadState | null {
  if (v === null || typeof v !== 'object') return null;
  const r = v as Partial<ReloadOption>;
  if (typeof r.ok !== 'boolean' || typeof r.success_time !== 'number') return null;
  return { ok: r.ok, successTime: r.success_time, error: typeof r.error === 'string' ? r.error : null };
}

function otlpProcessOptions(v: unknown): OtlpProcessOptions | null {
  if (v === null || typeof v !== 'object') return null;
  const o = v as Partial<OtlpProcessOptions>;
  if (typeof o.max !== 'number') return null;
  const keptFds = o.keptFds === 'files' ? 'files' : 'dir';
  return { include: o.include ?? null, exclude: o.exclude ?? null, max: o.max, keptFds };
}

function parseOptions(raw: Readonly<Record<string, unknown>>): ProcessGroupsOptions {
  const level = raw['log_level'];
  const own = ownOptions(raw);
  let compiled: RulesConfig | null = null;
  return {
    // Already checked with line numbers when the config loaded; a bad value here throws (the collector then fails).
    get config(): RulesConfig {
      compiled ??= compileRulesConfig(raw['process_names'], own);
      return compiled;
    },
    rulesKey: JSON.stringify([raw['process_names'] ?? null, own]),
    reload: reloadState(raw['reload']),
    logLevel: level === 'debug' || level === 'info' || level === 'warn' || level === 'error' ? level : 'info',
    otlpProcesses: otlpProcessOptions(raw['otlp_processes']),
  };
}

function emptySnapshot(options: GroupOptions): GroupSnapshot {
  return {
    time: Date.now() / 1000,
    groups: [],
    processes: [],
    perProcess: false,
    processesDropped: 0,
    groupsDropped: 0,
    readErrors: 0,
    partialErrors: 0,
    labelNames: [],
    options,
  };
}

export function processGroupsFamilies(d: ProcessGroupsData): Family[] {
  const out: Family[] = [];
  if (d.snapshot.groups.length > 0 || d.snapshot.perProcess) {
    for (const f of prometheusFamilies(d.snapshot)) {
      if (f.samples.length === 0) continue; // node_exporter never sends a family without samples
      out.push({
        name: f.name,
        help: f.help,
        type: f.type,
        labelNames: f.labelNames,
        // The samples are series as they are ({labels, value}): only the array is copied, not its 4,000 objects.
        series: f.samples.slice(),
      });
    }
  }
  if (d.perProcess !== undefined) {
    out.push({
      name: 'psutil_exporter_otlp_processes',
      help: 'Processes exported as their own OTLP resource in the last pass (otlp.processes).',
      type: 'gauge',
      labelNames: [],
      series: [{ labels: {}, value: d.perProcess.count }],
    });
    out.push({
      name: 'psutil_exporter_otlp_processes_dropped',
      help: 'Processes left out of per-process OTLP in the last pass because otlp.processes.max was reached.',
      type: 'gauge',
      labelNames: [],
      series: [{ labels: {}, value: d.perProcess.dropped }],
    });
  }
  if (d.reload === null) return out;
  out.push(
    {
      name: 'psutil_process_groups_config_last_reload_successful',
      help: 'Whether the last reload of process_names (config file change or SIGHUP) was accepted.',
      type: 'gauge',
      labelNames: [],
      series: [{ labels: {}, value: d.reload.ok ? 1 : 0 }],
    },
    {
      name: 'psutil_process_groups_config_last_reload_success_timestamp_seconds',
      help: 'When process_names was last loaded successfully, seconds since the epoch.',
      type: 'gauge',
      labelNames: [],
      series: [{ labels: {}, value: d.reload.successTime }],
    },
  );
  return out;
}

/** Counts and bytes are integers on the wire; seconds are doubles. */
const INT_UNITS = new Set(['{process}', '{thread}', 'By', '{fault}', '{context_switch}', '{file_descriptor}']);

export function processGroupsMetrics(d: ProcessGroupsData): OtlpMetric[] {
  const groups = otlpMetrics(d.snapshot)
    .filter((m) => m.points.length > 0)
    .map((m): OtlpMetric => ({
      name: m.name,
      description: m.description,
      unit: m.unit,
      kind: m.kind === 'gauge' ? 'gauge' : m.monotonic ? 'counter' : 'updowncounter',
      valueType: INT_UNITS.has(m.unit) ? 'int' : 'double',
      points: m.points.map((p) => ({ attributes: p.attributes, value: p.value })),
    }));
  // Packed as built (otlp-pack.ts's attachPacked): withPacked() gives them as objects.
  return d.perProcess === undefined ? groups : attachPacked(groups, d.perProcess.packed);
}

/**
 * The pod name index reader of the rules' source (rules/podnames.ts), loaded in the worker only. An unreadable log
 * directory is logged once per distinct error (not every pass) and names nothing until it can be read.
 */
function podNamesFor(
  roots: CollectorEnv['roots'],
  dir: () => string,
  log: ReturnType<typeof createLogger>,
): () => PodNames | null {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: loaded in the worker only (see collect)
  const { podNamesReader } = require('../../rules/podnames') as typeof import('../../rules/podnames');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: loaded in the worker only (see collect)
  const { ProcFs } = require('../../probes/linux/procfs') as typeof import('../../probes/linux/procfs');
  let last: string | null = null;
  return podNamesReader(new ProcFs(roots), dir, (e) => {
    if (e.message === last) return;
    last = e.message;
    log.warn('process groups: the pod log directory cannot be read; pod and container names stay empty', {
      err: e.message,
    });
  });
}

export const processGroupsCollector = defineCollector<ProcessGroupsData, ProcessGroupsOptions>({
  name: 'process_groups',
  help: "process-exporter's namedprocess_namegroup_* groups from process_names, and the same groups as OTLP process.* metrics.",
  options: (raw) => parseOptions(raw),
  create: ({ psutil, roots }, o) => {
    const log = createLogger(o.logLevel);
    const grouper = new Grouper(o.config.rules, o.config.options);
    let rulesKey = o.rulesKey;
    let reload = o.reload;
    let source: PsutilSource | null = null;
    let recorder = o.otlpProcesses === null ? null : new ProcessRecorder(o.otlpProcesses, o.otlpProcesses.keptFds);
    let recorderKey = JSON.stringify(o.otlpProcesses);
    /** CPU seconds of the last pass by process, for process.cpu.utilization. */
    let cpuPrev = new Map<string, CpuSample>();
    const cpus = psutil.cpuCount() ?? 1;
    /** Per-process OTLP from the records the walk gathered. */
    const perProcess = (): ProcessGroupsData['perProcess'] => {
      if (recorder === null) return undefined;
      const { records, dropped } = recorder.take();
      const now = Date.now() / 1000;
      const memTotal = psutil.virtualMemory().total;
      const packed = processRecordPack(records, cpuPrev, now, cpus, memTotal);
      cpuPrev = new Map(
        records.map((r) => [processKey(r), { at: now, user: r.cpuUser, system: r.cpuSystem, wait: r.cpuWait }]),
      );
      return { packed, dropped, count: records.length };
    };
    const collect: CollectFn<ProcessGroupsData> = () => {
      // No rules, no reads: an agent without process_names does not walk /proc for them.
      if (grouper.ruleSet.rules.length === 0 || !grouper.options.enabled) {
        const rec = recorder;
        if (rec !== null) {
          // Per-process OTLP alone: one walk of its own, one oneshot block per process.
          for (const p of psutil.processIter()) p.oneshot(() => rec.visit(p));
        }
        return { snapshot: emptySnapshot(grouper.options), reload, perProcess: perProcess() };
      }
      // Required here, in the worker: rules/source loads the library, which the main thread (mappings only) never needs.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: loaded in the worker only (comment above)
      source ??= new (require('../../rules/source') as typeof import('../../rules/source')).PsutilSource(psutil, {
        podNames: podNamesFor(roots, () => grouper.options.podLogsDir, log),
      });
      // The grouper's walk reads each process's records too (the same stat and status reads).
      const rec = recorder;
      source.visit = rec === null ? null : (p) => rec.visit(p);
      return { snapshot: grouper.update(source), reload, perProcess: perProcess() };
    };
    const reconfigurable: Reconfigurable<ProcessGroupsOptions> = {
      reconfigure(next) {
        // A refused reload, or the same rules again (SIGHUP, a touched file): only the reported outcome changes.
        if (next.rulesKey !== rulesKey) {
          grouper.setRules(next.config.rules, next.config.options);
          rulesKey = next.rulesKey;
          log.info('process groups reloaded', { rules: next.config.rules.rules.length });
        }
        reload = next.reload;
        // otlp.processes changed by a reload (turned on or off, other names or max): a new recorder from the next walk.
        const key = JSON.stringify(next.otlpProcesses);
        if (key !== recorderKey) {
          // The old recorder's kept /proc/<pid> fds are closed now, not whenever it is collected.
          recorder?.close();
          recorder =
            next.otlpProcesses === null ? null : new ProcessRecorder(next.otlpProcesses, next.otlpProcesses.keptFds);
          recorderKey = key;
          cpuPrev = new Map();
        }
      },
    };
    return Object.assign(collect, reconfigurable);
  },
  prometheus: (d) => processGroupsFamilies(d),
  otlp: (d) => processGroupsMetrics(d),
});
