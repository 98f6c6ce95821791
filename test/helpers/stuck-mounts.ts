/**
 * Stuck mounts for tests: FUSE filesystems whose statfs blocks while a control file exists (stuckfs.py, python3-fusepy
 * on libfuse2), mounted in a private mount namespace made for the process under test (`unshare --mount`), so that
 * nothing else on the machine (a df, another test's disk_usage) can hang on them. The namespace lives as long as its
 * processes: when the process under test ends, the FUSE daemons see their parent go and end too, and the mounts go
 * with the namespace. Each daemon stops blocking after `maxSeconds` whatever happens, so a test that dies leaves no
 * mount stuck for good.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const STUCKFS = path.join(__dirname, 'stuckfs.py');

/** Why stuck-mount tests cannot run here (null when they can): root, /dev/fuse, unshare, python3-fusepy. */
export function stuckMountsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (mounting needs CAP_SYS_ADMIN)';
  if (!fs.existsSync('/dev/fuse')) return 'no /dev/fuse';
  if (spawnSync('sh', ['-c', 'command -v unshare'], { encoding: 'utf8' }).status !== 0)
    return 'no unshare (util-linux)';
  const py = spawnSync(
    '/usr/bin/python3',
    ['-c', "import sys; sys.path.insert(0, '/usr/lib/python3/dist-packages'); import fusepy"],
    { encoding: 'utf8' },
  );
  if (py.status !== 0) return 'no python3-fusepy (apt-get install python3-fusepy fuse3)';
  return null;
}

export interface StuckMountsLayout {
  /** The temporary directory holding everything (removed by cleanup()). */
  readonly dir: string;
  /** The FUSE mount points, stuck from the start. */
  readonly stuck: readonly string[];
  /** Healthy tmpfs mount points. */
  readonly healthy: readonly string[];
  /** A procfs stand-in whose 1/mountinfo lists `/`, the healthy and the stuck mounts (written inside the namespace). */
  readonly procfs: string;
  /** Lets the statfs of stuck mount i return (all of them without an argument). */
  unstick(i?: number): void;
  /** Unsticks everything and removes the directory. */
  cleanup(): void;
}

export function stuckMountsLayout(stuck: number, healthy = 2, prefix = 'psx-stuck-'): StuckMountsLayout {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const mk = (name: string): string => {
    const p = path.join(dir, name);
    fs.mkdirSync(p);
    return p;
  };
  const stuckDirs = Array.from({ length: stuck }, (_, i) => mk(`fuse${i}`));
  const healthyDirs = Array.from({ length: healthy }, (_, i) => mk(`ok${i}`));
  const controls = stuckDirs.map((_, i) => path.join(dir, `stuck${i}`));
  for (const c of controls) fs.writeFileSync(c, '');
  fs.mkdirSync(path.join(dir, 'proc', '1'), { recursive: true });
  const unstick = (i?: number): void => {
    for (const [k, c] of controls.entries()) if (i === undefined || i === k) fs.rmSync(c, { force: true });
  };
  return {
    dir,
    stuck: stuckDirs,
    healthy: healthyDirs,
    procfs: path.join(dir, 'proc'),
    unstick,
    cleanup: () => {
      unstick();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `command` (argv) in a new mount namespace after mounting the layout there: tmpfs on the healthy mount points,
 * stuckfs on the stuck ones (blocking until unstick()), and the procfs stand-in's 1/mountinfo written from the
 * namespace's own. The command replaces the shell (exec): the returned process is the command itself, so its exit
 * code and signal are the command's.
 */
export function spawnWithStuckMounts(
  layout: StuckMountsLayout,
  command: readonly string[],
  maxSeconds = 120,
): ChildProcess {
  const script = [
    'set -e',
    'dir="$1"; py="$2"; max="$3"; shift 3',
    'n=0',
    'for m in "$dir"/ok*; do n=$((n + 1)); mount -t tmpfs -o size=${n}m "psx-ok$n" "$m"; done',
    'for m in "$dir"/fuse*; do i="${m##*fuse}"; /usr/bin/python3 "$py" "$m" "$dir/stuck$i" "$max" </dev/null >/dev/null 2>&1 & done',
    'for m in "$dir"/fuse*; do',
    '  t=0; until awk -v m="$m" \'$5 == m { found = 1 } END { exit !found }\' /proc/self/mountinfo; do',
    '    t=$((t + 1)); [ "$t" -lt 200 ] || { echo "stuckfs did not mount $m" >&2; exit 97; }; sleep 0.05',
    '  done',
    'done',
    'awk -v d="$dir/" \'$5 == "/" || index($5, d) == 1\' /proc/self/mountinfo > "$dir/proc/1/mountinfo"',
    'exec "$@"',
  ].join('\n');
  return spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'sh',
      layout.dir,
      STUCKFS,
      String(maxSeconds),
      ...command,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** The names (comm) of a process's threads: the statfs threads call themselves `psx-statfs` (statfs.ts THREAD_NAME). */
export function threadNames(pid: number): string[] {
  const out: string[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      out.push(fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
    } catch (e) {
      // A thread that ended between the listing and the read has no name to give.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }
  return out;
}
