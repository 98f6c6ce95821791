/**
 * The good paths against a running admin server, each verified outside the agent: nice from /proc/<pid>/stat,
 * affinity from /proc/<pid>/status, limits from /proc/<pid>/limits, the I/O priority through ionice(1), and signals
 * by a canary that counts what it receives. Plus PID reuse for real: the canary's pid handed to a new process
 * (ns_last_pid), and the old createTime refused with 409 and no signal.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Process, pidExists, procfsSelfPid, psutil } from '../../src/index';
import { libraryHost } from '../../src/admin/target';
import {
  pidfdOpens,
  procAffinity,
  procIonice,
  procLimits,
  procNice,
  procState,
  request,
  startCanary,
  startHarness,
  statFields,
  threadIds,
  until,
  type Canary,
  type Harness,
} from './harness';

const GROUP = 'canaries';
let dir: string;
let h: Harness;
const members = new Set<number>();
const canaries: Canary[] = [];

const host = libraryHost({
  newProcess: (pid) => new Process(pid),
  pidExists,
  procfs: psutil.roots.procfs,
  procfsSelfPid,
  cpuCount: () => psutil.cpuTimes({ percpu: true }).length,
});

async function canary(): Promise<Canary> {
  const c = await startCanary(dir);
  canaries.push(c);
  members.add(c.pid);
  return c;
}

/**
 * Waits until every signal already sent to the canary has been handled: sends it SIGUSR2 ourselves and waits for
 * that. A signal the server sent before answering is pending by then, and SIGHUP, SIGUSR1 (lower numbers than
 * SIGUSR2) are delivered and handled first (the kernel delivers the lowest pending signal first, and Python runs the
 * handlers in signal-number order), so counts() shows them once SIGUSR2 is counted.
 */
async function fence(c: Canary): Promise<void> {
  const before = c.counts()['SIGUSR2'] ?? 0;
  process.kill(c.pid, 'SIGUSR2');
  await until(() => (c.counts()['SIGUSR2'] ?? 0) === before + 1, 'the SIGUSR2 fence to be counted');
}

async function createTimeOf(pid: number): Promise<number> {
  const r = await request(h, 'GET', `/v1/processes/${pid}`);
  expect(r.status).toBe(200);
  return r.body!['createTime'] as number;
}

const groups = {
  groupOf: (pid: number) => (members.has(pid) ? GROUP : null),
  members: (n: string) => (n === GROUP ? [...members].filter((p) => fs.existsSync(`/proc/${p}`)) : []),
};
const ADMIN = {
  rate_limit: { per_credential: { interval: '1ms', burst: 100000 }, global: { interval: '1ms', burst: 100000 } },
  policy: [
    {
      groups: [GROUP],
      signals: ['SIGUSR1', 'SIGHUP', 'SIGSTOP', 'SIGCONT'],
      nice: { min: 0, max: 19 },
      ionice_classes: ['best-effort', 'idle'],
      cpu_affinity: true,
      rlimits: { NOFILE: { max: 65536 } },
    },
  ],
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-actions-'));
  h = await startHarness({ dir, host, groups, admin: ADMIN });
});

afterAll(async () => {
  await h?.close();
  for (const c of canaries) await c.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /v1/processes/{pid}', () => {
  it('shows identity and settings as /proc has them', async () => {
    const c = await canary();
    const r = await request(h, 'GET', `/v1/processes/${c.pid}`);
    expect(r.status).toBe(200);
    const b = r.body!;
    expect(b).toMatchObject({
      pid: c.pid,
      name: 'python3',
      exe: fs.readlinkSync(`/proc/${c.pid}/exe`),
      username: os.userInfo().username,
      group: GROUP,
      nice: procNice(c.pid),
      protected: null,
    });
    expect(typeof b['createTime']).toBe('number');
    expect((b['cpuAffinity'] as number[]).join(',')).toBe(expandList(procAffinity(c.pid)).join(','));
    const [soft, hard] = procLimits(c.pid)['Max open files']!;
    expect((b['rlimits'] as Record<string, number[]>)['NOFILE']).toEqual([Number(soft), Number(hard)]);
    expect(b['allowed']).toMatchObject({ signals: ['SIGUSR1', 'SIGHUP', 'SIGSTOP', 'SIGCONT'], cpuAffinity: true });
  });

  it('marks protected targets', async () => {
    const r = await request(h, 'GET', `/v1/processes/${process.pid}`);
    expect(r.status).toBe(200);
    expect(r.body!['protected']).toMatch(/agent itself/);
    expect(r.body!['allowed']).toBeNull();
  });
});

/** "0-1,3" -> [0, 1, 3] */
function expandList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

describe('actions, verified through /proc', () => {
  let c: Canary;
  let ct: number;
  beforeAll(async () => {
    c = await canary();
    ct = await createTimeOf(c.pid);
  });

  it('a signal is delivered once', async () => {
    const r = await request(h, 'POST', `/v1/processes/${c.pid}/signal`, {
      body: { signal: 'SIGUSR1', createTime: ct },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ done: true, action: 'signal', signal: 'SIGUSR1' });
    await until(() => c.counts()['SIGUSR1'] === 1, 'SIGUSR1 to arrive');
    // Nothing else arrives (a retry or a second delivery would show here): fence(), not a sleep.
    await fence(c);
    expect(c.counts()).toEqual({ SIGUSR1: 1, SIGUSR2: 1 });
  });

  it('SIGSTOP stops and SIGCONT resumes', async () => {
    expect(
      (await request(h, 'POST', `/v1/processes/${c.pid}/signal`, { body: { signal: 'SIGSTOP', createTime: ct } }))
        .status,
    ).toBe(200);
    await until(() => procState(c.pid) === 'T', 'the canary to stop');
    expect(
      (await request(h, 'POST', `/v1/processes/${c.pid}/signal`, { body: { signal: 'SIGCONT', createTime: ct } }))
        .status,
    ).toBe(200);
    await until(() => procState(c.pid) !== 'T', 'the canary to resume');
    await until(() => c.counts()['SIGCONT'] === 1, 'SIGCONT to be counted');
  });

  it('nice: stat field 19 follows, the main thread only (documented, as psutil)', async () => {
    const other = threadIds(c.pid).find((t) => t !== c.pid)!;
    const otherBefore = Number(
      fs.readFileSync(`/proc/${c.pid}/task/${other}/stat`, 'latin1').split(') ')[1]!.split(' ')[16],
    );
    for (const v of [5, 19, 0]) {
      const r = await request(h, 'POST', `/v1/processes/${c.pid}/nice`, { body: { value: v, createTime: ct } });
      expect(r.status).toBe(200);
      expect(procNice(c.pid)).toBe(v);
      expect(r.body!['current']).toBe(v);
    }
    const otherAfter = Number(
      fs.readFileSync(`/proc/${c.pid}/task/${other}/stat`, 'latin1').split(') ')[1]!.split(' ')[16],
    );
    expect(otherAfter).toBe(otherBefore);
  });

  it('ionice: ionice(1) sees the class and level', async () => {
    let r = await request(h, 'POST', `/v1/processes/${c.pid}/ionice`, { body: { ioclass: 'idle', createTime: ct } });
    expect(r.status).toBe(200);
    expect(procIonice(c.pid)).toBe('idle');
    r = await request(h, 'POST', `/v1/processes/${c.pid}/ionice`, {
      body: { ioclass: 'best-effort', value: 7, createTime: ct },
    });
    expect(r.status).toBe(200);
    expect(procIonice(c.pid)).toBe('best-effort: prio 7');
    expect(r.body!['current']).toEqual({ ioclass: 'best-effort', value: 7 });
  });

  it('cpu affinity: Cpus_allowed_list follows, and [] restores every eligible CPU', async () => {
    const all = procAffinity(c.pid);
    let r = await request(h, 'POST', `/v1/processes/${c.pid}/cpu-affinity`, { body: { cpus: [0], createTime: ct } });
    expect(r.status).toBe(200);
    expect(procAffinity(c.pid)).toBe('0');
    r = await request(h, 'POST', `/v1/processes/${c.pid}/cpu-affinity`, { body: { cpus: [], createTime: ct } });
    expect(r.status).toBe(200);
    expect(procAffinity(c.pid)).toBe(all);
  });

  it('an invalid CPU number is a 400 from the library, nothing changes', async () => {
    const all = procAffinity(c.pid);
    const r = await request(h, 'POST', `/v1/processes/${c.pid}/cpu-affinity`, {
      body: { cpus: [4095], createTime: ct },
    });
    expect(r.status).toBe(400);
    expect(procAffinity(c.pid)).toBe(all);
  });

  // A CPU past the machine's (os.cpus() counts them independently of the library) is refused the same way whether
  // it comes alone, beside a real one (the kernel would drop it silently) or in a dry run (hardening #13).
  it.each([
    ['alone', (n: number) => [n], false],
    ['beside a real one', (n: number) => [0, n], false],
    ['alone, in a dry run', (n: number) => [n], true],
    ['beside a real one, in a dry run', (n: number) => [0, n], true],
  ])('a CPU the machine does not have, %s: 400 naming it, nothing changes', async (_n, cpus, dryRun) => {
    const n = os.cpus().length;
    const all = procAffinity(c.pid);
    const r = await request(h, 'POST', `/v1/processes/${c.pid}/cpu-affinity`, {
      body: { cpus: cpus(n), createTime: ct, dryRun },
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      error: { code: 'invalid_cpu', message: expect.stringContaining(`CPU ${n} does not exist`) },
    });
    expect(procAffinity(c.pid)).toBe(all);
  });

  it('rlimit: /proc/<pid>/limits follows', async () => {
    const r = await request(h, 'POST', `/v1/processes/${c.pid}/rlimit`, {
      body: { resource: 'NOFILE', soft: 100, hard: 200, createTime: ct },
    });
    expect(r.status).toBe(200);
    expect(procLimits(c.pid)['Max open files']).toEqual(['100', '200']);
    expect(r.body!['current']).toEqual([100, 200]);
  });

  it('every action left an audit line naming who, the target and its identity', () => {
    const done = h
      .auditLines()
      .filter(
        (l) =>
          l['decision'] === 'ok' && (l['target'] as { pid?: number } | null)?.pid === c.pid && l['action'] !== 'get',
      );
    expect(done.length).toBeGreaterThanOrEqual(9);
    for (const l of done) {
      expect(l).toMatchObject({
        who: expect.stringMatching(/^token:[0-9a-f]{8}$/),
        status: 200,
        target: {
          pid: c.pid,
          createTime: ct,
          exe: fs.readlinkSync(`/proc/${c.pid}/exe`),
          username: os.userInfo().username,
          group: GROUP,
        },
      });
    }
    const setters = done.filter((l) => l['action'] !== 'signal');
    expect(setters.every((l) => l['identityAfter'] === 'same')).toBe(true);
  });

  it('signals are audited raceFree: true when the library went through a pidfd', () => {
    // The library pins the target with a pidfd exactly when pidfd_open(2) takes the pid (Linux 5.3+).
    const want = pidfdOpens(c.pid);
    const signals = h
      .auditLines()
      .filter(
        (l) =>
          l['action'] === 'signal' && l['decision'] === 'ok' && (l['target'] as { pid?: number } | null)?.pid === c.pid,
      );
    expect(signals.length).toBeGreaterThanOrEqual(3);
    for (const l of signals) expect(l['raceFree']).toBe(want);
    // Setters have no pidfd form: no raceFree claim, identityAfter instead.
    for (const l of h.auditLines().filter((x) => x['action'] === 'nice' && x['decision'] === 'ok'))
      expect(l['raceFree']).toBeUndefined();
  });

  it('the counter counts them', () => {
    expect(h.counts()['nice/ok']).toBeGreaterThanOrEqual(3);
    expect(h.counts()['signal/ok']).toBeGreaterThanOrEqual(3);
  });
});

describe('group actions', () => {
  it('a signal reaches every member once', async () => {
    const a = await canary();
    const b = await canary();
    const r = await request(h, 'POST', `/v1/groups/${GROUP}/signal`, { body: { signal: 'SIGHUP' } });
    expect(r.status).toBe(200);
    expect(r.body!['failed']).toBe(0);
    for (const c of [a, b]) await until(() => c.counts()['SIGHUP'] === 1, `SIGHUP to reach ${c.pid}`);
    const line = h.auditLines().at(-1)!;
    expect(line).toMatchObject({ scope: 'group', group: GROUP, decision: 'ok' });
    expect((line['members'] as unknown[]).length).toBe((r.body!['members'] as unknown[]).length);
    const want = pidfdOpens(a.pid);
    // Both canaries are in the audit line (a loop over a list missing them would check nothing), each raceFree as
    // pidfd_open says.
    const audited = (line['members'] as Array<{ pid: number; raceFree?: unknown }>).filter(
      (m) => m.pid === a.pid || m.pid === b.pid,
    );
    expect(audited.map((m) => [m.pid, m.raceFree]).sort()).toEqual(
      [
        [a.pid, want],
        [b.pid, want],
      ].sort(),
    );
  });

  it('GET lists members with their identities', async () => {
    const r = await request(h, 'GET', `/v1/groups/${GROUP}`);
    expect(r.status).toBe(200);
    const pids = (r.body!['members'] as Array<{ pid: number }>).map((m) => m.pid);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(members.has(pid)).toBe(true);
  });
});

describe('PID reuse', () => {
  it('a stale createTime gets 409 and the process now holding the pid receives nothing', async () => {
    const old = await startCanary(dir);
    const staleCreateTime = await createTimeOf(old.pid);
    const pid = old.pid;
    await old.stop();
    await until(() => !fs.existsSync(`/proc/${pid}`), 'the old canary to be reaped');

    // Hand the same pid to a new canary: ns_last_pid makes the next fork take pid (root only; other processes on
    // the machine may take it first, so try again: a try that missed costs a fork and a kill, not a canary's start).
    let fresh: Canary | null = null;
    for (let attempt = 0; attempt < 500 && fresh === null; attempt++) {
      fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
      fresh = await startCanary(dir, undefined, pid);
    }
    expect(fresh).not.toBeNull();
    const c = fresh as Canary;
    canaries.push(c);
    members.add(c.pid);
    const niceBefore = procNice(c.pid);
    const limitsBefore = procLimits(c.pid);

    const r = await request(h, 'POST', `/v1/processes/${pid}/signal`, {
      body: { signal: 'SIGUSR1', createTime: staleCreateTime },
    });
    expect(r.status).toBe(409);
    expect((r.body!['error'] as { code: string }).code).toBe('identity_mismatch');
    expect(
      (await request(h, 'POST', `/v1/processes/${pid}/nice`, { body: { value: 7, createTime: staleCreateTime } }))
        .status,
    ).toBe(409);
    expect(
      (
        await request(h, 'POST', `/v1/processes/${pid}/rlimit`, {
          body: { resource: 'NOFILE', soft: 10, hard: 10, createTime: staleCreateTime },
        })
      ).status,
    ).toBe(409);

    // Refused before any kill(2): nothing arrives (fence(), not a sleep).
    await fence(c);
    expect(c.counts()).toEqual({ SIGUSR2: 1 });
    expect(procNice(c.pid)).toBe(niceBefore);
    expect(procLimits(c.pid)).toEqual(limitsBefore);
    // The new process is addressable with its own createTime.
    expect(await createTimeOf(pid)).not.toBe(staleCreateTime);
    expect(statFields(pid)[0]).not.toBe('Z');
  });
});

describe('a signal through kill(2)', () => {
  it('is audited raceFree: false, and arrives once', async () => {
    // The real host refuses thread ids (pidExists: Tgid != pid, 404 in attacks.test.ts). This host lets the canary's
    // second thread through, so the real library takes its kill(2) fallback (pidfd_open refuses a thread id; kill(2)
    // on it signals the whole process, whose main thread counts it). Nothing here is simulated.
    const c = await canary();
    const tid = threadIds(c.pid).find((t) => t !== c.pid);
    if (tid === undefined) throw new Error('the canary has no second thread');
    members.add(tid);
    const h2 = await startHarness({
      host: libraryHost({
        newProcess: (pid) => new Process(pid),
        pidExists: (pid) => pid === tid || pidExists(pid),
        procfs: psutil.roots.procfs,
        procfsSelfPid,
        cpuCount: () => psutil.cpuTimes({ percpu: true }).length,
      }),
      groups,
      admin: ADMIN,
    });
    try {
      const want = pidfdOpens(tid);
      const g = await request(h2, 'GET', `/v1/processes/${tid}`);
      expect(g.status).toBe(200);
      const r = await request(h2, 'POST', `/v1/processes/${tid}/signal`, {
        body: { signal: 'SIGUSR1', createTime: g.body!['createTime'] },
      });
      expect(r.status).toBe(200);
      await until(() => c.counts()['SIGUSR1'] === 1, 'SIGUSR1 to arrive');
      const line = h2.auditLines().at(-1)!;
      expect(line).toMatchObject({ action: 'signal', decision: 'ok', target: { pid: tid } });
      expect(line['raceFree']).toBe(want);
      // pidfd_open without PIDFD_THREAD never takes a thread id: the kill(2) path really ran.
      expect(want).toBe(false);
    } finally {
      await h2.close();
      fs.rmSync(h2.dir, { recursive: true, force: true });
    }
  });
});
