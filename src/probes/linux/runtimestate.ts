/**
 * Reading a container's runtime state file (parse/runtimestate.ts) under the rootfs prefix: the host's
 * /run/containerd, /var/lib/containers and /var/lib/docker as a DaemonSet reaches them at /host/root. Bounded: the
 * files are a few kB to tens of kB (an OCI spec), so 256 KiB is ample, and a larger one is not read whole.
 */
import type { ProcFs } from './procfs';
import type { CgroupRuntime } from './parse/cgroupid';
import { parseRuntimeState, type RuntimeNames } from './parse/runtimestate';

export type { RuntimeNames };

const CAP = 256 * 1024;

/** Where each runtime keeps a container's state, as a host path. */
export function runtimeStatePath(runtime: CgroupRuntime, id: string): string {
  switch (runtime) {
    case 'containerd':
      // CRI's containerd namespace is k8s.io; other clients (nerdctl: default, moby) have other directories.
      return `/run/containerd/io.containerd.runtime.v2.task/k8s.io/${id}/config.json`;
    case 'crio':
    case 'podman':
      return `/var/lib/containers/storage/overlay-containers/${id}/userdata/config.json`;
    case 'docker':
      return `/var/lib/docker/containers/${id}/config.v2.json`;
  }
}

/** The container's image and name, or null when its state file is absent (another runtime root, no mount). */
export function readRuntimeState(fs: ProcFs, runtime: CgroupRuntime, id: string): RuntimeNames | null {
  if (!/^[0-9a-f]{64}$/.test(id)) return null;
  const p = fs.root(runtimeStatePath(runtime, id));
  const text = fs.readTextOrNull(p, CAP);
  return text === null ? null : parseRuntimeState(text, runtime, id, p);
}
