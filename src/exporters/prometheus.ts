/**
 * The Prometheus rendering of a snapshot: prom-client on its own Registry (never the global one), one metric object
 * per family, `reset()` then set/inc from the snapshot on each new pass, so the series of things that are gone
 * (a NIC, a mount, a process) vanish on the next scrape. Counters hold absolute OS values: reset() + inc(value) is
 * the "const metric" pattern of exporters. The rendered text is cached per snapshot: scrapes served from the same
 * pass cost a buffer write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Counter, Gauge, Registry } from 'prom-client';
import { __version__ } from '../constants';
import type { AnyCollectorDef, Family } from './catalog';
import type { Logger } from './log';
import { silentLogger } from './log';
import type { Snapshot } from './snapshot';

export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

let versionCache: string | null = null;
/** The package version (package.json beside src/ and dist/). */
export function agentVersion(): string {
  if (versionCache === null) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
      versionCache = pkg.version ?? '0.0.0';
    } catch (e) {
      // Installed without its package.json (bundled): the version label says so rather than failing the agent.
      versionCache = `unknown (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    }
  }
  return versionCache;
}

export interface ActiveCollector {
  readonly def: AnyCollectorDef;
  /** The collector's parsed options (what def.options() returned). */
  readonly options: unknown;
}

type Metric = Gauge<string> | Counter<string>;

interface Held {
  metric: Metric;
  key: string;
}

/** Turns a snapshot into families: each collector's own, then the agent's self metrics. Pure apart from logging. */
export function snapshotFamilies(snap: Snapshot, active: ReadonlyMap<string, ActiveCollector>, log: Logger = silentLogger): Family[] {
  const out: Family[] = [];
  const success = new Map<string, number>();
  for (const r of snap.results) {
    let ok = r.ok;
    const c = active.get(r.name);
    if (ok && c) {
      try {
        const fams = c.def.prometheus(r.data as never, c.options as never);
        for (const f of fams) {
          if (!METRIC_NAME.test(f.name) || !f.labelNames.every((l) => LABEL_NAME.test(l) && !l.startsWith('__'))) {
            throw new Error(`invalid metric or label name in family ${JSON.stringify(f.name)}`);
          }
        }
        out.push(...fams);
      } catch (e) {
        // A mapping bug costs the collector its families and shows as success 0, like a failed read.
        ok = false;
        log.warn('collector rendering failed', { collector: r.name, err: e });
      }
    }
    success.set(r.name, ok ? 1 : 0);
  }
  out.push(
    {
      name: 'psutil_exporter_build_info',
      type: 'gauge',
      help: 'A metric with a constant 1 value labeled by the agent version, the psutil surface version and the Node.js version.',
      labelNames: ['nodejs_version', 'psutil_version', 'version'],
      series: [{ labels: { nodejs_version: process.versions.node, psutil_version: __version__, version: agentVersion() }, value: 1 }],
    },
    {
      name: 'psutil_exporter_collection_duration_seconds',
      type: 'gauge',
      help: 'psutil-exporter: wall time of the last collection pass, all collectors.',
      labelNames: [],
      series: [{ labels: {}, value: Math.max(0, snap.finishedAt - snap.startedAt) / 1000 }],
    },
    {
      name: 'psutil_exporter_scrape_collector_duration_seconds',
      type: 'gauge',
      help: 'psutil-exporter: duration of a collector in the last collection pass.',
      labelNames: ['collector'],
      series: snap.results.map((r) => ({ labels: { collector: r.name }, value: r.durationSeconds })),
    },
    {
      name: 'psutil_exporter_scrape_collector_success',
      type: 'gauge',
      help: 'psutil-exporter: whether a collector succeeded in the last collection pass.',
      labelNames: ['collector'],
      series: snap.results.map((r) => ({ labels: { collector: r.name }, value: success.get(r.name) ?? 0 })),
    },
  );
  return out;
}

export class PrometheusAdapter {
  private readonly registry = new Registry();
  private readonly held = new Map<string, Held>();
  private order = '';
  private cache: { id: number; text: Promise<string> } | null = null;

  constructor(
    private readonly active: ReadonlyMap<string, ActiveCollector>,
    private readonly log: Logger = silentLogger,
    /** Families kept outside the snapshot (the admin API's request counter), read with each new snapshot. */
    private readonly extra: () => Family[] = () => [],
  ) {}

  /** The exposition (text format 0.0.4) of a snapshot; computed once per snapshot id. */
  render(snap: Snapshot): Promise<string> {
    if (this.cache && this.cache.id === snap.id) return this.cache.text;
    const text = this.update([...snapshotFamilies(snap, this.active, this.log), ...this.extra()]);
    this.cache = { id: snap.id, text };
    return text;
  }

  private update(fams: Family[]): Promise<string> {
    fams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const seen = new Set<string>();
    for (const f of fams) {
      if (seen.has(f.name)) {
        // Two collectors claiming one family would make duplicate HELP/TYPE blocks: keep the first.
        this.log.warn('duplicate family dropped', { family: f.name });
        continue;
      }
      seen.add(f.name);
      this.fill(f);
    }
    for (const name of [...this.held.keys()]) if (!seen.has(name)) this.held.delete(name);
    const order = [...seen].join('\n');
    if (order !== this.order) {
      // Families came or went: re-register in name order, so the exposition stays sorted as node_exporter's is.
      this.registry.clear();
      for (const name of seen) this.registry.registerMetric((this.held.get(name) as Held).metric);
      this.order = order;
    }
    // metrics() reads every family synchronously before its first await, so a later update cannot tear this one.
    return this.registry.metrics();
  }

  private fill(f: Family): void {
    const labelNames = [...f.labelNames].sort();
    const key = `${f.type}|${f.help}|${labelNames.join(',')}`;
    let h = this.held.get(f.name);
    if (!h || h.key !== key) {
      const cfg = { name: f.name, help: f.help, labelNames, registers: [] as Registry[] };
      const metric: Metric = f.type === 'counter' ? new Counter(cfg) : new Gauge(cfg);
      if (f.type === 'untyped') {
        // prom-client has no untyped metric; its Gauge prints whatever `type` holds (node_exporter's vmstat/netstat).
        (metric as unknown as { type: string }).type = 'untyped';
      }
      h = { metric, key };
      this.held.set(f.name, h);
      this.order = ''; // force re-registration: the object changed
    }
    const m = h.metric;
    m.reset();
    if (m instanceof Counter) {
      for (const s of f.series) {
        // A counter cannot go below zero or be NaN in prom-client; such a reading is dropped, not the family.
        if (Number.isFinite(s.value) && s.value >= 0) m.inc(sortedLabels(s.labels, labelNames), s.value);
      }
    } else {
      for (const s of f.series) m.set(sortedLabels(s.labels, labelNames), s.value);
    }
  }
}

/** Labels in name order (prom-client prints them in the object's order, node_exporter sorts them). */
function sortedLabels(labels: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = labels[n] ?? '';
  return out;
}
