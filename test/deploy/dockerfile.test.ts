/**
 * The Dockerfile, checked without a container engine (image.test.ts builds and runs it with podman): its recipe as
 * text (base image, no --omit=optional, non-root user, exec-form entrypoint with the /host paths, image hygiene),
 * every COPY source present and not excluded by .dockerignore, and the runtime stage's file layout rebuilt from the
 * repo and run: the image's own entrypoint and command work on exactly the files the image holds.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO } from '../helpers/fixtures';
import { dockerIgnored, dockerignorePatterns, execForm, parseCopy, parseDockerfile, stages, type Instruction, type Stage } from './dockerfile';
import { AGENT_NODE_FLAGS } from '../../src/exporters/v8mode';

const text = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
const all = parseDockerfile(text);
const st = stages(all);
const final = st[st.length - 1] as Stage;
const ignore = dockerignorePatterns(fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8'));
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

function only(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

function last(stage: Stage, keyword: string): Instruction {
  const l = only(stage, keyword);
  const i = l[l.length - 1];
  if (!i) throw new Error(`the final stage has no ${keyword}`);
  return i;
}

describe('the recipe', () => {
  test('every stage builds on node:20-bookworm-slim (glibc, as koffi\'s linux prebuilds need)', () => {
    expect(st.length).toBeGreaterThanOrEqual(2);
    for (const s of st) expect(s.from).toBe('node:20-bookworm-slim');
  });

  test('never omits optional dependencies: koffi\'s native code is one', () => {
    for (const ins of all) {
      expect(`${ins.line}: ${ins.args}`).not.toMatch(/--omit[= ]optional|--no-optional|--only[= ]prod|--production/);
    }
  });

  test('the runtime dependencies are npm ci --omit=dev, checked by loading koffi in the same step', () => {
    const installs = all.filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args) && /--omit=dev\b/.test(i.args));
    expect(installs).toHaveLength(1);
    expect(installs[0]?.args).toMatch(/require\(['"]koffi['"]\)/);
  });

  test('builds with the same tsc project as npm run build', () => {
    const build = (pkg as unknown as { scripts: Record<string, string> }).scripts['build'] ?? '';
    const project = /-p\s+(\S+)/.exec(build)?.[1];
    expect(project).toBeDefined();
    expect(all.some((i) => i.keyword === 'RUN' && i.args.includes(`tsc -p ${project as string}`))).toBe(true);
  });

  test('runs as a non-root user (65534)', () => {
    const user = last(final, 'USER').args;
    const uid = user.split(':')[0] ?? '';
    expect(uid).toMatch(/^[0-9]+$/); // numeric, so runAsNonRoot can verify it without an /etc/passwd lookup
    expect(Number(uid)).not.toBe(0);
    expect(uid).toBe('65534');
    // Nothing after USER in the final stage runs as root again.
    const after = final.instructions.slice(final.instructions.indexOf(last(final, 'USER')));
    expect(after.filter((i) => i.keyword === 'RUN')).toEqual([]);
  });

  test('exposes the default metrics port, the one config/default.yaml listens on', () => {
    expect(only(final, 'EXPOSE').map((i) => i.args)).toEqual(['9464']);
    const cfg = parseYaml(fs.readFileSync(path.join(REPO, 'config', 'default.yaml'), 'utf8')) as { web: { listen_address: string } };
    expect(cfg.web.listen_address.endsWith(':9464')).toBe(true);
  });

  test('the entrypoint is node on the CLI (exec form) with the /host paths; the command names the default config', () => {
    const ep = execForm(last(final, 'ENTRYPOINT'));
    const workdir = last(final, 'WORKDIR').args;
    // node, the agent's launch flags (v8mode.ts: AGENT_NODE_FLAGS), the CLI.
    const flags = AGENT_NODE_FLAGS.length;
    expect(ep.slice(0, 2 + flags)).toEqual(['node', ...AGENT_NODE_FLAGS, path.posix.join(workdir, pkg.bin['psutil-exporter'] ?? '')]);
    expect(ep.slice(2 + flags)).toEqual(['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root']);
    expect(execForm(last(final, 'CMD'))).toEqual([`--config.file=${path.posix.join(workdir, 'config', 'default.yaml')}`]);
  });
});

describe('image hygiene (issue 17)', () => {
  const runs = (stage: Stage): string => only(stage, 'RUN').map((i) => i.args).join('\n');

  test('the base is a global ARG (so that --build-arg can pin it by digest), used by every stage', () => {
    expect(all[0]?.keyword).toBe('ARG');
    expect(all[0]?.args).toMatch(/^NODE_IMAGE=node:20-bookworm-slim$/);
    expect(all.filter((i) => i.keyword === 'FROM').map((i) => i.args.split(/\s+/)[0])).toEqual(st.map(() => '${NODE_IMAGE}'));
  });

  test('OCI labels: version (package.json\'s by default), source and revision from build args', () => {
    const args = Object.fromEntries(only(final, 'ARG').map((i) => i.args.split('=', 2) as [string, string]));
    expect(args['VERSION']).toBe(pkg.version);
    expect(Object.keys(args)).toEqual(expect.arrayContaining(['SOURCE', 'REVISION']));
    const labels = only(final, 'LABEL').map((i) => i.args).join(' ');
    for (const [k, v] of [['version', 'VERSION'], ['source', 'SOURCE'], ['revision', 'REVISION']]) {
      expect(labels).toContain(`org.opencontainers.image.${k as string}="\${${v as string}}"`);
    }
  });

  test('npm and npx are removed from the runtime stage, before USER', () => {
    expect(runs(final)).toMatch(/rm -rf [^\n]*\/usr\/local\/lib\/node_modules[^\n]*\/usr\/local\/bin\/npm [^\n]*\/usr\/local\/bin\/npx/);
    expect(runs(final)).toMatch(/! command -v npm && ! command -v npx/);
  });

  test('dist/ ships no declarations or source maps', () => {
    const build = st.find((x) => only(x, 'RUN').some((i) => i.args.includes('tsc -p'))) as Stage;
    expect(runs(build)).toMatch(/find dist .*'\*\.d\.ts'.*'\*\.js\.map'.* -delete/);
  });

  test('npm\'s update notifier is off in every stage that runs npm', () => {
    expect(st.filter((y) => /\bnpm (ci|install)\b|\bnpx tsc\b/.test(runs(y))).length).toBe(2);
    for (const x of st.filter((y) => /\bnpm (ci|install)\b|\bnpx tsc\b/.test(runs(y)))) {
      expect(only(x, 'ENV').map((i) => i.args)).toContain('NPM_CONFIG_UPDATE_NOTIFIER=false');
    }
  });

  test('a HEALTHCHECK in exec form with node (the image has no curl), on /healthz', () => {
    const hc = last(final, 'HEALTHCHECK').args;
    const cmd = /CMD\s+(\[.*\])$/s.exec(hc)?.[1] ?? '';
    const argv = JSON.parse(cmd) as string[];
    expect(argv.slice(0, 2)).toEqual(['node', '-e']);
    expect(only(final, 'ENV').map((i) => i.args)).toContain('HEALTHCHECK_URL=http://127.0.0.1:9464/healthz');
  });

  test('the text no longer claims the agent needs --pid=host to see the host\'s mounts and processes', () => {
    expect(text).not.toMatch(/--pid=host is needed for the host's mount table/);
    expect(text).toMatch(/--pid=host is\s+(# )?needed only by the admin API/);
  });
});

describe('COPY sources', () => {
  const copies = all.filter((i) => i.keyword === 'COPY').map(parseCopy);
  const names = new Set(st.map((s) => s.name).filter((n): n is string => n !== null));

  test('every source copied from the build context exists and .dockerignore keeps it', () => {
    const fromContext = copies.filter((c) => c.from === null);
    expect(fromContext.length).toBeGreaterThan(3);
    for (const c of fromContext) {
      for (const s of c.sources) {
        expect(`${c.line}: ${s} ${fs.existsSync(path.join(REPO, s)) ? 'exists' : 'is missing'}`).toBe(`${c.line}: ${s} exists`);
        expect(`${c.line}: ${s} ${dockerIgnored(ignore, s) ? 'is ignored' : 'is sent'}`).toBe(`${c.line}: ${s} is sent`);
      }
    }
  });

  test('every COPY --from names an earlier stage', () => {
    for (const c of copies.filter((x) => x.from !== null)) expect(names.has(c.from as string)).toBe(true);
  });

  test('the build stage gets everything tsc needs: the project file, what it extends, and its include list', () => {
    const build = st.find((s) => only(s, 'RUN').some((i) => i.args.includes('tsc -p'))) as Stage;
    const copied = only(build, 'COPY').map(parseCopy).flatMap((c) => c.sources);
    const project = JSON.parse(fs.readFileSync(path.join(REPO, 'tsconfig.build.json'), 'utf8')) as { extends?: string; include?: string[] };
    const need = ['package.json', 'package-lock.json', 'tsconfig.build.json', ...(project.extends ? [path.normalize(project.extends)] : []), ...(project.include ?? [])];
    for (const n of need) expect(copied).toContain(n);
  });

  test('.dockerignore keeps local node_modules and dist out of the context', () => {
    expect(dockerIgnored(ignore, 'node_modules/koffi/package.json')).toBe(true);
    expect(dockerIgnored(ignore, 'dist/cli.js')).toBe(true);
    expect(dockerIgnored(ignore, '.git/HEAD')).toBe(true);
    expect(dockerIgnored(ignore, 'src/cli.ts')).toBe(false);
  });
});

describe('the production dependencies (npm ci --omit=dev)', () => {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean; os?: string[]; cpu?: string[] }> };
  const builtin = new Set(builtinModules);

  function jsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? jsFiles(p) : e.name.endsWith('.js') ? [p] : [];
    });
  }

  test('every package the built code requires is installed without the dev dependencies', () => {
    // The runtime layout test below links the repo's node_modules, dev dependencies included: this is the check that
    // the image's smaller node_modules has what dist/ loads.
    const wanted = new Set<string>();
    for (const f of jsFiles(path.join(REPO, 'dist'))) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)) {
        const spec = m[1] as string;
        if (spec.startsWith('node:') || builtin.has(spec)) continue;
        wanted.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
      }
    }
    expect(wanted.size).toBeGreaterThan(5);
    for (const name of wanted) {
      const entry = lock.packages[`node_modules/${name}`];
      expect({ name, installed: entry !== undefined && entry.dev !== true }).toEqual({ name, installed: true });
    }
  });

  test("koffi's native package for linux x64 and arm64 is an optional production dependency (kept by --omit=dev)", () => {
    for (const arch of ['x64', 'arm64']) {
      const entry = lock.packages[`node_modules/@koromix/koffi-linux-${arch}`];
      expect({ arch, optional: entry?.optional, dev: entry?.dev ?? false }).toEqual({ arch, optional: true, dev: false });
    }
  });
});

describe("the runtime stage's layout, rebuilt from the repo", () => {
  // What each COPY --from brings, in repo terms. A new COPY --from fails the test until it is mapped here.
  const fromStage: Record<string, Record<string, string>> = {
    build: { '/src/dist': 'dist' },
    deps: { '/app/node_modules': 'node_modules' },
  };
  let app: string;
  let entry: string[];
  let cmd: string[];

  beforeAll(() => {
    app = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-image-'));
    const workdir = last(final, 'WORKDIR').args;
    for (const c of only(final, 'COPY').map(parseCopy)) {
      for (const s of c.sources) {
        const repoPath = c.from === null ? s : fromStage[c.from]?.[s];
        if (repoPath === undefined) throw new Error(`Dockerfile line ${c.line}: COPY --from=${String(c.from)} ${s} is not mapped in this test`);
        const isDir = fs.statSync(path.join(REPO, repoPath)).isDirectory();
        // Docker: a directory's contents go into the destination; a file goes into it when it ends with '/'.
        let target = path.posix.resolve(workdir, c.dest);
        if (!isDir && c.dest.endsWith('/')) target = path.posix.join(target, path.posix.basename(s));
        const dest = path.join(app, path.posix.relative(workdir, target));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        // node_modules is linked, not copied: 100+ MB for a test; module resolution goes through the link the same.
        if (repoPath === 'node_modules') fs.symlinkSync(path.join(REPO, repoPath), dest);
        else fs.cpSync(path.join(REPO, repoPath), dest, { recursive: true });
      }
    }
    const toApp = (a: string): string => a.split(workdir + '/').join(app + '/');
    entry = execForm(last(final, 'ENTRYPOINT')).map(toApp);
    cmd = execForm(last(final, 'CMD')).map(toApp);
  });

  afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

  function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const [bin, ...rest] = entry;
    expect(bin).toBe('node');
    const r = spawnSync(process.execPath, [...rest, ...args], { encoding: 'utf8', timeout: 60000, cwd: os.tmpdir() });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test('--version prints package.json\'s version (package.json is in the image)', () => {
    const r = run(['--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  test('the default command\'s config validates against the schema the image carries', () => {
    const r = run([...cmd, '--check-config']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/: OK$/m);
  });

  test('one collection through the image\'s files, the /host paths overridden by later flags (the last one wins)', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(app, 'config', 'schema.json'), 'utf8')) as { properties: { collectors: { properties: Record<string, unknown> } } };
    const collectors = Object.fromEntries(Object.keys(schema.properties.collectors.properties).map((n) => [n, { enabled: n === 'loadavg' || n === 'meminfo' }]));
    const cfg = path.join(app, 'one.yaml');
    fs.writeFileSync(cfg, JSON.stringify({ collectors }));
    const r = run([`--config.file=${cfg}`, '--path.procfs=/proc', '--path.sysfs=/sys', '--path.rootfs=/', '--log.level=error', '--once']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^node_load1 /m);
    expect(r.stdout).toMatch(/^node_memory_MemTotal_bytes /m);
    expect(r.stdout).toMatch(/^psutil_exporter_scrape_collector_success\{collector="meminfo"\} 1$/m);
  });
});
