/**
 * The config file loaded and checked in a short-lived worker thread, for the running agent: the loader's dependencies
 * (ajv and the schema it compiles, yaml, re2js) then never load into the main thread, which stays about 5 MB smaller
 * for the agent's lifetime and peaks about 13 MB lower at start-up (bench/agent.js, measured side by side). The thread
 * exits once it has answered. This file is both that thread's entry and, in the main thread, the function that asks it.
 * --check-config and --once load in the main thread (they exit right after).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { AgentConfig } from './defaults';
import { ConfigError, type ConfigIssue } from './errors';
import type { FlagAssignment } from './flags';

interface ConfigWorkerData {
  readonly kind: 'psutil-exporter-config';
  readonly file: string | null;
  readonly flags: readonly FlagAssignment[];
}

type ConfigAnswer =
  | { readonly ok: true; readonly config: AgentConfig }
  | { readonly ok: false; readonly file: string; readonly issues: readonly ConfigIssue[]; readonly omitted: number }
  | { readonly ok: false; readonly error: string };

/** The file, or every default without one (as `parseConfig('')`), with the command line's flags, loaded in this thread. */
export function loadConfigHere(file: string | null, flags: readonly FlagAssignment[] = []): AgentConfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the loader (ajv, the schema) loads only when the config is read in this thread
  const load = require('./load') as typeof import('./load');
  return file !== null ? load.loadConfigFile(file, flags) : load.parseConfig('', '<defaults>', flags);
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
 * Loads the config in a worker thread. Rejects with a ConfigError (the same text as loading here) when the file has
 * problems. Under ts-jest, where a thread cannot load TypeScript, it loads here.
 */
export function loadConfigOffThread(file: string | null, flags: readonly FlagAssignment[] = []): Promise<AgentConfig> {
  if (!__filename.endsWith('.js')) return Promise.resolve().then(() => loadConfigHere(file, flags));
  return new Promise<AgentConfig>((resolve, reject) => {
    let answered = false;
    const w = new Worker(__filename, {
      workerData: { kind: 'psutil-exporter-config', file, flags } satisfies ConfigWorkerData,
    });
    w.once('message', (m: ConfigAnswer) => {
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
  let answer: ConfigAnswer;
  try {
    answer = { ok: true, config: loadConfigHere(d.file, d.flags) };
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
