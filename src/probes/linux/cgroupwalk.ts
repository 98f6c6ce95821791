/**
 * The walk over the cgroup hierarchies (every cgroup's path, parents before children) and where a hierarchy path lies
 * under its mount: split from cgroups.ts, which re-exports walk().
 */
import * as path from 'node:path';
import { CgroupDirReader, listPath } from './cgroupdir';
import type { ProcFs } from './procfs';

export interface CgroupHierarchy {
  /** 2 for the unified hierarchy. */
  readonly version: 1 | 2;
  /** v1: the controllers mounted together (`name=systemd` for a named hierarchy); v2: []. */
  readonly controllers: readonly string[];
  /** Where it is mounted, as this reader reaches it (under the sysfs root, or the rootfs for a host mount elsewhere). */
  readonly mountPoint: string;
  /** The hierarchy path the mount shows (`/` unless a sub-tree is bind-mounted or seen from a cgroup namespace). */
  readonly root: string;
}

/** A hierarchy path under a mount, or null when it lies outside the mount (a `/..` path from another cgroupns). */
export function under(h: CgroupHierarchy, cgPath: string): string | null {
  let rel = cgPath.replace(/ \(deleted\)$/, '');
  if (h.root !== '/') {
    if (rel !== h.root && !rel.startsWith(h.root + '/')) return null;
    rel = rel.slice(h.root.length);
  }
  const dir = path.posix.join(h.mountPoint, rel);
  return dir === h.mountPoint || dir.startsWith(h.mountPoint + '/') ? dir : null;
}

/** The hierarchies a walk lists: those of the controllers stats() reads, the unified one and name=systemd. */
const WALKED = new Set(['memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'name=systemd']);

/**
 * Every cgroup's hierarchy path (`/`, `/system.slice`, ...) across the mounted hierarchies, parents before children:
 * on a v1 or hybrid host each controller has its own tree, so a cgroup made in one of them only is listed too.
 * `descend(path)` false lists the path but none below it (a container's inner cgroups). A directory removed during the
 * walk is skipped: cgroups come and go. With a reader, directories on the kernel's filesystems are listed through its
 * kept handles.
 */
export function walk(
  fs: ProcFs,
  hs: readonly CgroupHierarchy[],
  descend: (p: string) => boolean,
  reader: CgroupDirReader | null = null,
): string[] {
  const seen = new Set<string>();
  const paths: string[] = [];
  const depthOf: number[] = [];
  for (const h of hs) {
    if (h.version === 1 && !h.controllers.some((c) => WALKED.has(c))) continue;
    const rootDir = under(h, h.root);
    if (rootDir === null) continue;
    // Every directory below is on the root's filesystem: one check per hierarchy.
    const kept = reader !== null && fs.isKernelPath(rootDir) ? reader : null;
    // Each cgroup with its depth and its directory.
    const queue: string[] = [h.root];
    const depths: number[] = [h.root === '/' ? 0 : h.root.split('/').length - 1];
    const dirs: string[] = [rootDir];
    for (let i = 0; i < queue.length; i++) {
      const cg = queue[i]!;
      if (!seen.has(cg)) {
        seen.add(cg);
        paths.push(cg);
        depthOf.push(depths[i]!);
      }
      if (!descend(cg)) continue;
      const dir = dirs[i]!;
      const subdirs = kept !== null ? kept.subdirs(dir) : (listPath(dir)?.subdirs ?? null);
      if (subdirs === null) continue;
      const c = childNames(subdirs, cg, dir, kept !== null);
      const d = depths[i]! + 1;
      for (let k = 0; k < subdirs.length; k++) {
        queue.push(c.cgs[k]!);
        dirs.push(c.dirs[k]!);
        depths.push(d);
      }
    }
  }
  return sortedWalk(reader, paths, depthOf);
}

/** A listing's children as cgroup paths and directories, made once per listing (kept listings repeat each pass). */
interface ChildNames {
  readonly cg: string;
  readonly dir: string;
  readonly cgs: readonly string[];
  readonly dirs: readonly string[];
}

/**
 * By listing (a kept directory's subdirs array stays the same object while its watch sees no change): the same child
 * strings pass after pass, so the sets and maps they key hash each once, and none is built again.
 */
const childCache = new WeakMap<readonly string[], ChildNames>();

function childNames(subdirs: readonly string[], cg: string, dir: string, keep: boolean): ChildNames {
  const c = childCache.get(subdirs);
  if (c !== undefined && c.cg === cg && c.dir === dir) return c;
  const made: ChildNames = {
    cg,
    dir,
    cgs: subdirs.map((name) => (cg === '/' ? '/' + name : cg + '/' + name)),
    dirs: subdirs.map((name) => (dir.endsWith('/') ? dir + name : dir + '/' + name)),
  };
  // Only a kept listing repeats: a one-off listing (listPath, an array of its own) is not worth keeping.
  if (keep) childCache.set(subdirs, made);
  return made;
}

/** A reader's last walk, before and after its sort. */
interface WalkMemo {
  paths: readonly string[];
  depths: readonly number[];
  sorted: readonly string[];
}

const walkMemos = new WeakMap<CgroupDirReader, WalkMemo>();

/**
 * Parents before children across hierarchies too: by depth, then by path for a stable order. A reader's walk that
 * found the same paths in the same order as its last one (the steady pass: the same strings, compared by identity
 * first) gets the last order again, without the sort's string comparisons.
 */
function sortedWalk(reader: CgroupDirReader | null, paths: string[], depths: number[]): string[] {
  const memo = reader === null ? undefined : walkMemos.get(reader);
  if (memo !== undefined && memo.paths.length === paths.length) {
    let same = true;
    for (let i = 0; i < paths.length && same; i++) same = memo.paths[i] === paths[i] && memo.depths[i] === depths[i];
    if (same) return memo.sorted.slice();
  }
  const order = paths.map((_, i) => i);
  order.sort((a, b) => {
    const pa = paths[a]!;
    const pb = paths[b]!;
    return depths[a]! - depths[b]! || (pa < pb ? -1 : pa > pb ? 1 : 0);
  });
  const sorted = order.map((i) => paths[i]!);
  if (reader !== null) walkMemos.set(reader, { paths, depths, sorted });
  return sorted.slice();
}
