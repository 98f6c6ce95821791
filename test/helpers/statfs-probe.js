'use strict';
/**
 * Runs inside the mount namespace of test/helpers/stuck-mounts.ts (spawnWithStuckMounts) and drives the library's
 * off-thread statfs against FUSE mounts that hang: argv[2] is the layout's directory (fuse<i> mount points, stuck<i>
 * control files, ok<i> tmpfs). Prints one JSON line of what it saw; the test checks it. Exits by itself.
 */
require('./ts-require');
const fs = require('node:fs');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { createPsutil, TimeoutExpired } = require('../../src/index.ts');

const dir = process.argv[2];
const names = fs.readdirSync(dir);
const stuck = names
  .filter((n) => /^fuse\d+$/.test(n))
  .sort()
  .map((n) => path.join(dir, n));
const healthy = names
  .filter((n) => /^ok\d+$/.test(n))
  .sort()
  .map((n) => path.join(dir, n));
const psutil = createPsutil();

const settle = (p) =>
  p.then(
    (v) => ({ ok: v }),
    (e) => ({ err: e instanceof TimeoutExpired ? 'TimeoutExpired' : `${e.name}: ${e.osCode ?? ''} ${e.message}` }),
  );
const unstick = () => {
  for (const n of fs.readdirSync(dir)) if (/^stuck\d+$/.test(n)) fs.rmSync(path.join(dir, n), { force: true });
};

async function main() {
  const out = {};
  // All at once, as the filesystem collector asks: the stuck ones first, so that they would hold any shared pool.
  const first = await Promise.all(
    [...stuck, '/', ...healthy].map((p) => settle(psutil.mountStatsAsync(p, { timeoutMs: 5000 }))),
  );
  out.first = first;
  out.pendingAfterFirst = [...psutil.mountStatsPending()].sort();
  // Again: the stuck ones wait on their first call (no new thread), the others answer.
  out.second = await Promise.all(
    [...stuck, '/', ...healthy].map((p) => settle(psutil.diskUsageAsync(p, { timeoutMs: 5000 }))),
  );
  // A worker thread (as the agent's collection worker) asks a stuck mount and is terminated before it answers.
  const w = new Worker(
    `
    require(${JSON.stringify(path.join(__dirname, 'ts-require'))});
    const { createPsutil } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'index.ts'))});
    const p = createPsutil();
    // '/' first: its answer says this worker's statfs thread is up, so the next call reaches the kernel at once.
    p.mountStatsAsync('/', { timeoutMs: 60000 }).then(() => {
      p.mountStatsAsync(${JSON.stringify(stuck[0])}, { timeoutMs: 60000 }).catch(() => undefined);
      require('node:worker_threads').parentPort.postMessage('asked');
    });
  `,
    { eval: true },
  );
  await new Promise((resolve) => w.once('message', resolve));
  await new Promise((r) => setTimeout(r, 300));
  let ended = false;
  const terminated = w.terminate().then(() => (ended = true));
  await new Promise((r) => setTimeout(r, 300));
  out.workerEndedWhileStuck = ended;
  unstick();
  // Now the kernel answers every call, in this thread's threads and in the terminated worker's.
  await terminated;
  out.workerEndedAfterUnstick = ended;
  await new Promise((r) => setTimeout(r, 300));
  out.pendingAfterUnstick = [...psutil.mountStatsPending()];
  out.third = await Promise.all(stuck.map((p) => settle(psutil.mountStatsAsync(p, { timeoutMs: 5000 }))));
  out.stuck = stuck;
  out.healthy = healthy;
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  },
);
