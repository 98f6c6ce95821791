/**
 * What a process's cgroup path says about it: container id, Kubernetes pod UID and QoS class, container runtime and
 * systemd unit. Pure: the lines of /proc/<pid>/cgroup (parsed) in, an identity out. The layouts are those of the
 * kubelet's cgroupfs and systemd drivers (kubepods[-qos]-pod<uid>.slice, /kubepods/<qos>/pod<uid>, a custom
 * --cgroup-root prefix such as kind's kubelet-kubepods.slice), containerd CRI (cri-containerd-<id>.scope, the
 * "slice:cri-containerd:<id>" colon form, a bare <id>), CRI-O (crio-<id>.scope, crio-<id>, crio-conmon-<id>), docker
 * (docker-<id>.scope, /docker/<id>) and podman (libpod-<id>.scope[/container], /libpod_parent/libpod-<id>).
 */
import type { CgroupEntry } from './cgroup';

export type CgroupRuntime = 'containerd' | 'crio' | 'docker' | 'podman';
export type QosClass = 'guaranteed' | 'burstable' | 'besteffort';

export interface CgroupIdentity {
  /** The path the identity was read from (the longest of the process's lines, ` (deleted)` removed). */
  readonly path: string;
  /** 64 lowercase hex digits; null outside a container and for a runtime monitor (conmon). */
  readonly containerId: string | null;
  /** The pod UID with dashes (a static pod's is 32 hex digits, no dashes); null outside a pod. */
  readonly podUid: string | null;
  /** null outside a pod; guaranteed when the pod sits directly under kubepods (no QoS tier cgroup). */
  readonly qosClass: QosClass | null;
  /** null where the path does not tell (a bare id under the cgroupfs driver: containerd or docker). */
  readonly runtime: CgroupRuntime | null;
  /** The last `*.service` / `*.scope` component; null when there is none. */
  readonly systemdUnit: string | null;
  /** Whether the path is a runtime's monitor (crio-conmon-, libpod-conmon-) rather than the container itself. */
  readonly monitor: boolean;
}

const UID = String.raw`[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|[0-9a-f]{32}`;
// Unanchored at the start: a custom cgroup root prefixes the slice name (kubelet-kubepods-...), and a path read from a
// private cgroup namespace starts with /../.. (the tail survives).
const POD = new RegExp(String.raw`(?:^|/)(?:[^/]*-)?pod(${UID})(?:\.slice)?(?=[/:]|$)`);
const QOS = /(?:^|[/-])kubepods[-/](burstable|besteffort)(?=[./-])/;
const CONMON = /(?:^|\/)(crio|libpod)-conmon-([0-9a-f]{64})(?:\.scope)?(?=\/|$)/;
const SCOPE = /(?:^|\/)(cri-containerd|crio|docker|libpod)-([0-9a-f]{64})\.scope(?=\/|$)/;
const COLON = /:(cri-containerd|crio|docker):([0-9a-f]{64})(?=\/|$)/;
const BARE = /(?:^|\/)(crio-|libpod-)?([0-9a-f]{64})(?=\/|$)/g;
const UNIT = /(?:^|\/)([^/]+\.(?:service|scope))(?=\/|$)/g;

const RUNTIME: Readonly<Record<string, CgroupRuntime>> = {
  'cri-containerd': 'containerd',
  crio: 'crio',
  'crio-': 'crio',
  docker: 'docker',
  libpod: 'podman',
  'libpod-': 'podman',
};

function lastMatch(re: RegExp, s: string): RegExpExecArray | null {
  re.lastIndex = 0;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) last = m;
  return last;
}

/**
 * The path to read identity from: the longest of the lines (podman does the same, PR #8422), because on a v1 or
 * hybrid host a process can be in a non-root cgroup of one hierarchy only, so that the others say `/`.
 */
export function identityPath(entries: readonly CgroupEntry[]): string {
  let best = '';
  for (const e of entries) {
    const p = e.path.replace(/ \(deleted\)$/, '');
    if (p.length > best.length) best = p;
  }
  return best;
}

/** The identity of one cgroup path (see identityOf for a process's lines). */
export function identityFromCgroupPath(path: string): CgroupIdentity {
  const p = path.replace(/ \(deleted\)$/, '');
  let containerId: string | null = null;
  let runtime: CgroupRuntime | null = null;
  let monitor = false;
  const conmon = CONMON.exec(p);
  if (conmon !== null) {
    monitor = true;
    runtime = RUNTIME[conmon[1]!]!;
  } else {
    const m = SCOPE.exec(p) ?? COLON.exec(p);
    if (m !== null) {
      containerId = m[2]!;
      runtime = RUNTIME[m[1]!]!;
    } else {
      // The last bare id: a nested (kind, docker-in-docker) path holds the outer container's id first.
      const b = lastMatch(BARE, p);
      if (b !== null) {
        containerId = b[2]!;
        if (b[1] !== undefined) runtime = RUNTIME[b[1]]!;
        else if (/(?:^|\/)docker\/[0-9a-f]{64}(?=\/|$)/.test(p)) runtime = 'docker';
      }
    }
  }
  const pod = POD.exec(p);
  const podUid = pod === null ? null : pod[1]!.replace(/_/g, '-');
  let qosClass: QosClass | null = null;
  if (podUid !== null) {
    const q = QOS.exec(p);
    qosClass = q === null ? 'guaranteed' : (q[1] as QosClass);
  }
  const unit = lastMatch(UNIT, p);
  return Object.freeze({
    path: p,
    containerId,
    podUid,
    qosClass,
    runtime,
    systemdUnit: unit === null ? null : unit[1]!,
    monitor,
  });
}

/** The identity of a process from its /proc/<pid>/cgroup lines. */
export function identityOf(entries: readonly CgroupEntry[]): CgroupIdentity {
  return identityFromCgroupPath(identityPath(entries));
}
