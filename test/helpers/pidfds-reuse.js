'use strict';
// Run by pidfds.test.ts as PID 1 of a new PID namespace (unshare --pid --fork --mount-proc), where no one else forks:
// for each kept-fd mode, a child is read through kept fds (a PidFdReader, and a ProcessRecorder pass), killed and
// reaped; ns_last_pid is set so that the next child gets the same pid; then the old kept fds, the stale Process and
// the recorder must not give the newcomer's figures as the old process's. Prints one JSON object.
require('./ts-require');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { Process } = require('../../src/probes/process');
const { PidFdReader } = require('../../src/probes/linux/pidfds');
const { ProcessRecorder } = require('../../src/exporters/otlp-processes');

function sleeper() {
  const c = spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    c.once('error', reject);
    c.once('spawn', () => resolve(c));
  });
}

/** Until the child runs sleep (exec done: its comm is sleep), at most 5 s. */
async function execDone(pid) {
  for (let i = 0; i < 500; i++) {
    if (fs.readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === 'sleep') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`pid ${pid} did not exec sleep within 5 s`);
}

function attempt(fn) {
  try {
    return { ok: fn() };
  } catch (err) {
    return { error: err.constructor.name, code: err.osCode ?? null };
  }
}

/** Our fds whose target is /proc/<pid> or a file under it. */
function fdsOn(pid) {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let t;
    try {
      t = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch (err) {
      if (err.code === 'ENOENT') continue; // the listing's own fd, closed since
      throw err;
    }
    // A kept directory fd of a reaped process reads `/proc/<pid> (deleted)`.
    if (t === `/proc/${pid}` || t.startsWith(`/proc/${pid}/`) || t.startsWith(`/proc/${pid} `)) n++;
  }
  return n;
}

function recorderPass(rec, p) {
  p.oneshot(() => rec.visit(p));
  return rec.take().records.find((r) => r.pid === p.pid) ?? null;
}

async function scenario(mode) {
  const first = await sleeper();
  await execDone(first.pid);
  const pid = first.pid;
  const stale = new Process(pid);
  const oldStart = stale.startTicks;
  const reader = new PidFdReader('/proc', 10, mode);
  reader.begin();
  const opened = reader.open(pid, oldStart) === reader;
  const before = reader.stat().starttime;
  reader.read('status');
  const rec = new ProcessRecorder({ include: null, exclude: null, max: 10 }, mode);
  const firstRecord = recorderPass(rec, stale);
  // The recorder's second pass reads through the fds its first pass kept.
  const secondRecord = recorderPass(rec, stale);
  const keptBefore = fdsOn(pid);
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  // Start times are in clock ticks (10 ms at USER_HZ 100): a newcomer started in the old process's tick would have
  // its identity, which no reader can tell apart (psutil's too). The scenario is a reuse in a later tick: once, on a
  // fast run, the whole of it fit in one tick.
  await new Promise((resolve) => setTimeout(resolve, 30));
  let second = null;
  for (let i = 0; i < 5 && second === null; i++) {
    fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const c = await sleeper();
    if (c.pid === pid) second = c;
    else c.kill('SIGKILL');
  }
  if (second === null) throw new Error('could not reuse the pid');
  await execDone(pid);
  const fresh = new Process(pid);
  // The visit opened before the kill still holds the old process's fds: they must not read the newcomer.
  const oldStat = attempt(() => reader.stat().starttime);
  const oldStatus = attempt(() => reader.read('status').length);
  const oldFdDir = attempt(() => reader.fdDir().size);
  reader.release();
  const readerSizeAfterFailure = reader.size;
  reader.end();
  reader.begin();
  const staleOpen = reader.open(pid, oldStart);
  reader.release();
  const freshOpen = reader.open(pid, fresh.startTicks) === reader;
  const freshStart = freshOpen ? reader.stat().starttime : null;
  reader.release();
  reader.end();
  reader.close();
  // The recorder, handed the stale Process (as processIter would hand it until it learns of the reuse).
  const staleRecord = recorderPass(rec, stale);
  const staleRunning = stale.isRunning();
  const freshRecord = recorderPass(rec, fresh);
  const recorderKept = rec.keptFds();
  rec.close();
  const fdsAfterClose = fdsOn(pid);
  const result = {
    mode,
    pid,
    opened,
    startMatches: before === oldStart,
    firstRecordStart: firstRecord === null ? null : firstRecord.createTime === stale.createTime(),
    secondRecord: secondRecord !== null,
    keptBefore,
    reused: second.pid === pid,
    startsDiffer: fresh.startTicks !== oldStart,
    oldStat,
    oldStatus,
    oldFdDir,
    readerSizeAfterFailure,
    staleOpen,
    freshOpen,
    freshStartMatches: freshStart === fresh.startTicks,
    recorderKept,
    fdsAfterClose,
    staleRecord: staleRecord === null ? null : { createTime: staleRecord.createTime },
    staleRunning,
    freshRecordIsFresh: freshRecord !== null && freshRecord.createTime === fresh.createTime(),
    freshCreateTimeDiffers: fresh.createTime() !== stale.createTime(),
  };
  second.kill('SIGKILL');
  await new Promise((resolve) => second.once('exit', resolve));
  return result;
}

async function main() {
  const out = [];
  for (const mode of ['dir', 'files']) out.push(await scenario(mode));
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
