/**
 * The config watcher with the real loader (in this thread) on real files: a reload publishes the checked config or
 * the refusal with its FILE:LINE:COL, loads never overlap (triggers during a load queue one more), and a changed file
 * is noticed without a signal: through inotify on its directory (an editor's rename, a write in place, a ConfigMap's
 * symlink swap, a symlink's target edited in its own directory) with the polls far off, and by the polls where no
 * watch can be set.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentConfig } from '../../src/config/defaults';
import { loadConfigFile } from '../../src/config/load';
import { ConfigWatcher, type ReloadStatus } from '../../src/config/watch';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watch-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Published {
  config: AgentConfig | null;
  status: ReloadStatus;
}

function harness(file: string, opts: { gate?: () => Promise<void>; pollMs?: number; slowPollMs?: number } = {}) {
  const published: Published[] = [];
  const logs: string[] = [];
  let loads = 0;
  let inFlight = 0;
  let overlapped = false;
  const watcher = new ConfigWatcher({
    file,
    pollMs: opts.pollMs ?? 20,
    ...(opts.slowPollMs !== undefined ? { slowPollMs: opts.slowPollMs } : {}),
    load: async (f) => {
      loads++;
      inFlight++;
      if (inFlight > 1) overlapped = true;
      try {
        await opts.gate?.();
        return loadConfigFile(f);
      } finally {
        inFlight--;
      }
    },
    publish: async (config, status) => {
      published.push({ config, status });
    },
    log: { info: (m) => logs.push(m), error: (m, f) => logs.push(`${m} ${JSON.stringify(f?.['error'] ?? '')}`) },
  });
  return { watcher, published, logs, loads: () => loads, overlapped: () => overlapped };
}

const rules = (group: string): string => `process_names:\n  - name: ${group}\n    comm: [x]\n`;

test('a reload publishes the checked config; a refused file publishes its problems and keeps the last success time', async () => {
  const file = path.join(dir, 'a.yaml');
  fs.writeFileSync(file, rules('one'));
  const h = harness(file);
  await h.watcher.reload('SIGHUP');
  expect(h.published[0]?.config?.processNames.map((m) => m.name)).toEqual(['one']);
  const okTime = h.published[0]?.status.successTime;
  expect(h.published[0]?.status).toMatchObject({ ok: true, error: null });

  fs.writeFileSync(file, 'collection: {timeout: 2147484s}\n');
  await h.watcher.reload('SIGHUP');
  expect(h.published[1]?.config).toBeNull();
  expect(h.published[1]?.status).toEqual({
    ok: false,
    successTime: okTime,
    error: expect.stringContaining(`${file}:1:23: collection.timeout`) as unknown,
  });
  expect(h.logs.some((l) => l.startsWith('config reload refused'))).toBe(true);
  expect(h.watcher.status.ok).toBe(false);
});

test('loads never overlap: triggers during a load queue one more load, of the file as it is then', async () => {
  const file = path.join(dir, 'b.yaml');
  fs.writeFileSync(file, rules('first'));
  let release: () => void = () => undefined;
  let gated = true;
  const h = harness(file, {
    gate: () =>
      gated
        ? new Promise<void>((r) => {
            release = r;
          })
        : Promise.resolve(),
  });
  const a = h.watcher.reload('SIGHUP');
  const b = h.watcher.reload('SIGHUP');
  const c = h.watcher.reload('file changed');
  fs.writeFileSync(file, rules('last'));
  gated = false;
  release();
  await Promise.all([a, b, c]);
  expect(h.loads()).toBe(2);
  expect(h.overlapped()).toBe(false);
  expect(h.published.map((p) => p.config?.processNames[0]?.name)).toEqual(['last', 'last']);
});

test('a changed file is noticed without a signal; an unchanged one is not loaded again', async () => {
  const file = path.join(dir, 'c.yaml');
  fs.writeFileSync(file, rules('before'));
  const h = harness(file);
  h.watcher.start();
  try {
    // Several looks at an unchanged file: nothing loads.
    await new Promise((r) => setTimeout(r, 200));
    expect(h.loads()).toBe(0);
    const tmp = `${file}.new`;
    fs.writeFileSync(tmp, rules('after'));
    fs.renameSync(tmp, file);
    for (let i = 0; i < 500 && h.published.length === 0; i++) await new Promise((r) => setTimeout(r, 20)); // <= 10 s
    expect(h.published.map((p) => p.config?.processNames[0]?.name)).toEqual(['after']);
  } finally {
    h.watcher.stop();
  }
});

/** Waits (at most 10 s) until `n` outcomes are published. */
async function published(h: ReturnType<typeof harness>, n: number): Promise<void> {
  for (let i = 0; i < 500 && h.published.length < n; i++) await new Promise((r) => setTimeout(r, 20));
}

const names = (h: ReturnType<typeof harness>): (string | undefined)[] =>
  h.published.map((p) => p.config?.processNames[0]?.name);

/** No poll within a test's time: what is noticed, inotify noticed. */
const POLLS_OFF = { pollMs: 600_000, slowPollMs: 600_000 };

test('inotify: a rename over the file and a write in place are noticed with the polls off; other files are not loaded', async () => {
  const sub = fs.mkdtempSync(path.join(dir, 'inotify-'));
  const file = path.join(sub, 'agent.yaml');
  fs.writeFileSync(file, rules('before'));
  const h = harness(file, POLLS_OFF);
  h.watcher.start();
  try {
    expect(h.watcher.watching).toBe(true);
    // Another file of the directory changes: a look, the same signature, no load.
    fs.writeFileSync(path.join(sub, 'other.yaml'), rules('other'));
    await new Promise((r) => setTimeout(r, 300));
    expect(h.loads()).toBe(0);
    fs.writeFileSync(`${file}.swp`, rules('renamed'));
    fs.renameSync(`${file}.swp`, file);
    await published(h, 1);
    expect(names(h)).toEqual(['renamed']);
    fs.writeFileSync(file, rules('in-place-and-longer'));
    await published(h, 2);
    expect(names(h)).toEqual(['renamed', 'in-place-and-longer']);
  } finally {
    h.watcher.stop();
  }
});

test("inotify: a ConfigMap's symlink swap is noticed with the polls off", async () => {
  // kubelet's layout: agent.yaml -> ..data/agent.yaml, ..data -> ..<timestamp>; an update makes a new timestamped
  // directory, points ..data_tmp at it, renames ..data_tmp over ..data and removes the old directory.
  const vol = fs.mkdtempSync(path.join(dir, 'configmap-'));
  fs.mkdirSync(path.join(vol, '..2026_12_07_v1'));
  fs.writeFileSync(path.join(vol, '..2026_12_07_v1', 'agent.yaml'), rules('v1'));
  fs.symlinkSync('..2026_12_07_v1', path.join(vol, '..data'));
  fs.symlinkSync('..data/agent.yaml', path.join(vol, 'agent.yaml'));
  const h = harness(path.join(vol, 'agent.yaml'), POLLS_OFF);
  h.watcher.start();
  try {
    for (const v of ['v2', 'v3']) {
      const prev = fs.readlinkSync(path.join(vol, '..data'));
      fs.mkdirSync(path.join(vol, `..2026_12_07_${v}`));
      fs.writeFileSync(path.join(vol, `..2026_12_07_${v}`, 'agent.yaml'), rules(v));
      fs.symlinkSync(`..2026_12_07_${v}`, path.join(vol, '..data_tmp'));
      fs.renameSync(path.join(vol, '..data_tmp'), path.join(vol, '..data'));
      fs.rmSync(path.join(vol, prev), { recursive: true });
      await published(h, v === 'v2' ? 1 : 2);
    }
    expect(names(h)).toEqual(['v2', 'v3']);
  } finally {
    h.watcher.stop();
  }
});

test("inotify: a symlink's target edited in its own directory is noticed with the polls off", async () => {
  const linkDir = fs.mkdtempSync(path.join(dir, 'link-'));
  const targetDir = fs.mkdtempSync(path.join(dir, 'target-'));
  const target = path.join(targetDir, 'real.yaml');
  fs.writeFileSync(target, rules('before'));
  fs.symlinkSync(target, path.join(linkDir, 'agent.yaml'));
  const h = harness(path.join(linkDir, 'agent.yaml'), POLLS_OFF);
  h.watcher.start();
  try {
    fs.writeFileSync(`${target}.tmp`, rules('edited'));
    fs.renameSync(`${target}.tmp`, target);
    await published(h, 1);
    expect(names(h)).toEqual(['edited']);
  } finally {
    h.watcher.stop();
  }
});

test('without a directory to watch the file is polled; once the directory exists it is watched', async () => {
  const parent = fs.mkdtempSync(path.join(dir, 'later-'));
  const file = path.join(parent, 'conf.d', 'agent.yaml');
  const h = harness(file, { pollMs: 20, slowPollMs: 600_000 });
  h.watcher.start();
  try {
    expect(h.watcher.watching).toBe(false);
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, rules('created'));
    await published(h, 1);
    expect(names(h)).toEqual(['created']);
    expect(h.watcher.watching).toBe(true);
  } finally {
    h.watcher.stop();
  }
});

test('a stopped watcher loads nothing more', async () => {
  const sub = fs.mkdtempSync(path.join(dir, 'stopped-'));
  const file = path.join(sub, 'agent.yaml');
  fs.writeFileSync(file, rules('before'));
  const h = harness(file);
  h.watcher.start();
  h.watcher.stop();
  expect(h.watcher.watching).toBe(false);
  fs.writeFileSync(file, rules('after-stop'));
  await new Promise((r) => setTimeout(r, 300));
  expect(h.loads()).toBe(0);
});
