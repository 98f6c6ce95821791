/**
 * runtime.jit: which mode a config asks for, and that the lean flags really keep V8's optimizing tiers away (checked
 * in a child process through V8's own optimization status, since flags cannot be taken back in this one).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../src/config/load';
import {
  AGENT_NODE_FLAGS,
  DEFAULT_V8_FLAGS,
  LEAN_V8_FLAGS,
  missingNodeFlags,
  v8FlagsFor,
  v8Mode,
} from '../../src/exporters/v8mode';
import { REPO } from '../helpers/fixtures';

const RULE = 'process_names:\n  - name: "{{.Comm}}"\n    cmdline: [".+"]\n';

describe('v8Mode', () => {
  test('auto: interpreter only without process_names, optimizing compilers with them', () => {
    expect(v8Mode(parseConfig('')).jit).toBe(false);
    expect(v8Mode(parseConfig('')).reason).toMatch(/no process_names/);
    const withRules = v8Mode(parseConfig(RULE));
    expect(withRules.jit).toBe(true);
    expect(withRules.reason).toMatch(/1 process_names rule/);
  });

  test('auto: rules with the process_groups collector off need no compiler', () => {
    expect(v8Mode(parseConfig(RULE + 'collectors:\n  process_groups: {enabled: false}\n')).jit).toBe(false);
  });

  test('auto: per-process OTLP (otlp.processes) keeps the optimizing compilers, as process_names do', () => {
    const otlp = 'otlp: {enabled: true, processes: {enabled: true}}\n';
    const mode = v8Mode(parseConfig(otlp));
    expect(mode.jit).toBe(true);
    expect(mode.reason).toMatch(/otlp\.processes/);
    expect(v8Mode(parseConfig('otlp: {enabled: true, processes: {enabled: false}}\n')).jit).toBe(false);
    expect(v8Mode(parseConfig('otlp: {enabled: false, processes: {enabled: true}}\n')).jit).toBe(false);
    expect(v8Mode(parseConfig(otlp + 'collectors:\n  process_groups: {enabled: false}\n')).jit).toBe(false);
    expect(v8Mode(parseConfig(otlp + 'runtime: {jit: false}\n')).jit).toBe(false);
  });

  test('per-process OTLP also drops --optimize-for-size; process_names alone keep it', () => {
    const otlp = 'otlp: {enabled: true, processes: {enabled: true}}\n';
    expect(v8Mode(parseConfig(otlp)).forSize).toBe(false);
    expect(v8Mode(parseConfig(RULE)).forSize).not.toBe(false);
    const both = v8Mode(parseConfig(RULE + otlp));
    expect(both).toMatchObject({ jit: true, forSize: false });
    expect(both.reason).toMatch(/1 process_names rule.*otlp\.processes/);
    expect(v8Mode(parseConfig(otlp + 'runtime: {jit: true}\n'))).toMatchObject({ jit: true, forSize: false });
    expect(v8Mode(parseConfig(RULE + 'otlp: {enabled: true, processes: {enabled: false}}\n')).forSize).not.toBe(false);
  });

  test('the host collectors alone drop --optimize-for-size after start-up; runtime.jit: false with rules keep it', () => {
    expect(v8Mode(parseConfig(''))).toMatchObject({ jit: false, forSize: false });
    expect(v8Mode(parseConfig('runtime: {jit: false}\n'))).toMatchObject({ jit: false, forSize: false });
    expect(v8Mode(parseConfig(RULE + 'runtime: {jit: false}\n')).forSize).not.toBe(false);
    expect(v8Mode(parseConfig('runtime: {jit: true}\n')).forSize).not.toBe(false);
  });

  test('the flags each mode sets', () => {
    expect(v8FlagsFor({ jit: false, reason: '' })).toEqual(LEAN_V8_FLAGS);
    expect(v8FlagsFor({ jit: false, forSize: false, reason: '' })).toEqual([
      ...LEAN_V8_FLAGS,
      '--no-optimize-for-size',
    ]);
    expect(v8FlagsFor({ jit: true, reason: '' })).toEqual(DEFAULT_V8_FLAGS);
    expect(v8FlagsFor({ jit: true, reason: '' })).not.toContain('--no-optimize-for-size');
    expect(v8FlagsFor({ jit: true, forSize: false, reason: '' })).toEqual([
      ...DEFAULT_V8_FLAGS,
      '--no-optimize-for-size',
    ]);
    // The lean flags set --optimize-for-size: the speed mode must be the one to take it back.
    expect(LEAN_V8_FLAGS).toContain('--optimize-for-size');
  });

  test('an explicit setting wins over auto', () => {
    expect(v8Mode(parseConfig('runtime: {jit: true}\n')).jit).toBe(true);
    expect(v8Mode(parseConfig(RULE + 'runtime: {jit: false}\n')).jit).toBe(false);
  });

  test('anything but auto, true or false is refused with its line', () => {
    expect(() => parseConfig('log: {level: info}\nruntime:\n  jit: sometimes\n', 'c.yaml')).toThrow(
      /c\.yaml:3:\d+: runtime\.jit/,
    );
  });
});

describe('applyV8Mode in a process', () => {
  // A hot function, called until V8 optimizes it (or 20 s pass with the compilers, 3 s without: the loop ends early once optimized); V8's status bits: 16 optimized, 128 interpreted.
  const script = `
    const [mode, mod] = process.argv.slice(-2);
    if (mode !== 'jit') require(mod).applyV8Mode({ jit: false, reason: 'test' });
    if (mode === 'lean-then-jit') require(mod).applyV8Mode({ jit: true, reason: 'test' });
    if (mode === 'lean-then-speed') require(mod).applyV8Mode({ jit: true, forSize: false, reason: 'test' });
    if (mode === 'lean-then-lean-speed') require(mod).applyV8Mode({ jit: false, forSize: false, reason: 'test' });
    function hot(a, b) { let s = 0; for (let i = 0; i < 50; i++) s += (a * i) ^ b; return s; }
    const end = Date.now() + (mode === 'lean' || mode === 'lean-then-lean-speed' ? 3000 : 20000); let st = 0, x = 0;
    while (Date.now() < end) {
      for (let i = 0; i < 10000; i++) x += hot(i, x & 7);
      st = %GetOptimizationStatus(hot);
      if (st & 16) break;
    }
    process.stdout.write(JSON.stringify({ optimized: (st & 16) !== 0, interpreted: (st & 128) !== 0 }));
  `;
  const run = (mode: string): { optimized: boolean; interpreted: boolean } => {
    const mod = path.join(REPO, 'dist', 'exporters', 'v8mode.js');
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script, '--', mode, mod], {
      encoding: 'utf8',
      timeout: 60000,
    });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as { optimized: boolean; interpreted: boolean };
  };

  test('with the optimizing compilers a hot function gets optimized', () => {
    expect(run('jit')).toEqual({ optimized: true, interpreted: false });
  });

  test('with the lean flags the same function stays in the interpreter', () => {
    expect(run('lean')).toEqual({ optimized: false, interpreted: true });
  });

  test('lean first, then the compilers handed back (a config with process_names): the function gets optimized', () => {
    expect(run('lean-then-jit')).toEqual({ optimized: true, interpreted: false });
  });

  test('lean first, then the compilers without --optimize-for-size (otlp.processes): set while running, optimized', () => {
    expect(run('lean-then-speed')).toEqual({ optimized: true, interpreted: false });
  });

  test('lean first, then lean without --optimize-for-size (host collectors): the function stays interpreted', () => {
    expect(run('lean-then-lean-speed')).toEqual({ optimized: false, interpreted: true });
  });

  test('lean, a worker started, then the compilers handed back: the worker optimizes on its own thread', () => {
    // The collection worker starts under the lean flags (--no-concurrent-recompilation among them) and gets the
    // compilers once the config asks for them: TurboFan must still reach its hot code, compiling synchronously.
    const mod = path.join(REPO, 'dist', 'exporters', 'v8mode.js');
    const main = `
      const { Worker } = require('node:worker_threads');
      const v8mode = require(process.argv[process.argv.length - 1]);
      v8mode.applyV8Mode({ jit: false, reason: 'test' });
      const w = new Worker(\`
        const { parentPort } = require('node:worker_threads');
        parentPort.once('message', () => {
          function hot(a, b) { let s = 0; for (let i = 0; i < 50; i++) s += (a * i) ^ b; return s; }
          const end = Date.now() + 20000; let st = 0, x = 0;
          while (Date.now() < end) {
            for (let i = 0; i < 10000; i++) x += hot(i, x & 7);
            st = %GetOptimizationStatus(hot);
            if (st & 16) break;
          }
          parentPort.postMessage({ optimized: (st & 16) !== 0, interpreted: (st & 128) !== 0 });
        });\`, { eval: true });
      w.once('online', () => { v8mode.applyV8Mode({ jit: true, reason: 'test' }); w.postMessage('go'); });
      w.once('message', (m) => { process.stdout.write(JSON.stringify(m)); process.exit(0); });
    `;
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', main, '--', mod], {
      encoding: 'utf8',
      timeout: 60000,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ optimized: true, interpreted: false });
  });
});

describe('the launch flags (AGENT_NODE_FLAGS)', () => {
  // Allocation that survives scavenges, as a scrape's does: V8 grows the young generation it lands in.
  const grow = `
    const v8 = require('node:v8'); const keep = [];
    for (let i = 0; i < 400000; i++) { keep.push({ a: i, b: 'x' + i }); if (keep.length > 200000) keep.splice(0, 100000); }
    const ns = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(ns.space_size));
  `;
  const newSpace = (flags: readonly string[], env: NodeJS.ProcessEnv = {}): number => {
    const r = spawnSync(process.execPath, [...flags, '-e', grow], {
      encoding: 'utf8',
      timeout: 60000,
      env: { ...process.env, NODE_OPTIONS: '', ...env },
    });
    expect(r.stderr).toBe('');
    return Number(r.stdout);
  };

  test("keep the main isolate's young generation at 1 MB semi-spaces, where V8 alone grows it", () => {
    expect(newSpace([])).toBeGreaterThan(4 * 1024 * 1024);
    expect(newSpace(AGENT_NODE_FLAGS)).toBeLessThanOrEqual(2 * 1024 * 1024);
    // The way a unit file or `npx psutil-exporter` gives them.
    expect(newSpace([], { NODE_OPTIONS: AGENT_NODE_FLAGS.join(' ') })).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  test('npm start launches node with them', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['start']).toBe(`node ${AGENT_NODE_FLAGS.join(' ')} scripts/start.js`);
  });

  test('missingNodeFlags: given on the command line, in NODE_OPTIONS, with another value or with underscores', () => {
    expect(missingNodeFlags([], '')).toEqual([...AGENT_NODE_FLAGS]);
    expect(missingNodeFlags([...AGENT_NODE_FLAGS], '')).toEqual([]);
    expect(missingNodeFlags([], ` ${AGENT_NODE_FLAGS.join('  ')} --trace-gc`)).toEqual([]);
    expect(missingNodeFlags(['--max-semi-space-size=4'], '')).toEqual([]);
    expect(missingNodeFlags(['--max_semi_space_size=1'], '')).toEqual([]);
    expect(missingNodeFlags(['--max-old-space-size=1'], '--trace-gc')).toEqual([...AGENT_NODE_FLAGS]);
  });
});
