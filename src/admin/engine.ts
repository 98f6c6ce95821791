/**
 * What happens to a well-formed, authenticated request: hard denials, the PID-namespace guard, identity binding
 * (createTime), the policy, the dry run, the action itself and the read-back. Transport concerns (auth, body
 * limits, content type, Host/Origin) are settled before this runs (server.ts); this module never sees raw input.
 *
 * Order matters: nothing that could act runs before every check passed, and each check that needs the target reads
 * it through the Process handle opened once, so all checks and the action refer to the same (pid, createTime).
 * Actions are synchronous, so there is at most one in flight at a time (per target and overall).
 */
import { AccessDenied, NoSuchProcess, PsutilError, ZombieProcess } from '../index';
import type { AuditTarget, Decision } from './audit';
import type { AllowedActions, Policy } from './policy';
import { describeRequest, type ActionRequest } from './requests';
import type { AdminHost, AdminTarget } from './target';
import { ioclassName, ioclassNumber, RLIMIT_RESOURCES } from './vocabulary';

/** Process groups as the rules engine (src/rules/) resolves them. */
export interface AdminGroups {
  /**
   * The group of the process (pid, startTicks) now, or null when it is in none. `startTicks` is the start time in
   * clock ticks of the process the admin API opened: an implementation that knows a different start time for the
   * pid (its grouping predates a PID reuse) must answer null, never the old process's group.
   */
  groupOf(pid: number, startTicks: number | null): string | null;
  /** The pids of a group now (empty when it has none). */
  members(name: string): readonly number[];
  /**
   * Why a group with no members has none when a cap is the cause (its processes would pass max_groups, as the
   * process_groups collector refuses them), else null.
   */
  refusal?(name: string): string | null;
}

export interface Outcome {
  readonly status: number;
  readonly decision: Decision;
  readonly body: Record<string, unknown>;
  readonly reason: string | null;
  readonly errno: string | null;
  readonly target: AuditTarget | null;
  readonly group: string | null;
  readonly raceFree?: boolean | null;
  readonly identityAfter?: string;
  readonly members?: ReadonlyArray<
    AuditTarget & {
      status: number;
      decision: Decision;
      errno?: string | null;
      error?: string | null;
      raceFree?: boolean | null;
      identityAfter?: string;
    }
  >;
}

export interface EngineOptions {
  readonly host: AdminHost;
  readonly groups: AdminGroups;
  readonly policy: Policy;
  readonly maxGroupMembers: number;
}

function fail(
  status: number,
  decision: Decision,
  code: string,
  message: string,
  extra: Partial<Outcome> = {},
): Outcome {
  return {
    status,
    decision,
    body: { error: { code, message } },
    reason: message,
    errno: null,
    target: null,
    group: null,
    ...extra,
  };
}

/** A read that may be refused for another user's process (exe without CAP_SYS_PTRACE): null instead of a throw. */
function maybe<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AccessDenied) return null;
    throw err;
  }
}

/** The errno name behind a library error (`EPERM`), when there is one. */
function errnoOf(err: unknown): string | null {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as { osCode?: unknown; code?: unknown }).osCode ?? (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  if (err instanceof AccessDenied) return 'EPERM';
  if (err instanceof NoSuchProcess) return 'ESRCH';
  return null;
}

function targetRecord(t: AdminTarget, group: string | null): AuditTarget {
  return {
    pid: t.pid,
    createTime: t.createTime,
    name: maybe(() => t.name()),
    exe: maybe(() => t.exe()),
    username: maybe(() => t.username()),
    group,
  };
}

/** What an action error means for the caller; nothing here retries or acts again. */
function actionError(
  err: unknown,
  what: string,
): { status: number; decision: Decision; code: string; message: string } {
  if (err instanceof ZombieProcess)
    return { status: 409, decision: 'conflict', code: 'zombie', message: `${what}: the process is a zombie` };
  if (err instanceof NoSuchProcess) {
    return {
      status: 409,
      decision: 'conflict',
      code: 'process_gone',
      message: `${what}: the process exited or its pid was reused; nothing was done`,
    };
  }
  if (err instanceof AccessDenied) {
    return {
      status: 403,
      decision: 'failed',
      code: 'os_denied',
      message: `${what}: the kernel refused (${errnoOf(err) ?? 'EPERM'}); the agent lacks the capability`,
    };
  }
  if (err instanceof RangeError || err instanceof TypeError) {
    return { status: 400, decision: 'invalid', code: 'invalid_value', message: `${what}: ${err.message}` };
  }
  if (err instanceof PsutilError)
    return { status: 500, decision: 'failed', code: 'os_error', message: `${what}: ${err.message}` };
  throw err;
}

export class AdminEngine {
  constructor(private readonly o: EngineOptions) {}

  /** Targets no request may touch, whatever the policy says. Null when none applies. */
  private hardDenial(pid: number): string | null {
    // Node's process.kill would turn 0 into "my process group" and -1 into "everyone": never a target.
    if (pid <= 1) return `pid ${pid} is never a target`;
    if (pid === this.o.host.agentPid) return 'the agent itself is never a target';
    if (pid === this.o.host.agentPpid()) return "the agent's parent is never a target";
    return null;
  }

  /** Opens `pid` through every guard; returns the handle or the outcome that ends the request. */
  private openGuarded(pid: number, expectedCreateTime: number | null): { t: AdminTarget } | { refused: Outcome } {
    const hard = this.hardDenial(pid);
    if (hard)
      return {
        refused: fail(403, 'denied', 'protected_target', hard, { target: { pid, createTime: expectedCreateTime } }),
      };
    const ns = this.o.host.namespaceProblem();
    if (ns)
      return {
        refused: fail(409, 'conflict', 'foreign_pid_namespace', ns, {
          target: { pid, createTime: expectedCreateTime },
        }),
      };
    let t: AdminTarget;
    try {
      t = this.o.host.open(pid);
    } catch (err) {
      if (err instanceof NoSuchProcess)
        return {
          refused: fail(404, 'not_found', 'no_such_process', `no process with pid ${pid}`, {
            target: { pid, createTime: expectedCreateTime },
          }),
        };
      if (err instanceof AccessDenied)
        return {
          refused: fail(403, 'denied', 'os_denied', `pid ${pid} is not visible to the agent`, {
            target: { pid, createTime: expectedCreateTime },
            errno: 'EACCES',
          }),
        };
      throw err;
    }
    let kthread: boolean;
    try {
      kthread = t.isKernelThread();
    } catch (err) {
      if (err instanceof NoSuchProcess)
        return {
          refused: fail(404, 'not_found', 'no_such_process', `no process with pid ${pid}`, {
            target: { pid, createTime: expectedCreateTime },
          }),
        };
      // Cannot tell: refuse rather than guess.
      if (err instanceof AccessDenied) kthread = true;
      else throw err;
    }
    if (kthread)
      return {
        refused: fail(403, 'denied', 'protected_target', `pid ${pid} is a kernel thread`, {
          target: targetRecord(t, null),
        }),
      };
    if (expectedCreateTime !== null && t.createTime !== expectedCreateTime) {
      return {
        refused: fail(
          409,
          'conflict',
          'identity_mismatch',
          `pid ${pid} has createTime ${t.createTime}, not ${expectedCreateTime}: the process you read is gone and the pid names another; nothing was done`,
          { target: { pid, createTime: expectedCreateTime } },
        ),
      };
    }
    return { t };
  }

  /** GET /v1/processes/{pid}: identity, current settings and what the policy would allow. */
  inspect(pid: number): Outcome {
    if (pid <= 0) return fail(404, 'not_found', 'no_such_process', `no process with pid ${pid}`);
    const ns = this.o.host.namespaceProblem();
    if (ns) return fail(409, 'conflict', 'foreign_pid_namespace', ns, { target: { pid, createTime: null } });
    let t: AdminTarget;
    try {
      t = this.o.host.open(pid);
    } catch (err) {
      if (err instanceof NoSuchProcess)
        return fail(404, 'not_found', 'no_such_process', `no process with pid ${pid}`, {
          target: { pid, createTime: null },
        });
      if (err instanceof AccessDenied)
        return fail(403, 'denied', 'os_denied', `pid ${pid} is not visible to the agent`, {
          target: { pid, createTime: null },
        });
      throw err;
    }
    try {
      const group = this.o.groups.groupOf(pid, t.startTicks);
      const rec = targetRecord(t, group);
      let protectedReason = this.hardDenial(pid);
      if (protectedReason === null && maybe(() => t.isKernelThread()) !== false)
        protectedReason = `pid ${pid} is a kernel thread`;
      const rlimits: Record<string, readonly [number, number] | null> = {};
      for (const [name, res] of RLIMIT_RESOURCES) rlimits[name] = maybe(() => t.rlimit(res));
      const io = maybe(() => t.ionice());
      const allowed: AllowedActions | null =
        protectedReason === null ? this.o.policy.allowed(group, rec.username ?? null) : null;
      const body = {
        pid: t.pid,
        createTime: t.createTime,
        name: rec.name,
        exe: rec.exe,
        username: rec.username,
        group,
        nice: maybe(() => t.nice()),
        ionice: io && { ioclass: ioclassName(io.ioclass) ?? io.ioclass, value: io.value },
        cpuAffinity: maybe(() => t.cpuAffinity()),
        rlimits,
        protected: protectedReason,
        allowed,
      };
      return { status: 200, decision: 'ok', body, reason: null, errno: null, target: rec, group };
    } catch (err) {
      if (err instanceof NoSuchProcess)
        return fail(404, 'not_found', 'no_such_process', `pid ${pid} exited while being read`, {
          target: { pid, createTime: t.createTime },
        });
      throw err;
    }
  }

  /** 404 for a group without processes, saying so when max_groups is why. */
  private noSuchGroup(name: string): Outcome {
    const capped = this.o.groups.refusal?.(name) ?? null;
    if (capped !== null) return fail(404, 'not_found', 'group_over_max_groups', capped, { group: name });
    return fail(404, 'not_found', 'no_such_group', `group ${JSON.stringify(name)} has no processes`, { group: name });
  }

  /** GET /v1/groups/{name}: the members now, with the identities an action on each would be bound to. */
  inspectGroup(name: string): Outcome {
    const ns = this.o.host.namespaceProblem();
    if (ns) return fail(409, 'conflict', 'foreign_pid_namespace', ns, { group: name });
    const pids = this.o.groups.members(name);
    if (pids.length === 0) return this.noSuchGroup(name);
    const members: Array<Record<string, unknown>> = [];
    for (const pid of pids.slice(0, this.o.maxGroupMembers)) {
      try {
        const t = this.o.host.open(pid);
        const r = targetRecord(t, name);
        members.push({ pid: r.pid, createTime: r.createTime, name: r.name, exe: r.exe, username: r.username });
      } catch (err) {
        // A member that exited since the grouping is simply not listed.
        if (!(err instanceof NoSuchProcess) && !(err instanceof AccessDenied)) throw err;
      }
    }
    return {
      status: 200,
      decision: 'ok',
      reason: null,
      errno: null,
      target: null,
      group: name,
      body: {
        group: name,
        policyNamesGroup: this.o.policy.namesGroup(name),
        truncated: pids.length > this.o.maxGroupMembers,
        members,
      },
    };
  }

  /**
   * A CPU the machine does not have is refused before anything else, so a dry run answers as the real call would:
   * sched_setaffinity(2) fails only when no requested CPU exists, and drops the others silently (psutil does too).
   */
  private unknownCpus(req: ActionRequest, what: Partial<Outcome>): Outcome | null {
    if (req.action !== 'cpu_affinity') return null;
    const all = this.o.host.cpus();
    const unknown = req.cpus.filter((c) => !all.includes(c));
    if (unknown.length === 0) return null;
    return fail(
      400,
      'invalid',
      'invalid_cpu',
      `CPU ${unknown.join(', ')} does not exist; choose between ${JSON.stringify(all)}`,
      what,
    );
  }

  /** POST /v1/processes/{pid}/{action}. */
  act(pid: number, req: ActionRequest, createTime: number, dryRun: boolean): Outcome {
    const bad = this.unknownCpus(req, { target: { pid, createTime } });
    if (bad) return bad;
    const opened = this.openGuarded(pid, createTime);
    if ('refused' in opened) return opened.refused;
    const t = opened.t;
    let group: string | null;
    let rec: AuditTarget;
    try {
      group = this.o.groups.groupOf(pid, t.startTicks);
      rec = targetRecord(t, group);
    } catch (err) {
      if (err instanceof NoSuchProcess)
        return fail(409, 'conflict', 'process_gone', `pid ${pid} exited; nothing was done`, {
          target: { pid, createTime },
        });
      throw err;
    }
    const decision = this.o.policy.decide(group, rec.username ?? null, req);
    if (!decision.allowed) return fail(403, 'denied', 'policy_denied', decision.reason, { target: rec, group });
    if (dryRun) {
      return {
        status: 200,
        decision: 'dry_run',
        reason: decision.reason,
        errno: null,
        target: rec,
        group,
        body: {
          dryRun: true,
          wouldDo: { action: req.action, ...describeRequest(req) },
          decision: 'allowed',
          reason: decision.reason,
          target: rec,
        },
      };
    }
    const r = this.perform(t, req);
    if ('error' in r) {
      return fail(r.error.status, r.error.decision, r.error.code, r.error.message, {
        target: rec,
        group,
        errno: r.errno,
        ...(r.raceFree === undefined ? {} : { raceFree: r.raceFree }),
      });
    }
    return {
      status: 200,
      decision: 'ok',
      reason: decision.reason,
      errno: null,
      target: rec,
      group,
      ...(r.raceFree === undefined ? {} : { raceFree: r.raceFree }),
      ...(r.identityAfter === undefined ? {} : { identityAfter: r.identityAfter }),
      body: {
        done: true,
        action: req.action,
        ...describeRequest(req),
        target: rec,
        previous: r.previous,
        current: r.current,
      },
    };
  }

  /**
   * Carries out one action on an opened, checked target: re-checks identity right before (psutil's
   * _raise_if_pid_reused; the library checks once more inside the call), then reads the setting back.
   */
  private perform(
    t: AdminTarget,
    req: ActionRequest,
  ):
    | { previous: unknown; current: unknown; raceFree?: boolean | null; identityAfter?: string }
    | { error: ReturnType<typeof actionError>; errno: string | null; raceFree?: boolean | null } {
    const what = `${req.action} on pid ${t.pid}`;
    let previous: unknown = null;
    try {
      if (!t.isRunning()) throw new NoSuchProcess(t.pid);
      switch (req.action) {
        case 'signal': {
          const { raceFree } = t.sendSignal(req.signum);
          return { previous: null, current: null, raceFree };
        }
        case 'nice':
          previous = maybe(() => t.nice());
          t.setNice(req.value);
          break;
        case 'ionice': {
          const before = maybe(() => t.ionice());
          previous = before && { ioclass: ioclassName(before.ioclass) ?? before.ioclass, value: before.value };
          t.setIonice(ioclassNumber(req.ioclass) as number, req.value);
          break;
        }
        case 'cpu_affinity':
          previous = maybe(() => t.cpuAffinity());
          t.setCpuAffinity(req.cpus);
          break;
        case 'rlimit': {
          const res = RLIMIT_RESOURCES.get(req.resource) as number;
          previous = maybe(() => t.rlimit(res));
          t.setRlimit(res, req.soft, req.hard);
          break;
        }
      }
    } catch (err) {
      return { error: actionError(err, what), errno: errnoOf(err) };
    }
    // setpriority, prlimit and sched_setaffinity have no pidfd form: verify the pid still names the same process
    // afterwards and record it (hardening B3). The read-back is best effort.
    let identityAfter = 'same';
    let current: unknown = null;
    try {
      if (!t.isRunning()) identityAfter = 'changed';
      else {
        switch (req.action) {
          case 'nice':
            current = maybe(() => t.nice());
            break;
          case 'ionice': {
            const io = maybe(() => t.ionice());
            current = io && { ioclass: ioclassName(io.ioclass) ?? io.ioclass, value: io.value };
            break;
          }
          case 'cpu_affinity':
            current = maybe(() => t.cpuAffinity());
            break;
          case 'rlimit':
            current = maybe(() => t.rlimit(RLIMIT_RESOURCES.get(req.resource) as number));
            break;
        }
      }
    } catch (err) {
      if (!(err instanceof NoSuchProcess)) throw err;
      identityAfter = 'gone';
    }
    return { previous, current, identityAfter };
  }

  /** POST /v1/groups/{name}/{action}: all-or-nothing checks, then the action on each member. */
  actGroup(name: string, req: ActionRequest, dryRun: boolean): Outcome {
    const bad = this.unknownCpus(req, { group: name });
    if (bad) return bad;
    // Deny by default before resolving anything: a group no rule names is not even looked up.
    if (!this.o.policy.namesGroup(name)) {
      return fail(
        403,
        'denied',
        'policy_denied',
        `no policy rule names group ${JSON.stringify(name)} (deny by default)`,
        { group: name },
      );
    }
    const ns = this.o.host.namespaceProblem();
    if (ns) return fail(409, 'conflict', 'foreign_pid_namespace', ns, { group: name });
    const pids = this.o.groups.members(name);
    if (pids.length === 0) return this.noSuchGroup(name);
    if (pids.length > this.o.maxGroupMembers) {
      return fail(
        400,
        'invalid',
        'group_too_large',
        `group ${JSON.stringify(name)} has ${pids.length} processes, more than admin.max_group_members (${this.o.maxGroupMembers})`,
        { group: name },
      );
    }
    // Resolve and check every member first: one protected or refused member refuses the whole request.
    const targets: Array<{ t: AdminTarget; rec: AuditTarget }> = [];
    for (const pid of pids) {
      const opened = this.openGuarded(pid, null);
      if ('refused' in opened) {
        const o = opened.refused;
        if (o.status === 404) continue; // exited since the grouping
        return {
          ...o,
          group: name,
          body: {
            error: { code: (o.body['error'] as { code: string }).code, message: `member ${pid}: ${o.reason ?? ''}` },
          },
        };
      }
      const t = opened.t;
      let rec: AuditTarget;
      let group: string | null;
      try {
        group = this.o.groups.groupOf(pid, t.startTicks);
        rec = targetRecord(t, group);
      } catch (err) {
        if (err instanceof NoSuchProcess) continue;
        throw err;
      }
      // Regrouped since members() (renamed, re-exec'd): it is no longer what the caller named.
      if (group !== name) continue;
      const d = this.o.policy.decide(name, rec.username ?? null, req);
      if (!d.allowed)
        return fail(403, 'denied', 'policy_denied', `member ${pid}: ${d.reason}`, { group: name, target: rec });
      targets.push({ t, rec });
    }
    if (targets.length === 0)
      return fail(404, 'not_found', 'no_such_group', `group ${JSON.stringify(name)} has no live processes`, {
        group: name,
      });
    if (dryRun) {
      return {
        status: 200,
        decision: 'dry_run',
        reason: 'allowed by policy',
        errno: null,
        target: null,
        group: name,
        members: targets.map(({ rec }) => ({ ...rec, status: 200, decision: 'dry_run' as const })),
        body: {
          dryRun: true,
          group: name,
          wouldDo: { action: req.action, ...describeRequest(req) },
          decision: 'allowed',
          members: targets.map(({ rec }) => rec),
        },
      };
    }
    const members: Array<
      AuditTarget & {
        status: number;
        decision: Decision;
        errno?: string | null;
        error?: string | null;
        raceFree?: boolean | null;
        identityAfter?: string;
        previous?: unknown;
        current?: unknown;
      }
    > = [];
    for (const { t, rec } of targets) {
      const r = this.perform(t, req);
      if ('error' in r) {
        members.push({
          ...rec,
          status: r.error.status,
          decision: r.error.decision,
          errno: r.errno,
          error: r.error.message,
        });
      } else {
        members.push({
          ...rec,
          status: 200,
          decision: 'ok',
          previous: r.previous,
          current: r.current,
          ...(r.raceFree === undefined ? {} : { raceFree: r.raceFree }),
          ...(r.identityAfter === undefined ? {} : { identityAfter: r.identityAfter }),
        });
      }
    }
    const failed = members.filter((m) => m.status !== 200).length;
    return {
      status: 200,
      decision: failed === 0 ? 'ok' : 'failed',
      reason: failed === 0 ? null : `${failed} of ${members.length} members failed`,
      errno: null,
      target: null,
      group: name,
      members,
      body: {
        done: true,
        group: name,
        action: req.action,
        ...describeRequest(req),
        succeeded: members.length - failed,
        failed,
        members,
      },
    };
  }
}
