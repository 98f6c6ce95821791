/**
 * The cgroups collector LIVE from a private cgroup namespace, as a pod's agent on cgroup v2 with containerd runs: as
 * root, a shell is moved into `/<name>/agent` (the v1 cpu, cpuacct, memory, pids and name=systemd hierarchies and the
 * unified one), then `unshare -C` starts the agent there with the default roots. The kernel then shows the mounts'
 * roots as `/../..` (cgroup_show_path, relative to the reader's namespace: checked first, else the test proves
 * nothing) and the agent must still list the host's cgroups under their host paths: `/`, `/<name>/agent`, nothing
 * with `..`. Everything made is removed after.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectorsOffBut } from '../helpers/e2e';
import { CgroupSandbox, cannotCreateCgroups, unifiedMount, v1Mount } from '../helpers/cgroups';
import { requireOr } from '../helpers/require';
import { parseExposition } from '../exporters/golden-compare';
import { CLI, hasBinary } from './agent-process';

const NAME = `psx-e2e-cgns-${process.pid}`;
const CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'name=systemd'];
const WHY = !hasBinary('unshare') ? 'unshare(1) is not installed' : cannotCreateCgroups(CONTROLLERS, NAME);
const live = requireOr(WHY === null, WHY ?? '');

/**
 * Runs `argv` under `unshare -C` from a shell first moved into `dirs`; its stdout. The shell waits on stdin for the
 * move, so the new namespace's root is the made cgroup. Bounded by `timeoutMs`.
 */
function inNamespace(dirs: readonly string[], argv: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sh = spawn('sh', ['-c', 'read go; exec unshare -C "$@"', 'sh', ...argv], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    sh.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    sh.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    const timer = setTimeout(() => sh.kill('SIGKILL'), timeoutMs);
    sh.on('exit', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${argv.join(' ')}: exit ${String(code ?? sig)}: ${err.slice(0, 2000)}`));
    });
    try {
      CgroupSandbox.enter(sh.pid!, dirs);
    } catch (e) {
      sh.kill('SIGKILL');
      reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    sh.stdin.end('go\n');
  });
}

live.describe('cgroups collector from a private cgroup namespace (unshare -C)', () => {
  const sandbox = new CgroupSandbox();
  const AGENT = `/${NAME}/agent`;
  let tmp: string;
  let dirs: string[];

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-cgns-'));
    const u = unifiedMount();
    dirs = sandbox.make(AGENT, [...CONTROLLERS.map((c) => v1Mount(c)!), ...(u === null ? [] : [u])]);
  });

  afterAll(() => {
    // Every process started here has exited (inNamespace waits for it): the cgroups are empty.
    sandbox.remove();
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the kernel shows the cgroup mounts from inside as /../.. (the case under test)', async () => {
    const mi = await inNamespace(dirs, ['cat', '/proc/self/mountinfo'], 20_000);
    const roots = mi
      .split('\n')
      .filter((l) => / - cgroup2? /.test(l))
      .map((l) => l.split(' ')[3]);
    expect(roots.length).toBeGreaterThan(0);
    expect(roots).toContain('/../..');
  }, 30_000);

  test('the agent lists the host cgroups under their host paths', async () => {
    const cfg = path.join(tmp, 'c.yaml');
    fs.writeFileSync(
      cfg,
      [
        'collectors:',
        ...collectorsOffBut('cgroups'),
        `  cgroups: ${JSON.stringify({ enabled: true, depth: 0, include: `^/${NAME}(/|$)`, pods_log_dir: '' })}`,
        '',
      ].join('\n'),
    );
    const text = await inNamespace(
      dirs,
      [process.execPath, CLI, `--config.file=${cfg}`, '--path.procfs=/proc', '--log.level=error', '--once'],
      60_000,
    );
    const ids = new Set(
      parseExposition(text)
        .series.filter((s) => s.name === 'container_memory_usage_bytes')
        .map((s) => s.labels['id']),
    );
    // Containers and pods are kept whatever the depth: other cgroups on the machine may be listed too.
    expect([...ids].filter((id) => id === '/' || id!.startsWith(`/${NAME}`)).sort()).toEqual(['/', `/${NAME}`, AGENT]);
    expect([...ids].filter((id) => id!.includes('..'))).toEqual([]);
  }, 90_000);
});
