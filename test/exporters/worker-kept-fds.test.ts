/**
 * The real collection worker (dist/exporters/worker.js) with per-process OTLP keeps /proc/<pid> fds from pass to
 * pass; a worker terminated by its runner (abandoned at a deadline, or closed) runs no cleanup of its own, and the
 * runner closes what it kept (keptfds.ts). Counted on this process's fd table: the fds that name a /proc/<pid>
 * directory or a file in one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkerRunner } from '../../src/exporters/worker';
import { REPO } from '../helpers/fixtures';

const SCRIPT = path.join(REPO, 'dist', 'exporters', 'worker.js');
const MAX = 40;

/** This process's fds open on /proc/<pid> or a file in it (the worker's kept fds; nothing else here keeps one). */
function procPidFds(): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch (e) {
      // The listing's own fd, closed by the time it is read.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    if (/^\/proc\/\d+(\/(stat|status|io))?$/.test(target)) n++;
  }
  return n;
}

async function until(what: string, ok: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function runner(): WorkerRunner {
  const plans = [
    {
      name: 'process_groups',
      timeoutMs: 30000,
      options: { otlp_processes: { include: null, exclude: null, max: MAX } },
    },
  ];
  return new WorkerRunner({ roots: { procfs: '/proc', sysfs: '/sys', rootfs: '/' }, plans }, SCRIPT);
}

/** One pass; the number of processes it exported. */
async function onePass(r: WorkerRunner): Promise<number> {
  const out = await r.run(() => undefined);
  const res = out.results[0] as { ok: boolean; data?: { perProcess?: { count: number } } };
  expect(res.ok).toBe(true);
  return res.data?.perProcess?.count ?? 0;
}

test.each([
  ['abandoned at a deadline', (r: WorkerRunner): Promise<void> => Promise.resolve(r.abandon())],
  ['closed', (r: WorkerRunner): Promise<void> => r.close()],
])(
  'a worker %s: the /proc fds it kept are closed once its thread has ended',
  async (_what, end) => {
    const before = procPidFds();
    const r = runner();
    try {
      await r.prepare();
      expect(await onePass(r)).toBeGreaterThan(5);
      // Kept from this pass to the next: a directory fd and a stat fd per exported process (mode 'dir').
      const kept = procPidFds() - before;
      expect(kept).toBeGreaterThan(5);
      expect(kept).toBeLessThanOrEqual(2 * MAX);
      await end(r);
      await until('the kept fds to be closed', () => procPidFds() <= before);
    } finally {
      await r.close();
    }
  },
  60000,
);
