/**
 * The configured policy, deny by default: a request is allowed only when some rule names the target's group (and,
 * if the rule lists users, the target's user) and allows this very action with these very parameters. HTTP can only
 * trigger what the config already permits (Consul's lesson from its script-check RCE).
 */
import type { PolicyRule } from './config';
import type { ActionRequest } from './requests';

export interface PolicyDecision {
  readonly allowed: boolean;
  /** Why, in words an operator can act on. */
  readonly reason: string;
  /** Index of the rule that allowed the request, or null. */
  readonly rule: number | null;
}

/** What the policy allows for one target, as GET shows it. */
export interface AllowedActions {
  readonly signals: readonly string[];
  readonly nice: { readonly min: number; readonly max: number } | null;
  readonly ioniceClasses: readonly string[];
  readonly cpuAffinity: boolean | readonly number[];
  readonly rlimits: Readonly<Record<string, { readonly min: number | null; readonly max: number }>>;
}

function inBound(v: number, min: number | null, max: number): boolean {
  if (v === -1) return max === -1;
  if (min !== null && v < min) return false;
  return max === -1 || v <= max;
}

function ruleAllows(rule: PolicyRule, req: ActionRequest): string | null {
  switch (req.action) {
    case 'signal':
      return rule.signals.includes(req.signal) ? null : `${req.signal} is not allowed`;
    case 'nice':
      if (rule.nice === null) return 'nice is not allowed';
      return req.value >= rule.nice.min && req.value <= rule.nice.max
        ? null
        : `nice ${req.value} is outside ${rule.nice.min}..${rule.nice.max}`;
    case 'ionice':
      return rule.ioniceClasses.includes(req.ioclass) ? null : `ionice class ${req.ioclass} is not allowed`;
    case 'cpu_affinity': {
      if (rule.cpuAffinity === true) return null;
      if (rule.cpuAffinity === false) return 'cpu affinity is not allowed';
      const allowed = rule.cpuAffinity;
      // An empty request means "all eligible CPUs", which a restricted rule cannot vouch for.
      if (req.cpus.length === 0) return `only CPUs ${allowed.join(',')} may be set`;
      const bad = req.cpus.filter((c) => !allowed.includes(c));
      return bad.length === 0 ? null : `CPUs ${bad.join(',')} are not allowed (allowed: ${allowed.join(',')})`;
    }
    case 'rlimit': {
      const b = rule.rlimits.get(req.resource);
      if (b === undefined) return `rlimit ${req.resource} is not allowed`;
      for (const [k, v] of [
        ['soft', req.soft],
        ['hard', req.hard],
      ] as const) {
        if (!inBound(v, b.min, b.max)) {
          const range = `${b.min ?? 0}..${b.max === -1 ? 'unlimited' : b.max}`;
          return `${req.resource} ${k} ${v === -1 ? 'unlimited' : v} is outside ${range}`;
        }
      }
      return null;
    }
  }
}

export class Policy {
  constructor(private readonly rules: readonly PolicyRule[]) {}

  /** Whether any rule names the group at all (a group route is refused before its members are even resolved). */
  namesGroup(group: string): boolean {
    return this.rules.some((r) => r.groups.includes(group));
  }

  private applicable(group: string | null, username: string | null): Array<[number, PolicyRule]> {
    if (group === null) return [];
    const out: Array<[number, PolicyRule]> = [];
    this.rules.forEach((r, i) => {
      if (r.groups.includes(group) && (r.users === null || (username !== null && r.users.includes(username))))
        out.push([i, r]);
    });
    return out;
  }

  decide(group: string | null, username: string | null, req: ActionRequest): PolicyDecision {
    if (group === null)
      return { allowed: false, reason: 'the process belongs to no group (deny by default)', rule: null };
    const rules = this.applicable(group, username);
    if (rules.length === 0) {
      const why = this.namesGroup(group)
        ? `no policy rule for group ${JSON.stringify(group)} covers user ${JSON.stringify(username)}`
        : `no policy rule names group ${JSON.stringify(group)} (deny by default)`;
      return { allowed: false, reason: why, rule: null };
    }
    let reason = '';
    for (const [i, r] of rules) {
      const no = ruleAllows(r, req);
      if (no === null) return { allowed: true, reason: `allowed by admin.policy[${i}]`, rule: i };
      reason ||= no;
    }
    return { allowed: false, reason: `${reason} for group ${JSON.stringify(group)}`, rule: null };
  }

  /** The union of what the applicable rules allow, for GET responses. */
  allowed(group: string | null, username: string | null): AllowedActions {
    const signals = new Set<string>();
    const classes = new Set<string>();
    let nice: { min: number; max: number } | null = null;
    let cpu: boolean | number[] = false;
    const rlimits: Record<string, { min: number | null; max: number }> = {};
    for (const [, r] of this.applicable(group, username)) {
      r.signals.forEach((s) => signals.add(s));
      r.ioniceClasses.forEach((c) => classes.add(c));
      if (r.nice)
        nice = nice ? { min: Math.min(nice.min, r.nice.min), max: Math.max(nice.max, r.nice.max) } : { ...r.nice };
      if (r.cpuAffinity === true || cpu === true) cpu = r.cpuAffinity === true || cpu === true;
      else if (r.cpuAffinity !== false)
        cpu = [...new Set([...(cpu === false ? [] : cpu), ...r.cpuAffinity])].sort((a, b) => a - b);
      for (const [k, b] of r.rlimits) {
        const prev = rlimits[k];
        // Shown per rule union only approximately (the widest bounds); decide() is the authority.
        rlimits[k] = prev
          ? {
              min: prev.min === null || b.min === null ? null : Math.min(prev.min, b.min),
              max: prev.max === -1 || b.max === -1 ? -1 : Math.max(prev.max, b.max),
            }
          : { min: b.min, max: b.max };
      }
    }
    return Object.freeze({
      signals: [...signals],
      nice,
      ioniceClasses: [...classes],
      cpuAffinity: cpu,
      rlimits,
    });
  }
}
