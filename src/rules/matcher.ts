/**
 * Compiled process_names rules: process-exporter's matchers (comm: any of, exe: any of, cmdline: all of, RE2 regexps
 * over argv joined by spaces with named captures into .Matches), our selectors (user, cgroup, container_id, pod_uid,
 * pod_name, namespace, container_name, systemd_unit, parent) and the name and label templates. A rule matches when every selector it has matches; the first matching
 * rule names the process.
 *
 * Facts are pulled lazily through MatchSubject, cheapest selectors first, so that a process whose comm already fails
 * never has its cmdline read.
 */
import type { RE2JS } from 're2js';
import type { ProcessCgroup } from '../index';
import { identityFromCgroupPath, identityOf } from '../probes/linux/parse/cgroupid';
import { cgroupIdentity, type CgroupIdentity } from './cgroup';
import type { CompiledTemplate, TemplateField, TemplateValues } from './template';
import { goBase, labelValue } from './text';
import type { FactNeeds, PodNames } from './types';

/** A regexp in Go's RE2 syntax, with its named groups. */
export class GoRegexp {
  readonly source: string;
  readonly names: readonly string[];
  private readonly re: RE2JS;

  /** Throws RE2JSSyntaxException (message names the problem) on a bad pattern. */
  constructor(source: string) {
    this.source = source;
    // Loaded with the first regexp: a worker without rules never holds re2js (see config.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: re2js loads with the first regexp (comment above)
    this.re = (require('re2js') as typeof import('re2js')).RE2JS.compile(source);
    this.names = Object.keys(this.re.namedGroups());
  }

  /**
   * Go's FindStringSubmatch: null when there is no match, else the named captures ("" for a group that did not take
   * part, as Go reports it). Patterns without named groups take re2js's DFA path (no capture bookkeeping).
   */
  find(input: string): Record<string, string> | null {
    if (this.names.length === 0) return this.re.test(input) ? EMPTY : null;
    // test() first: the DFA rejects most inputs far faster than a capturing match would.
    if (!this.re.test(input)) return null;
    const m = this.re.exec(input);
    if (m === null) return null;
    const groups = (m as unknown as { groups?: Record<string, string | undefined> }).groups ?? {};
    const out: Record<string, string> = {};
    for (const n of this.names) out[n] = groups[n] ?? '';
    return out;
  }
}

const EMPTY: Record<string, string> = Object.freeze({});

/**
 * Cgroup facts of a process, parsed once per (pid, start time): a process keeps its container and pod for life (a
 * cgroup move, as by systemd-run --scope, is seen again only by a recheck).
 */
export interface CgroupFacts {
  readonly paths: readonly string[];
  readonly identity: CgroupIdentity;
  /** The last *.service / *.scope component of the systemd trees (the unified line, then name=systemd, then any). */
  readonly systemdUnit: string | null;
  /** The process's cgroup in the memory controller's hierarchy (its v1 line, else the unified one). */
  readonly memoryPath: string | null;
}

/** From the lines of /proc/<pid>/cgroup as Process.cgroups() gives them. */
export function cgroupFacts(lines: readonly ProcessCgroup[]): CgroupFacts {
  let identity = cgroupIdentity(lines);
  if (identity.containerId === null || identity.podUid === null) {
    // The library's reading knows layouts the rules' first reading does not (a static pod's 32-hex UID, the
    // "slice:cri-containerd:<id>" colon form, crio-<id> under cgroupfs): it fills in what is missing, never overrides.
    const lib = identityOf(lines);
    if (
      (identity.containerId === null && lib.containerId !== null) ||
      (identity.podUid === null && lib.podUid !== null)
    )
      identity = Object.freeze({
        containerId: identity.containerId ?? lib.containerId,
        podUid: identity.podUid ?? lib.podUid,
        runtime: identity.containerId === null ? lib.runtime : identity.runtime,
      });
  }
  const ordered = [
    ...lines.filter((l) => l.hierarchyId === 0),
    ...lines.filter((l) => l.controllers.includes('name=systemd')),
    ...lines,
  ];
  let systemdUnit: string | null = null;
  for (const l of ordered) {
    systemdUnit = identityFromCgroupPath(l.path).systemdUnit;
    if (systemdUnit !== null) break;
  }
  const mem = lines.find((l) => l.controllers.includes('memory')) ?? lines.find((l) => l.hierarchyId === 0);
  return Object.freeze({
    paths: Object.freeze(lines.map((l) => l.path)),
    identity,
    systemdUnit,
    memoryPath: mem === undefined ? null : mem.path.replace(/ \(deleted\)$/, ''),
  });
}

/**
 * How long a process may wait for its pod's or container's name: the kubelet links /var/log/containers/... only after
 * the runtime started the container, so a process seen in between would otherwise keep an empty name for life.
 * Afterwards (a pod sandbox's pause process never gets a link), the name is "" and the decision is kept.
 */
export const NAME_GRACE_SECONDS = 30;

/** A process's pod and container names, and whether they may still appear (see NAME_GRACE_SECONDS). */
export interface K8sNames {
  readonly pod: { readonly namespace: string; readonly name: string } | null;
  readonly container: string | null;
  readonly pending: boolean;
}

const NO_NAMES: K8sNames = Object.freeze({ pod: null, container: null, pending: false });

/** The names of the subject's pod and container from the pass's pod log index. */
export function k8sNames(s: MatchSubject, cg: CgroupFacts): K8sNames {
  const { podUid, containerId } = cg.identity;
  if (podUid === null && containerId === null) return NO_NAMES;
  const index = s.podNames();
  if (index === null) return NO_NAMES;
  const pod = podUid === null ? null : index.pod(podUid);
  const container = containerId === null ? null : index.container(containerId);
  // A container outside any pod (docker, podman) has no kubelet log link to wait for.
  const missing = podUid !== null && (pod === null || (containerId !== null && container === null));
  return Object.freeze({ pod, container, pending: missing && s.ageSeconds < NAME_GRACE_SECONDS });
}

/** What a rule may ask about a process. Each getter returns null when the fact cannot be read right now. */
export interface MatchSubject {
  readonly pid: number;
  readonly comm: string;
  /** Start time as Go prints it (see goTimeString). */
  readonly startTimeString: string;
  cmdline(): readonly string[] | null;
  username(): string | null;
  cgroups(): CgroupFacts | null;
  cwd(): string | null;
  /** The pass's pod and container name index; null when there is none (no kubelet log directory). */
  podNames(): PodNames | null;
  /** Seconds since the process started. */
  readonly ageSeconds: number;
  /**
   * The group name of the parent process; null when the parent is in no group or not listed; undefined when the
   * parent itself is still undecided (a fact of it could not be read).
   */
  parentGroup(): string | null | undefined;
}

/** A rule's verdict on one process. */
export type MatchResult =
  | { readonly kind: 'match'; readonly name: string; readonly labels: Readonly<Record<string, string>> }
  | { readonly kind: 'nomatch' }
  /** A fact the rule needs could not be read (process gone, permission): decide again next cycle. */
  | { readonly kind: 'undecided' };

const NOMATCH: MatchResult = Object.freeze({ kind: 'nomatch' });
const UNDECIDED: MatchResult = Object.freeze({ kind: 'undecided' });

export interface RuleParts {
  readonly index: number;
  readonly name: CompiledTemplate;
  readonly labels: ReadonlyArray<readonly [string, CompiledTemplate]>;
  readonly comm: readonly string[] | null;
  readonly exe: readonly string[] | null;
  readonly cmdline: readonly GoRegexp[] | null;
  readonly user: readonly string[] | null;
  readonly cgroup: readonly GoRegexp[] | null;
  readonly containerId: readonly string[] | null;
  readonly podUid: readonly string[] | null;
  /** Whole-value regexps (see anchoredRegexp), any of which matches. */
  readonly podName?: readonly GoRegexp[] | null;
  readonly namespace?: readonly GoRegexp[] | null;
  readonly containerName?: readonly GoRegexp[] | null;
  readonly systemdUnit?: readonly GoRegexp[] | null;
  readonly parent: readonly string[] | null;
  readonly perProcess: boolean;
}

/** A regexp that must match the whole value: a plain name (`kube-system`, `nginx.service`) then matches itself. */
export function anchoredRegexp(source: string): GoRegexp {
  return new GoRegexp(`^(?:${source})$`);
}

/** The named captures of the first regexp of the list matching the value; null when none matches (or no value). */
function anyOf(list: readonly GoRegexp[], value: string | null): Record<string, string> | null {
  if (value === null) return null;
  for (const re of list) {
    const m = re.find(value);
    if (m !== null) return m;
  }
  return null;
}

export class Rule {
  readonly index: number;
  readonly nameTemplate: CompiledTemplate;
  readonly labelTemplates: ReadonlyArray<readonly [string, CompiledTemplate]>;
  readonly perProcess: boolean;
  /** Name and labels are literal: the group exists from the start, with num_procs 0 while empty. */
  readonly isStatic: boolean;
  readonly needs: FactNeeds;
  readonly usesParent: boolean;
  private readonly comm: ReadonlySet<string> | null;
  private readonly exeBases: ReadonlySet<string> | null;
  private readonly exePaths: ReadonlySet<string> | null;
  private readonly cmdline: readonly GoRegexp[] | null;
  private readonly user: ReadonlySet<string> | null;
  private readonly cgroup: readonly GoRegexp[] | null;
  private readonly containerIds: readonly string[] | null;
  private readonly podUids: ReadonlySet<string> | null;
  private readonly podName: readonly GoRegexp[] | null;
  private readonly namespace: readonly GoRegexp[] | null;
  private readonly containerName: readonly GoRegexp[] | null;
  private readonly systemdUnit: readonly GoRegexp[] | null;
  /** Some selector or field uses the pod log index. */
  private readonly usesNames: boolean;
  private readonly parents: ReadonlySet<string> | null;
  private readonly fields: ReadonlySet<TemplateField>;

  constructor(p: RuleParts) {
    this.index = p.index;
    this.nameTemplate = p.name;
    this.labelTemplates = p.labels;
    this.perProcess = p.perProcess;
    this.comm = p.comm ? new Set(p.comm) : null;
    if (p.exe) {
      // process-exporter: an entry with a '/' must equal argv[0]; a bare name must equal argv[0]'s basename.
      this.exeBases = new Set(p.exe.filter((e) => !e.includes('/')));
      this.exePaths = new Set(p.exe.filter((e) => e.includes('/')));
    } else {
      this.exeBases = null;
      this.exePaths = null;
    }
    this.cmdline = p.cmdline;
    this.user = p.user ? new Set(p.user) : null;
    this.cgroup = p.cgroup;
    this.containerIds = p.containerId ? p.containerId.map((c) => c.toLowerCase()) : null;
    this.podUids = p.podUid ? new Set(p.podUid.map(normalizePodUid)) : null;
    this.podName = p.podName ?? null;
    this.namespace = p.namespace ?? null;
    this.containerName = p.containerName ?? null;
    this.systemdUnit = p.systemdUnit ?? null;
    this.parents = p.parent ? new Set(p.parent) : null;
    this.usesParent = p.parent !== null;
    const fields = new Set<TemplateField>(p.name.fields);
    for (const [, t] of p.labels) for (const f of t.fields) fields.add(f);
    this.fields = fields;
    this.usesNames =
      this.podName !== null ||
      this.namespace !== null ||
      this.containerName !== null ||
      fields.has('PodName') ||
      fields.has('Namespace') ||
      fields.has('ContainerName');
    this.isStatic = p.name.isStatic && p.labels.every(([, t]) => t.isStatic);
    this.needs = Object.freeze({
      cmdline: p.exe !== null || p.cmdline !== null || fields.has('ExeBase') || fields.has('ExeFull'),
      username: p.user !== null || fields.has('Username'),
      cgroups:
        p.cgroup !== null ||
        p.containerId !== null ||
        p.podUid !== null ||
        this.systemdUnit !== null ||
        this.usesNames ||
        fields.has('Cgroups') ||
        fields.has('ContainerID') ||
        fields.has('PodUID') ||
        fields.has('SystemdUnit'),
      cwd: fields.has('Cwd'),
      podNames: this.usesNames,
    });
  }

  /** The static group name and labels; only meaningful when isStatic. */
  staticNaming(): { name: string; labels: Record<string, string> } {
    const values = STATIC_VALUES;
    return { name: labelValue(this.nameTemplate.render(values)), labels: this.renderLabels(values) };
  }

  match(s: MatchSubject): MatchResult {
    // Cheapest first; each selector present must match.
    if (this.comm !== null && !this.comm.has(s.comm)) return NOMATCH;
    let cmdline: readonly string[] | null = null;
    if (this.exeBases !== null && this.exePaths !== null) {
      cmdline = s.cmdline();
      if (cmdline === null) return UNDECIDED;
      const argv0 = cmdline[0];
      if (argv0 === undefined) return NOMATCH;
      if (!this.exePaths.has(argv0) && !this.exeBases.has(goBase(argv0))) return NOMATCH;
    }
    if (this.user !== null) {
      const u = s.username();
      if (u === null) return UNDECIDED;
      if (!this.user.has(u)) return NOMATCH;
    }
    let cg: CgroupFacts | null = null;
    let matches: Record<string, string> | null = null;
    let names: K8sNames | null = null;
    if (
      this.containerIds !== null ||
      this.podUids !== null ||
      this.cgroup !== null ||
      this.systemdUnit !== null ||
      this.usesNames
    ) {
      cg = s.cgroups();
      if (cg === null) return UNDECIDED;
      if (this.containerIds !== null && !matchContainer(this.containerIds, cg.identity.containerId)) return NOMATCH;
      if (this.podUids !== null && !matchPod(this.podUids, cg.identity.podUid)) return NOMATCH;
      if (this.systemdUnit !== null) {
        const m = anyOf(this.systemdUnit, cg.systemdUnit);
        if (m === null) return NOMATCH;
        if (m !== EMPTY) matches = Object.assign(matches ?? {}, m);
      }
      if (this.podName !== null || this.namespace !== null || this.containerName !== null) {
        names = k8sNames(s, cg);
        for (const [list, value] of [
          [this.namespace, names.pod?.namespace ?? null],
          [this.podName, names.pod?.name ?? null],
          [this.containerName, names.container],
        ] as const) {
          if (list === null) continue;
          const m = anyOf(list, value);
          if (m === null) return names.pending ? UNDECIDED : NOMATCH;
          if (m !== EMPTY) matches = Object.assign(matches ?? {}, m);
        }
      }
    }
    if (this.parents !== null) {
      const pg = s.parentGroup();
      if (pg === undefined) return UNDECIDED;
      if (pg === null || !this.parents.has(pg)) return NOMATCH;
    }
    if (this.cmdline !== null) {
      if (cmdline === null) cmdline = s.cmdline();
      if (cmdline === null) return UNDECIDED;
      const joined = cmdline.join(' ');
      for (const re of this.cmdline) {
        const m = re.find(joined);
        if (m === null) return NOMATCH;
        if (m !== EMPTY) matches = Object.assign(matches ?? {}, m);
      }
    }
    if (this.cgroup !== null && cg !== null) {
      for (const re of this.cgroup) {
        let hit: Record<string, string> | null = null;
        for (const path of cg.paths) {
          hit = re.find(path);
          if (hit !== null) break;
        }
        if (hit === null) return NOMATCH;
        if (hit !== EMPTY) matches = Object.assign(matches ?? {}, hit);
      }
    }
    const values = new SubjectValues(s, matches ?? EMPTY, cg, names);
    if (this.fields.has('Cwd') && s.cwd() === null) return UNDECIDED;
    if ((this.fields.has('ExeBase') || this.fields.has('ExeFull')) && s.cmdline() === null) return UNDECIDED;
    if (this.fields.has('Username') && s.username() === null) return UNDECIDED;
    if (
      (this.fields.has('Cgroups') ||
        this.fields.has('ContainerID') ||
        this.fields.has('PodUID') ||
        this.fields.has('SystemdUnit') ||
        this.usesNames) &&
      values.cg() === null
    ) {
      return UNDECIDED;
    }
    if (this.usesNames && values.names().pending) return UNDECIDED;
    return { kind: 'match', name: labelValue(this.nameTemplate.render(values)), labels: this.renderLabels(values) };
  }

  private renderLabels(values: TemplateValues): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, t] of this.labelTemplates) out[k] = labelValue(t.render(values));
    return out;
  }
}

function matchContainer(wanted: readonly string[], id: string | null): boolean {
  if (id === null) return false;
  for (const w of wanted) if (w === '*' || id.startsWith(w)) return true;
  return false;
}

function matchPod(wanted: ReadonlySet<string>, uid: string | null): boolean {
  if (uid === null) return false;
  return wanted.has('*') || wanted.has(uid);
}

/** Pod UIDs appear with underscores in systemd slice names; compare them with dashes, lowercase. */
export function normalizePodUid(s: string): string {
  return s.toLowerCase().replace(/_/g, '-');
}

/** Template values read lazily from a subject: a field the templates do not use is never read. */
class SubjectValues implements TemplateValues {
  private cgCache: CgroupFacts | null | undefined;
  private namesCache: K8sNames | undefined;
  constructor(
    private readonly s: MatchSubject,
    readonly Matches: Readonly<Record<string, string>>,
    cg: CgroupFacts | null,
    names: K8sNames | null,
  ) {
    this.cgCache = cg ?? undefined;
    this.namesCache = names ?? undefined;
  }
  cg(): CgroupFacts | null {
    if (this.cgCache === undefined) this.cgCache = this.s.cgroups();
    return this.cgCache;
  }
  names(): K8sNames {
    if (this.namesCache === undefined) {
      const cg = this.cg();
      this.namesCache = cg === null ? NO_NAMES : k8sNames(this.s, cg);
    }
    return this.namesCache;
  }
  get Comm(): string {
    return this.s.comm;
  }
  // process-exporter: with an empty cmdline (kernel threads), ExeBase and ExeFull fall back to comm.
  get ExeFull(): string {
    const argv0 = this.s.cmdline()?.[0];
    return argv0 === undefined ? this.s.comm : argv0;
  }
  get ExeBase(): string {
    const argv0 = this.s.cmdline()?.[0];
    return argv0 === undefined ? this.s.comm : goBase(argv0);
  }
  get Username(): string {
    return this.s.username() ?? '';
  }
  get PID(): number {
    return this.s.pid;
  }
  get StartTime(): string {
    return this.s.startTimeString;
  }
  get Cgroups(): readonly string[] {
    return this.cg()?.paths ?? [];
  }
  get Cwd(): string {
    return this.s.cwd() ?? '';
  }
  get ContainerID(): string {
    return this.cg()?.identity.containerId ?? '';
  }
  get PodUID(): string {
    return this.cg()?.identity.podUid ?? '';
  }
  get PodName(): string {
    return this.names().pod?.name ?? '';
  }
  get Namespace(): string {
    return this.names().pod?.namespace ?? '';
  }
  get ContainerName(): string {
    return this.names().container ?? '';
  }
  get SystemdUnit(): string {
    return this.cg()?.systemdUnit ?? '';
  }
}

const STATIC_VALUES: TemplateValues = Object.freeze({
  Comm: '',
  ExeBase: '',
  ExeFull: '',
  Username: '',
  PID: 0,
  StartTime: '',
  Cgroups: [],
  Cwd: '',
  Matches: {},
  ContainerID: '',
  PodUID: '',
  PodName: '',
  Namespace: '',
  ContainerName: '',
  SystemdUnit: '',
});
