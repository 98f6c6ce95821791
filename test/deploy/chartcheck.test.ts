/**
 * The Helm chart rendered and strictly validated for real, by the peers' chartcheck (shared/tools/chartcheck: a
 * Helm-template renderer and Kubernetes 1.22 schema validator that builds offline from Debian packages), for the
 * default values and for every option values.yaml documents: unknown fields, wrong types, bad names and labels,
 * selectors that miss the pod template, duplicate YAML keys, and values.schema.json over the final values.
 *
 * Where: PSUTIL_CHARTCHECK names the tool's folder (default ../shared/tools/chartcheck beside the clone) and
 * PSUTIL_CHARTCHECK_BIN the binary its build.sh made (.ci/run builds it and sets both, with REQUIRE_CHARTCHECK=1 so
 * that a missing tool fails). Elsewhere (a user's clone) the tests skip with the reason in their titles.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml, parseAllDocuments, stringify as toYaml } from 'yaml';
import { parseConfig } from '../../src/config/load';
import { REPO } from '../helpers/fixtures';
import { requireOr } from '../helpers/require';

const CHART = path.join(REPO, 'deploy', 'helm', 'psutil-exporter');
const TOOL = path.resolve(REPO, process.env['PSUTIL_CHARTCHECK'] ?? path.join('..', 'shared', 'tools', 'chartcheck'));
const BIN = process.env['PSUTIL_CHARTCHECK_BIN'] ?? '';
const haveTool = fs.existsSync(path.join(TOOL, 'build.sh'));
const haveBin = BIN !== '' && fs.existsSync(BIN);
const reason = !haveTool
  ? `no chartcheck at ${TOOL}; set PSUTIL_CHARTCHECK`
  : `chartcheck not built: bash ${TOOL}/build.sh DIR, then PSUTIL_CHARTCHECK_BIN=DIR/chartcheck`;
const withChartcheck = requireOr(haveTool && haveBin, reason, { demand: process.env['REQUIRE_CHARTCHECK'] === '1' });

type Obj = Record<string, unknown>;
const at = (v: unknown, ...keys: (string | number)[]): unknown => {
  let cur = v;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
};

interface Run { status: number | null; out: string }
interface Case {
  /** What the case sets, as a values file merged over values.yaml. */
  values: Obj;
  /** Checks on the rendered documents beyond validity. */
  check?: (docs: Obj[]) => void;
}

const kind = (docs: Obj[], k: string): Obj => {
  const d = docs.find((x) => x['kind'] === k);
  if (!d) throw new Error(`no ${k} rendered (kinds: ${docs.map((x) => String(x['kind'])).join(', ')})`);
  return d;
};
const podSpec = (docs: Obj[]): Obj => at(kind(docs, 'DaemonSet'), 'spec', 'template', 'spec') as Obj;
const agent = (docs: Obj[]): Obj => at(podSpec(docs), 'containers', 0) as Obj;

const TOKEN_ADMIN = { admin: { enabled: true, tokenSecret: { name: 'psx-admin', key: 'token' } } };
const TLS = { cert_file: '/run/psutil-exporter/admin-tls/tls.crt', key_file: '/run/psutil-exporter/admin-tls/tls.key', client_ca_file: '/run/psutil-exporter/admin-tls/ca.crt' };

// One case per documented option (values.yaml's comments and deploy/README.md); the coverage test below holds every
// top-level key of values.yaml to at least one case.
const CASES: Record<string, Case> = {
  'default values': {
    values: {},
    check: (docs) => {
      const pod = podSpec(docs);
      expect(pod['hostPID']).toBe(true);
      expect(pod['hostNetwork']).toBe(true);
      expect(pod['tolerations']).toEqual([{ effect: 'NoSchedule', operator: 'Exists' }]);
      const exprs = at(pod, 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms', 0, 'matchExpressions');
      expect(exprs).toEqual([
        { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate'] },
        { key: 'type', operator: 'NotIn', values: ['virtual-kubelet'] },
      ]);
      const ds = kind(docs, 'DaemonSet');
      expect(at(ds, 'spec', 'template', 'metadata', 'annotations', 'cluster-autoscaler.kubernetes.io/safe-to-evict')).toBe('true');
      expect(at(ds, 'spec', 'revisionHistoryLimit')).toBe(10);
      expect(pod['terminationGracePeriodSeconds']).toBe(30);
      expect(at(agent(docs), 'securityContext', 'capabilities')).toEqual({ drop: ['ALL'] });
      expect(at(agent(docs), 'args')).toContain('--web.listen-address=0.0.0.0:9464');
      const cfg = parseConfig(String(at(kind(docs, 'ConfigMap'), 'data', 'config.yaml')), 'configmap');
      expect(cfg.paths).toEqual({ procfs: '/host/proc', sysfs: '/host/sys', rootfs: '/host/root' });
      expect(docs.map((d) => d['kind']).sort()).toEqual(['ConfigMap', 'DaemonSet', 'Service', 'ServiceAccount']);
      for (const d of docs) expect(at(d, 'metadata', 'namespace')).toBe('monitoring');
    },
  },
  'safe-to-evict overridden in podAnnotations (one key, the user\'s value)': {
    values: { podAnnotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false', 'example.com/team': 'infra' } },
    check: (docs) => {
      const ann = at(kind(docs, 'DaemonSet'), 'spec', 'template', 'metadata', 'annotations') as Obj;
      expect(ann['cluster-autoscaler.kubernetes.io/safe-to-evict']).toBe('false');
      expect(ann['example.com/team']).toBe('infra');
    },
  },
  'no pod annotations at all (rollOnConfigChange off, podAnnotations emptied)': {
    values: { rollOnConfigChange: false, podAnnotations: null },
    check: (docs) => expect(at(kind(docs, 'DaemonSet'), 'spec', 'template', 'metadata', 'annotations')).toBeUndefined(),
  },
  'admin API with a token Secret': {
    values: TOKEN_ADMIN,
    check: (docs) => {
      expect(at(agent(docs), 'securityContext', 'capabilities', 'add')).toEqual(['KILL', 'SYS_NICE', 'SYS_RESOURCE']);
      expect(at(podSpec(docs), 'initContainers', 0, 'name')).toBe('admin-token');
      const cfg = parseYaml(String(at(kind(docs, 'ConfigMap'), 'data', 'config.yaml'))) as Obj;
      expect(at(cfg, 'admin', 'token_file')).toBe('/run/psutil-exporter/admin/token');
    },
  },
  'admin API with mutual TLS only, as root': {
    values: { admin: { enabled: true, tlsSecret: 'psx-admin-tls', runAsRoot: true }, config: { admin: { tls_server_config: TLS } } },
    check: (docs) => {
      expect(at(podSpec(docs), 'securityContext', 'runAsUser')).toBe(0);
      expect(at(podSpec(docs), 'initContainers')).toBeUndefined();
    },
  },
  "the kubelet's log directories, the pods one moved (kubelet podLogsDir), read-only at the agent's paths": {
    values: { kubeletLogs: { podsDir: '/srv/kubelet/pods' } },
    check: (docs) => {
      const vols = at(podSpec(docs), 'volumes') as Obj[];
      expect(vols.find((v) => v['name'] === 'pod-logs')).toEqual({ name: 'pod-logs', hostPath: { path: '/srv/kubelet/pods' } });
      expect(vols.find((v) => v['name'] === 'container-logs')).toEqual({ name: 'container-logs', hostPath: { path: '/var/log/containers' } });
      const mounts = at(agent(docs), 'volumeMounts') as Obj[];
      expect(mounts.filter((m) => /logs$/.test(String(m['name'])))).toEqual([
        { name: 'pod-logs', mountPath: '/var/log/pods', readOnly: true },
        { name: 'container-logs', mountPath: '/var/log/containers', readOnly: true },
      ]);
      const cfg = parseConfig(String(at(kind(docs, 'ConfigMap'), 'data', 'config.yaml')), 'configmap');
      expect(cfg.collectors['cgroups']?.enabled).toBe(true);
      expect(cfg.collectors['cgroups']?.options['pods_log_dir']).toBe('/var/log/pods');
    },
  },
  "no kubelet log directories (kubeletLogs.enabled false)": {
    values: { kubeletLogs: { enabled: false } },
    check: (docs) => {
      const names = (at(podSpec(docs), 'volumes') as Obj[]).map((v) => v['name']);
      expect(names).not.toContain('pod-logs');
      expect(names).not.toContain('container-logs');
    },
  },
  'pod network (hostNetwork false)': {
    values: { hostNetwork: false },
    check: (docs) => expect(podSpec(docs)['dnsPolicy']).toBe('ClusterFirst'),
  },
  'listen on the node IP only': {
    values: { service: { listenOnAllInterfaces: false, port: 9100 } },
    check: (docs) => expect(at(agent(docs), 'args')).toContain('--web.listen-address=[$(HOST_IP)]:9100'),
  },
  'Service options': {
    values: { service: { type: 'NodePort', prometheusAnnotations: false, annotations: { 'example.com/a': 'b' }, labels: { tier: 'monitoring' } } },
    check: (docs) => {
      expect(at(kind(docs, 'Service'), 'metadata', 'annotations')).toEqual({ 'example.com/a': 'b' });
      expect(at(kind(docs, 'Service'), 'metadata', 'labels', 'tier')).toBe('monitoring');
    },
  },
  'no Service, an existing ServiceAccount, a PodMonitor': {
    values: {
      service: { enabled: false },
      serviceAccount: { create: false, name: 'existing' },
      podMonitor: {
        enabled: true, namespace: 'prometheus', labels: { release: 'kps' }, interval: '15s', scrapeTimeout: '5s', jobLabel: 'app.kubernetes.io/name',
        honorLabels: true, relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }],
        metricRelabelings: [{ action: 'drop', regex: 'node_scrape_.*', sourceLabels: ['__name__'] }],
        scheme: 'https', tlsConfig: { insecureSkipVerify: true }, podTargetLabels: ['app.kubernetes.io/instance'], sampleLimit: 50000,
        attachMetadata: { node: true },
      },
    },
    check: (docs) => {
      expect(docs.map((d) => d['kind']).sort()).toEqual(['ConfigMap', 'DaemonSet', 'PodMonitor']);
      const pm = kind(docs, 'PodMonitor');
      expect(at(pm, 'metadata', 'namespace')).toBe('prometheus');
      expect(at(pm, 'spec', 'namespaceSelector', 'matchNames')).toEqual(['monitoring']);
      expect(at(pm, 'spec', 'podMetricsEndpoints', 0, 'scheme')).toBe('https');
      expect(at(pm, 'spec', 'sampleLimit')).toBe(50000);
      expect(podSpec(docs)['serviceAccountName']).toBe('existing');
    },
  },
  'ServiceMonitor with every option': {
    values: {
      serviceMonitor: {
        enabled: true, namespace: 'prometheus', labels: { release: 'kps' }, interval: '15s', scrapeTimeout: '5s', jobLabel: 'app.kubernetes.io/name',
        honorLabels: true, relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }],
        metricRelabelings: [{ action: 'drop', regex: 'node_scrape_.*', sourceLabels: ['__name__'] }],
        scheme: 'https', tlsConfig: { serverName: 'psutil-exporter' }, targetLabels: ['tier'], sampleLimit: 50000, attachMetadata: { node: true },
      },
    },
    check: (docs) => {
      const sm = kind(docs, 'ServiceMonitor');
      expect(at(sm, 'spec', 'targetLabels')).toEqual(['tier']);
      expect(at(sm, 'spec', 'attachMetadata')).toEqual({ node: true });
      expect(at(sm, 'spec', 'endpoints', 0, 'tlsConfig')).toEqual({ serverName: 'psutil-exporter' });
    },
  },
  'names, namespace and labels': {
    values: { nameOverride: 'hostagent', fullnameOverride: 'psx-hostagent', namespaceOverride: 'observability', commonLabels: { team: 'infra' }, podLabels: { 'example.com/scrape': 'metrics' }, serviceMonitor: { enabled: true } },
    check: (docs) => {
      for (const d of docs) {
        expect({ kind: d['kind'], ns: at(d, 'metadata', 'namespace'), team: at(d, 'metadata', 'labels', 'team') }).toEqual({ kind: d['kind'], ns: 'observability', team: 'infra' });
      }
      expect(at(kind(docs, 'DaemonSet'), 'metadata', 'name')).toBe('psx-hostagent');
      expect(at(kind(docs, 'ServiceMonitor'), 'spec', 'namespaceSelector', 'matchNames')).toEqual(['observability']);
      expect(at(kind(docs, 'DaemonSet'), 'spec', 'template', 'metadata', 'labels', 'team')).toBe('infra');
    },
  },
  'image by digest, pull secrets, pull policy': {
    values: { image: { repository: 'registry.example/psutil-exporter', digest: `sha256:${'ab'.repeat(32)}`, pullPolicy: 'Always' }, imagePullSecrets: [{ name: 'regcred' }] },
    check: (docs) => expect(agent(docs)['image']).toBe(`registry.example/psutil-exporter@sha256:${'ab'.repeat(32)}`),
  },
  'scheduling: priority, selectors, tolerations, affinity, update strategy, history, grace period': {
    values: {
      priorityClassName: 'system-node-critical', nodeSelector: { 'kubernetes.io/os': 'linux', 'node-role.example/metrics': 'true' },
      tolerations: [{ operator: 'Exists' }], affinity: null, updateStrategy: { type: 'OnDelete', rollingUpdate: null },
      revisionHistoryLimit: 3, terminationGracePeriodSeconds: 10,
    },
    check: (docs) => {
      expect(podSpec(docs)['affinity']).toBeUndefined();
      expect(podSpec(docs)['tolerations']).toEqual([{ operator: 'Exists' }]);
      expect(at(kind(docs, 'DaemonSet'), 'spec', 'updateStrategy')).toEqual({ type: 'OnDelete' });
    },
  },
  'extra args, env, volumes and mounts': {
    values: {
      extraArgs: ['--log.level=debug'],
      extraEnv: [{ name: 'OTEL_EXPORTER_OTLP_HEADERS', valueFrom: { secretKeyRef: { name: 'otlp-auth', key: 'headers' } } }],
      extraVolumes: [{ name: 'web-tls', secret: { secretName: 'psutil-exporter-tls' } }],
      extraVolumeMounts: [{ name: 'web-tls', mountPath: '/run/psutil-exporter/web-tls', readOnly: true }],
    },
    check: (docs) => {
      expect(at(agent(docs), 'args')).toContain('--log.level=debug');
      expect((at(agent(docs), 'volumeMounts') as Obj[]).map((m) => m['name'])).toContain('web-tls');
    },
  },
  'OTLP push and process groups in config': {
    values: { config: { otlp: { enabled: true, endpoint: 'http://collector.monitoring.svc:4318/v1/metrics' }, process_names: [{ name: '{{.Matches.app}}', cmdline: ['^/usr/bin/(?P<app>postgres|nginx)'] }] } },
    check: (docs) => {
      const cfg = parseConfig(String(at(kind(docs, 'ConfigMap'), 'data', 'config.yaml')), 'configmap');
      expect(cfg.otlp.enabled).toBe(true);
    },
  },
  'security contexts, resources and probes': {
    values: {
      podSecurityContext: { runAsUser: 65534, runAsGroup: 65534, runAsNonRoot: true, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' }, supplementalGroups: [4] },
      containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: true },
      resources: { requests: { cpu: '100m', memory: '200Mi' }, limits: { memory: '400Mi' } },
      livenessProbe: { periodSeconds: 20 }, readinessProbe: { periodSeconds: 10 },
    },
    // privileged: true in values is ignored by the chart, on purpose.
    check: (docs) => expect(at(agent(docs), 'securityContext', 'privileged')).toBe(false),
  },
};

// Values the chart must refuse: each with the text its error names.
const REFUSED: Record<string, { values: Obj; error: RegExp }> = {
  'a typo in a key (values.schema.json)': { values: { tolerationz: [] }, error: /tolerationz/ },
  'a typo below a key': { values: { service: { listenOnAllInterface: false } }, error: /listenOnAllInterface/ },
  'a wrong type': { values: { service: { port: '9464' } }, error: /port/ },
  'the admin API without authentication': { values: { admin: { enabled: true } }, error: /admin\.enabled needs/ },
  'the node IP without the node network': { values: { hostNetwork: false, service: { listenOnAllInterfaces: false } }, error: /listenOnAllInterfaces=false needs hostNetwork/ },
};

withChartcheck.describe('chartcheck: the chart rendered and validated', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-chartcheck-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(cmd: 'validate' | 'render', values: Obj): Run {
    const file = path.join(dir, `values-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(file, toYaml(values));
    const r = spawnSync(BIN, [cmd, CHART, '-f', file, '--release', 'psx', '-n', 'monitoring', '-a', 'monitoring.coreos.com/v1'], { encoding: 'utf8', timeout: 60000 });
    if (r.error) throw r.error;
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  }

  test.each(Object.keys(CASES))('%s: validates, and renders what it should', (name) => {
    const c = CASES[name] as Case;
    const v = run('validate', c.values);
    expect({ status: v.status, out: v.out }).toEqual({ status: 0, out: expect.stringMatching(/^chartcheck: \d+ document\(s\) valid$/m) as unknown });
    const r = run('render', c.values);
    expect(r.status).toBe(0);
    const docs = parseAllDocuments(r.out).map((d) => d.toJS() as unknown).filter((d): d is Obj => d !== null && typeof d === 'object');
    expect(docs.length).toBeGreaterThan(0);
    c.check?.(docs);
  });

  test.each(Object.keys(REFUSED))('refuses %s', (name) => {
    const c = REFUSED[name] as { values: Obj; error: RegExp };
    const r = run('validate', c.values);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(c.error);
  });

  // chartcheck, like helm template, does not render NOTES.txt: render a copy of the chart where it is a template.
  test.each([true, false])('NOTES.txt with listenOnAllInterfaces=%s: port-forward only where it can reach the agent', (all) => {
    const copy = path.join(dir, `notes-${String(all)}`);
    fs.cpSync(CHART, copy, { recursive: true });
    fs.renameSync(path.join(copy, 'templates', 'NOTES.txt'), path.join(copy, 'templates', 'zz-notes.txt'));
    const r = spawnSync(BIN, ['render', copy, '--release', 'psx', '-n', 'monitoring', '--set', `service.listenOnAllInterfaces=${String(all)}`], { encoding: 'utf8', timeout: 60000 });
    const notes = r.stdout.slice(r.stdout.indexOf('# Source: psutil-exporter/templates/zz-notes.txt'));
    expect(notes).toMatch(/kubectl label namespace monitoring pod-security\.kubernetes\.io\/enforce=privileged/);
    if (all) expect(notes).toMatch(/kubectl -n monitoring port-forward ds\/psx-psutil-exporter 9464\n/);
    else expect(notes).toMatch(/cannot reach it[\s\S]*curl -s http:\/\/NODE_IP:9464\/metrics/);
    expect(notes.includes('port-forward ds/')).toBe(all);
  });

  test('the cases cover every top-level key of values.yaml', () => {
    const keys = Object.keys(parseYaml(fs.readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as Obj);
    const covered = new Set(Object.values(CASES).flatMap((c) => Object.keys(c.values)));
    expect(keys.filter((k) => !covered.has(k))).toEqual([]);
  });
});
