/**
 * One pass of a single collector as the agent runs it (config parsed, plans made, an in-process runner, the Prometheus
 * rendering), without a process or an HTTP server: for the collector tests on fixture trees.
 */
import { parseConfig } from '../../src/config/load';
import { activeCollectors } from '../../src/exporters/agent';
import { COLLECTORS } from '../../src/exporters/collectors';
import { PrometheusAdapter } from '../../src/exporters/prometheus';
import { InProcessRunner, SnapshotSource } from '../../src/exporters/snapshot';
import { createPsutil } from '../../src/index';

export interface OnePass {
  /** The collector's exposition. */
  readonly text: string;
  /** The collector's data, as its renderers get it. */
  readonly data: unknown;
}

/** Runs collector `name` once under the config `yaml` (which must enable it); throws with the reason if it fails. */
export async function onePass(yaml: string, name: string): Promise<OnePass> {
  const cfg = parseConfig(yaml, '<test>');
  const { plans, active } = activeCollectors(cfg, null);
  const only = plans.filter((p) => p.name === name);
  const collector = active.get(name);
  if (collector === undefined) throw new Error(`${name} is not active`);
  const roots = { ...cfg.paths };
  const source = new SnapshotSource(new InProcessRunner({ psutil: createPsutil(roots), roots }, COLLECTORS, only), {
    plans: only,
    maxAgeMs: 0,
    timeoutMs: 30000,
  });
  try {
    const snap = await source.get();
    const r = snap.results[0];
    if (r?.kind !== 'data') throw new Error(`${name} failed: ${r?.kind === 'failed' ? r.error : 'no result'}`);
    const text = await new PrometheusAdapter(new Map([[name, collector]])).render(snap);
    return { text, data: r.data };
  } finally {
    await source.close();
  }
}
