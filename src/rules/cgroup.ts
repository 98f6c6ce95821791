/**
 * The container id and pod uid that cgroup paths encode, for the rules' container_id and pod_uid selectors and their
 * {{.ContainerID}} and {{.PodUID}} fields, for the cgroupfs and systemd drivers of docker, containerd (CRI and
 * nerdctl), CRI-O and podman. The file itself is parsed once, by the library (Process.cgroups(),
 * probes/linux/parse/cgroup.ts); this module only reads meaning into the paths.
 *
 * Shapes handled (one path component each, the deepest one wins so nested containers resolve to the inner one):
 *   docker-<id>.scope              docker, systemd driver         /system.slice/docker-<id>.scope
 *   cri-containerd-<id>.scope      containerd CRI, systemd driver /kubepods.slice/.../cri-containerd-<id>.scope
 *   crio-<id>.scope                CRI-O, systemd driver          (crio-conmon-<id>.scope is the monitor: no id)
 *   libpod-<id>.scope              podman                         (libpod-conmon-<id>.scope: no id)
 *   <id>                           cgroupfs drivers               /docker/<id>, /kubepods/burstable/pod<uid>/<id>
 *   kubepods[-<qos>]-pod<uid>.slice  pod, systemd driver (uid with underscores for dashes)
 *   pod<uid>                       pod, cgroupfs driver
 * where <id> is 64 lowercase hex digits.
 */
import type { ProcessCgroup } from '../index';

export type ContainerRuntime = 'docker' | 'containerd' | 'crio' | 'podman';

export interface CgroupIdentity {
  /** 64 lowercase hex digits, or null outside a container. */
  readonly containerId: string | null;
  /** Kubernetes pod UID with dashes, or null outside a pod. */
  readonly podUid: string | null;
  /** The runtime when the path names it; null when it does not (cgroupfs driver under kubepods). */
  readonly runtime: ContainerRuntime | null;
}

const HEX64 = /^[0-9a-f]{64}$/;
const SCOPED = /^(docker|cri-containerd|crio|libpod)-([0-9a-f]{64})\.scope$/;
const POD_SLICE = /^kubepods(?:-[a-z]+)?-pod([0-9a-f_]{36})\.slice$/;
const POD_DIR = /^pod([0-9a-f-]{36})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const RUNTIME_BY_PREFIX: Readonly<Record<string, ContainerRuntime>> = {
  docker: 'docker',
  'cri-containerd': 'containerd',
  crio: 'crio',
  libpod: 'podman',
};

const NONE: CgroupIdentity = Object.freeze({ containerId: null, podUid: null, runtime: null });

/** Container id, pod uid and runtime encoded in one cgroup path. */
export function identityFromPath(path: string): CgroupIdentity {
  let containerId: string | null = null;
  let podUid: string | null = null;
  let runtime: ContainerRuntime | null = null;
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const c = parts[i] ?? '';
    if (c === '') continue;
    let m = SCOPED.exec(c);
    if (m) {
      containerId = m[2] ?? null;
      runtime = RUNTIME_BY_PREFIX[m[1] ?? ''] ?? null;
      continue;
    }
    if (HEX64.test(c)) {
      containerId = c;
      runtime = parts[i - 1] === 'docker' ? 'docker' : null;
      continue;
    }
    m = POD_SLICE.exec(c);
    if (m) {
      const uid = (m[1] ?? '').replace(/_/g, '-');
      if (UUID.test(uid)) podUid = uid;
      continue;
    }
    m = POD_DIR.exec(c);
    if (m && UUID.test(m[1] ?? '')) podUid = m[1] ?? null;
  }
  if (containerId === null && podUid === null) return NONE;
  return Object.freeze({ containerId, podUid, runtime });
}

/**
 * The identity of a process from its whole cgroup file: the unified (v2) line first, then the v1 lines in order; the
 * first line that names a container (or else a pod) wins.
 */
export function cgroupIdentity(lines: readonly Pick<ProcessCgroup, 'hierarchyId' | 'path'>[]): CgroupIdentity {
  const ordered = [...lines.filter((l) => l.hierarchyId === 0), ...lines.filter((l) => l.hierarchyId !== 0)];
  let podOnly: CgroupIdentity | null = null;
  for (const l of ordered) {
    const id = identityFromPath(l.path);
    if (id.containerId !== null) return id;
    if (id.podUid !== null && podOnly === null) podOnly = id;
  }
  return podOnly ?? NONE;
}
