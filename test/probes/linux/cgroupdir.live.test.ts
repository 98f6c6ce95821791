/**
 * CgroupDirReader LIVE on the unified hierarchy (cgroup v2): writing `+ctl` or `-ctl` to a cgroup's
 * cgroup.subtree_control makes ctl's files appear in or vanish from each child directory, while the child stays the
 * same directory. A reader that keeps the child open must see that at its next pass: the files read, and a new
 * generation (limits in a newly enabled controller are new values); then gone, with no error.
 *
 * Root only, on a host with a cgroup2 mount and a controller this test may enable there: one of the mount root's
 * cgroup.controllers (on a hybrid host, those not bound to a v1 hierarchy). The controller is found, not assumed: one
 * already enabled in the root's cgroup.subtree_control first (nothing of the host's is then changed), else one that
 * is free. The root's subtree_control is restored as it was: the controller is removed from it only where this test
 * added it and no other cgroup below the root has it enabled.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CgroupDirReader } from '../../../src/probes/linux/cgroupdir';
import { requireOr, IS_ROOT } from '../../helpers/require';
import { unifiedMount } from '../../helpers/cgroups';

const NAME = `psx-v2sub-${process.pid}`;

const words = (file: string): string[] =>
  fs
    .readFileSync(file, 'utf8')
    .split(/\s+/)
    .filter((w) => w !== '');

/** The controller's interface files in `dir` (its name and a dot), sorted. */
const filesOf = (dir: string, ctl: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(`${ctl}.`))
    .sort();

interface Setup {
  readonly mount: string;
  readonly ctl: string;
}

/** Writes `+ctl` or `-ctl` to the subtree_control of `dir`. */
function toggle(dir: string, ctl: string, on: boolean): void {
  fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), `${on ? '+' : '-'}${ctl}`);
}

/**
 * Enables `ctl` for the children of `parent` (in the mount root's subtree_control too where it is not there yet);
 * returns whether the root's was changed.
 */
function enable(mount: string, parent: string, ctl: string): boolean {
  const atRoot = words(path.join(mount, 'cgroup.subtree_control')).includes(ctl);
  if (!atRoot) toggle(mount, ctl, true);
  toggle(parent, ctl, true);
  return !atRoot;
}

/** Takes `ctl` out of the root's subtree_control, unless a cgroup below the root (not this test's) has it enabled. */
function restoreRoot(mount: string, ctl: string): void {
  for (const e of fs.readdirSync(mount, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    if (words(path.join(mount, e.name, 'cgroup.subtree_control')).includes(ctl)) return;
  }
  toggle(mount, ctl, false);
}

/** Removes `parent/child` and `parent` where they exist, after `-ctl` in the parent (a test may stop between). */
function removeTree(parent: string, child: string): void {
  if (fs.existsSync(child)) fs.rmdirSync(child);
  if (fs.existsSync(parent)) fs.rmdirSync(parent);
}

/**
 * The mount and the controller, or why this run cannot: each candidate is tried once (enabled for a probe cgroup's
 * child, which must then show the controller's files, and disabled again), as the tests will.
 */
function setUp(): Setup | string {
  if (!IS_ROOT) return 'not root (creating cgroups and enabling controllers needs it)';
  const mount = unifiedMount();
  if (mount === null) return 'no cgroup2 (unified) hierarchy mounted';
  const available = words(path.join(mount, 'cgroup.controllers'));
  const enabled = words(path.join(mount, 'cgroup.subtree_control'));
  // Those the root enables already first: the test then changes nothing of the host's.
  const candidates = [
    ...available.filter((c) => enabled.includes(c)),
    ...available.filter((c) => !enabled.includes(c)),
  ];
  if (candidates.length === 0) return `no controller free for cgroup v2 at ${mount} (cgroup.controllers is empty)`;
  const why: string[] = [];
  for (const ctl of candidates) {
    const parent = path.join(mount, `${NAME}-probe`);
    const child = path.join(parent, 'child');
    let addedRoot = false;
    try {
      fs.mkdirSync(parent);
      fs.mkdirSync(child);
      addedRoot = enable(mount, parent, ctl);
      const shown = filesOf(child, ctl).length > 0;
      toggle(parent, ctl, false);
      if (shown) return { mount, ctl };
      why.push(`${ctl}: no ${ctl}.* file in a child`);
    } catch (err) {
      why.push(`${ctl}: ${(err as Error).message}`);
    } finally {
      removeTree(parent, child);
      if (addedRoot) restoreRoot(mount, ctl);
    }
  }
  return `no controller of ${mount}/cgroup.controllers could be enabled for a test cgroup (${why.join('; ')})`;
}

const SETUP = setUp();
const live = requireOr(typeof SETUP !== 'string', typeof SETUP === 'string' ? SETUP : '');

/**
 * How the reader is made and used: with watches, the parent read each pass before the child (as the collector's walk
 * keeps every parent of what it lists: the parent's watch sees its subtree_control written); with watches, the child
 * alone (nothing watches the parent: the child's files are listed every pass); without watches.
 */
const MODES = [
  { mode: 'watched, its parent kept as a walk keeps it', watch: true, walk: true },
  { mode: 'watched, its parent not kept', watch: true, walk: false },
  { mode: 'without watches', watch: false, walk: true },
] as const;

live.describe('a controller enabled and disabled in the parent of a kept v2 cgroup', () => {
  const { mount, ctl } = SETUP as Setup;

  /**
   * Runs `body` with a fresh `<mount>/<name>/child` (the controller not enabled for it yet), enabling and disabling
   * through the callbacks; removes both cgroups and restores the root's subtree_control after.
   */
  function withTree(
    name: string,
    body: (parent: string, child: string, on: () => void, off: () => void) => void,
  ): void {
    const parent = path.join(mount, `${NAME}-${name}`);
    const child = path.join(parent, 'child');
    let addedRoot = false;
    try {
      fs.mkdirSync(parent);
      fs.mkdirSync(child);
      body(
        parent,
        child,
        () => {
          addedRoot = enable(mount, parent, ctl) || addedRoot;
        },
        () => toggle(parent, ctl, false),
      );
    } finally {
      if (fs.existsSync(parent) && words(path.join(parent, 'cgroup.subtree_control')).includes(ctl))
        toggle(parent, ctl, false);
      removeTree(parent, child);
      if (addedRoot) restoreRoot(mount, ctl);
    }
  }

  /** The file the passes read once enabled: a limit (`.max`, stable between two reads) where the controller has one. */
  function pick(child: string): string {
    const names = filesOf(child, ctl);
    expect(names.length).toBeGreaterThan(0);
    return names.find((n) => n.endsWith('.max')) ?? names[0]!;
  }

  test.each(MODES)('$mode: the files show at the next pass, and their removal reads as absent', ({ watch, walk }) => {
    withTree(walk ? 'walked' : 'alone', (parent, child, on, off) => {
      const dirs = new CgroupDirReader({ watch });
      /**
       * One pass: begin(), the parent listed (where the mode walks), the child's generation (asked first, as the
       * collector asks before it decides whether to read the limits), a read of the child, `body`, then done().
       */
      const pass = <T>(body: () => T): { gen: number | null; out: T } => {
        dirs.begin();
        try {
          if (walk) expect(dirs.subdirs(parent)).toEqual(['child']);
          const gen = dirs.generation(child);
          // Read every pass: a directory a pass does not use is closed at the next begin().
          expect(dirs.read(child, 'cgroup.procs')).not.toBeNull();
          return { gen, out: body() };
        } finally {
          dirs.done();
        }
      };
      /** A generation that changed, where the reader has one. */
      const changed = (a: number | null, b: number | null) => {
        if (!watch) return a === null && b === null;
        return typeof a === 'number' && typeof b === 'number' && a !== b;
      };
      try {
        // Pass 1: the child kept, its files listed, none of the controller's among them.
        expect(filesOf(child, ctl)).toEqual([]);
        pass(() => null);
        const { gen: g1 } = pass(() => null);
        expect(typeof g1).toBe(watch ? 'number' : 'object');

        on();
        const file = pick(child);
        const want = fs.readFileSync(path.join(child, file), 'utf8');
        // Pass 2: the parent's subtree_control was written: the child lists its files again, with a new generation.
        const { gen: g2 } = pass(() => expect(dirs.read(child, file)?.toString()).toBe(want));
        expect(changed(g1, g2)).toBe(true);
        // Nothing written since: the same generation, the same files.
        const { gen: g2b } = pass(() => expect(dirs.read(child, file)?.toString()).toBe(want));
        expect(g2b).toBe(g2);

        off();
        expect(filesOf(child, ctl)).toEqual([]);
        // Pass 3: gone, as a file the kernel does not have; the cgroup itself is still there and read.
        const { gen: g3 } = pass(() => {
          expect(dirs.read(child, file)).toBeNull();
          expect(dirs.gone(child)).toBe(false);
          expect(dirs.read(child, 'cgroup.procs')).not.toBeNull();
        });
        expect(changed(g2, g3)).toBe(true);

        // Changes during a pass, after its begin(): a controller disabled reads as absent at once (the read fails
        // ENOENT, the directory is listed anew), without error; one enabled shows at the next pass.
        on();
        pass(() => {
          expect(dirs.read(child, file)?.toString()).toBe(want);
          off();
          expect(dirs.read(child, file)).toBeNull();
          expect(dirs.gone(child)).toBe(false);
          on();
        });
        pass(() => expect(dirs.read(child, file)?.toString()).toBe(want));
        off();
        pass(() => expect(dirs.read(child, file)).toBeNull());
      } finally {
        dirs.close();
      }
    });
  });
});
