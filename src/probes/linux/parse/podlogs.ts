/**
 * The names the kubelet gives its log files, the one place on a node that names pods and containers without the
 * Kubernetes API (kubelet pkg/kubelet/kuberuntime: BuildPodLogsDirectory, legacy.go logSymlink):
 * - /var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log
 * - /var/log/containers/<pod>_<namespace>_<container>-<container id>.log, a symlink to the file above.
 * Namespaces, pod and container names are DNS names (lowercase alphanumerics, `-`, and `.` in pod names), never `_`,
 * so `_` splits the fields. Pure: names in, fields out; anything else (the pre-1.14 `/var/log/pods/<uid>/` layout, a
 * name the kubelet truncated at 255 bytes, a stray file) is null, not an error: the directory is not ours.
 */

export interface PodLogDir {
  readonly namespace: string;
  readonly pod: string;
  /** The pod UID: a UUID, or 32 hex digits for a static pod (md5 of its manifest, kubelet config/common.go). */
  readonly uid: string;
}

export interface ContainerLogName {
  readonly pod: string;
  readonly namespace: string;
  readonly container: string;
  /** 64 lowercase hex digits, as in the container's cgroup path. */
  readonly containerId: string;
}

// A DNS-1123 subdomain (pod names may hold dots; namespaces and container names are labels, a subset).
const NAME = String.raw`[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?`;
const UID = String.raw`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}`;
const POD_DIR = new RegExp(String.raw`^(${NAME})_(${NAME})_(${UID})$`);
// The container name is greedy up to the last `-` before the id: container names hold dashes themselves.
const CONTAINER_LOG = new RegExp(String.raw`^(${NAME})_(${NAME})_(${NAME})-([0-9a-f]{64})\.log$`);
const CONTAINER_NAME = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

/** A /var/log/pods entry `<namespace>_<pod>_<uid>`, or null when the name is not one. */
export function parsePodLogDir(name: string): PodLogDir | null {
  const m = POD_DIR.exec(name);
  if (m === null) return null;
  return Object.freeze({ namespace: m[1]!, pod: m[2]!, uid: m[3]! });
}

/** A /var/log/containers entry `<pod>_<namespace>_<container>-<id>.log`, or null when the name is not one. */
export function parseContainerLogName(name: string): ContainerLogName | null {
  const m = CONTAINER_LOG.exec(name);
  if (m === null) return null;
  return Object.freeze({ pod: m[1]!, namespace: m[2]!, container: m[3]!, containerId: m[4]! });
}

/** Whether a directory entry under a pod's log directory names a container (a DNS label). */
export function isContainerName(name: string): boolean {
  return CONTAINER_NAME.test(name);
}

/**
 * The pod log directory a /var/log/containers link points into: the target is an absolute host path
 * (`/var/log/pods/<ns>_<pod>_<uid>/<container>/<n>.log`), so only its last three components are read, wherever the
 * directory is mounted. null when the target is not of that shape.
 */
export function podDirOfLogTarget(target: string): PodLogDir | null {
  const parts = target.split('/');
  if (parts.length < 3) return null;
  return parsePodLogDir(parts[parts.length - 3]!);
}
