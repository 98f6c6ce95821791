/**
 * Child processes for live tests: started and kept for the test file's cleanup, and the pidfd_open(2) question the
 * signal tests ask of the kernel through Python.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { PYTHON } from './oracle';

/** Starts a process (pushed onto `children` for cleanup) and resolves once it printed its first line. */
export function startReady(
  children: ChildProcess[],
  cmd: string,
  args: string[],
  opts: SpawnOptions = {},
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buf = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}) before it was ready`)));
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ child, line: buf.slice(0, nl) });
    });
  });
}

/**
 * Whether pidfd_open(2) accepts `pid`, asked through Python's os.pidfd_open: false for ENOSYS (before Linux 5.3) and
 * for a thread id (EINVAL, or ENOENT on recent kernels). The library signals through a pidfd exactly when this is true.
 */
export function pidfdOpens(pid: number): boolean {
  const code = `import errno, os, sys
try:
    os.close(os.pidfd_open(${pid}))
except OSError as e:
    if e.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOENT):
        raise
    sys.exit(3)
`;
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 3) throw new Error(`pidfd_open probe on ${pid} failed: ${r.stderr}`);
  return r.status === 0;
}

/**
 * Runs `script` in a fresh `node -e` under `prlimit --nofile=N:N` (the fd budgets follow the soft limit) and returns
 * what it printed on stdout, parsed as JSON; anything on stderr is an error.
 */
export function nodeUnderNofile(script: string, nofile: number): unknown {
  const res = spawnSync('prlimit', [`--nofile=${nofile}:${nofile}`, process.execPath, '-e', script], {
    encoding: 'utf8',
    timeout: 60000,
  });
  if (res.stderr !== '' || res.status !== 0)
    throw new Error(`node under prlimit --nofile=${nofile} exited ${res.status}: ${res.stderr}`);
  return JSON.parse(res.stdout) as unknown;
}
