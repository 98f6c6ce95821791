/**
 * The Helm chart (deploy/helm/psutil-exporter), checked without Helm: Debian does not package it (`apt-cache policy
 * helm` finds nothing) and there is no Go toolchain to build it. So the chart's invariants are checked on its text
 * and structure: values.yaml parses and its `config` is a valid agent config (the agent's own schema and loader);
 * every `.Values` path and `include` a template uses exists; the DaemonSet's literal skeleton holds hostPID, the
 * read-only host mounts at the paths the image's entrypoint reads, the probes, the downward-API node name; the
 * security settings hold (non-root, read-only root filesystem, no privilege escalation, every capability dropped,
 * the admin API's three added only under admin.enabled, never privileged). Where `helm` is on the PATH, the chart
 * is also linted and rendered for real; chartcheck.test.ts renders and validates it with the peers' chartcheck.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml, parseAllDocuments, stringify as toYaml } from 'yaml';
import { parseConfig, SCHEMA_PATH } from '../../src/config/load';
import { REPO } from '../helpers/fixtures';
import { onPath, requireOr } from '../helpers/require';
import { execForm, parseDockerfile, stages } from './dockerfile';
import { actions, defines, parseSkeleton, textLines, valuesPaths, type TextLine } from './helm-template';

const CHART = path.join(REPO, 'deploy', 'helm', 'psutil-exporter');
const TEMPLATES = path.join(CHART, 'templates');
const read = (...p: string[]): string => fs.readFileSync(path.join(CHART, ...p), 'utf8');

type Obj = Record<string, unknown>;
const obj = (v: unknown, what: string): Obj => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(v)}`);
  return v as Obj;
};
const arr = (v: unknown, what: string): unknown[] => {
  if (!Array.isArray(v)) throw new Error(`${what}: expected a list, got ${JSON.stringify(v)}`);
  return v;
};
const at = (v: unknown, ...keys: (string | number)[]): unknown => {
  let cur = v;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
};

const values = obj(parseYaml(read('values.yaml')), 'values.yaml');
const templateFiles = fs.readdirSync(TEMPLATES).filter((f) => /\.(ya?ml|tpl|txt)$/.test(f));
const helpers = defines(read('templates', '_helpers.tpl'));

/** The image's entrypoint flags: --path.procfs=/host/proc ... -> { procfs: '/host/proc', ... }. */
function entrypointPaths(): Record<string, string> {
  const st = stages(parseDockerfile(fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8')));
  const ep = st[st.length - 1]?.instructions.filter((i) => i.keyword === 'ENTRYPOINT').pop();
  if (!ep) throw new Error('the Dockerfile has no ENTRYPOINT');
  const out: Record<string, string> = {};
  for (const a of execForm(ep)) {
    const m = /^--path\.(\w+)=(.+)$/.exec(a);
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

/** What the chart's "psutil-exporter.config" helper renders: values.config with admin.enabled and token_file set. */
function renderedConfig(v: Obj): Obj {
  const cfg = structuredClone(obj(v['config'] ?? {}, 'config'));
  const adminValues = obj(v['admin'], 'admin');
  const admin = obj(cfg['admin'] ?? {}, 'config.admin');
  admin['enabled'] = adminValues['enabled'];
  if (adminValues['enabled'] === true && at(adminValues, 'tokenSecret', 'name')) admin['token_file'] = '/run/psutil-exporter/admin/token';
  cfg['admin'] = admin;
  return cfg;
}

describe('Chart.yaml', () => {
  const chart = obj(parseYaml(read('Chart.yaml')), 'Chart.yaml');
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };

  test('a v2 application chart named like its directory, appVersion the agent\'s version', () => {
    expect(chart['apiVersion']).toBe('v2');
    expect(chart['type']).toBe('application');
    expect(chart['name']).toBe(path.basename(CHART));
    expect(String(chart['version'])).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(chart['appVersion']).toBe(pkg.version);
  });
});

describe('values.yaml', () => {
  test('config is a valid agent config: the schema the agent uses (ajv) and the agent\'s own loader', () => {
    const cfg = renderedConfig(values);
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    expect(validate(structuredClone(cfg)) ? [] : validate.errors).toEqual([]);
    const loaded = parseConfig(toYaml(cfg), 'values.yaml#config');
    expect(loaded.paths).toEqual({ procfs: '/host/proc', sysfs: '/host/sys', rootfs: '/host/root' });
    expect(loaded.processNames.length).toBeGreaterThan(0);
    expect(loaded.otlp.enabled).toBe(false);
  });

  test('the config with the admin API switched on (a token Secret) is still valid for the schema', () => {
    const v = structuredClone(values);
    obj(v['admin'], 'admin')['enabled'] = true;
    obj(obj(v['admin'], 'admin')['tokenSecret'], 'tokenSecret')['name'] = 'admin-token';
    const cfg = renderedConfig(v);
    expect(at(cfg, 'admin', 'token_file')).toBe('/run/psutil-exporter/admin/token');
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as object);
    expect(validate(cfg) ? [] : validate.errors).toEqual([]);
  });

  test('config.paths are where the image\'s entrypoint reads', () => {
    expect(at(values, 'config', 'paths')).toEqual(entrypointPaths());
  });

  test('least privilege by default: non-root 65534, read-only root, no escalation, admin off', () => {
    expect(at(values, 'podSecurityContext', 'runAsNonRoot')).toBe(true);
    expect(at(values, 'podSecurityContext', 'runAsUser')).toBe(65534);
    expect(at(values, 'podSecurityContext', 'runAsGroup')).toBe(65534);
    expect(at(values, 'containerSecurityContext', 'readOnlyRootFilesystem')).toBe(true);
    expect(at(values, 'containerSecurityContext', 'allowPrivilegeEscalation')).toBe(false);
    expect(at(values, 'containerSecurityContext', 'privileged')).not.toBe(true);
    expect(at(values, 'containerSecurityContext', 'capabilities')).toBeUndefined();
    expect(at(values, 'admin', 'enabled')).toBe(false);
    expect(at(values, 'admin', 'runAsRoot')).toBe(false);
  });

  test('node_exporter\'s habits: host network, every node, ClusterIP on 9464, ServiceMonitor off', () => {
    expect(values['hostNetwork']).toBe(true);
    // NoSchedule taints only, as node_exporter's chart: a bare `operator: Exists` would also ride out NoExecute
    // evictions (drained or unreachable nodes).
    expect(arr(values['tolerations'], 'tolerations')).toEqual([{ effect: 'NoSchedule', operator: 'Exists' }]);
    expect(JSON.stringify(values['affinity'])).toMatch(/"virtual-kubelet"/);
    expect(JSON.stringify(values['affinity'])).toMatch(/"fargate"/);
    expect(at(values, 'service', 'type')).toBe('ClusterIP');
    expect(at(values, 'service', 'port')).toBe(9464);
    expect(at(values, 'serviceMonitor', 'enabled')).toBe(false);
    expect(at(values, 'resources', 'requests', 'cpu')).toBeDefined();
    expect(at(values, 'resources', 'requests', 'memory')).toBeDefined();
    expect(at(values, 'resources', 'limits', 'memory')).toBeDefined();
    expect(values).toHaveProperty('priorityClassName');
  });
});

describe('the templates', () => {
  test.each(templateFiles)('%s: blocks balance and every .Values path exists in values.yaml', (f) => {
    const text = read('templates', f);
    expect(() => textLines(text)).not.toThrow();
    for (const p of valuesPaths(text)) {
      let cur: unknown = values;
      for (const k of p) {
        expect(`${p.join('.')}: ${cur !== null && typeof cur === 'object' && k in (cur as Obj) ? 'defined' : 'not in values.yaml'}`).toBe(`${p.join('.')}: defined`);
        cur = (cur as Obj)[k];
        // Below a user-supplied mapping (config, annotations, ...) anything goes.
        if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.keys(cur).length === 0) break;
      }
    }
  });

  test.each(templateFiles)('%s: every include names a define', (f) => {
    for (const a of actions(read('templates', f))) {
      for (const m of a.body.matchAll(/\binclude\s+"([^"]+)"/g)) expect([...helpers.keys()]).toContain(m[1]);
    }
  });

  test('nothing anywhere in the chart is privileged, joins the host IPC namespace or names another capability', () => {
    const caps = 'CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE'.split(' ');
    // What Helm would read: template comments and YAML comment lines (which explain what is NOT granted) aside.
    const sources = [
      ...templateFiles.filter((t) => t !== 'NOTES.txt').map((t) => [t, read('templates', t).replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '').replace(/^\s*#.*$/gm, '')] as const),
      ['values.yaml', toYaml(values)] as const,
    ];
    for (const [f, text] of sources) {
      expect(`${f}: ${/privileged:\s*true|"privileged"\s+true/.test(text) ? 'privileged' : 'ok'}`).toBe(`${f}: ok`);
      expect(`${f}: ${/hostIPC:\s*true/.test(text) ? 'hostIPC' : 'ok'}`).toBe(`${f}: ok`);
      const named = caps.filter((c) => new RegExp(`\\b(CAP_)?${c}\\b`).test(text));
      expect({ f, named: named.filter((c) => !['KILL', 'SYS_NICE', 'SYS_RESOURCE'].includes(c)) }).toEqual({ f, named: [] });
    }
  });
});

describe('the DaemonSet', () => {
  const text = read('templates', 'daemonset.yaml');
  const lines = textLines(text);
  const ds = obj(parseSkeleton(text), 'daemonset skeleton');
  const pod = obj(at(ds, 'spec', 'template', 'spec'), 'pod spec');
  const containers = arr(pod['containers'], 'containers').map((c) => obj(c, 'container'));
  const agent = containers.find((c) => c['name'] === 'psutil-exporter') as Obj;
  const mounts = arr(agent['volumeMounts'], 'volumeMounts').map((m) => obj(m, 'mount'));
  const volumes = arr(pod['volumes'], 'volumes').map((v) => obj(v, 'volume'));
  const line = (re: RegExp): TextLine => {
    const found = lines.filter((l) => re.test(l.text));
    if (found.length !== 1) throw new Error(`expected one line matching ${re}, found ${found.length}`);
    return found[0] as TextLine;
  };

  test('is a DaemonSet with exactly one agent container', () => {
    expect(ds['kind']).toBe('DaemonSet');
    expect(ds['apiVersion']).toBe('apps/v1');
    expect(containers.map((c) => c['name'])).toEqual(['psutil-exporter']);
  });

  test('always in the host\'s PID namespace (not a value, not under a condition), never in its IPC namespace', () => {
    expect(pod['hostPID']).toBe(true);
    expect(line(/^hostPID:/).blocks).toEqual([]);
    expect(pod['hostIPC']).toBe(false);
  });

  test('hostNetwork follows values, with the DNS policy that keeps cluster names resolving', () => {
    expect(line(/^hostNetwork:/).raw).toMatch(/\{\{\s*\.Values\.hostNetwork\s*\}\}/);
    expect(line(/^dnsPolicy:/).raw).toMatch(/ClusterFirstWithHostNet/);
  });

  test('/proc, /sys and / mounted read-only at the paths the image\'s entrypoint reads, root with HostToContainer', () => {
    const want = entrypointPaths();
    // No other host path, ever, but the kubelet's log directories (their test below).
    const KUBELET_LOGS = ['pod-logs', 'container-logs'];
    const hostVolumes = volumes.filter((v) => v['hostPath']);
    expect(hostVolumes.map((v) => v['name']).filter((n) => KUBELET_LOGS.includes(String(n)))).toEqual(KUBELET_LOGS);
    const byHost = new Map(
      hostVolumes.filter((v) => !KUBELET_LOGS.includes(String(v['name']))).map((v) => [at(v, 'hostPath', 'path'), v['name']]),
    );
    expect([...byHost.keys()].sort()).toEqual(['/', '/proc', '/sys']);
    for (const [host, key] of [['/proc', 'procfs'], ['/sys', 'sysfs'], ['/', 'rootfs']] as const) {
      const m = mounts.find((x) => x['name'] === byHost.get(host));
      expect({ host, mountPath: m?.['mountPath'], readOnly: m?.['readOnly'] }).toEqual({ host, mountPath: want[key], readOnly: true });
      expect(line(new RegExp(`^mountPath: ${want[key] as string}$`)).blocks).toEqual([]);
    }
    expect(mounts.find((x) => x['mountPath'] === want['rootfs'])?.['mountPropagation']).toBe('HostToContainer');
    // Every mount of the agent container is read-only.
    for (const m of mounts) expect({ name: m['name'], readOnly: m['readOnly'] }).toEqual({ name: m['name'], readOnly: true });
  });

  test("the kubelet's log directories: read-only at the paths config.collectors.cgroups reads, only under kubeletLogs.enabled", () => {
    const cfg = parseConfig(toYaml(at(values, 'config')), 'values.yaml config');
    expect(cfg.collectors['cgroups']?.enabled).toBe(true);
    const podsDir = String(cfg.collectors['cgroups']?.options['pods_log_dir']);
    for (const [volume, mountPath, hostKey] of [
      ['pod-logs', podsDir, 'podsDir'],
      // The collector reads the links beside pods_log_dir.
      ['container-logs', path.posix.join(path.posix.dirname(podsDir), 'containers'), 'containersDir'],
    ] as const) {
      const m = mounts.find((x) => x['name'] === volume);
      expect(m).toEqual({ name: volume, mountPath, readOnly: true });
      const hostLine = lines.filter((l) => l.raw.includes(`path: {{ .Values.kubeletLogs.${hostKey} }}`));
      expect(hostLine.map((l) => l.blocks)).toEqual([['if .Values.kubeletLogs.enabled']]);
      expect(volumes.find((v) => v['name'] === volume)?.['hostPath']).toBeDefined();
      expect(line(new RegExp(`^mountPath: ${mountPath}$`)).blocks).toEqual(['if .Values.kubeletLogs.enabled']);
    }
    expect(at(values, 'kubeletLogs')).toEqual({ enabled: true, podsDir: '/var/log/pods', containersDir: '/var/log/containers' });
  });

  test('the config comes from the ConfigMap, mounted where --config.file points', () => {
    const args = arr(agent['args'], 'args');
    expect(args).toContain('--config.file=/etc/psutil-exporter/config.yaml');
    expect(mounts.find((m) => m['name'] === 'config')?.['mountPath']).toBe('/etc/psutil-exporter');
    expect(volumes.find((v) => v['name'] === 'config')?.['configMap']).toBeDefined();
    expect(read('templates', 'configmap.yaml')).toMatch(/^ {2}config\.yaml: \|$/m);
    expect(read('templates', 'configmap.yaml')).toMatch(/include "psutil-exporter\.config"/);
  });

  test('the node name from the downward API (k8s.node.name on OTLP resources), and extraEnv for OTEL_*', () => {
    const env = arr(agent['env'], 'env').map((e) => obj(e, 'env'));
    expect(at(env.find((e) => e['name'] === 'K8S_NODE_NAME'), 'valueFrom', 'fieldRef', 'fieldPath')).toBe('spec.nodeName');
    expect(text).toMatch(/with \.Values\.extraEnv/);
  });

  test('liveness on /healthz, readiness on /readyz, on the named metrics port', () => {
    expect(at(agent, 'livenessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'metrics' });
    expect(at(agent, 'readinessProbe', 'httpGet')).toEqual({ path: '/readyz', port: 'metrics' });
    expect(arr(agent['ports'], 'ports')).toContainEqual({ name: 'metrics', containerPort: '__TPL__', protocol: 'TCP' });
  });

  test('no service account token, tolerations, priority class and resources from values', () => {
    expect(pod['automountServiceAccountToken']).toBe(false);
    expect(line(/^automountServiceAccountToken:/).blocks).toEqual([]);
    expect(text).toMatch(/with \.Values\.tolerations/);
    expect(text).toMatch(/with \.Values\.priorityClassName/);
    expect(text).toMatch(/toYaml \.Values\.resources/);
  });

  test('every container\'s securityContext comes from the helper; only the agent\'s may carry the admin capabilities', () => {
    const uses = [...text.matchAll(/include "psutil-exporter\.containerSecurityContext" \(dict "root" \$ "admin" (true|false)\)/g)].map((m) => m[1]);
    expect(uses.sort()).toEqual(['false', 'true']); // the init container (false) and the agent (true)
    expect((text.match(/securityContext:/g) ?? []).length).toBe(3); // pod + two containers, all from helpers
    expect(text).toMatch(/include "psutil-exporter\.podSecurityContext"/);
  });

  test('no mount inside the read-only ConfigMap volume (no mount point can be made there)', () => {
    const config = mounts.find((m) => m['name'] === 'config')?.['mountPath'] as string;
    const all = [...mounts, ...containers.flatMap((c) => (c['volumeMounts'] as Obj[] | undefined) ?? [])];
    const inside = lines.filter((l) => /^mountPath: /.test(l.text) && l.text.slice('mountPath: '.length).startsWith(`${config}/`));
    expect(inside.map((l) => l.text)).toEqual([]);
    expect(all.length).toBeGreaterThan(4);
  });

  test('the admin token\'s init container, volumes and mounts exist only under admin.enabled', () => {
    for (const l of lines.filter((x) => /admin-token|admin-tls|initContainers/.test(x.text))) {
      expect({ line: l.line, under: l.blocks.some((b) => /\.Values\.admin\.enabled/.test(b)) }).toEqual({ line: l.line, under: true });
    }
  });
});

describe('the security helpers', () => {
  const container = helpers.get('psutil-exporter.containerSecurityContext') as string;
  const podSc = helpers.get('psutil-exporter.podSecurityContext') as string;
  const config = helpers.get('psutil-exporter.config') as string;

  test('containers drop every capability and are never privileged, whatever values say', () => {
    expect(container).toMatch(/\$caps := dict "drop" \(list "ALL"\)/);
    expect(container).toMatch(/omit \(default \(dict\) \.root\.Values\.containerSecurityContext\) "privileged" "capabilities"/);
    expect(container).toMatch(/merge \(dict "privileged" false "capabilities" \$caps\) \$base/);
  });

  test('CAP_KILL, CAP_SYS_NICE and CAP_SYS_RESOURCE are added only for the agent and only when admin.enabled', () => {
    const acts = actions(container);
    const addIdx = acts.findIndex((a) => /set \$caps "add"/.test(a.body));
    expect(addIdx).toBeGreaterThan(0);
    expect(acts[addIdx]?.body).toBe('$_ := set $caps "add" (list "KILL" "SYS_NICE" "SYS_RESOURCE")');
    // The action right before opens the condition; the one right after closes it.
    expect(acts[addIdx - 1]?.body).toBe('if and .admin .root.Values.admin.enabled');
    expect(acts[addIdx + 1]?.body).toBe('end');
    expect(acts.filter((a) => /"add"/.test(a.body))).toHaveLength(1);
  });

  test('uid 0 only when admin.enabled and admin.runAsRoot', () => {
    const acts = actions(podSc);
    const rootIdx = acts.findIndex((a) => /"runAsUser" 0/.test(a.body));
    expect(acts[rootIdx - 1]?.body).toBe('if and .Values.admin.enabled .Values.admin.runAsRoot');
    expect(acts[rootIdx + 1]?.body).toBe('end');
  });

  test('the rendered config\'s admin.enabled always equals admin.enabled, and admin without auth fails the render', () => {
    expect(config).toMatch(/set \$admin "enabled" \.Values\.admin\.enabled/);
    expect(config).toMatch(/fail "admin\.enabled needs/);
  });
});

describe('NOTES.txt', () => {
  test('suggests kubectl port-forward only where it can work (the agent listening on all interfaces)', () => {
    const text = read('templates', 'NOTES.txt');
    const pf = textLines(text).filter((l) => /port-forward ds\//.test(l.text));
    expect(pf.length).toBe(1);
    expect(pf[0]?.blocks).toEqual(['if .Values.service.listenOnAllInterfaces']);
  });

  test('says that the namespace needs the privileged Pod Security Admission level', () => {
    expect(read('templates', 'NOTES.txt')).toMatch(/pod-security\.kubernetes\.io\/enforce=privileged/);
  });
});

describe('values.schema.json', () => {
  test('values.yaml passes it, and it refuses unknown keys at the top and in the chart\'s own maps', () => {
    const schema = JSON.parse(read('values.schema.json')) as object;
    // draft-07, as Helm reads it.
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(structuredClone(values)) ? [] : validate.errors).toEqual([]);
    expect(validate({ ...structuredClone(values), tolerationz: [] })).toBe(false);
    expect(validate({ ...structuredClone(values), service: { ...obj(values['service'], 'service'), prot: 1 } })).toBe(false);
  });
});

describe('the Service and the ServiceMonitor', () => {
  test('a ClusterIP Service on the metrics port with prometheus.io annotations, selecting the DaemonSet\'s pods', () => {
    const text = read('templates', 'service.yaml');
    const svc = obj(parseSkeleton(text), 'service skeleton');
    expect(svc['kind']).toBe('Service');
    expect(at(svc, 'metadata', 'annotations', 'prometheus.io/scrape')).toBe('true');
    expect(text).toMatch(/prometheus\.io\/port: \{\{ \.Values\.service\.port \| quote \}\}/);
    expect(text).toMatch(/prometheus\.io\/path: \{\{ include "psutil-exporter\.telemetryPath" \. \| quote \}\}/);
    expect(at(svc, 'spec', 'ports', 0)).toEqual({ name: 'metrics', port: '__TPL__', targetPort: 'metrics', protocol: 'TCP' });
    expect(text).toMatch(/selector:\n\s+\{\{- include "psutil-exporter\.selectorLabels"/);
    expect(read('templates', 'daemonset.yaml')).toMatch(/matchLabels:\n\s+\{\{- include "psutil-exporter\.selectorLabels"/);
  });

  test('the ServiceMonitor exists only when enabled and scrapes the metrics port at the telemetry path', () => {
    const text = read('templates', 'servicemonitor.yaml');
    expect(text.split('\n')[0]).toBe('{{- if .Values.serviceMonitor.enabled }}');
    const sm = obj(parseSkeleton(text), 'servicemonitor skeleton');
    expect(sm['kind']).toBe('ServiceMonitor');
    expect(at(sm, 'spec', 'endpoints', 0, 'port')).toBe('metrics');
    expect(text).toMatch(/path: \{\{ include "psutil-exporter\.telemetryPath" \. \}\}/);
  });

  test('the ServiceAccount mounts no token', () => {
    expect(obj(parseSkeleton(read('templates', 'serviceaccount.yaml')), 'sa')['automountServiceAccountToken']).toBe(false);
  });
});

// Where Helm is installed (a developer's machine), render the chart for real: lint, default values, admin on.
// Reason for the skip elsewhere: Debian packages no helm and CI installs only Debian packages (these 4 tests are CI's
// 4 skipped). Plan: run them wherever helm exists (they passed with helm 3.8.1); the text checks above run everywhere.
// The one skip CI keeps: listed in test/known-skips.txt, never demanded (demand: false).
requireOr(onPath('helm'), 'no helm (not packaged by Debian)', { demand: false }).describe('helm template (only where helm is installed)', () => {
  function render(set: string[] = []): Obj[] {
    const r = spawnSync('helm', ['template', 'psx', CHART, '--namespace', 'monitoring', ...set.flatMap((s) => ['--set', s])], { encoding: 'utf8', timeout: 60000 });
    if (r.status !== 0) throw new Error(r.stderr);
    return parseAllDocuments(r.stdout).map((d) => d.toJS() as unknown).filter((d): d is Obj => d !== null && typeof d === 'object');
  }

  test('helm lint passes', () => {
    const r = spawnSync('helm', ['lint', CHART], { encoding: 'utf8', timeout: 60000 });
    expect(r.status).toBe(0);
  });

  test('default values: non-root, drop ALL, no admin capabilities; the ConfigMap holds a valid config', () => {
    const docs = render();
    const ds = docs.find((d) => d['kind'] === 'DaemonSet');
    expect(at(ds, 'spec', 'template', 'spec', 'hostPID')).toBe(true);
    expect(at(ds, 'spec', 'template', 'spec', 'securityContext', 'runAsNonRoot')).toBe(true);
    expect(at(ds, 'spec', 'template', 'spec', 'containers', 0, 'securityContext', 'capabilities')).toEqual({ drop: ['ALL'] });
    const cm = docs.find((d) => d['kind'] === 'ConfigMap');
    expect(() => parseConfig(String(at(cm, 'data', 'config.yaml')), 'configmap')).not.toThrow();
  });

  test('admin.enabled with a token Secret: the three capabilities, the init container, admin.enabled in the config', () => {
    const docs = render(['admin.enabled=true', 'admin.tokenSecret.name=tok']);
    const pod = at(docs.find((d) => d['kind'] === 'DaemonSet'), 'spec', 'template', 'spec');
    expect(at(pod, 'containers', 0, 'securityContext', 'capabilities', 'add')).toEqual(['KILL', 'SYS_NICE', 'SYS_RESOURCE']);
    expect(at(pod, 'initContainers', 0, 'securityContext', 'capabilities')).toEqual({ drop: ['ALL'] });
    const cfg = parseYaml(String(at(docs.find((d) => d['kind'] === 'ConfigMap'), 'data', 'config.yaml'))) as Obj;
    expect(at(cfg, 'admin', 'enabled')).toBe(true);
    expect(at(cfg, 'admin', 'token_file')).toBe('/run/psutil-exporter/admin/token');
  });

  test('admin.enabled without any authentication fails the render', () => {
    expect(() => render(['admin.enabled=true'])).toThrow(/admin\.enabled needs/);
  });
});
