/**
 * The `process_names` section (process-exporter's format as is, plus our selectors and labels) and the options of the
 * process_groups collector: validation with the path and line of every problem, and compilation into a RuleSet.
 *
 * process-exporter keys:  name, comm, exe, cmdline
 * ours:                   user, cgroup, container_id, pod_uid, pod_name, namespace, container_name, systemd_unit,
 *                         parent, labels, per_process
 *
 * The whole file is checked before anything is used: a bad file yields every problem at once (RulesConfigError) and
 * the caller keeps its previous rules.
 */
// yaml and re2js load when a file is parsed or a regexp compiled (type-only here): the agent's collection worker
// holds no rules on the default config and kept about 8 MB resident for them (bench/agent.js, side by side).
import type { LineCounter, Node as YamlNode } from 'yaml';
import { anchoredRegexp, GoRegexp, Rule } from './matcher';
import { compileTemplate, TemplateError, type CompiledTemplate } from './template';
import { LABEL_NAME } from './text';
import type { FactNeeds } from './types';

export type ConfigPath = ReadonlyArray<string | number>;

export interface ConfigIssue {
  readonly severity: 'error' | 'warning';
  /** Dotted path such as process_names[2].cmdline[0]. */
  readonly path: string;
  readonly message: string;
  /** 1-based, when the source text is known. */
  readonly line?: number;
  readonly col?: number;
}

/** Where a config path is in the source text, if known. */
export type Locate = (path: ConfigPath) => { line: number; col: number } | undefined;

export class RulesConfigError extends Error {
  readonly code = 'ERR_RULES_CONFIG';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], file?: string) {
    const errors = issues.filter((i) => i.severity === 'error');
    super(
      `invalid process groups config${file ? ` in ${file}` : ''} (${errors.length} error${errors.length === 1 ? '' : 's'}):\n` +
        errors.map((i) => '  ' + formatIssue(i, file)).join('\n'),
    );
    this.name = 'RulesConfigError';
    this.issues = issues;
  }
}

/** "file:12:7: process_names[1].cmdline[0]: message" */
export function formatIssue(i: ConfigIssue, file?: string): string {
  const where = i.line !== undefined ? `${file ?? '<config>'}:${i.line}:${i.col ?? 1}: ` : file ? `${file}: ` : '';
  return `${where}${i.severity === 'warning' ? 'warning: ' : ''}${i.path}: ${i.message}`;
}

export function formatPath(path: ConfigPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

// ---- collector options -------------------------------------------------------------------------------------------

/** The base families that can be left out (names without the namedprocess_namegroup_ prefix). */
export const GROUP_FAMILIES = [
  'num_procs',
  'cpu_seconds_total',
  'read_bytes_total',
  'write_bytes_total',
  'major_page_faults_total',
  'minor_page_faults_total',
  'context_switches_total',
  'memory_bytes',
  'open_filedesc',
  'worst_fd_ratio',
  'oldest_start_time_seconds',
  'num_threads',
  'states',
  // ours: psutil_group_memory_limit_bytes
  'memory_limit_bytes',
] as const;
export type GroupFamily = (typeof GROUP_FAMILIES)[number];

export interface GroupOptions {
  readonly enabled: boolean;
  /** Unmatched processes count in their nearest matched ancestor's group (process-exporter -children). */
  readonly children: boolean;
  /** Re-match processes that are in no group on every cycle (process-exporter -recheck). */
  readonly recheck: boolean;
  /** Re-match every process younger than this many seconds on every cycle; 0: off. */
  readonly recheckWithTimeLimit: number;
  /** Per-thread reads: thread families, and states and context switches summed over threads as process-exporter does. */
  readonly threads: boolean;
  /** smaps_rollup reads: memory_bytes{memtype="proportionalResident|proportionalSwapped"}. */
  readonly gatherSmaps: boolean;
  /** A group made by a template disappears after this many seconds without members; null: never; 0: at once. */
  readonly removeEmptyGroupsAfter: number | null;
  /** At most this many processes get per-process series (rules with per_process: true). */
  readonly perProcessLimit: number;
  /** At most this many groups exist: a process whose group would be one more is left in no group (and counted). */
  readonly maxGroups: number;
  readonly excludeFamilies: ReadonlySet<GroupFamily>;
  /**
   * The kubelet's pod log directory as the agent sees it (/var/log/containers beside it): pod and container names for
   * {{.PodName}}, {{.Namespace}}, {{.ContainerName}} and their selectors.
   */
  readonly podLogsDir: string;
}

export const DEFAULT_GROUP_OPTIONS: GroupOptions = Object.freeze({
  enabled: true,
  children: true,
  recheck: false,
  recheckWithTimeLimit: 0,
  threads: false,
  gatherSmaps: false,
  removeEmptyGroupsAfter: 600,
  perProcessLimit: 100,
  maxGroups: 1000,
  excludeFamilies: new Set<GroupFamily>(),
  podLogsDir: '/var/log/pods',
});

const OPTION_KEYS = [
  'enabled',
  'timeout',
  'children',
  'recheck',
  'recheck_with_time_limit',
  'threads',
  'gather_smaps',
  'remove_empty_groups_after',
  'per_process_limit',
  'max_groups',
  'exclude_families',
  'pod_logs_dir',
] as const;

/** Go-style duration ("90s", "1m30s", "1.5h", "0") or a number of seconds. */
export function parseDuration(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * (unit[m[2] ?? ''] ?? NaN);
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 && Number.isFinite(total) ? total : null;
}

// ---- validation ----------------------------------------------------------------------------------------------------

const RULE_KEYS = [
  'name',
  'comm',
  'exe',
  'cmdline',
  'user',
  'cgroup',
  'container_id',
  'pod_uid',
  'pod_name',
  'namespace',
  'container_name',
  'systemd_unit',
  'parent',
  'labels',
  'per_process',
] as const;

/** Labels our families already use, and Prometheus's reserved ones. */
const RESERVED_LABELS = new Set([
  'groupname',
  'mode',
  'memtype',
  'ctxswitchtype',
  'state',
  'threadname',
  'iomode',
  'wchan',
  'pid',
  'le',
  'quantile',
]);

const HEX_PREFIX = /^[0-9a-fA-F]{1,64}$/;
// A static (file or URL) pod's UID is the md5 of its manifest: 32 hex digits without dashes.
const POD_UID =
  /^(?:[0-9a-fA-F]{8}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{12}|[0-9a-fA-F]{32})$/;

class Checker {
  readonly issues: ConfigIssue[] = [];
  constructor(private readonly locate: Locate | undefined) {}

  add(severity: ConfigIssue['severity'], path: ConfigPath, message: string): void {
    const loc = this.locate?.(path);
    this.issues.push(
      Object.freeze({ severity, path: formatPath(path), message, ...(loc ? { line: loc.line, col: loc.col } : {}) }),
    );
  }
  error(path: ConfigPath, message: string): void {
    this.add('error', path, message);
  }
  warn(path: ConfigPath, message: string): void {
    this.add('warning', path, message);
  }
  get failed(): boolean {
    return this.issues.some((i) => i.severity === 'error');
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A YAML scalar as Go's yaml.v2 puts it into a string field: numbers and booleans by their text. */
function scalarString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function stringList(c: Checker, path: ConfigPath, v: unknown): string[] | null {
  if (!Array.isArray(v)) {
    c.error(path, `must be a list of strings, got ${describe(v)}`);
    return null;
  }
  const out: string[] = [];
  v.forEach((item, i) => {
    const s = scalarString(item);
    if (s === null) c.error([...path, i], `must be a string, got ${describe(item)}`);
    else out.push(s);
  });
  if (v.length === 0) c.warn(path, 'an empty list never matches: this rule matches no process');
  return out;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function regexps(c: Checker, path: ConfigPath, v: unknown): GoRegexp[] | null {
  const list = stringList(c, path, v);
  if (list === null) return null;
  const out: GoRegexp[] = [];
  list.forEach((src, i) => {
    try {
      out.push(new GoRegexp(src));
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: re2js loads with the first regexp (rules/matcher.ts)
      if (err instanceof (require('re2js') as typeof import('re2js')).RE2JSException)
        c.error([...path, i], `bad regexp ${JSON.stringify(src)}: ${err.message}`);
      else throw err;
    }
  });
  return out;
}

/** Regexps that must match a whole name (anchoredRegexp); the error names the pattern as written. */
function nameRegexps(c: Checker, path: ConfigPath, v: unknown): GoRegexp[] | null {
  const list = stringList(c, path, v);
  if (list === null) return null;
  const out: GoRegexp[] = [];
  list.forEach((src, i) => {
    try {
      out.push(anchoredRegexp(src));
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: re2js loads with the first regexp (rules/matcher.ts)
      if (err instanceof (require('re2js') as typeof import('re2js')).RE2JSException)
        c.error([...path, i], `bad regexp ${JSON.stringify(src)}: ${err.message}`);
      else throw err;
    }
  });
  return out;
}

function template(c: Checker, path: ConfigPath, src: string): CompiledTemplate | null {
  try {
    return compileTemplate(src);
  } catch (err) {
    if (err instanceof TemplateError) {
      c.error(path, `bad template ${JSON.stringify(src)}: ${err.message}`);
      return null;
    }
    throw err;
  }
}

/** One validated process_names entry, before compilation. */
function checkRule(c: Checker, index: number, raw: unknown, base: ConfigPath): Rule | null {
  const path = [...base, index];
  if (!isPlainObject(raw)) {
    c.error(path, `each process_names entry must be a mapping, got ${describe(raw)}`);
    return null;
  }
  const before = c.issues.filter((i) => i.severity === 'error').length;
  for (const k of Object.keys(raw)) {
    if (!(RULE_KEYS as readonly string[]).includes(k)) {
      c.error([...path, k], `unknown key "${k}" (known: ${RULE_KEYS.join(', ')})`);
    }
  }
  const has = (k: string) => raw[k] !== undefined;

  let nameSrc = '{{.ExeBase}}';
  if (has('name') && raw['name'] !== null) {
    const n = scalarString(raw['name']);
    if (n === null) c.error([...path, 'name'], `must be a string, got ${describe(raw['name'])}`);
    else if (n !== '') nameSrc = n; // process-exporter: an empty name means the default template
  }
  const name = template(c, [...path, 'name'], nameSrc);

  const comm = has('comm') ? stringList(c, [...path, 'comm'], raw['comm']) : null;
  const exe = has('exe') ? stringList(c, [...path, 'exe'], raw['exe']) : null;
  const cmdline = has('cmdline') ? regexps(c, [...path, 'cmdline'], raw['cmdline']) : null;
  const user = has('user') ? stringList(c, [...path, 'user'], raw['user']) : null;
  const cgroup = has('cgroup') ? regexps(c, [...path, 'cgroup'], raw['cgroup']) : null;
  const parent = has('parent') ? stringList(c, [...path, 'parent'], raw['parent']) : null;
  const containerId = has('container_id') ? stringList(c, [...path, 'container_id'], raw['container_id']) : null;
  containerId?.forEach((v, i) => {
    if (v !== '*' && !HEX_PREFIX.test(v)) {
      c.error(
        [...path, 'container_id', i],
        `must be "*" or (a prefix of) a 64-hex-digit container id, got ${JSON.stringify(v)}`,
      );
    }
  });
  const podName = has('pod_name') ? nameRegexps(c, [...path, 'pod_name'], raw['pod_name']) : null;
  const namespace = has('namespace') ? nameRegexps(c, [...path, 'namespace'], raw['namespace']) : null;
  const containerName = has('container_name')
    ? nameRegexps(c, [...path, 'container_name'], raw['container_name'])
    : null;
  const systemdUnit = has('systemd_unit') ? nameRegexps(c, [...path, 'systemd_unit'], raw['systemd_unit']) : null;
  const podUid = has('pod_uid') ? stringList(c, [...path, 'pod_uid'], raw['pod_uid']) : null;
  podUid?.forEach((v, i) => {
    if (v !== '*' && !POD_UID.test(v))
      c.error([...path, 'pod_uid', i], `must be "*" or a pod UID, got ${JSON.stringify(v)}`);
  });

  const labels: Array<readonly [string, CompiledTemplate]> = [];
  if (has('labels') && raw['labels'] !== null) {
    const l = raw['labels'];
    if (!isPlainObject(l))
      c.error([...path, 'labels'], `must be a mapping of label name to template, got ${describe(l)}`);
    else {
      for (const [k, v] of Object.entries(l)) {
        const lp = [...path, 'labels', k];
        if (!LABEL_NAME.test(k) || k.startsWith('__')) c.error(lp, `"${k}" is not a valid label name`);
        else if (RESERVED_LABELS.has(k)) c.error(lp, `"${k}" is a label the families already use`);
        const s = scalarString(v);
        if (s === null) c.error(lp, `must be a string template, got ${describe(v)}`);
        else {
          const t = template(c, lp, s);
          if (t) labels.push([k, t] as const);
        }
      }
    }
  }

  let perProcess = false;
  if (has('per_process')) {
    if (typeof raw['per_process'] !== 'boolean') c.error([...path, 'per_process'], 'must be true or false');
    else perProcess = raw['per_process'];
  }

  if (
    comm === null &&
    exe === null &&
    cmdline === null &&
    user === null &&
    cgroup === null &&
    containerId === null &&
    podUid === null &&
    podName === null &&
    namespace === null &&
    containerName === null &&
    systemdUnit === null &&
    parent === null
  ) {
    c.error(
      path,
      'no matchers provided: give at least one of comm, exe, cmdline, user, cgroup, container_id, pod_uid, ' +
        'pod_name, namespace, container_name, systemd_unit, parent',
    );
  }

  // .Matches keys no regexp of this rule captures render as "<no value>", as in process-exporter: almost always a typo.
  const captured = new Set<string>(
    [
      ...(cmdline ?? []),
      ...(cgroup ?? []),
      ...(podName ?? []),
      ...(namespace ?? []),
      ...(containerName ?? []),
      ...(systemdUnit ?? []),
    ].flatMap((r) => [...r.names]),
  );
  const templates: Array<readonly [ConfigPath, CompiledTemplate | null]> = [
    [[...path, 'name'], name],
    ...labels.map(([k, t]) => [[...path, 'labels', k], t] as const),
  ];
  for (const [tp, t] of templates) {
    for (const k of t?.matchKeys ?? []) {
      if (!captured.has(k))
        c.warn(tp, `.Matches.${k} is captured by no regexp of this rule and renders as "<no value>"`);
    }
  }

  if (c.issues.filter((i) => i.severity === 'error').length > before || name === null) return null;
  return new Rule({
    index,
    name,
    labels,
    comm,
    exe,
    cmdline,
    user,
    cgroup,
    containerId,
    podUid,
    podName,
    namespace,
    containerName,
    systemdUnit,
    parent,
    perProcess,
  });
}

/** The compiled process_names list. */
export class RuleSet {
  readonly rules: readonly Rule[];
  /** Facts any rule may read: the others are never read. */
  readonly needs: FactNeeds;
  /** Some rule has a parent selector: parents are decided before their children. */
  readonly usesParent: boolean;
  /** Groups whose name and labels are literal: reported from the start, num_procs 0 while empty. */
  readonly staticGroups: ReadonlyArray<{ readonly name: string; readonly labels: Readonly<Record<string, string>> }>;
  /** Every label name a rule adds, in first-seen order. */
  readonly labelNames: readonly string[];

  constructor(rules: readonly Rule[]) {
    this.rules = Object.freeze(rules.slice());
    this.needs = Object.freeze({
      cmdline: rules.some((r) => r.needs.cmdline),
      username: rules.some((r) => r.needs.username),
      cgroups: rules.some((r) => r.needs.cgroups),
      cwd: rules.some((r) => r.needs.cwd),
      podNames: rules.some((r) => r.needs.podNames),
    });
    this.usesParent = rules.some((r) => r.usesParent);
    this.staticGroups = Object.freeze(rules.filter((r) => r.isStatic).map((r) => Object.freeze(r.staticNaming())));
    const names: string[] = [];
    for (const r of rules) for (const [k] of r.labelTemplates) if (!names.includes(k)) names.push(k);
    this.labelNames = Object.freeze(names);
  }

  static readonly EMPTY = new RuleSet([]);
}

export interface RulesConfig {
  readonly rules: RuleSet;
  readonly options: GroupOptions;
  /** Problems that do not stop the config from loading. */
  readonly warnings: readonly ConfigIssue[];
}

/**
 * Validates and compiles a `process_names` value and the `collectors.process_groups` options (either may be
 * undefined). Throws RulesConfigError listing every error; warnings are returned.
 */
export function compileRulesConfig(
  processNames: unknown,
  options: unknown,
  opts: { locate?: Locate; file?: string; namesPath?: ConfigPath; optionsPath?: ConfigPath } = {},
): RulesConfig {
  const c = new Checker(opts.locate);
  const namesPath = opts.namesPath ?? ['process_names'];
  const rules: Rule[] = [];
  if (processNames !== undefined && processNames !== null) {
    if (!Array.isArray(processNames)) c.error(namesPath, `must be a list of matchers, got ${describe(processNames)}`);
    else
      processNames.forEach((raw, i) => {
        const r = checkRule(c, i, raw, namesPath);
        if (r) rules.push(r);
      });
  }
  const options_ = checkOptions(c, options, opts.optionsPath ?? ['collectors', 'process_groups']);
  if (c.failed) throw new RulesConfigError(c.issues, opts.file);
  return Object.freeze({
    rules: new RuleSet(rules),
    options: options_,
    warnings: Object.freeze(c.issues.filter((i) => i.severity === 'warning')),
  });
}

function checkOptions(c: Checker, raw: unknown, path: ConfigPath): GroupOptions {
  if (raw === undefined || raw === null) return DEFAULT_GROUP_OPTIONS;
  if (!isPlainObject(raw)) {
    c.error(path, `must be a mapping, got ${describe(raw)}`);
    return DEFAULT_GROUP_OPTIONS;
  }
  for (const k of Object.keys(raw)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k))
      c.error([...path, k], `unknown option "${k}" (known: ${OPTION_KEYS.join(', ')})`);
  }
  const bool = (k: string, d: boolean): boolean => {
    const v = raw[k];
    if (v === undefined) return d;
    if (typeof v !== 'boolean') {
      c.error([...path, k], 'must be true or false');
      return d;
    }
    return v;
  };
  const duration = (k: string, d: number | null, allowNever: boolean): number | null => {
    const v = raw[k];
    if (v === undefined) return d;
    if (allowNever && (v === 'never' || v === null)) return null;
    const s = parseDuration(v);
    if (s === null) c.error([...path, k], `must be a duration such as 30s, 10m or 1h${allowNever ? ', or never' : ''}`);
    return s ?? d;
  };
  const count = (k: string, d: number, min: number): number => {
    const v = raw[k];
    if (v === undefined) return d;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      c.error([...path, k], `must be an integer >= ${min}`);
      return d;
    }
    return v;
  };
  const perProcessLimit = count('per_process_limit', DEFAULT_GROUP_OPTIONS.perProcessLimit, 0);
  const maxGroups = count('max_groups', DEFAULT_GROUP_OPTIONS.maxGroups, 1);
  const exclude = new Set<GroupFamily>();
  if (raw['exclude_families'] !== undefined) {
    const list = stringList(c, [...path, 'exclude_families'], raw['exclude_families']) ?? [];
    list.forEach((f, i) => {
      const bare = f.replace(/^namedprocess_namegroup_/, '');
      if ((GROUP_FAMILIES as readonly string[]).includes(bare)) exclude.add(bare as GroupFamily);
      else c.error([...path, 'exclude_families', i], `unknown family "${f}" (known: ${GROUP_FAMILIES.join(', ')})`);
    });
  }
  let podLogsDir = DEFAULT_GROUP_OPTIONS.podLogsDir;
  const pld = raw['pod_logs_dir'];
  if (pld !== undefined) {
    if (typeof pld !== 'string' || !pld.startsWith('/')) c.error([...path, 'pod_logs_dir'], 'must be an absolute path');
    else podLogsDir = pld;
  }
  return Object.freeze({
    enabled: bool('enabled', DEFAULT_GROUP_OPTIONS.enabled),
    children: bool('children', DEFAULT_GROUP_OPTIONS.children),
    recheck: bool('recheck', DEFAULT_GROUP_OPTIONS.recheck),
    recheckWithTimeLimit: duration('recheck_with_time_limit', 0, false) ?? 0,
    threads: bool('threads', DEFAULT_GROUP_OPTIONS.threads),
    gatherSmaps: bool('gather_smaps', DEFAULT_GROUP_OPTIONS.gatherSmaps),
    removeEmptyGroupsAfter: duration('remove_empty_groups_after', DEFAULT_GROUP_OPTIONS.removeEmptyGroupsAfter, true),
    perProcessLimit,
    maxGroups,
    excludeFamilies: exclude,
    podLogsDir,
  });
}

// ---- YAML ---------------------------------------------------------------------------------------------------------

/** A Locate for a parsed YAML document: the line and column of the node at a path (or of its nearest parent). */
export function yamlLocator(
  doc: { getIn(path: Iterable<unknown>, keepScalar?: boolean): unknown },
  lc: LineCounter,
): Locate {
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as YamlNode | undefined;
      const range = node && typeof node === 'object' && 'range' in node ? node.range : undefined;
      if (range) return lc.linePos(range[0]);
    }
    return undefined;
  };
}

/**
 * Parses a YAML config text (a whole agent config, or a file holding only process-exporter's process_names) and
 * compiles its process_names and collectors.process_groups. Throws RulesConfigError with line numbers.
 */
export function loadRulesYaml(text: string, file?: string): RulesConfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: yaml loads only when a rules file is read
  const { LineCounter, parseDocument, isMap, isSeq } = require('yaml') as typeof import('yaml');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: true, strict: true });
  const issues: ConfigIssue[] = [];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0];
    issues.push(
      Object.freeze({
        severity: 'error' as const,
        path: '(yaml)',
        message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
        ...(pos ? { line: pos.line, col: pos.col } : {}),
      }),
    );
  }
  if (issues.length) throw new RulesConfigError(issues, file);
  const root = doc.contents;
  if (root !== null && !isMap(root) && !isSeq(root)) {
    throw new RulesConfigError([{ severity: 'error', path: '(root)', message: 'the config must be a mapping' }], file);
  }
  let js: unknown;
  try {
    // maxAliasCount guards against "billion laughs" alias expansion.
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof Error)
      throw new RulesConfigError([{ severity: 'error', path: '(yaml)', message: err.message }], file);
    throw err;
  }
  if (js !== null && !isPlainObject(js)) {
    throw new RulesConfigError([{ severity: 'error', path: '(root)', message: 'the config must be a mapping' }], file);
  }
  const obj = js ?? {};
  const collectors = obj['collectors'];
  const options = isPlainObject(collectors) ? collectors['process_groups'] : undefined;
  return compileRulesConfig(obj['process_names'], options, { locate: yamlLocator(doc, lc), ...(file ? { file } : {}) });
}

/**
 * The agent config loader's hook: the problems of process_names and collectors.process_groups that its JSON Schema
 * cannot see (templates, regexps' captures, label names, selector values), positioned in the parsed document.
 */
export function processGroupsConfigIssues(
  doc: { getIn(path: Iterable<unknown>, keepScalar?: boolean): unknown },
  lc: LineCounter,
  data: unknown,
): Array<{ line: number; column: number; path: string; message: string }> {
  const obj = isPlainObject(data) ? data : {};
  const collectors = obj['collectors'];
  const options = isPlainObject(collectors) ? collectors['process_groups'] : undefined;
  try {
    compileRulesConfig(obj['process_names'], options, { locate: yamlLocator(doc, lc) });
    return [];
  } catch (e) {
    if (!(e instanceof RulesConfigError)) throw e;
    return e.issues
      .filter((i) => i.severity === 'error')
      .map((i) => ({ line: i.line ?? 0, column: i.col ?? 0, path: i.path, message: i.message }));
  }
}
