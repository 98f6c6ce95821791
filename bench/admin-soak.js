#!/usr/bin/env node
// Admin abuse soak (hardening.md B7 "Admin abuse"): starts the agent (dist/cli.js) with admin enabled and a canary
// process in an allowed group, then sends 10,000 malformed or unauthorized admin requests in a row while another
// process scrapes /metrics. Checks: every answer is 4xx, the audit log records no action, the canary received no
// signal and its nice/affinity/limits/state are unchanged in /proc, and /metrics p99 stays within 2x its idle value.
// Also compares the latency of wrong-prefix and right-prefix tokens (both 401).
// Not part of `npm test` or `npm run bench` (it takes about a minute).
// Usage: npm run build && node bench/admin-soak.js [--requests=10000] [--concurrency=16] [--rate=1000 (0: unpaced)]
//        [--rounds=5] [--open-buckets] [--nice-attacker]
'use strict';
const { spawn, fork } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./_lib');

const ROOT = path.resolve(__dirname, '..');
const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : dflt;
};

const CANARY = `
import json, os, signal, sys
path = sys.argv[1]
counts = {}
def handler(sig, frame):
    counts[signal.Signals(sig).name] = counts.get(signal.Signals(sig).name, 0) + 1
    with open(path + '.tmp', 'w') as f:
        json.dump(counts, f)
    os.replace(path + '.tmp', path)
for s in ('SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGTERM', 'SIGWINCH', 'SIGTSTP', 'SIGCONT'):
    signal.signal(getattr(signal, s), handler)
with open(path, 'w') as f:
    json.dump(counts, f)
while True:
    signal.pause()
`;

/** One request; resolves {status, ms}. */
function send(port, { method = 'GET', path: p = '/', headers = {}, body = null }) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(
      { host: '127.0.0.1', port, method, path: p, headers, agent: false, setHost: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
      },
    );
    req.on('error', (e) =>
      resolve({ status: `error:${e.code || e.message}`, ms: Number(process.hrtime.bigint() - t0) / 1e6 }),
    );
    if (body !== null) req.end(body);
    else req.end();
  });
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function procSnapshot(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return JSON.stringify({
    state: f[0],
    nice: f[16],
    affinity: (/^Cpus_allowed_list:\s*(\S+)/m.exec(status) || [])[1],
    limits: fs.readFileSync(`/proc/${pid}/limits`, 'utf8'),
  });
}

function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

// ---- the attacker (a child process, so that its CPU use does not delay the /metrics prober's own loop) ----------

function attacks(o) {
  const A = `Bearer ${o.token}`;
  const J = { 'content-type': 'application/json' };
  const H = { host: `127.0.0.1:${o.port}` };
  const sig = (body) => JSON.stringify({ signal: 'SIGUSR1', createTime: o.createTime, ...body });
  const canary = `/v1/processes/${o.canary}/signal`;
  return [
    ['no token', { method: 'POST', path: canary, headers: { ...H, ...J }, body: sig({}) }],
    [
      'wrong token',
      {
        method: 'POST',
        path: canary,
        headers: { ...H, ...J, authorization: `Bearer ${'0'.repeat(64)}` },
        body: sig({}),
      },
    ],
    [
      'right prefix token',
      { method: 'POST', path: canary, headers: { ...H, ...J, authorization: A.slice(0, -1) }, body: sig({}) },
    ],
    [
      'lowercase bearer',
      { method: 'POST', path: canary, headers: { ...H, ...J, authorization: `bearer ${o.token}` }, body: sig({}) },
    ],
    [
      'basic auth',
      {
        method: 'POST',
        path: canary,
        headers: { ...H, ...J, authorization: `Basic ${Buffer.from('a:b:c').toString('base64')}` },
        body: sig({}),
      },
    ],
    [
      'pid " -1 "',
      {
        method: 'POST',
        path: '/v1/processes/%20-1%20/signal',
        headers: { ...H, ...J, authorization: A },
        body: sig({}),
      },
    ],
    [
      'pid 0x10',
      { method: 'POST', path: '/v1/processes/0x10/signal', headers: { ...H, ...J, authorization: A }, body: sig({}) },
    ],
    [
      'pid 1e3',
      { method: 'POST', path: '/v1/processes/1e3/signal', headers: { ...H, ...J, authorization: A }, body: sig({}) },
    ],
    [
      'pid 1',
      { method: 'POST', path: '/v1/processes/1/signal', headers: { ...H, ...J, authorization: A }, body: sig({}) },
    ],
    [
      'pid 0',
      { method: 'POST', path: '/v1/processes/0/signal', headers: { ...H, ...J, authorization: A }, body: sig({}) },
    ],
    [
      'the agent',
      {
        method: 'POST',
        path: `/v1/processes/${o.agent}/signal`,
        headers: { ...H, ...J, authorization: A },
        body: sig({ signal: 'SIGSTOP' }),
      },
    ],
    [
      'stale createTime',
      {
        method: 'POST',
        path: canary,
        headers: { ...H, ...J, authorization: A },
        body: sig({ createTime: o.createTime - 1 }),
      },
    ],
    [
      'signal not in policy',
      { method: 'POST', path: canary, headers: { ...H, ...J, authorization: A }, body: sig({ signal: 'SIGKILL' }) },
    ],
    [
      'signal number',
      { method: 'POST', path: canary, headers: { ...H, ...J, authorization: A }, body: sig({ signal: 9 }) },
    ],
    [
      'signal constructor',
      { method: 'POST', path: canary, headers: { ...H, ...J, authorization: A }, body: sig({ signal: 'constructor' }) },
    ],
    [
      'nice out of policy',
      {
        method: 'POST',
        path: `/v1/processes/${o.canary}/nice`,
        headers: { ...H, ...J, authorization: A },
        body: JSON.stringify({ value: -20, createTime: o.createTime }),
      },
    ],
    [
      'text/plain',
      {
        method: 'POST',
        path: canary,
        headers: { ...H, 'content-type': 'text/plain', authorization: A },
        body: sig({}),
      },
    ],
    [
      'form body',
      {
        method: 'POST',
        path: canary,
        headers: { ...H, 'content-type': 'application/x-www-form-urlencoded', authorization: A },
        body: 'signal=SIGUSR1',
      },
    ],
    [
      'foreign Host',
      { method: 'POST', path: canary, headers: { host: 'evil.example', ...J, authorization: A }, body: sig({}) },
    ],
    [
      'Origin',
      {
        method: 'POST',
        path: canary,
        headers: { ...H, ...J, authorization: A, origin: 'http://evil.example' },
        body: sig({}),
      },
    ],
    ['GET on action', { method: 'GET', path: canary, headers: { ...H, authorization: A } }],
    [
      '8 KiB body',
      { method: 'POST', path: canary, headers: { ...H, ...J, authorization: A }, body: sig({ pad: 'x'.repeat(8192) }) },
    ],
    [
      'duplicate keys',
      {
        method: 'POST',
        path: canary,
        headers: { ...H, ...J, authorization: A },
        body: `{"signal":"SIGKILL","signal":"SIGUSR1","createTime":${o.createTime}}`,
      },
    ],
    [
      '__proto__',
      {
        method: 'POST',
        path: canary,
        headers: { ...H, ...J, authorization: A },
        body: `{"__proto__":{"x":1},"signal":"SIGUSR1","createTime":${o.createTime}}`,
      },
    ],
    [
      'unknown field',
      { method: 'POST', path: canary, headers: { ...H, ...J, authorization: A }, body: sig({ force: true }) },
    ],
    [
      'deep JSON',
      {
        method: 'POST',
        path: canary,
        headers: { ...H, ...J, authorization: A },
        body: '['.repeat(1000) + ']'.repeat(1000),
      },
    ],
    ['no route', { method: 'GET', path: '/v1/secrets', headers: { ...H, authorization: A } }],
  ];
}

/** A persistent child: floods on request ({cmd: 'flood', from, count}), measures token timing ({cmd: 'timing'}). */
function attackerLoop() {
  let o = null;
  let list = null;
  // Null-prototype maps: one attack kind is literally named __proto__.
  const byKind = Object.create(null);
  const statuses = Object.create(null);
  const flood = async (from, count) => {
    let next = from;
    const end = from + count;
    const t0 = Date.now();
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= end) return;
        // Paced at o.rate requests per second overall (hardening B6 32 floods at 1000/s); 0: as fast as possible.
        if (o.rate > 0) {
          const wait = t0 + ((i - from) * 1000) / o.rate - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        const [kind, spec] = list[i % list.length];
        const r = await send(o.port, spec);
        statuses[r.status] = (statuses[r.status] || 0) + 1;
        const k = byKind[kind] || (byKind[kind] = Object.create(null));
        k[r.status] = (k[r.status] || 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    return (Date.now() - t0) / 1000;
  };
  // Token timing: interleaved, sequential, both 401 (timingSafeEqual over sha256 digests).
  const timing = async () => {
    const wrong = [];
    const prefix = [];
    const body = JSON.stringify({ signal: 'SIGUSR1', createTime: o.createTime });
    const h = { host: `127.0.0.1:${o.port}`, 'content-type': 'application/json' };
    for (let i = 0; i < 2000; i++) {
      const a = await send(o.port, {
        method: 'POST',
        path: `/v1/processes/${o.canary}/signal`,
        headers: { ...h, authorization: `Bearer ${'0'.repeat(o.token.length)}` },
        body,
      });
      const b = await send(o.port, {
        method: 'POST',
        path: `/v1/processes/${o.canary}/signal`,
        headers: { ...h, authorization: `Bearer ${o.token.slice(0, -1)}0` },
        body,
      });
      if (a.status === 401) wrong.push(a.ms);
      if (b.status === 401) prefix.push(b.ms);
    }
    return { wrong, prefix };
  };
  process.on('message', (m) => {
    if (m.cmd === 'init') {
      o = m.o;
      list = attacks(o);
      process.send({ cmd: 'ready' });
    } else if (m.cmd === 'flood') {
      flood(m.from, m.count).then((seconds) => process.send({ cmd: 'flooded', seconds }));
    } else if (m.cmd === 'timing') {
      timing().then((t) =>
        process.send({
          cmd: 'timed',
          ...t,
          statuses: { ...statuses },
          byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, { ...v }])),
        }),
      );
    } else if (m.cmd === 'exit') {
      process.exit(0);
    }
  });
}

// ---- the driver -------------------------------------------------------------------------------------------------

async function until(fn, what, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main() {
  const requests = arg('requests', 10000);
  const concurrency = arg('concurrency', 16);
  // Default: the agent's default rate limits, as deployed. --open-buckets: limits wide open, so that every request
  // goes as deep into the checks as it can (the worst case for the agent's CPU).
  const open = process.argv.includes('--open-buckets');
  const rate = arg('rate', 1000);
  const rounds = arg('rounds', 5);
  const niceAttacker = process.argv.includes('--nice-attacker');
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('run `npm run build` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-soak-'));
  const token = crypto.randomBytes(32).toString('hex');
  const tokenFile = path.join(dir, 'admin.token');
  fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o400 });
  const audit = path.join(dir, 'audit.jsonl');
  const [mport, aport] = [await freePort(), await freePort()];
  const cfg = path.join(dir, 'agent.yaml');
  fs.writeFileSync(
    cfg,
    [
      `web: {listen_address: "127.0.0.1:${mport}"}`,
      'process_names:',
      '  - name: soak-canary',
      "    cmdline: ['admin-soak-canary']",
      'admin:',
      '  enabled: true',
      `  listen_address: "127.0.0.1:${aport}"`,
      `  token_file: ${tokenFile}`,
      `  audit_log: ${audit}`,
      ...(open
        ? [
            '  rate_limit: {per_credential: {interval: 1ms, burst: 100000}, global: {interval: 1ms, burst: 100000}, unauthenticated: {interval: 1ms, burst: 100000}}',
          ]
        : []),
      '  policy:',
      '    - groups: [soak-canary]',
      '      signals: [SIGUSR1]',
      '      nice: {min: 0, max: 19}',
      '',
    ].join('\n'),
  );

  const counts = path.join(dir, 'canary.json');
  const canary = spawn('/usr/bin/python3', ['-c', CANARY, counts, 'admin-soak-canary'], { stdio: 'ignore' });
  // SOAK_AGENT_NODE_FLAGS: extra node flags for the agent, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeFlags = (process.env.SOAK_AGENT_NODE_FLAGS || '').split(' ').filter(Boolean);
  const agent = spawn(process.execPath, [...nodeFlags, path.join(ROOT, 'dist', 'cli.js'), `--config.file=${cfg}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let agentErr = '';
  agent.stderr.on('data', (c) => {
    agentErr = (agentErr + c.toString()).slice(-4000);
  });
  const cleanup = () => {
    canary.kill('SIGKILL');
    agent.kill('SIGTERM');
  };
  process.on('exit', cleanup);
  try {
    await until(() => fs.existsSync(counts), 'the canary');
    await until(
      async () =>
        agent.exitCode === null &&
        (await send(mport, { path: '/metrics', headers: { host: `127.0.0.1:${mport}` } })).status === 200,
      'the agent /metrics',
    );
    await until(
      async () =>
        (
          await send(aport, {
            path: `/v1/processes/${canary.pid}`,
            headers: { host: `127.0.0.1:${aport}`, authorization: `Bearer ${token}` },
          })
        ).status === 200,
      'the admin API',
    );
    const createTime = await new Promise((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port: aport,
            path: `/v1/processes/${canary.pid}`,
            headers: { authorization: `Bearer ${token}` },
          },
          (res) => {
            let t = '';
            res.on('data', (c) => {
              t += c;
            });
            res.on('end', () => resolve(JSON.parse(t).createTime));
          },
        )
        .on('error', reject);
    });
    const before = procSnapshot(canary.pid);
    const auditBefore = fs.readFileSync(audit, 'utf8').split('\n').filter(Boolean).length;

    const probe = async (stop, into) => {
      while (!stop()) {
        const r = await send(mport, { path: '/metrics', headers: { host: `127.0.0.1:${mport}` } });
        if (r.status === 200) into.metrics.push(r.ms);
        const z = await send(mport, { path: '/healthz', headers: { host: `127.0.0.1:${mport}` } });
        if (z.status === 200) into.healthz.push(z.ms);
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    const child = fork(__filename, ['--attacker'], { stdio: 'inherit' });
    // --nice-attacker: the load generator yields the CPU to the agent (it shares the agent's 2 cores here, which a
    // remote attacker would not).
    if (niceAttacker) os.setPriority(child.pid, 19);
    const inbox = [];
    const waiters = [];
    child.on('message', (m) => (waiters.length ? waiters.shift()(m) : inbox.push(m)));
    const receive = () => new Promise((resolve) => (inbox.length ? resolve(inbox.shift()) : waiters.push(resolve)));
    child.send({
      cmd: 'init',
      o: { port: aport, token, canary: canary.pid, agent: agent.pid, createTime, concurrency, rate },
    });
    await receive();

    // Interleaved rounds (idle 4 s, then a slice of the flood), so that the machine's own drift (other work on a
    // shared host) weighs on both samples alike.
    const idle = { metrics: [], healthz: [] };
    const loaded = { metrics: [], healthz: [] };
    let seconds = 0;
    let cpu = 0;
    for (let round = 0, sent = 0; round < rounds; round++) {
      const idleEnd = Date.now() + 4000;
      await probe(() => Date.now() > idleEnd, idle);
      const count =
        Math.round(requests / rounds) + (round === rounds - 1 ? requests - Math.round(requests / rounds) * rounds : 0);
      const cpu0 = cpuSeconds(agent.pid);
      let done = false;
      child.send({ cmd: 'flood', from: sent, count });
      const finished = receive().then((m) => {
        done = true;
        seconds += m.seconds;
      });
      await probe(() => done, loaded);
      await finished;
      cpu += cpuSeconds(agent.pid) - cpu0;
      sent += count;
    }
    child.send({ cmd: 'timing' });
    const r = await receive();
    child.send({ cmd: 'exit' });
    r.seconds = seconds;

    await new Promise((res) => setTimeout(res, 200));
    const after = procSnapshot(canary.pid);
    const signals = JSON.parse(fs.readFileSync(counts, 'utf8'));
    const lines = fs
      .readFileSync(audit, 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(auditBefore)
      .map((l) => JSON.parse(l));
    const acted = lines.filter((l) => l.action !== 'get' && (l.decision === 'ok' || l.decision === 'dry_run'));
    const non4xx = Object.entries(r.statuses).filter(([s]) => !/^4\d\d$/.test(s));
    const floodStatuses = Object.fromEntries(Object.entries(r.statuses).sort());

    const ms = (x) => `${x.toFixed(2)} ms`;
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const out = [];
    out.push(
      `admin soak: ${requests} malformed or unauthorized requests, concurrency ${concurrency}, paced at ${rate > 0 ? `${rate}/s` : 'full speed'}${niceAttacker ? ', attacker at nice 19' : ''}, ${open ? 'rate limits wide open' : 'default rate limits'}, ${r.seconds.toFixed(1)} s (${(requests / r.seconds).toFixed(0)} req/s)`,
    );
    out.push(`  statuses of the flood: ${JSON.stringify(floodStatuses)}`);
    out.push(`  non-4xx answers: ${non4xx.length === 0 ? 0 : JSON.stringify(non4xx)}`);
    out.push(`  audit lines: ${lines.length} (flood + token timing), actions recorded: ${acted.length}`);
    out.push(
      `  canary signals received: ${JSON.stringify(signals)}; /proc state, nice, affinity, limits unchanged: ${before === after}`,
    );
    out.push(
      `  agent CPU during the floods (admin and collection together): ${cpu.toFixed(2)} s (${((cpu / requests) * 1e6).toFixed(0)} us per request)`,
    );
    out.push(
      `  /metrics idle:   n=${idle.metrics.length} p50 ${ms(pct(idle.metrics, 50))} p99 ${ms(pct(idle.metrics, 99))}`,
    );
    out.push(
      `  /metrics loaded: n=${loaded.metrics.length} p50 ${ms(pct(loaded.metrics, 50))} p99 ${ms(pct(loaded.metrics, 99))}  (p99 ratio ${(pct(loaded.metrics, 99) / pct(idle.metrics, 99)).toFixed(2)}, target <= 2)`,
    );
    out.push(
      `  /healthz idle p50 ${ms(pct(idle.healthz, 50))} p99 ${ms(pct(idle.healthz, 99))}; loaded p50 ${ms(pct(loaded.healthz, 50))} p99 ${ms(pct(loaded.healthz, 99))} (the event loop alone)`,
    );
    out.push(
      `  401 latency, wrong token vs right prefix: mean ${ms(mean(r.wrong))} vs ${ms(mean(r.prefix))}, p50 ${ms(pct(r.wrong, 50))} vs ${ms(pct(r.prefix, 50))} (n=${r.wrong.length}/${r.prefix.length})`,
    );
    out.push('  by kind:');
    for (const [k, v] of Object.entries(r.byKind)) out.push(`    ${k.padEnd(22)} ${JSON.stringify(v)}`);
    process.stdout.write(`${out.join('\n')}\n`);
    const ok =
      non4xx.length === 0 &&
      acted.length === 0 &&
      Object.keys(signals).length === 0 &&
      before === after &&
      pct(loaded.metrics, 99) <= 2 * pct(idle.metrics, 99);
    process.stdout.write(ok ? 'PASS\n' : 'FAIL\n');
    process.exitCode = ok ? 0 : 1;
  } catch (err) {
    process.stderr.write(`${err.stack || err}\nagent stderr (tail):\n${agentErr}\n`);
    process.exitCode = 1;
  } finally {
    cleanup();
    if (agent.exitCode === null) await new Promise((r) => agent.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--attacker')) {
  attackerLoop();
} else {
  main();
}
