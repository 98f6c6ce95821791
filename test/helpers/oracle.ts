/**
 * The reference psutil (/usr/bin/python3 + Debian python3-psutil 5.9) as an oracle for differential tests.
 * Absent oracle: tests skip (through requireOr, the reason in the title), unless REQUIRE_ORACLE=1 (CI), where they fail.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { requireOr } from './require';

export const PYTHON = '/usr/bin/python3';

let available: boolean | null = null;

function oracleInstalled(): boolean {
  if (available === null) {
    available = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import psutil'], { stdio: 'ignore' }).status === 0;
  }
  return available;
}

/** For checks made only with the oracle (`if (oracleAvailable()) ...`): throws instead of false under REQUIRE_ORACLE=1. */
export function oracleAvailable(): boolean {
  const installed = oracleInstalled();
  if (!installed && process.env['REQUIRE_ORACLE'] === '1') {
    throw new Error(
      'REQUIRE_ORACLE=1 but /usr/bin/python3 with psutil is not installed (apt-get install python3-psutil)',
    );
  }
  return installed;
}

/**
 * `describe` that runs only with the oracle, through requireOr: a visible skip without it, a failure under
 * REQUIRE_ORACLE=1 (CI installs Debian's python3-psutil and sets it).
 */
export const describeOracle: jest.Describe = ((name: string, fn: () => void) =>
  requireOr(oracleInstalled(), 'no /usr/bin/python3 with psutil (apt-get install python3-psutil)').describe(
    name,
    fn,
  )) as jest.Describe;

/**
 * Runs a Python snippet with psutil imported; the snippet must assign the result to `out`. Returns it as JSON.
 * Namedtuples become objects keyed by field (via _asdict), recursively.
 */
export function py<T = unknown>(snippet: string, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): T {
  const prelude = `
import json, psutil, sys, os
def conv(x):
    if hasattr(x, '_asdict'): return {k: conv(v) for k, v in x._asdict().items()}
    if isinstance(x, dict): return {str(k): conv(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)): return [conv(v) for v in x]
    if isinstance(x, float) and x != x: return None
    if hasattr(x, 'value') and hasattr(x, 'name') and type(x).__module__ in ('enum', 'socket', 'psutil._common', 'psutil'): return x.value
    return x
out = None
`;
  const r = spawnSync(PYTHON, ['-c', prelude + snippet + '\nsys.stdout.write(json.dumps(conv(out)))'], {
    encoding: 'utf8',
    env: opts.env ?? process.env,
    timeout: opts.timeoutMs ?? 30000,
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Runs a command and returns its stdout (throws on failure). */
export function sh(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
