/**
 * Cgroups (ours: psutil has none; psutil #2100 asks for the cgroup-aware CPU count): the mode, the mounted
 * hierarchies, one cgroup's usage and limits (cgroupStats), the container / pod / runtime / systemd unit a process's
 * cgroup path encodes (cgroupIdentity, pure on the file's text), and the effective CPU and memory limits of a process
 * over its cgroup and every ancestor (cgroupLimits). Validation lives here; the reading is in linux/cgroups.ts, the
 * parsing in linux/parse/cgroupfs.ts and linux/parse/cgroupid.ts.
 */
import type { Context } from './context';
import { parseCgroup, type CgroupEntry } from './linux/parse/cgroup';
import { identityOf, type CgroupIdentity } from './linux/parse/cgroupid';
import type { CgroupDirs, CgroupHierarchy, CgroupMode, CgroupParts, CgroupStatsRaw } from './linux/cgroups';
import { readPodLogs, type PodLogIndex } from './linux/podlogs';
import { readRuntimeState, type RuntimeNames } from './linux/runtimestate';
import type { CgroupRuntime } from './linux/parse/cgroupid';
import { CgroupDirReader } from './linux/cgroupdir';

export type { CgroupHierarchy, CgroupMode, CgroupIdentity };
export type { CgroupRuntime, QosClass } from './linux/parse/cgroupid';
export type CgroupStats = CgroupStatsRaw;
export type { CgroupParts };
export type { PodLogIndex, PodLogPod, PodLogContainer } from './linux/podlogs';
export type { RuntimeNames };

export interface CgroupLimits {
  /** The tightest CFS quota/period over the process's cgroup and its ancestors, in CPUs (may be fractional). */
  readonly cpuQuota: number | null;
  /** The CPUs of the process's cpuset (v2 cpuset.cpus.effective, v1 cpuset.cpus), sorted; null when not found. */
  readonly cpuset: readonly number[] | null;
  /**
   * The CPUs the process can use: the least of the quota, the cpuset's size and the online CPUs (fractional when the
   * quota is); null when none of them is known.
   */
  readonly cpuCount: number | null;
  /** The tightest memory limit over the cgroup and its ancestors, in bytes; null when none limits. */
  readonly memory: number | null;
}

function pidArg(fn: string, pid: unknown): number | 'self' {
  if (pid === undefined) return 'self';
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0)
    throw new TypeError(`${fn}: pid must be a non-negative integer, got ${JSON.stringify(pid)}`);
  return pid;
}

/** cgroupLimits, shared with cpuCount({ cgroup: true }). */
export function limitsOf(ctx: Context, target?: number | string): CgroupLimits {
  const cg = ctx.os.cgroups;
  const hs = cg.hierarchies(ctx.fs);
  let t: string | CgroupEntry[];
  if (typeof target === 'string') {
    if (!target.startsWith('/'))
      throw new TypeError(`cgroupLimits: a path must start with /, got ${JSON.stringify(target)}`);
    t = target;
  } else t = cg.pidCgroup(ctx.fs, pidArg('cgroupLimits', target));
  const raw = cg.effectiveLimits(ctx.fs, hs, cg.dirsOf(hs, t));
  let cpuCount = ctx.os.cpu.cpuCountLogical(ctx.fs);
  for (const bound of [raw.cpuQuota, raw.cpuset === null ? null : raw.cpuset.length]) {
    if (bound !== null && (cpuCount === null || bound < cpuCount)) cpuCount = bound;
  }
  return Object.freeze({ cpuQuota: raw.cpuQuota, cpuset: raw.cpuset, cpuCount, memory: raw.memory });
}

/**
 * cgroupPaths and cgroupStatsMany for a caller that reads the same cgroups pass after pass (the cgroups collector):
 * the mount table is read once per pass, and on a real cgroup filesystem each cgroup directory is kept open between
 * passes (its files opened relative to it, its file set kept: linux/cgroupdir.ts). Each pass starts with
 * begin(); directories a pass did not read are closed at the next begin(). close() (or garbage collection) closes
 * the rest. statsMany's `dirs.cpuset` is the directory the path names there, not checked to exist (stats never read
 * it).
 */
export interface CgroupReader {
  begin(): void;
  paths(descend?: (path: string) => boolean): string[];
  statsMany(paths: readonly string[], parts?: CgroupParts): CgroupStats[];
  /**
   * Per path, a number that changes whenever a file of its memory, cpu or pids directory (where the limits are) may
   * have been written since, as of this pass's begin(): a caller that read the limits in a pass keeps them exactly
   * while the number stays the same. null where that cannot be known (no inotify watch on one of those directories,
   * or one not opened yet: a path not in an earlier statsMany, or one not on the kernel's cgroup filesystem).
   */
  limitGenerations(paths: readonly string[]): (number | null)[];
  close(): void;
}

export function cgroupsApi(ctx: Context) {
  const cg = () => ctx.os.cgroups;
  return {
    /** ours: 'unified' (cgroup2 at /sys/fs/cgroup), 'hybrid' (v1 plus cgroup2 at unified/), 'legacy', or null. */
    cgroupMode(): CgroupMode | null {
      return cg().mode(ctx.fs);
    },
    /**
     * ours: the mounted cgroup hierarchies, one per hierarchy: from <procfs>/self/mountinfo, or init's (the host's)
     * where procfs is not /proc (docs/cgroups.md, In a DaemonSet).
     */
    cgroups(): readonly CgroupHierarchy[] {
      return Object.freeze(cg().hierarchies(ctx.fs));
    },
    /**
     * ours: usage and limits of one cgroup. `target` is a hierarchy path such as `/kubepods/pod<uid>` (the same path
     * in every hierarchy) or a pid (each controller's own path from /proc/<pid>/cgroup; v1 hierarchies can differ).
     * Unlimited limits are null.
     */
    cgroupStats(target: string | number): CgroupStats {
      let t: string | CgroupEntry[];
      if (typeof target === 'string') {
        if (!target.startsWith('/'))
          throw new TypeError(`cgroupStats: a path must start with /, got ${JSON.stringify(target)}`);
        t = target;
      } else t = cg().pidCgroup(ctx.fs, pidArg('cgroupStats', target));
      return cg().stats(ctx.fs, cg().dirsOf(cg().hierarchies(ctx.fs), t));
    },
    /**
     * ours: container id, pod UID, QoS class, runtime and systemd unit of a process. Given the text of a
     * /proc/<pid>/cgroup file (or its parsed lines) it reads nothing: a pure function; given a pid (or nothing: this
     * process) it reads that process's file.
     */
    cgroupIdentity(input?: number | string | readonly CgroupEntry[]): CgroupIdentity {
      if (typeof input === 'string') return identityOf(parseCgroup(input));
      if (Array.isArray(input)) return identityOf(input as readonly CgroupEntry[]);
      return identityOf(cg().pidCgroup(ctx.fs, pidArg('cgroupIdentity', input)));
    },
    /**
     * ours: the effective CPU quota, cpuset, CPU count and memory limit of a process (default: this one), or of a
     * cgroup given by its hierarchy path (`/kubepods.slice/...`, the same path in every hierarchy).
     */
    cgroupLimits(target?: number | string): CgroupLimits {
      return limitsOf(ctx, target);
    },
    /**
     * ours: every cgroup's hierarchy path across the mounted hierarchies, parents first; `descend(path)` false keeps a
     * path but skips what is below it.
     */
    cgroupPaths(descend: (path: string) => boolean = () => true): string[] {
      return cg().walk(ctx.fs, cg().hierarchies(ctx.fs), descend);
    },
    /**
     * ours: cgroupStats of many hierarchy paths with one read of the mount table, reading only the parts asked for
     * (default: all). A path gone since it was listed gives stats with every part null.
     */
    cgroupStatsMany(paths: readonly string[], parts?: CgroupParts): CgroupStats[] {
      const hs = cg().hierarchies(ctx.fs);
      const reader = new CgroupDirReader();
      reader.begin();
      try {
        return paths.map((p) => cg().stats(ctx.fs, cg().dirsOf(hs, p), parts, reader));
      } finally {
        reader.close();
      }
    },
    /** ours: a CgroupReader (cgroupPaths and cgroupStatsMany with kept directories, for repeated passes). */
    cgroupReader(): CgroupReader {
      const dirs = new CgroupDirReader({ watch: true });
      let hs: CgroupHierarchy[] | null = null;
      const hier = () => (hs ??= cg().hierarchies(ctx.fs));
      // dirsOf of each path, pure on the hierarchies and the path: kept while the mount table shows the same ones
      // (string work for every hierarchy of every cgroup, every pass, otherwise); only the paths of the last pass.
      let dirsKey = '';
      let dirsOfPath = new Map<string, CgroupDirs>();
      // The hierarchies compared once a pass (hier() gives the same array until the next begin()), not once a call.
      let dirsHs: readonly CgroupHierarchy[] | null = null;
      const dirsFor = (h: readonly CgroupHierarchy[], paths: readonly string[]): CgroupDirs[] => {
        if (h !== dirsHs) {
          dirsHs = h;
          const key = JSON.stringify(h);
          if (key !== dirsKey) {
            dirsKey = key;
            dirsOfPath = new Map();
          }
        }
        return paths.map((p) => {
          let d = dirsOfPath.get(p);
          if (d === undefined) dirsOfPath.set(p, (d = cg().dirsOf(h, p)));
          return d;
        });
      };
      let seenThisPass = new Set<string>();
      return {
        begin() {
          hs = null;
          dirs.begin();
          for (const p of dirsOfPath.keys()) if (!seenThisPass.has(p)) dirsOfPath.delete(p);
          seenThisPass = new Set();
        },
        paths(descend = () => true) {
          try {
            return cg().walk(ctx.fs, hier(), descend, dirs);
          } finally {
            dirs.done();
          }
        },
        statsMany(paths, parts) {
          const h = hier();
          try {
            const ds = dirsFor(h, paths);
            for (const p of paths) seenThisPass.add(p);
            return ds.map((d) => cg().stats(ctx.fs, d, parts, dirs));
          } finally {
            dirs.done();
          }
        },
        limitGenerations(paths) {
          const ds = dirsFor(hier(), paths);
          return ds.map((d) => {
            // The latest of the three: every change gives a directory a generation above all before.
            let g = -1;
            for (const x of [d.memory, d.cpu, d.pids]) {
              if (x === null) continue;
              const v = dirs.generation(x.dir);
              if (v === null) return null;
              if (v > g) g = v;
            }
            return g;
          });
        },
        close() {
          dirs.close();
        },
      };
    },
    /**
     * ours: pod and container names from the kubelet's log directories (/var/log/pods and /var/log/containers beside
     * it, as this process sees them); absent directories give an empty index.
     */
    podLogs(dir?: string, containersDir?: string): PodLogIndex {
      return readPodLogs(ctx.fs, dir, containersDir);
    },
    /**
     * ours: cAdvisor's `image` and `name` of a container from its runtime's state file on the node (containerd's
     * task config.json, CRI-O's and podman's userdata/config.json, docker's config.v2.json), read under the rootfs;
     * null where the file is absent. `runtime` and `id` as cgroupIdentity gives them.
     */
    containerRuntimeState(runtime: CgroupRuntime, id: string): RuntimeNames | null {
      return readRuntimeState(ctx.fs, runtime, id);
    },
  };
}
