/**
 * The admin API's entry point for the agent (src/cli.ts): started only when `admin.enabled`, bound to the library
 * instance that reads the agent's procfs. Throws AdminSecurityError (`[SECURITY] ...` lines) when the config would
 * run it unsafely; the agent prints them and exits non-zero.
 */
import * as fs from 'node:fs';
import { createPsutil } from '../index';
import { compileRulesConfig } from '../rules/config';
import { PsutilSource } from '../rules/source';
import type { AdminConfig } from './config';
import type { AdminGroups } from './engine';
import { RulesGroups, type RulesGroupsOptions } from './groups';
import { AdminServer, type AdminLogger } from './server';
import { libraryHost } from './target';

export { AdminConfigError, AdminSecurityError, adminSecurityProblems, parseAdminConfig } from './config';
export type { AdminConfig, ConfigIssue } from './config';
export type { AdminGroups } from './engine';
export type { CounterFamily } from './audit';
export { AdminServer } from './server';
export { RulesGroups } from './groups';
export type { AdminLogger } from './server';

export interface StartAdminOptions {
  readonly config: AdminConfig;
  /** The procfs root the agent reads (paths.procfs / --path.procfs). */
  readonly procfs: string;
  /** The config's process_names and collectors.process_groups options: groups are named as /metrics names them. */
  readonly processNames: unknown;
  readonly groupOptions: Readonly<Record<string, unknown>>;
  readonly log: AdminLogger;
  /** The config file: when its process_names change, groups follow (as the process_groups collector's do). */
  readonly configFile?: string;
  /** Replaces the rules-based groups (tests). */
  readonly groups?: AdminGroups;
}

export async function startAdmin(o: StartAdminOptions): Promise<AdminServer> {
  // Its own library instance on the agent's roots: a pid is looked up in the same /proc the metrics come from.
  const ps = createPsutil({ procfs: o.procfs });
  const host = libraryHost({
    newProcess: (pid) => new ps.Process(pid),
    pidExists: (pid) => ps.pidExists(pid),
    procfs: ps.roots.procfs,
    procfsSelfPid: () => ps.procfsSelfPid(),
    cpuCount: () => ps.cpuTimes({ percpu: true }).length,
  });
  let groups = o.groups;
  if (groups === undefined) {
    const rules = compileRulesConfig(o.processNames, o.groupOptions);
    groups = new RulesGroups({
      rules: rules.rules, options: rules.options, source: new PsutilSource(ps),
      ...(o.configFile === undefined ? {} : { reload: rulesReloader(o.configFile, o.log) }),
    });
  }
  const server = await AdminServer.start({ config: o.config, host, groups, log: o.log });
  const a = server.address();
  o.log.info('admin API listening', { address: 'path' in a ? `unix:${a.path}` : `${a.host}:${a.port}`, policyRules: o.config.policy.length });
  return server;
}

/**
 * Re-reads the config file's process_names when its text changed (checked at most once per /proc listing, a second
 * apart). A file that no longer loads keeps the rules in force, as the process_groups collector does. The admin
 * section itself (policy, listener, token file) is read once at start: changing it needs a restart.
 */
function rulesReloader(file: string, log: AdminLogger): () => ReturnType<NonNullable<RulesGroupsOptions['reload']>> {
  let text: string | null = readOrNull(file);
  return () => {
    const now = readOrNull(file);
    if (now === null || now === text) return null;
    text = now;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: config/load imports admin/config, a top-level import here would be a cycle
      const { parseConfig } = require('../config/load') as typeof import('../config/load');
      const cfg = parseConfig(now, file);
      const rules = compileRulesConfig(cfg.processNames, cfg.collectors['process_groups']?.options ?? {});
      log.info('admin: process_names reloaded');
      return { rules: rules.rules, options: rules.options };
    } catch (e) {
      log.warn('admin: the changed config file does not load; the process groups in force stay', { err: e instanceof Error ? e.message : String(e) });
      return null;
    }
  };
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    // Mid-rename or removed: keep the rules in force and look again next time.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
