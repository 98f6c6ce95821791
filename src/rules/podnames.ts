/**
 * The rules' view of the kubelet's log directories (probes/linux/podlogs.ts): pod name and namespace by pod UID,
 * container name by container id, for the {{.PodName}}, {{.Namespace}} and {{.ContainerName}} fields and the
 * pod_name, namespace and container_name selectors. The index is read at most once per pass, and only when a rule or
 * template uses these names (the grouper asks lazily; the source keeps the pass's index).
 */
import { OsError } from '../probes/errors';
import { readPodLogs, type PodLogIndex } from '../probes/linux/podlogs';
import type { ProcFs } from '../probes/linux/procfs';
import type { PodNames } from './types';

/** The rules' lookups over one index; null when it names nothing (no kubelet, or the directory is not mounted). */
export function podNamesFromIndex(index: PodLogIndex): PodNames | null {
  if (index.byUid.size === 0 && index.containerNames.size === 0) return null;
  // A pod whose directory is missing (a custom podLogsDir beside the default /var/log/containers) is still named by
  // its containers' links when their targets give its UID.
  const fromLinks = new Map<string, { namespace: string; name: string }>();
  for (const c of index.containerNames.values()) {
    if (c.uid !== null && !fromLinks.has(c.uid))
      fromLinks.set(c.uid, Object.freeze({ namespace: c.namespace, name: c.pod }));
  }
  return Object.freeze({
    pod(uid: string) {
      const p = index.byUid.get(uid);
      return p !== undefined ? { namespace: p.namespace, name: p.pod } : (fromLinks.get(uid) ?? null);
    },
    container(id: string) {
      return index.containerNames.get(id)?.container ?? null;
    },
  });
}

/**
 * A reader of the index under `dir()` (the kubelet's podLogsDir as this process sees it; /var/log/containers is
 * taken beside it). A directory that cannot be read (EACCES) gives no names for this pass and is reported through
 * onError, so that one unreadable mount never fails the process groups.
 */
export function podNamesReader(fs: ProcFs, dir: () => string, onError: (e: OsError) => void): () => PodNames | null {
  return () => {
    try {
      return podNamesFromIndex(readPodLogs(fs, dir()));
    } catch (err) {
      if (!(err instanceof OsError)) throw err;
      onError(err);
      return null;
    }
  };
}
