#!/usr/bin/env node
/**
 * The agent's command line: node_exporter's (every flag of node_exporter 1.5 that concerns what the agent does, with
 * its meaning: config/flags.ts), plus ours:
 *   psutil-exporter [--config.file=FILE] [--once] [--check-config] [--help] [--version] [node_exporter's flags]
 * Each node_exporter flag sets a config key, applied to the file by the loader, so `--check-config` shows the
 * effective config. main() resolves with the exit code: at once for --help, --version, --check-config and --once;
 * when the agent has stopped (SIGTERM/SIGINT) otherwise.
 *
 * No commander: node_exporter's flags are generic (`--[no-]collector.<name>`, `--collector.<name>.<option>`,
 * kingpin's `--no-` for every boolean), which a table-driven reader (flags.ts) follows and commander cannot express.
 */
import type { AgentConfig } from './config/defaults';
// Not config/load: its ajv, yaml and re2js stay out of the running agent's main thread (config/offthread.ts).
import { ConfigError } from './config/errors';
import { FlagError, helpText, parseFlags, type ParsedFlags } from './config/flags';
import { loadConfigHere, loadConfigOffThread } from './config/offthread';
import { ConfigWatcher, currentSignature } from './config/watch';
import { createLogger } from './exporters/log';

/**
 * What a shutdown may take beyond the last OTLP export's timeout (otlp.timeout, which bounds the export in flight and
 * the last one together): closing the listener and the collection worker. Past the bound the agent exits anyway.
 */
export const SHUTDOWN_GRACE_MS = 1000;

/** The whole shutdown's bound: the OTLP timeout (when OTLP is on) plus SHUTDOWN_GRACE_MS. */
export function shutdownBoundMs(otlpTimeoutMs: number | null): number {
  return (otlpTimeoutMs ?? 0) + SHUTDOWN_GRACE_MS;
}

function agentVersionText(): string {
  // Loaded lazily: --help and --check-config should not pay for the exporters' imports.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the exporters load only when the version is printed (comment above)
  const { agentVersion } = require('./exporters/prometheus') as typeof import('./exporters/prometheus');
  return agentVersion();
}

/** The effective config, for --check-config: what the agent would run with, flags applied. */
export function effectiveConfigText(cfg: AgentConfig): string {
  const on = Object.entries(cfg.collectors)
    .filter(([, c]) => c.enabled)
    .map(([n]) => n);
  return `collectors on: ${on.join(', ')}\neffective config (flags applied):\n${JSON.stringify(cfg, null, 2)}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const stdout = (s: string): void => void process.stdout.write(s);
  const stderr = (s: string): void => void process.stderr.write(s);
  let flags: ParsedFlags;
  try {
    flags = parseFlags(argv);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    for (const p of e.problems) stderr(`${p}\n`);
    return 2;
  }
  if (flags.help) {
    stdout(helpText());
    return 0;
  }
  if (flags.version) {
    stdout(`${agentVersionText()}\n`);
    return 0;
  }

  // The running agent starts lean, before anything else loads; --once and --check-config exit at once and keep V8's
  // defaults.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: v8mode applies its flags before anything else loads (comment above)
  const v8mode = require('./exporters/v8mode') as typeof import('./exporters/v8mode');
  if (!flags.once && !flags.checkConfig) v8mode.applyV8Mode({ jit: false, reason: 'start-up' });

  const file = flags.configFile;
  // The running agent follows its file: what it looked like before this load is what a later change is told from.
  const loadedSignature = file !== undefined && !flags.checkConfig && !flags.once ? currentSignature(file) : null;
  let cfg: AgentConfig;
  try {
    if (flags.checkConfig || flags.once) {
      // --check-config and --once exit right after: they load here. --check-config checks the otlp section with the
      // OTEL_* variables it runs under, as the agent would start with them; --once pushes nothing.
      cfg = loadConfigHere(file ?? null, flags.assignments, flags.checkConfig ? process.env : null);
    } else {
      // The agent loads in a short-lived thread. Meanwhile the collection thread boots and loads the library and the
      // collectors, and this thread its own modules: three threads side by side instead of one after the other
      // (bench/startup.js: the time to /readyz).
      const loading = loadConfigOffThread(file ?? null, flags.assignments);
      /* eslint-disable @typescript-eslint/no-require-imports -- lazy: the running agent's modules, loaded while the config thread works (comment above) */
      (require('./exporters/worker') as typeof import('./exporters/worker')).startEarly();
      require('./exporters/agent');
      /* eslint-enable @typescript-eslint/no-require-imports -- end of the early loads */
      cfg = await loading;
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      stderr(e.message + '\n');
      // A bad flag value is a usage error (2), as node_exporter's; a bad file is 1.
      return e.omitted === 0 && e.issues.length > 0 && e.issues.every((i) => i.flag !== undefined) ? 2 : 1;
    }
    throw e;
  }
  if (flags.checkConfig) {
    stdout(`${file ?? '<defaults>'}: OK\n`);
    for (const n of flags.notes) stdout(`${n.level}: ${n.flag}: ${n.msg}\n`);
    stdout(effectiveConfigText(cfg));
    return 0;
  }
  const log = createLogger(cfg.log.level, undefined, cfg.log.format);
  for (const n of flags.notes) log[n.level]('command-line flag', { flag: n.flag, note: n.msg });

  // Loaded here rather than at the top: the library and the exporters cost nothing for --help or --check-config.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the library and the exporters load only to run the agent (comment above)
  const agent = require('./exporters/agent') as typeof import('./exporters/agent');
  if (flags.once) {
    stdout(await agent.collectOnce(cfg, log));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by collectOnce already (the library)
    const statfs = require('./probes/linux/statfs') as typeof import('./probes/linux/statfs');
    const inFlight = statfs.statfsCallsInFlight();
    if (inFlight > 0) {
      // What was collected is out (stdout is a pipe or a file: written synchronously), the stuck mounts missing from
      // it. Exiting the usual way would join the statfs threads, one of them waiting on a stuck mount for as long as
      // the mount hangs: end without them.
      log.warn('a statfs waits on a stuck mount: exiting without it', { calls: inFlight });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by collectOnce already (the library)
      return (require('./probes/linux/native') as typeof import('./probes/linux/native')).exitNow(0);
    }
    return 0;
  }

  // The lean flags were set before the config loaded; the config may hand the compilers back (exporters/v8mode.ts).
  const mode = v8mode.v8Mode(cfg);
  v8mode.applyV8Mode(mode);
  log.info('v8 mode', { jit: mode.jit, optimize_for_size: mode.forSize !== false, reason: mode.reason });
  const missing = v8mode.missingNodeFlags();
  if (missing.length > 0)
    log.info('node flags advised', {
      flags: missing,
      why: "under frequent scrapes the main heap's young generation grows to 16 MB semi-spaces without them: 8-11 MB more resident",
      how: `node ${missing.join(' ')} ${process.argv[1] ?? 'dist/cli.js'} ..., or NODE_OPTIONS="${missing.join(' ')}"`,
    });

  // The admin API starts first: when it refuses ([SECURITY]), the agent does not start at all.
  let admin: import('./admin').AdminHandle | null = null;
  if (cfg.admin.enabled) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the admin API loads only when enabled
    const adminApi = require('./admin') as typeof import('./admin');
    try {
      admin = await adminApi.startAdmin({
        config: cfg.admin,
        procfs: cfg.paths.procfs,
        processNames: cfg.processNames,
        groupOptions: cfg.collectors['process_groups']?.options ?? {},
        log,
      });
    } catch (e) {
      if (e instanceof adminApi.AdminSecurityError) {
        for (const p of e.problems) stderr(`${p}\n`);
        return 1;
      }
      log.error('cannot start the admin API', { err: e });
      return 1;
    }
  }
  const stopAdmin = async (): Promise<void> => {
    await admin?.server.close().catch((e: unknown) => log.warn('admin API shutdown failed', { err: e }));
  };

  // One watcher for the file: it loads a changed file off this thread and hands the checked config to the
  // collectors (between two passes) and to the admin API's groups; a refused file is reported, the rules stay.
  let handle: Awaited<ReturnType<typeof agent.startAgent>> | null = null;
  const watcher =
    file === undefined
      ? null
      : new ConfigWatcher({
          file,
          log,
          loadedSignature,
          // A reload reads the file with the same command line: the flags keep overriding their keys.
          load: (f) => loadConfigOffThread(f, flags.assignments),
          publish: async (next, status) => {
            for (const error of (await handle?.reload(next, status)) ?? [])
              log.error('a collector did not take the reloaded config', { error });
            if (next !== null)
              admin?.setProcessNames(next.processNames, next.collectors['process_groups']?.options ?? {});
            // A pass now, under the new rules, rather than at the next scrape.
            void handle?.source.get(0);
          },
        });
  try {
    handle = await agent.startAgent(cfg, {
      log,
      ...(watcher !== null ? { reload: watcher.status } : {}),
      ...(admin !== null ? { extraFamilies: () => admin?.server.metricFamilies() ?? [] } : {}),
    });
  } catch (e) {
    log.error('cannot start', { err: e });
    await stopAdmin();
    return 1;
  }
  const running = handle;
  watcher?.start();
  // SIGHUP (whose default is to exit) reloads the config file now, even when it looks unchanged.
  const onHup = (): void => {
    log.info('signal received: reloading the config file', { signal: 'SIGHUP', file: file ?? null });
    if (watcher !== null) void watcher.reload('SIGHUP');
  };
  process.on('SIGHUP', onHup);
  const code = await new Promise<number>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('SIGHUP', onHup);
      watcher?.stop();
      const boundMs = shutdownBoundMs(running.otlp?.settings.timeoutMs ?? null);
      log.info('signal received', { signal: sig, shutdown_bound_ms: boundMs });
      // One bound for the whole: whatever has not finished by then (a scrape being answered, an export, a worker
      // waiting on a stuck statfs) is left, and the process exits.
      const bound = setTimeout(() => {
        log.warn('shutdown did not finish within its bound: exiting now', { bound_ms: boundMs });
        resolve(0);
      }, boundMs);
      Promise.all([running.stop(), stopAdmin()]).then(
        () => {
          clearTimeout(bound);
          resolve(0);
        },
        (e: unknown) => {
          clearTimeout(bound);
          log.error('shutdown failed', { err: e });
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded at shutdown only: the main thread starts without it
  const worker = require('./exporters/worker') as typeof import('./exporters/worker');
  if (worker.lingeringWorkers() > 0) log.warn('the collection worker waits on a stuck statfs: exiting without it');
  // Not a return to the event loop: an export still on the wire or a worker left behind would hold the process.
  return worker.exitProcess(code);
}

/** A collection thread started early and never taken (a refused config) stops once its modules are loaded. */
async function settleEarlyThread(): Promise<void> {
  // Only when this script loaded the worker module (a running agent, not --help or --check-config).
  const id = require.resolve('./exporters/worker');
  if (require.cache[id] === undefined) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- already loaded (checked above)
  await (require('./exporters/worker') as typeof import('./exporters/worker')).settleEarly();
}

if (require.main === module) {
  main(process.argv.slice(2))
    .then(
      async (code) => {
        await settleEarlyThread();
        process.exitCode = code;
      },
      async (e: unknown) => {
        process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        await settleEarlyThread();
        process.exitCode = 1;
      },
    )
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    });
}
