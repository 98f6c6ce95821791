/**
 * The admin API's entry point for the agent (src/cli.ts): started only when `admin.enabled`, bound to the library
 * instance that reads the agent's procfs. Throws AdminSecurityError (`[SECURITY] ...` lines) when the config would
 * run it unsafely; the agent prints them and exits non-zero.
 */
import { createPsutil } from '../index';
import { compileRulesConfig } from '../rules/config';
import { PsutilSource } from '../rules/source';
import { podNamesReader } from '../rules/podnames';
import { ProcFs } from '../probes/linux/procfs';
import type { AdminConfig } from './config';
import type { AdminGroups } from './engine';
import { RulesGroups } from './groups';
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
  /** Replaces the rules-based groups (tests). */
  readonly groups?: AdminGroups;
}

export interface AdminHandle {
  readonly server: AdminServer;
  /**
   * A config reload's process_names and collectors.process_groups options (already checked by the agent's config
   * watcher): the groups follow, named as the process_groups collector names them, from the next listing of /proc
   * on. The admin section itself (policy, listener, token file) is read once at start: changing it needs a restart.
   */
  setProcessNames(processNames: unknown, groupOptions: Readonly<Record<string, unknown>>): void;
}

export async function startAdmin(o: StartAdminOptions): Promise<AdminHandle> {
  // Its own library instance on the agent's roots: a pid is looked up in the same /proc the metrics come from.
  const ps = createPsutil({ procfs: o.procfs });
  const host = libraryHost({
    newProcess: (pid) => new ps.Process(pid),
    pidExists: (pid) => ps.pidExists(pid),
    procfs: ps.roots.procfs,
    procfsSelfPid: () => ps.procfsSelfPid(),
    cpuCount: () => ps.cpuTimes({ percpu: true }).length,
  });
  // Rules handed over by a reload, compiled when the groups next list /proc: an admin API nobody calls costs nothing.
  let pending: { processNames: unknown; groupOptions: Readonly<Record<string, unknown>> } | null = null;
  let groups = o.groups;
  if (groups === undefined) {
    const rules = compileRulesConfig(o.processNames, o.groupOptions);
    // The collector's pod and container names, so that a group named by pod is the same group here.
    let podLogsDir = rules.options.podLogsDir;
    const podNames = podNamesReader(
      new ProcFs(ps.roots),
      () => podLogsDir,
      (e) =>
        o.log.warn('admin: the pod log directory cannot be read; pod and container names stay empty', {
          err: e.message,
        }),
    );
    groups = new RulesGroups({
      rules: rules.rules,
      options: rules.options,
      source: new PsutilSource(ps, { podNames }),
      reload: () => {
        const next = pending;
        pending = null;
        if (next === null) return null;
        try {
          const r = compileRulesConfig(next.processNames, next.groupOptions);
          podLogsDir = r.options.podLogsDir;
          o.log.info('admin: process_names reloaded');
          return { rules: r.rules, options: r.options };
        } catch (e) {
          // The watcher checked the file with the same compiler: this is a bug, and the groups in force stay.
          o.log.warn('admin: the reloaded process_names do not compile; the process groups in force stay', {
            err: e instanceof Error ? e.message : String(e),
          });
          return null;
        }
      },
    });
  }
  const server = await AdminServer.start({ config: o.config, host, groups, log: o.log });
  const a = server.address();
  o.log.info('admin API listening', {
    address: 'path' in a ? `unix:${a.path}` : `${a.host}:${a.port}`,
    policyRules: o.config.policy.length,
  });
  return {
    server,
    setProcessNames(processNames, groupOptions) {
      pending = { processNames, groupOptions };
    },
  };
}
