/**
 * The package as a library user gets it: `npm pack` of a copy of this checkout without dist/ (so the tarball's
 * dist/ comes from the package's own prepack/prepare scripts), installed into a new project, then imported through
 * ESM and require(), type-checked from a .mts and a .cts consumer, and its bin run through npx.
 *
 * Offline: the new project gets a package-lock.json made of this repository's production entries (versions,
 * tarball URLs, integrities) and is installed with `npm ci --offline`, so every dependency comes from the npm cache
 * that this checkout's own `npm ci` filled. No registry is asked.
 *
 * Slow: one tsc build of src/ and one install of the production dependencies (koffi's prebuilt binaries are most of
 * it): 50 s to 2.5 minutes on this 2-core machine, shared. Each step has its own time bound.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
};

/** What the checkout holds that is not its source: never copied (node_modules is linked instead). */
const NOT_SOURCE = new Set(['node_modules', '.git', 'dist', 'coverage', '.bench-out']);

/** npm and node as a user's shell would run them: without the variables `npm test` set for this run. */
function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_(lifecycle|package|command|config_json)/i.test(k) && k !== 'INIT_CWD') e[k] = v;
  }
  return { ...e, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

/** Runs a command to completion within `timeoutMs`; throws with its output when it fails or times out. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): string {
  const r = spawnSync(cmd, args, { cwd, env: env(), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.error !== undefined || r.status !== 0) {
    const why = r.error !== undefined ? String(r.error) : `exit ${String(r.status)}, signal ${String(r.signal)}`;
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}): ${why}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
  [k: string]: unknown;
}

/** The consumer's lockfile: the package from the tarball, and this repository's production dependency tree. */
function consumerLock(tarball: string, integrity: string): object {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { [pkg.name]: `file:${tarball}` } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: `file:${tarball}`,
      integrity,
      license: 'Apache-2.0',
      dependencies: pkg.dependencies,
      bin: { [pkg.name]: 'dist/cli.js' },
      engines: { node: '>=20' },
    },
  };
  for (const [where, e] of Object.entries(lock.packages)) {
    if (where === '' || e.dev === true || e.devOptional === true || e.link === true) continue;
    packages[where] = e;
  }
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

let tmp: string;
let consumer: string;
let packedFiles: string[];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psutil-pack-'));
  // A checkout without dist/, as a fresh clone is; node_modules linked for the compiler the build runs.
  const src = path.join(tmp, 'src');
  fs.cpSync(REPO, src, {
    recursive: true,
    filter: (from) => {
      const rel = path.relative(REPO, from);
      const top = rel.split(path.sep)[0] ?? '';
      return !NOT_SOURCE.has(top) && !top.startsWith('.tmp-') && !top.endsWith('.tgz');
    },
  });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(src, 'node_modules'));

  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], src, 180_000)) as Array<{
    filename: string;
    integrity: string;
    files: Array<{ path: string }>;
  }>;
  const info = packed[0];
  if (info === undefined) throw new Error('npm pack --json reported no tarball');
  packedFiles = info.files.map((f) => f.path);
  const tarball = path.join(tmp, info.filename);

  consumer = path.join(tmp, 'consumer');
  fs.mkdirSync(consumer);
  fs.writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, dependencies: { [pkg.name]: `file:${tarball}` } }, null, 2),
  );
  fs.writeFileSync(
    path.join(consumer, 'package-lock.json'),
    JSON.stringify(consumerLock(tarball, info.integrity), null, 2),
  );
  run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], consumer, 180_000);
}, 420_000);

afterAll(() => {
  if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
});

/** MemTotal of /proc/meminfo in bytes, read here: what virtualMemory().total must say through either module kind. */
function memTotal(): number {
  const m = /^MemTotal:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
  if (m === null) throw new Error('no MemTotal in /proc/meminfo');
  return Number(m[1]) * 1024;
}

test('the tarball: the built library, its types, the bin and the config schema; no sources, tests or maps', () => {
  for (const f of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cli.js',
    'dist/exporters/worker.js',
    'config/schema.json',
    'config/default.yaml',
    'package.json',
  ]) {
    expect(packedFiles).toContain(f);
  }
  expect(
    packedFiles.filter(
      (f) =>
        /^(src|test|bench|scripts|docs|deploy)\//.test(f) ||
        f.endsWith('.map') ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    ),
  ).toEqual([]);
});

test('ESM: named imports through import, the same names as require() gives', () => {
  const out = run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { virtualMemory, Process, NoSuchProcess } from '${pkg.name}';
       import * as ns from '${pkg.name}';
       import { createRequire } from 'node:module';
       const cjs = createRequire(import.meta.url)('${pkg.name}');
       const missing = Object.keys(cjs).filter((k) => !(k in ns));
       console.log(JSON.stringify({ total: virtualMemory().total, pid: new Process().pid,
         noSuchProcess: typeof NoSuchProcess, names: Object.keys(cjs).length, missing }));`,
    ],
    consumer,
    30_000,
  );
  const r = JSON.parse(out) as { total: number; pid: number; noSuchProcess: string; names: number; missing: string[] };
  expect(r.total).toBe(memTotal());
  expect(r.pid).toBeGreaterThan(0);
  expect(r.noSuchProcess).toBe('function');
  expect(r.names).toBeGreaterThan(100);
  expect(r.missing).toEqual([]);
});

test('CommonJS: require()', () => {
  const out = run(
    process.execPath,
    [
      '-e',
      `const p = require('${pkg.name}'); console.log(JSON.stringify({ total: p.virtualMemory().total, cpus: p.cpuCount() }));`,
    ],
    consumer,
    30_000,
  );
  const r = JSON.parse(out) as { total: number; cpus: number };
  expect(r.total).toBe(memTotal());
  expect(r.cpus).toBe(os.cpus().length);
});

test('the exports map hides the files behind the entry point', () => {
  const r = spawnSync(process.execPath, ['-e', `require('${pkg.name}/dist/probes/psutil.js')`], {
    cwd: consumer,
    env: env(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
});

test('types: an ESM (.mts) and a CommonJS (.cts) consumer type-check against the installed declarations', () => {
  const typesDir = path.join(consumer, 'types');
  fs.mkdirSync(typesDir);
  // The expect-error lines fail the check if the declarations resolved to `any` (an unused expectation is an error).
  fs.writeFileSync(
    path.join(typesDir, 'esm.mts'),
    `import { virtualMemory, Process, type VirtualMemory } from '${pkg.name}';
const v: VirtualMemory = virtualMemory();
export const total: number = v.total + new Process().pid;
// @ts-expect-error total is a number
export const wrong: string = v.total;
`,
  );
  fs.writeFileSync(
    path.join(typesDir, 'cjs.cts'),
    `import psutil = require('${pkg.name}');
import { diskUsage } from '${pkg.name}';
export const total: number = psutil.virtualMemory().total + diskUsage('/').free;
// @ts-expect-error total is a number
export const wrong: string = psutil.virtualMemory().total;
`,
  );
  fs.writeFileSync(
    path.join(typesDir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        // The declarations name node's types (Buffer, ChildProcess): a consumer has @types/node, here this checkout's.
        typeRoots: [path.join(REPO, 'node_modules', '@types')],
        types: ['node'],
        skipLibCheck: true,
      },
      files: ['esm.mts', 'cjs.cts'],
    }),
  );
  const r = spawnSync(process.execPath, [TSC, '-p', typesDir], {
    cwd: consumer,
    env: env(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(`${r.stdout}${r.stderr}`).toBe('');
  expect(r.status).toBe(0);
}, 150_000);

test('the bin through npx: --version, and --once prints an exposition', () => {
  expect(run('npx', ['--offline', pkg.name, '--version'], consumer, 60_000).trim()).toBe(pkg.version);
  const out = run('npx', ['--offline', pkg.name, '--once', '--log.level=error'], consumer, 120_000);
  expect(Number(/^node_memory_MemTotal_bytes (\S+)$/m.exec(out)?.[1])).toBe(memTotal());
  expect(out).toMatch(
    new RegExp(`^psutil_exporter_build_info\\{[^}]*version="${pkg.version.replace(/\./g, '\\.')}"`, 'm'),
  );
}, 200_000);
