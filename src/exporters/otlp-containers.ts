/**
 * Per-container OTLP: one resource per container cgroup the cgroups collector kept (a row with a container id), with
 * the semantic conventions' container metrics. Names as @opentelemetry/semantic-conventions 1.45.0 (incubating)
 * spells them; instruments and units as the semantic-conventions model (model/container/metrics.yaml), with the
 * memory metrics as UpDownCounters (semantic-conventions PR #3889). Pods' own cgroups and systemd units get no
 * resource: the conventions have no unit resource, and a pod's usage is the sum of its containers'.
 *
 * The collector maps in the worker, where it has no resource of its own to give (a metric with `resource` would go
 * the per-process way, whose counters start at process.uptime): each metric is one per name, one point per container
 * and attribute set, the container's resource attributes on the point beside the metric's own. The main thread
 * (SnapshotProducer, otlp-container-resources.ts) takes them out of the host's metrics and regroups them by
 * container, each counter a cumulative sum from the host's start (boot): a cgroup's creation time is not in the data.
 *
 * Not sent, the data lacks them: container.uptime (no start time in a cgroup's files), container.cpu.usage (a rate:
 * the exporter keeps no previous sample; derive it from container.cpu.time), container.network.io (cgroups count no
 * network bytes), container.filesystem.* (not a cgroup's).
 */
import { identityFromCgroupPath, type CgroupRuntime } from '../probes/linux/parse/cgroupid';
import { metrics, otel, type OtlpAttributes, type OtlpMetric } from './catalog';
import type { CgroupsData } from './collectors/cgroups-data';

/** The resource attribute keys a container metric's points carry (moved to the resource by the main thread). */
export const CONTAINER_RESOURCE_KEYS: ReadonlySet<string> = new Set([
  'container.id',
  'container.runtime.name',
  'k8s.pod.uid',
  'k8s.pod.name',
  'k8s.namespace.name',
  'k8s.container.name',
  'container.image.name',
  'container.name',
]);

/** container.runtime.name: the runtimes' own names (semconv's examples: docker, containerd). */
const RUNTIME_NAME: Readonly<Record<CgroupRuntime, string>> = {
  containerd: 'containerd',
  crio: 'cri-o',
  docker: 'docker',
  podman: 'podman',
};

/**
 * The container metrics of one pass of the cgroups collector. Relies on CgroupsData's rows (labels.id, the cgroup
 * path; labels.container_id, container, pod, namespace; memoryVersion; stats cpu user/system/usage, memory
 * current/workingSet/max/stat, io per device) and `devices`.
 */
export function containerMetrics(d: CgroupsData): OtlpMetric[] {
  const cpuTime = otel('container.cpu.time', 'counter', 's', 'Total CPU time consumed.');
  const memUsage = otel('container.memory.usage', 'updowncounter', 'By', 'Memory usage of the container.', 'int');
  const memWs = otel('container.memory.working_set', 'updowncounter', 'By', 'Container memory working set.', 'int');
  const memRss = otel('container.memory.rss', 'updowncounter', 'By', 'Container memory RSS.', 'int');
  const memAvail = otel('container.memory.available', 'updowncounter', 'By', 'Container memory available.', 'int');
  const faults = otel('container.paging.faults', 'counter', '{fault}', 'Container memory paging faults.', 'int');
  const diskIo = otel('container.disk.io', 'counter', 'By', 'Disk bytes for the container.', 'int');
  for (const r of d.rows) {
    const l = r.labels;
    if (l.container_id === '') continue;
    const id = identityFromCgroupPath(l.id);
    // Names only where known: an attribute with an empty value says nothing and splits a backend's grouping.
    const res: Record<string, string> = { 'container.id': l.container_id };
    if (id.runtime !== null) res['container.runtime.name'] = RUNTIME_NAME[id.runtime];
    if (id.podUid !== null) res['k8s.pod.uid'] = id.podUid;
    if (l.pod !== '') res['k8s.pod.name'] = l.pod;
    if (l.namespace !== '') res['k8s.namespace.name'] = l.namespace;
    if (l.container !== '') res['k8s.container.name'] = l.container;
    // The runtime's state file (cgroups collector's image/name labels); for CRI containerd `name` is the id itself.
    if (l.image !== '') res['container.image.name'] = l.image;
    if (l.name !== '' && l.name !== l.container_id) res['container.name'] = l.name;
    // Points without attributes of their own share the resource's object (one object in the worker's clone).
    const at = (extra?: OtlpAttributes): OtlpAttributes => (extra === undefined ? res : { ...res, ...extra });
    const s = r.stats;
    const c = s.cpu;
    if (c !== null) {
      // The model: either every point has a cpu.mode or none has. The cgroup's system time is time its tasks spent
      // in kernel mode: semconv's `kernel` ("when tasks of the cgroup are in kernel mode"), not `system` (the host's).
      if (c.user !== null && c.system !== null) {
        cpuTime.add(at({ 'cpu.mode': 'user' }), c.user);
        cpuTime.add(at({ 'cpu.mode': 'kernel' }), c.system);
      } else if (c.usage !== null) cpuTime.add(at(), c.usage);
    }
    const m = s.memory;
    if (m !== null) {
      if (m.current !== null) memUsage.add(at(), m.current);
      if (m.workingSet !== null) memWs.add(at(), m.workingSet);
      const rss = r.memoryVersion === 1 ? m.stat['rss'] : m.stat['anon'];
      if (rss !== undefined) memRss.add(at(), rss);
      // "memory limit - workingSetBytes; if the limit is undefined, omitted" (the kubelet floors it at 0).
      if (m.max !== null && m.workingSet !== null) memAvail.add(at(), Math.max(0, m.max - m.workingSet));
      const all = m.stat['pgfault'];
      const major = m.stat['pgmajfault'];
      if (all !== undefined && major !== undefined) {
        faults.add(at({ 'system.paging.fault.type': 'major' }), major);
        faults.add(at({ 'system.paging.fault.type': 'minor' }), Math.max(0, all - major));
      }
    }
    for (const dev of s.io ?? []) {
      const key = `${dev.major}:${dev.minor}`;
      // system.device: the kernel's name where /proc/diskstats has one, else the numbers.
      const device = d.devices[key] || key;
      diskIo.add(at({ 'disk.io.direction': 'read', 'system.device': device }), dev.readBytes);
      diskIo.add(at({ 'disk.io.direction': 'write', 'system.device': device }), dev.writeBytes);
    }
  }
  return metrics(cpuTime, memUsage, memWs, memRss, memAvail, faults, diskIo);
}
