#!/usr/bin/env node
/**
 * The agent's command line, with node_exporter's flag habits:
 *   psutil-exporter [--config.file=FILE] [--web.listen-address=HOST:PORT] [--path.procfs=DIR] [--path.sysfs=DIR]
 *                   [--path.rootfs=DIR] [--log.level=LEVEL] [--once] [--check-config] [--help] [--version]
 * main() resolves with the exit code: at once for --help, --version, --check-config and --once; when the agent has
 * stopped (SIGTERM/SIGINT) otherwise.
 */
import { parseArgs } from 'node:util';
import type { Command } from 'commander';
import { applyOverrides, type AgentConfig, type ConfigOverrides, type LogLevel } from './config/defaults';
// Not config/load: its ajv, yaml and re2js stay out of the running agent's main thread (config/offthread.ts).
import { ConfigError, parseListenAddress } from './config/errors';
import { loadConfigHere, loadConfigOffThread } from './config/offthread';
import { ConfigWatcher, currentSignature } from './config/watch';
import { createLogger } from './exporters/log';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * What a shutdown may take beyond the last OTLP export's timeout (otlp.timeout, which bounds the export in flight and
 * the last one together): closing the listener and the collection worker. Past the bound the agent exits anyway.
 */
export const SHUTDOWN_GRACE_MS = 1000;

/** The whole shutdown's bound: the OTLP timeout (when OTLP is on) plus SHUTDOWN_GRACE_MS. */
export function shutdownBoundMs(otlpTimeoutMs: number | null): number {
  return (otlpTimeoutMs ?? 0) + SHUTDOWN_GRACE_MS;
}

interface Flags {
  'config.file'?: string;
  'web.listenAddress'?: string;
  'path.procfs'?: string;
  'path.sysfs'?: string;
  'path.rootfs'?: string;
  'log.level'?: string;
  once?: boolean;
  checkConfig?: boolean;
}

/**
 * The flags of a well-formed command line, read with node:util's parseArgs; null for anything else (--help, --version,
 * an unknown flag, a missing value, an argument), which commander then handles with its usual messages. Commander
 * loads only then: in the running agent's main thread it (with the child_process and dgram modules it pulls in) kept
 * about 3 MB resident for nothing (bench/agent.js, side by side).
 */
export function quickFlags(argv: string[]): Flags | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'config.file': { type: 'string' },
        'web.listen-address': { type: 'string' },
        'path.procfs': { type: 'string' },
        'path.sysfs': { type: 'string' },
        'path.rootfs': { type: 'string' },
        'log.level': { type: 'string' },
        once: { type: 'boolean' },
        'check-config': { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    // Not a plain command line: commander parses it again and says what is wrong (or prints help or the version).
    void e;
    return null;
  }
  const flags: Flags = {};
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  for (const [from, to] of [
    ['config.file', 'config.file'],
    ['web.listen-address', 'web.listenAddress'],
    ['path.procfs', 'path.procfs'],
    ['path.sysfs', 'path.sysfs'],
    ['path.rootfs', 'path.rootfs'],
    ['log.level', 'log.level'],
  ] as const) {
    const v = str(from);
    if (v !== undefined) flags[to] = v;
  }
  if (values['once'] === true) flags.once = true;
  if (values['check-config'] === true) flags.checkConfig = true;
  return flags;
}

export function program(out: { stdout: (s: string) => void; stderr: (s: string) => void }, version: string): Command {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: commander loads only for a command line that quickFlags cannot read
  const { Command } = require('commander') as typeof import('commander');
  return new Command('psutil-exporter')
    .description('Host metrics from the psutil surface: Prometheus /metrics (node_exporter names) and OTLP push.')
    .option('--config.file <file>', 'YAML config file (see config/schema.json); without it, every default')
    .option(
      '--web.listen-address <host:port>',
      'address of /metrics (overrides web.listen_address; default 0.0.0.0:9464)',
    )
    .option('--path.procfs <dir>', 'procfs mount point, e.g. /host/proc in a container (overrides paths.procfs)')
    .option('--path.sysfs <dir>', 'sysfs mount point, e.g. /host/sys (overrides paths.sysfs)')
    .option(
      '--path.rootfs <dir>',
      'host root prefix for statfs and os-release, e.g. /host/root (overrides paths.rootfs)',
    )
    .option('--log.level <level>', `lowest log level written: ${LEVELS.join(', ')} (overrides log.level)`)
    .option('--once', 'collect once, print the exposition (text format 0.0.4) to stdout and exit')
    .option('--check-config', 'validate the config file, print each problem with its line, exit 0 (valid) or 1')
    .version(version, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'list every flag and exit')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: out.stdout, writeErr: out.stderr });
}

function agentVersionText(): string {
  // Loaded lazily: --help and --check-config should not pay for the exporters' imports.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the exporters load only when the version is printed (comment above)
  const { agentVersion } = require('./exporters/prometheus') as typeof import('./exporters/prometheus');
  return agentVersion();
}

function overrides(f: Flags): ConfigOverrides | string {
  const o: ConfigOverrides = {};
  if (f['web.listenAddress'] !== undefined) {
    const a = parseListenAddress(f['web.listenAddress']);
    if (!a)
      return `--web.listen-address: expected HOST:PORT (port 0-65535), got ${JSON.stringify(f['web.listenAddress'])}`;
    o.listenAddress = { ...a, text: f['web.listenAddress'] };
  }
  for (const [flag, key] of [
    ['path.procfs', 'procfs'],
    ['path.sysfs', 'sysfs'],
    ['path.rootfs', 'rootfs'],
  ] as const) {
    const v = f[flag];
    if (v !== undefined) {
      if (v === '') return `--${flag}: expected a directory`;
      o[key] = v;
    }
  }
  if (f['log.level'] !== undefined) {
    if (!(LEVELS as readonly string[]).includes(f['log.level']))
      return `--log.level: expected one of ${LEVELS.join(', ')}, got ${JSON.stringify(f['log.level'])}`;
    o.logLevel = f['log.level'] as LogLevel;
  }
  return o;
}

export async function main(argv: string[]): Promise<number> {
  const stdout = (s: string): void => void process.stdout.write(s);
  const stderr = (s: string): void => void process.stderr.write(s);
  let flags = quickFlags(argv);
  if (flags === null) {
    const cmd = program({ stdout, stderr }, agentVersionText());
    try {
      cmd.parse(argv, { from: 'user' });
    } catch (e) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: commander is loaded by program() only on this path
      if (e instanceof (require('commander') as typeof import('commander')).CommanderError)
        return e.exitCode === 0 ? 0 : 2;
      throw e;
    }
    flags = cmd.opts<Flags>();
  }

  // The running agent starts lean, before anything else loads; --once and --check-config exit at once and keep V8's
  // defaults.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: v8mode applies its flags before anything else loads (comment above)
  const v8mode = require('./exporters/v8mode') as typeof import('./exporters/v8mode');
  if (!flags.once && !flags.checkConfig) v8mode.applyV8Mode({ jit: false, reason: 'start-up' });

  const file = flags['config.file'];
  // The running agent follows its file: what it looked like before this load is what a later change is told from.
  const loadedSignature = file !== undefined && !flags.checkConfig && !flags.once ? currentSignature(file) : null;
  let cfg: AgentConfig;
  try {
    // --check-config and --once exit right after: they load here. The agent loads in a short-lived thread.
    cfg = flags.checkConfig || flags.once ? loadConfigHere(file ?? null) : await loadConfigOffThread(file ?? null);
  } catch (e) {
    if (e instanceof ConfigError) {
      stderr(e.message + '\n');
      return 1;
    }
    throw e;
  }
  if (flags.checkConfig) {
    stdout(`${file ?? '<defaults>'}: OK\n`);
    return 0;
  }
  const o = overrides(flags);
  if (typeof o === 'string') {
    stderr(o + '\n');
    return 2;
  }
  cfg = applyOverrides(cfg, o);
  const log = createLogger(cfg.log.level);

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
  log.info('v8 mode', { jit: mode.jit, reason: mode.reason });

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
          load: (f) => loadConfigOffThread(f),
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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
