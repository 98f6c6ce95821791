/**
 * runtime.jit in the running agent: the mode it picked is logged at start, and it serves the same metrics either way.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AGENT_NODE_FLAGS } from '../../src/exporters/v8mode';
import { request, startAgent } from './agent-process';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-v8-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function modeLine(stderr: string): { jit: boolean; optimize_for_size: boolean; reason: string } {
  const line = stderr.split('\n').find((l) => l.includes('"msg":"v8 mode"'));
  if (line === undefined) throw new Error(`no "v8 mode" log line in: ${stderr}`);
  return JSON.parse(line) as { jit: boolean; optimize_for_size: boolean; reason: string };
}

test.each([
  ['the default config: interpreter only', '', false, /no process_names/],
  [
    'process_names: optimizing compilers',
    'process_names:\n  - name: "{{.Comm}}"\n    comm: [node]\n',
    true,
    /process_names rule/,
  ],
  ['runtime.jit: true', 'runtime: {jit: true}\n', true, /runtime\.jit: true/],
  [
    // An endpoint nobody listens on: the mode is decided from the config, before any export.
    'per-process OTLP: the compilers, not tuned for size',
    'otlp: {enabled: true, endpoint: "http://127.0.0.1:9/v1/metrics", processes: {enabled: true, max: 10}}\n',
    true,
    /otlp\.processes/,
  ],
])('%s', async (_name, yaml, jit, reason) => {
  const file = path.join(dir, `c${String(jit)}${yaml.length}.yaml`);
  fs.writeFileSync(file, yaml + 'log: {level: info}\n');
  const agent = await startAgent([`--config.file=${file}`]);
  try {
    const r = await request(`${agent.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toMatch(/^node_cpu_seconds_total\{cpu="0",mode="user"\} \d/m);
    const m = modeLine(agent.stderr());
    expect(m.jit).toBe(jit);
    expect(m.reason).toMatch(reason);
    // Kept for process groups and an explicit runtime.jit: true; dropped for the host collectors and per-process OTLP.
    expect(m.optimize_for_size).toBe(/process_names|jit: true/.test(yaml) && !/processes: \{enabled: true/.test(yaml));
  } finally {
    await agent.stop();
  }
});

test('started without the launch flags (AGENT_NODE_FLAGS), the agent says which to give; with them, it does not', async () => {
  const file = path.join(dir, 'flags.yaml');
  fs.writeFileSync(file, 'log: {level: info}\n');
  const advice = (stderr: string): { flags: string[]; how: string } | undefined => {
    const line = stderr.split('\n').find((l) => l.includes('"msg":"node flags advised"'));
    return line === undefined ? undefined : (JSON.parse(line) as { flags: string[]; how: string });
  };
  for (const [nodeOptions, want] of [
    ['', [...AGENT_NODE_FLAGS]],
    [AGENT_NODE_FLAGS.join(' '), undefined],
  ] as const) {
    const agent = await startAgent([`--config.file=${file}`], { NODE_OPTIONS: nodeOptions });
    try {
      expect((await request(`${agent.url}/readyz`)).status).toBe(200);
      expect(advice(agent.stderr())?.flags).toEqual(want);
    } finally {
      await agent.stop();
    }
  }
});

test("the collection thread fixes glibc's mmap threshold (mallocmode.ts), unless the operator set one", async () => {
  const file = path.join(dir, 'malloc.yaml');
  fs.writeFileSync(file, 'log: {level: debug}\n');
  const mallocLine = (stderr: string): { mmap_threshold: unknown } | undefined => {
    const line = stderr.split('\n').find((l) => l.includes('"msg":"malloc mode"'));
    return line === undefined ? undefined : (JSON.parse(line) as { mmap_threshold: unknown });
  };
  for (const [env, want] of [
    [{ GLIBC_TUNABLES: '' }, 131072],
    [{ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=262144' }, 'operator'],
  ] as const) {
    const agent = await startAgent([`--config.file=${file}`], env);
    try {
      expect((await request(`${agent.url}/readyz`)).status).toBe(200);
      expect(mallocLine(agent.stderr())?.mmap_threshold).toBe(want);
    } finally {
      await agent.stop();
    }
  }
});
