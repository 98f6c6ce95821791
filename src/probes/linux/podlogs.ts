/**
 * Pod and container names from the kubelet's log directories (see parse/podlogs.ts for the layouts), for labelling
 * cgroups that only carry a pod UID and a container id. Both directories are optional: a node without Kubernetes, or
 * an agent without the mount, gets an empty index, never an error. The index is a snapshot: pods come and go, so the
 * caller decides how often to read it again.
 */
import * as path from 'node:path';
import type { LinkEntry, ProcFs } from './procfs';
import { OsError } from '../errors';
import { isContainerName, parseContainerLogName, parsePodLogDir, podDirOfLogTarget } from './parse/podlogs';

export interface PodLogPod {
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
  /** The container names that have (or had, until the kubelet's GC) a log directory, sorted. */
  readonly containers: readonly string[];
}

export interface PodLogContainer {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** The pod UID, from the link's target; null when the link points elsewhere (an unusual podLogsDir). */
  readonly uid: string | null;
}

export interface PodLogIndex {
  /** Pods by UID (dashed UUID, or 32 hex digits for a static pod). */
  readonly byUid: ReadonlyMap<string, PodLogPod>;
  /** Containers by id (64 hex digits), from /var/log/containers. */
  readonly containerNames: ReadonlyMap<string, PodLogContainer>;
}

const ABSENT = new Set(['ENOENT', 'ENOTDIR']);

/** Directory entries, [] when the directory is absent; other errors (EACCES) are the caller's to count. */
function list(fs: ProcFs, dir: string): string[] {
  try {
    return fs.readdir(dir);
  } catch (err) {
    // A pod removed between listing its parent and listing it is gone, like a directory never mounted.
    if (err instanceof OsError && ABSENT.has(err.osCode)) return [];
    throw err;
  }
}

function links(fs: ProcFs, dir: string): LinkEntry[] {
  try {
    return fs.readlinksIn(dir, '');
  } catch (err) {
    if (err instanceof OsError && ABSENT.has(err.osCode)) return [];
    throw err;
  }
}

/**
 * Reads `dir` (the kubelet's podLogsDir, /var/log/pods by default) and `containersDir` (/var/log/containers beside
 * it by default). The paths are taken as this process sees them: mount the host's directories at the same paths, or
 * pass where they are.
 */
export function readPodLogs(
  fs: ProcFs,
  dir = '/var/log/pods',
  containersDir: string = path.join(path.dirname(dir), 'containers'),
): PodLogIndex {
  const byUid = new Map<string, PodLogPod>();
  for (const name of list(fs, dir)) {
    const p = parsePodLogDir(name);
    if (p === null) continue;
    const containers = list(fs, path.join(dir, name)).filter(isContainerName).sort();
    byUid.set(p.uid, Object.freeze({ ...p, containers: Object.freeze(containers) }));
  }
  const containerNames = new Map<string, PodLogContainer>();
  // One open of the directory and a readlinkat per entry (readlinksIn), not a path lookup per link.
  for (const e of links(fs, containersDir)) {
    const c = parseContainerLogName(e.name);
    if (c === null) continue;
    // A link that cannot be read still names the container; only the UID comes from its target.
    const target = e.target === null ? null : podDirOfLogTarget(e.target);
    const uid = target !== null && target.namespace === c.namespace && target.pod === c.pod ? target.uid : null;
    containerNames.set(
      c.containerId,
      Object.freeze({ namespace: c.namespace, pod: c.pod, container: c.container, uid }),
    );
  }
  return Object.freeze({ byUid, containerNames });
}
