/**
 * The config watcher with the real loader (in this thread) on real files: a reload publishes the checked config or
 * the refusal with its FILE:LINE:COL, loads never overlap (triggers during a load queue one more), and a changed file
 * is noticed without a signal.
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

function harness(file: string, opts: { gate?: () => Promise<void> } = {}) {
  const published: Published[] = [];
  const logs: string[] = [];
  let loads = 0;
  let inFlight = 0;
  let overlapped = false;
  const watcher = new ConfigWatcher({
    file,
    pollMs: 20,
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
