/**
 * process_groups: process-exporter's groups (namedprocess_namegroup_*) from the config's process_names, and the same
 * groups as OTLP process.* metrics. The grouper lives in the collection worker and keeps its state (accumulated
 * counters, the match cache) from pass to pass.
 *
 * Reload: every pass compares the config file's text with the one in force (a read of a small file); when it changed,
 * the file goes through the agent's loader again and, if valid, its process_names and collectors.process_groups
 * replace the rules (counters carry on). A bad file is logged with its line numbers and the old rules stay. The agent
 * answers SIGHUP with a pass, so a reload there takes effect at once.
 */
import * as fs from 'node:fs';
import type { LogLevel } from '../../config/defaults';
import { compileRulesConfig, type GroupOptions, type RulesConfig } from '../../rules/config';
import { otlpMetrics, prometheusFamilies } from '../../rules/families';
import { Grouper, type GroupSnapshot } from '../../rules/grouper';
import type { PsutilSource } from '../../rules/source';
import { defineCollector, type Family, type OtlpMetric } from '../catalog';
import { createLogger, type Logger } from '../log';

export interface ProcessGroupsOptions {
  readonly config: RulesConfig;
  /** The config file to watch for reloads (null: no file, e.g. --once with defaults or a test). */
  readonly configFile: string | null;
  readonly logLevel: LogLevel;
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
}

/** Keys the agent adds to this collector's options besides its own (see activeCollectors). */
const INJECTED = ['process_names', 'config_file', 'log_level'] as const;

function ownOptions(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!(INJECTED as readonly string[]).includes(k)) out[k] = v;
  return out;
}

function parseOptions(raw: Readonly<Record<string, unknown>>): ProcessGroupsOptions {
  const file = raw['config_file'];
  const level = raw['log_level'];
  return {
    // Already checked with line numbers when the config loaded; a bad value here throws (the collector then fails).
    config: compileRulesConfig(raw['process_names'], ownOptions(raw)),
    configFile: typeof file === 'string' && file !== '' ? file : null,
    logLevel: level === 'debug' || level === 'info' || level === 'warn' || level === 'error' ? level : 'info',
  };
}

/** Loads process_names and collectors.process_groups from the file with the agent's own loader. */
function loadFromFile(file: string, text: string): RulesConfig {
  // Required lazily: the loader (ajv, the schema) is needed only when the file changed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the loader is needed only when the file changed (above)
  const { parseConfig } = require('../../config/load') as typeof import('../../config/load');
  const cfg = parseConfig(text, file);
  return compileRulesConfig(cfg.processNames, cfg.collectors['process_groups']?.options ?? {});
}

/** Watches the config text and swaps the grouper's rules when it changes and loads. */
class Reloader {
  private text: string | null;
  state: ReloadState;

  constructor(
    private readonly file: string | null,
    private readonly log: Logger,
  ) {
    this.text = file === null ? null : readText(file);
    this.state = { ok: true, successTime: Date.now() / 1000, error: null };
  }

  /** What the data says about reloads: nothing without a file. */
  get report(): ReloadState | null {
    return this.file === null ? null : this.state;
  }

  check(grouper: Grouper): void {
    if (this.file === null) return;
    const text = readText(this.file);
    if (text === null || text === this.text) return; // a file that vanished mid-rewrite: keep the rules in force
    this.text = text;
    try {
      const next = loadFromFile(this.file, text);
      grouper.setRules(next.rules, next.options);
      this.state = { ok: true, successTime: Date.now() / 1000, error: null };
      this.log.info('process groups reloaded', { file: this.file, rules: next.rules.rules.length });
    } catch (e) {
      // Refused: the previous rules stay. The message carries file:line:column for every problem.
      const error = e instanceof Error ? e.message : String(e);
      this.state = { ...this.state, ok: false, error };
      this.log.error('process groups reload refused; the previous rules stay', { file: this.file, error });
    }
  }
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    // Unreadable for now (being replaced, or removed): the caller keeps what it has; the next pass tries again.
    if ((e as NodeJS.ErrnoException).code !== undefined) return null;
    throw e;
  }
}

function emptySnapshot(options: GroupOptions): GroupSnapshot {
  return {
    time: Date.now() / 1000, groups: [], processes: [], perProcess: false, processesDropped: 0, readErrors: 0,
    partialErrors: 0, labelNames: [], options,
  };
}

export function processGroupsFamilies(d: ProcessGroupsData): Family[] {
  const out: Family[] = [];
  if (d.snapshot.groups.length > 0 || d.snapshot.perProcess) {
    for (const f of prometheusFamilies(d.snapshot)) {
      if (f.samples.length === 0) continue; // node_exporter never sends a family without samples
      out.push({ name: f.name, help: f.help, type: f.type, labelNames: f.labelNames, series: f.samples.map((s) => ({ labels: s.labels, value: s.value })) });
    }
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
  return otlpMetrics(d.snapshot)
    .filter((m) => m.points.length > 0)
    .map((m): OtlpMetric => ({
      name: m.name,
      description: m.description,
      unit: m.unit,
      kind: m.kind === 'gauge' ? 'gauge' : m.monotonic ? 'counter' : 'updowncounter',
      valueType: INT_UNITS.has(m.unit) ? 'int' : 'double',
      points: m.points.map((p) => ({ attributes: p.attributes, value: p.value })),
    }));
}

export const processGroupsCollector = defineCollector<ProcessGroupsData, ProcessGroupsOptions>({
  name: 'process_groups',
  help: "process-exporter's namedprocess_namegroup_* groups from process_names, and the same groups as OTLP process.* metrics.",
  options: (raw) => parseOptions(raw),
  create: ({ psutil }, o) => {
    const log = createLogger(o.logLevel);
    const grouper = new Grouper(o.config.rules, o.config.options);
    const reloader = new Reloader(o.configFile, log);
    let source: PsutilSource | null = null;
    return () => {
      reloader.check(grouper);
      // No rules, no reads: an agent without process_names does not walk /proc for them.
      if (grouper.ruleSet.rules.length === 0 || !grouper.options.enabled) {
        return { snapshot: emptySnapshot(grouper.options), reload: reloader.report };
      }
      // Required here, in the worker: rules/source loads the library, which the main thread (mappings only) never needs.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: loaded in the worker only (comment above)
      source ??= new (require('../../rules/source') as typeof import('../../rules/source')).PsutilSource(psutil);
      return { snapshot: grouper.update(source), reload: reloader.report };
    };
  },
  prometheus: (d) => processGroupsFamilies(d),
  otlp: (d) => processGroupsMetrics(d),
});
