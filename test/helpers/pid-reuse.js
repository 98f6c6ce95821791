'use strict';
// Run by process.live.test.ts as PID 1 of a new PID namespace (unshare --pid --fork --mount-proc), where no one
// else forks: a child is started, killed and reaped, ns_last_pid is set so that the next child gets the same pid,
// and the stale Process must refuse to act on the newcomer, which counts the signals it receives.
require('./ts-require');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { Process } = require('../../src/probes/process');

const CANARY = `
import signal, sys, time
n = 0
def hit(s, f):
    global n
    n += 1
def report(s, f):
    sys.stdout.write('received=%d\\n' % n); sys.stdout.flush(); sys.exit(0)
for s in (signal.SIGUSR1, signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGCONT):
    signal.signal(s, hit)
signal.signal(signal.SIGUSR2, report)
sys.stdout.write('ready\\n'); sys.stdout.flush()
while True: time.sleep(1)
`;

function started(child) {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () => resolve());
  });
}

function attempt(fn) {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err.constructor.name;
  }
}

async function main() {
  const first = spawn('/usr/bin/python3', ['-c', CANARY], { stdio: ['ignore', 'pipe', 'inherit'] });
  await started(first);
  const stale = new Process(first.pid);
  const oldStart = stale.startTicks;
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  let second = null;
  for (let i = 0; i < 5 && second === null; i++) {
    fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(first.pid - 1));
    const c = spawn('/usr/bin/python3', ['-c', CANARY], { stdio: ['ignore', 'pipe', 'inherit'] });
    await started(c);
    if (c.pid === first.pid) second = c;
    else c.kill('SIGKILL');
  }
  if (second === null) throw new Error('could not reuse the pid');
  const fresh = new Process(second.pid);
  const result = {
    pid: first.pid,
    reused: second.pid === first.pid,
    startsDiffer: fresh.startTicks !== oldStart,
    isRunning: stale.isRunning(),
    sendSignal: attempt(() => stale.sendSignal('SIGUSR1')),
    terminate: attempt(() => stale.terminate()),
    kill: attempt(() => stale.kill()),
    suspend: attempt(() => stale.suspend()),
    resume: attempt(() => stale.resume()),
    nice: attempt(() => stale.nice(5)),
    rlimit: attempt(() => stale.rlimit(7, [64, 64])),
    cpuAffinity: attempt(() => stale.cpuAffinity([0])),
    ionice: attempt(() => stale.ionice(2, 5)),
    ppid: attempt(() => stale.ppid()),
    parent: attempt(() => stale.parent()),
    children: attempt(() => stale.children()),
    freshIsRunning: fresh.isRunning(),
    freshNice: fresh.nice(),
  };
  const report = new Promise((resolve) => {
    let buf = '';
    second.stdout.on('data', (d) => {
      buf += d;
    });
    second.once('exit', () => resolve(buf));
  });
  // The positive control: the current Process of that pid does reach it.
  fresh.sendSignal('SIGUSR2');
  const text = await report;
  const m = /received=(\d+)/.exec(text);
  result.canaryReceived = m ? Number(m[1]) : null;
  process.stdout.write(JSON.stringify(result));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
