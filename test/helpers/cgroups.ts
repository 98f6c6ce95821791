/**
 * Cgroups made for a test, as root, in the v1 hierarchies of the named controllers and in the unified hierarchy (a
 * hybrid host such as this project's CI machine has both): made parents first, removed leaves first, after the
 * processes in them are gone. The same checks as test/probes/cgroups.live.test.ts make (mkdir and rmdir of a scratch
 * cgroup) tell why a run cannot.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroupMode, cgroups } from '../../src/index';
import { IS_ROOT } from './require';

export function v1Mount(ctl: string): string | null {
  const h = cgroups().find((x) => x.version === 1 && x.controllers.includes(ctl));
  return h === undefined ? null : h.mountPoint;
}

export function unifiedMount(): string | null {
  const h = cgroups().find((x) => x.version === 2);
  return h === undefined ? null : h.mountPoint;
}

/** Why this run cannot make cgroups under these v1 controllers and the unified hierarchy, or null when it can. */
export function cannotCreateCgroups(controllers: readonly string[], probeName: string): string | null {
  if (!IS_ROOT) return 'not root (creating cgroups needs it)';
  const mode = cgroupMode();
  if (mode !== 'hybrid' && mode !== 'legacy') return `cgroup mode is ${String(mode)}, these tests use v1 hierarchies`;
  const mounts: string[] = [];
  for (const ctl of controllers) {
    const m = v1Mount(ctl);
    if (m === null) return `no v1 ${ctl} hierarchy mounted`;
    mounts.push(m);
  }
  const u = unifiedMount();
  if (u !== null) mounts.push(u);
  for (const m of mounts) {
    const why = cannotMkdirUnder(m, probeName);
    if (why !== null) return why;
  }
  return null;
}

/**
 * Why a cgroup cannot be made under mount `m` (a probe directory made and removed), or null when it can. The reason
 * is the skip's title: a read-only /sys/fs/cgroup (an unprivileged container) ends here.
 */
export function cannotMkdirUnder(m: string, probeName: string): string | null {
  const probe = path.join(m, `${probeName}-probe`);
  try {
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
  } catch (err) {
    return `cannot create a cgroup under ${m}: ${(err as Error).message}`;
  }
  return null;
}

/** Cgroups of one test: each hierarchy path made in the given mounts; remove() takes them all away, deepest first. */
export class CgroupSandbox {
  private readonly made: string[] = [];

  /** Makes `cgPath` (and its missing parents) under each mount; returns the directories, in the mounts' order. */
  make(cgPath: string, mounts: readonly string[]): string[] {
    return mounts.map((m) => {
      const parts = cgPath.split('/').filter(Boolean);
      let dir = m;
      for (const p of parts) {
        dir = path.join(dir, p);
        if (!fs.existsSync(dir)) {
          fs.mkdirSync(dir);
          this.made.push(dir);
        }
      }
      return dir;
    });
  }

  /** Puts a process in each directory (its cgroup.procs). */
  static enter(pid: number, dirs: readonly string[]): void {
    for (const d of dirs) fs.writeFileSync(path.join(d, 'cgroup.procs'), String(pid));
  }

  /** rmdir of every cgroup made, deepest first; the processes must have left (exited) before. */
  remove(): void {
    const order = [...this.made].sort((a, b) => b.split('/').length - a.split('/').length);
    for (const d of order) if (fs.existsSync(d)) fs.rmdirSync(d);
    this.made.length = 0;
  }
}
