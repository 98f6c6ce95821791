/**
 * The config file loaded and checked in a short-lived worker thread, for the running agent: the loader's dependencies
 * (ajv and the schema it compiles, yaml, re2js) then never load into the main thread, which stays about 5 MB smaller
 * for the agent's lifetime and peaks about 13 MB lower at start-up (bench/agent.js, measured side by side). The thread
 * exits once it has answered. This file is both that thread's entry and, in the main thread, the function that asks it.
 * --check-config and --once load in the main thread (they exit right after).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { WebConfig } from '../exporters/webtls';
import type { AgentConfig } from './defaults';
import { ConfigError, type ConfigIssue } from './errors';
import type { FlagAssignment } from './flags';

interface ConfigWorkerData {
  readonly kind: 'psutil-exporter-config';
  readonly file: string | null;
  readonly flags: readonly FlagAssignment[];
  /** The file is a web config file (--web.config.file), not the agent's config. */
  readonly web?: true;
}

type ConfigAnswer<T> =
  | { readonly ok: true; readonly config: T }
  | { readonly ok: false; readonly file: string; readonly issues: readonly ConfigIssue[]; readonly omitted: number }
  | { readonly ok: false; readonly error: string };

/**
 * The file, or every default without one (as `parseConfig('')`), with the command line's flags, loaded in this thread.
 * With `env`, an enabled otlp section is checked with its OTEL_* variables on top (the running agent's loads and
 * --check-config; --once pushes nothing).
 */
export function loadConfigHere(
  file: string | null,
  flags: readonly FlagAssignment[] = [],
  env: NodeJS.ProcessEnv | null = null,
): AgentConfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the loader (ajv, the schema) loads only when the config is read in this thread
  const load = require('./load') as typeof import('./load');
  const cfg = file !== null ? load.loadConfigFile(file, flags, env) : load.parseConfig('', '<defaults>', flags, env);
  // The web config file it names is checked with it: --check-config and a reload refuse a bad one too.
  if (cfg.web.configFile !== null) loadWebConfigHere(cfg.web.configFile);
  return cfg;
}

/** A web config file (exporter-toolkit's format), read and checked in this thread. */
export function loadWebConfigHere(file: string): WebConfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: yaml loads only where the file is read
  const web = require('./webconfig') as typeof import('./webconfig');
  return web.loadWebConfigFile(file);
}

/** A structured clone is not frozen: freeze it again, as the loader returns it. */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    if (v instanceof Map) for (const x of v.values()) deepFreeze(x);
    else for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/**
 * Loads the config in a worker thread, for the running agent (at start and on a reload): its otlp section is checked
 * with the process's OTEL_* variables on top (the thread's environment is a copy of this one). Rejects with a
 * ConfigError (the same text as loading here) when the file has problems. Under ts-jest, where a thread cannot load
 * TypeScript, it loads here.
 */
export function loadConfigOffThread(file: string | null, flags: readonly FlagAssignment[] = []): Promise<AgentConfig> {
  if (!__filename.endsWith('.js')) return Promise.resolve().then(() => loadConfigHere(file, flags, process.env));
  return offThread<AgentConfig>({ kind: 'psutil-exporter-config', file, flags });
}

/** The same for a web config file: rejects with its ConfigError, resolves with the checked config. */
export function loadWebConfigOffThread(file: string): Promise<WebConfig> {
  if (!__filename.endsWith('.js')) return Promise.resolve().then(() => loadWebConfigHere(file));
  return offThread<WebConfig>({ kind: 'psutil-exporter-config', file, flags: [], web: true });
}

function offThread<T>(data: ConfigWorkerData): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let answered = false;
    const w = new Worker(__filename, { workerData: data });
    w.once('message', (m: ConfigAnswer<T>) => {
      answered = true;
      if (m.ok) resolve(deepFreeze(m.config));
      else if ('issues' in m) reject(new ConfigError(m.file, m.issues, m.omitted));
      else reject(new Error(m.error));
    });
    w.once('error', (e) => {
      answered = true;
      reject(e);
    });
    w.once('exit', (code) => {
      if (!answered) reject(new Error(`config thread exited with code ${code} without an answer`));
    });
  });
}

function configWorkerMain(d: ConfigWorkerData): void {
  const port = parentPort;
  if (!port) return;
  let answer: ConfigAnswer<AgentConfig | WebConfig>;
  try {
    answer = {
      ok: true,
      config: d.web && d.file !== null ? loadWebConfigHere(d.file) : loadConfigHere(d.file, d.flags, process.env),
    };
  } catch (e) {
    if (e instanceof ConfigError) answer = { ok: false, file: e.file, issues: e.issues, omitted: e.omitted };
    else answer = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  // The port closes when this thread's event loop is empty: the answer is delivered first.
  port.postMessage(answer);
}

if (!isMainThread && (workerData as Partial<ConfigWorkerData> | null)?.kind === 'psutil-exporter-config') {
  configWorkerMain(workerData as ConfigWorkerData);
}
