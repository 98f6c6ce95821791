/**
 * Wiring: config -> enabled collectors -> a snapshot source (worker thread) -> the Prometheus endpoint and the OTLP
 * push, both serving the same snapshots. `collectOnce` is the --once path (one pass in this thread).
 *
 * The main thread of the running agent loads neither the library nor the collectors: the worker collects and renders
 * (worker.ts), this thread plans passes by collector name, puts the text together and serves it.
 */
import type { AgentConfig } from '../config/defaults';
import type { Family } from './catalog';
import type { ExpositionLimits } from './exposition/types';
import { COLLECTOR_NAMES } from './collectors/names';
import { collectorFilter, collectorLabels } from './filter';
import type { ReloadOption, ReloadState } from './collectors/process_groups';
import type { Logger } from './log';
import { silentLogger } from './log';
import type { OtlpPipeline } from './otlp';
import type { CollectorPlan } from './pass';
import { agentVersion, CONTENT_TYPE, PrometheusAdapter, type ActiveCollector, type SelfOptions } from './prometheus';
import { AgentServer } from './server';
import { WebGuard } from './webguard';
import { InProcessRunner, SnapshotSource, type PassRunner, type Snapshot } from './snapshot';
import { WorkerRunner } from './worker';

export interface ActiveSet {
  readonly plans: readonly CollectorPlan[];
  readonly active: ReadonlyMap<string, ActiveCollector>;
}

function reloadOption(r: ReloadState): ReloadOption {
  return { ok: r.ok, success_time: r.successTime, error: r.error };
}

/** process_groups' options: its own, plus the top-level process_names, the last reload's outcome and the log level. */
function processGroupsOptions(
  cfg: AgentConfig,
  logLevel: string,
  reload: ReloadState | null,
): Readonly<Record<string, unknown>> {
  return {
    ...(cfg.collectors['process_groups']?.options ?? {}),
    process_names: cfg.processNames,
    log_level: logLevel,
    ...(reload !== null ? { reload: reloadOption(reload) } : {}),
    // Per-process OTLP is read in this collector's walk of /proc (one walk for groups and processes).
    ...(cfg.otlp.enabled && cfg.otlp.processes.enabled
      ? {
          otlp_processes: {
            include: cfg.otlp.processes.include,
            exclude: cfg.otlp.processes.exclude,
            max: cfg.otlp.processes.max,
            keptFds: cfg.otlp.processes.keptFds,
          },
        }
      : {}),
  };
}

/**
 * The enabled collectors' plans, in registry order. The process_groups collector also gets the top-level
 * process_names, the log level and, when the agent watches a config file, the last reload's outcome (`reload`);
 * textfile gets the log level. Needs no collector code.
 */
export function collectorPlans(cfg: AgentConfig, reload: ReloadState | null = null): CollectorPlan[] {
  const plans: CollectorPlan[] = [];
  for (const name of COLLECTOR_NAMES) {
    const s = cfg.collectors[name];
    if (!s || !s.enabled) continue;
    const options =
      name === 'process_groups'
        ? processGroupsOptions(cfg, cfg.log.level, reload)
        : name === 'textfile'
          ? { ...s.options, log_level: cfg.log.level }
          : s.options;
    plans.push({ name, timeoutMs: s.timeoutMs, options });
  }
  return plans;
}

/** The plans and, for rendering in this thread, each collector with its parsed options (a bad option throws, naming it). */
export function activeCollectors(cfg: AgentConfig, reload: ReloadState | null = null): ActiveSet {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the collectors load only where a config asks for them (start-up cost)
  const { COLLECTORS } = require('./collectors') as typeof import('./collectors');
  const plans = collectorPlans(cfg, reload);
  const active = new Map<string, ActiveCollector>();
  for (const p of plans) {
    const def = COLLECTORS.get(p.name);
    if (def) active.set(p.name, { def, options: def.options(p.options) });
  }
  return { plans, active };
}

export function expositionLimits(cfg: AgentConfig): ExpositionLimits {
  return {
    maxLabelValueBytes: cfg.exposition.maxLabelValueBytes,
    maxSeriesPerFamily: cfg.exposition.maxSeriesPerFamily,
  };
}

/** The agent's own families a config asks for: process_* unless disabled, node_exporter's collector labels. */
export function selfOptions(cfg: AgentConfig, plans: readonly CollectorPlan[]): SelfOptions {
  return {
    processMetrics: !cfg.web.disableExporterMetrics,
    labels: collectorLabels(
      plans.map((p) => p.name),
      cfg.collectors,
    ),
  };
}

/** One pass in this thread, rendered as a scrape would be (--once). */
export async function collectOnce(cfg: AgentConfig, log: Logger = silentLogger): Promise<string> {
  const { plans, active } = activeCollectors(cfg);
  const roots = { ...cfg.paths };
  // The library loads here, not at the top: startAgent's thread leaves collection to the worker and never needs it.
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy: loaded for --once only (comment above) */
  const { createPsutil } = require('../index') as typeof import('../index');
  const { COLLECTORS } = require('./collectors') as typeof import('./collectors');
  /* eslint-enable @typescript-eslint/no-require-imports -- end of the lazy loads */
  const runner = new InProcessRunner({ psutil: createPsutil(roots), roots }, COLLECTORS, plans);
  const source = new SnapshotSource(runner, { plans, maxAgeMs: 0, timeoutMs: cfg.collection.timeoutMs, log });
  try {
    const snap = await source.get();
    return await new PrometheusAdapter(active, log, undefined, expositionLimits(cfg), selfOptions(cfg, plans)).render(
      snap,
    );
  } finally {
    await source.close();
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function indexPage(cfg: AgentConfig, names: readonly string[], latest: Snapshot | null): string {
  const rows = names
    .map((name) => {
      const r = latest?.results.find((x) => x.name === name);
      const state = r === undefined ? 'pending' : r.ok ? 'ok' : `failed: ${r.error ?? ''}`;
      const ms = r === undefined ? '' : (r.durationSeconds * 1000).toFixed(1);
      return `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(state)}</td><td>${ms}</td></tr>`;
    })
    .join('\n');
  const path = escapeHtml(cfg.web.telemetryPath);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>psutil-exporter</title></head>
<body>
<h1>psutil-exporter ${escapeHtml(agentVersion())}</h1>
<ul>
<li><a href="${path}">${path}</a> (Prometheus text format 0.0.4, or OpenMetrics 1.0.0 when asked)</li>
<li><a href="/healthz">/healthz</a></li>
<li><a href="/readyz">/readyz</a></li>
</ul>
<p>OTLP push: ${cfg.otlp.enabled ? 'on' : 'off'}. Roots: procfs ${escapeHtml(cfg.paths.procfs)}, sysfs ${escapeHtml(cfg.paths.sysfs)}, rootfs ${escapeHtml(cfg.paths.rootfs)}.</p>
<h2>Collectors</h2>
<table><tr><th>collector</th><th>last pass</th><th>ms</th></tr>
${rows}
</table>
</body></html>
`;
}

export interface AgentHandle {
  readonly address: { host: string; port: number };
  /** Every listener's address (the first is `address`). */
  readonly addresses: readonly { host: string; port: number }[];
  readonly source: SnapshotSource;
  /** The OTLP push in force (a reload that changes any otlp key replaces it). */
  readonly otlp: OtlpPipeline | null;
  /**
   * A config reload's outcome (from the config watcher): `config`'s process_names and collectors.process_groups
   * options replace the rules in force (null: the file was refused, the rules stay), and process_groups reports
   * `state`; a changed `otlp` section replaces the OTLP push (its last export sent under the old settings). Applied
   * between passes; resolves once the collectors and the push have it, with any collector's or the push's error.
   * Other settings need a restart.
   */
  reload(config: AgentConfig | null, state: ReloadState): Promise<string[]>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly log?: Logger;
  /**
   * Replaces the worker (tests that run under ts-jest, where a worker cannot load TypeScript). Its results carry raw
   * data, which this thread then renders (the collectors load here in that case).
   */
  readonly runner?: PassRunner;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The agent watches a config file (cli.ts): process_groups reports reloads, starting from this outcome (the
   * file's load at start). Without it, no reload metrics.
   */
  readonly reload?: ReloadState;
  /** Families from outside the collection (the admin API's counter), rendered with each snapshot. */
  readonly extraFamilies?: () => Family[];
}

export async function startAgent(cfg: AgentConfig, opts: StartOptions = {}): Promise<AgentHandle> {
  const log = opts.log ?? silentLogger;
  // A bad web config file stops the start here (a ConfigError with its lines), before a worker starts or anything
  // listens.
  const web = cfg.web.configFile !== null ? await WebGuard.start({ file: cfg.web.configFile, log }) : null;
  const reloadAtStart = opts.reload ?? null;
  const limits = expositionLimits(cfg);
  const roots = { ...cfg.paths };
  let plans: readonly CollectorPlan[];
  let active: Map<string, ActiveCollector>;
  let runner: PassRunner;
  if (opts.runner) {
    const set = activeCollectors(cfg, reloadAtStart);
    plans = set.plans;
    active = new Map(set.active);
    runner = opts.runner;
  } else {
    plans = collectorPlans(cfg, reloadAtStart);
    active = new Map();
    runner = new WorkerRunner({ roots, plans, render: { limits, otlp: cfg.otlp.enabled, logLevel: cfg.log.level } });
  }
  const names = plans.map((p) => p.name);
  const source = new SnapshotSource(runner, {
    plans,
    maxAgeMs: cfg.collection.maxAgeMs,
    timeoutMs: cfg.collection.timeoutMs,
    log,
  });
  // The listener's own counters (connections shed for want of fds) with the caller's families.
  const extra = (): Family[] => [...(opts.extraFamilies?.() ?? []), ...server.families()];
  const prom = new PrometheusAdapter(active, log, extra, limits, selfOptions(cfg, plans));
  let firstDone = false;
  const server = new AgentServer({
    ...(web !== null ? { web } : {}),
    telemetryPath: cfg.web.telemetryPath,
    maxRequests: cfg.web.maxRequests,
    contentType: CONTENT_TYPE,
    log,
    ready: () => firstDone,
    indexHtml: () => indexPage(cfg, names, source.latest),
    metrics: async (query) => {
      // node_exporter's collect[]/exclude[]: checked before waiting for a pass, so a bad one costs nothing.
      const filter = collectorFilter(query.getAll('collect[]'), query.getAll('exclude[]'), names, cfg.collectors);
      const snap = await source.get();
      const e = filter === null ? prom.exposition(snap) : prom.filteredExposition(snap, filter);
      // Each body only when a scraper takes it (the server asks once per snapshot), as UTF-8: never a string here.
      return { id: snap.id, filterKey: filter?.key ?? '', text: e.textBytes, openMetrics: e.openMetricsBytes };
    },
  });
  let otlp: OtlpPipeline | null = null;
  try {
    // One listener per address (node_exporter's repeated --web.listen-address); the first is the handle's address.
    const listeners = cfg.web.listeners.length > 0 ? cfg.web.listeners : [cfg.web];
    const addresses: { host: string; port: number }[] = [];
    for (const l of listeners) addresses.push(await server.listen(l.host, l.port));
    const address = addresses[0] as { host: string; port: number };
    log.info('listening', {
      address: `${address.host}:${address.port}`,
      ...(addresses.length > 1 ? { addresses: addresses.map((a) => `${a.host}:${a.port}`) } : {}),
      telemetry_path: cfg.web.telemetryPath,
      tls: web?.tls ?? false,
      collectors: names,
    });
    // The first pass starts now, so /readyz turns 200 without waiting for a scrape.
    void source.get().then((s) => {
      firstDone = true;
      const failed = s.results.filter((r) => !r.ok).map((r) => ({ collector: r.name, error: r.error }));
      log.info('first collection done', { ms: s.finishedAt - s.startedAt, failed });
    });
    const startPush = (settings: AgentConfig['otlp']): OtlpPipeline => {
      // The OpenTelemetry SDK and exporters load only when OTLP is on (they double the agent's start-up time).
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: OTLP loads only when enabled (comment above)
      const { startOtlp } = require('./otlp') as typeof import('./otlp');
      return startOtlp(settings, cfg.paths.rootfs, source, active, log, opts.env ?? process.env);
    };
    if (cfg.otlp.enabled) otlp = startPush(cfg.otlp);
    let stopping: Promise<void> | null = null;
    // The rules in force: a refused reload keeps them and changes only the reported outcome.
    let rules: AgentConfig = cfg;
    /**
     * A reloaded otlp section: the new push starts first, then the old one shuts down, sending its last export. The
     * loader has refused a file the OTEL_* variables make unusable (config/otlp-env.ts); a push that cannot start all
     * the same (a TLS file removed since) keeps the old one, with the error.
     */
    const reloadOtlp = async (next: AgentConfig['otlp'], prev: AgentConfig['otlp']): Promise<string[]> => {
      if (stopping !== null) return [];
      let started: OtlpPipeline | null = null;
      if (next.enabled) {
        try {
          started = startPush(next);
        } catch (e) {
          const error = `otlp: the reloaded settings cannot be used, the push in force stays: ${(e as Error).message}`;
          log.error('otlp reload refused', { err: e });
          return [error];
        }
      }
      if (runner instanceof WorkerRunner) runner.setRenderOtlp(next.enabled);
      const old = otlp;
      otlp = started;
      await old?.shutdown().catch((e: unknown) => log.warn('otlp shutdown failed', { err: e }));
      // After the old push's last export: from here on only the new settings push.
      log.info('otlp settings reloaded', { enabled: next.enabled, was_enabled: prev.enabled });
      return [];
    };
    return {
      address,
      addresses,
      source,
      get otlp() {
        return otlp;
      },
      reload: async (config, state) => {
        const prev = rules;
        const errors: string[] = [];
        if (config !== null) {
          rules = config;
          if (JSON.stringify(config.otlp) !== JSON.stringify(prev.otlp)) {
            const refused = await reloadOtlp(config.otlp, prev.otlp);
            // A push that could not start keeps its settings in force, for the collectors too (otlp.processes).
            if (refused.length > 0) rules = { ...config, otlp: prev.otlp };
            errors.push(...refused);
          }
        }
        const old = plans.find((p) => p.name === 'process_groups');
        // process_groups off: enabling it needs a restart. On: it takes the rules and otlp.processes (its walk reads them).
        if (old) {
          const plan: CollectorPlan = { ...old, options: processGroupsOptions(rules, cfg.log.level, state) };
          plans = plans.map((p) => (p === old ? plan : p));
          errors.push(...(await source.reconfigure([plan])));
          // Rendering in this thread (a test's runner): the renderer takes the new options too.
          const a = active.get(plan.name);
          if (a) active.set(plan.name, { def: a.def, options: a.def.options(plan.options) });
        }
        return errors;
      },
      stop: () => {
        stopping ??= (async () => {
          log.info('shutting down');
          // Side by side, not one after the other: the shutdown has one bound (cli.ts), the OTLP timeout plus a second.
          await Promise.all([
            server.close(),
            // shutdown() flushes a last export; a dead collector endpoint must not hold the exit past its timeout.
            otlp?.shutdown().catch((e: unknown) => log.warn('otlp shutdown failed', { err: e })),
          ]);
          // Only now: the push's last export collects a pass of its own (per-process resources included, as in a
          // periodic export), which needs the collection thread (test/e2e/otlp-shutdown.test.ts).
          await source.close();
          log.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (e) {
    await server.close(0);
    await source.close();
    throw e;
  }
}
