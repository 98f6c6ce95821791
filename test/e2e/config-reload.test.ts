/**
 * Hot reload of the built agent (dist/cli.js) under files that used to break it (issue 11 #4, #5 and the values of
 * #6-#8): a valid file that takes longer to check than the pass deadline is applied (it was dropped: the worker was
 * replaced mid-check and kept the rules the agent started with, while the reload gauge read 1), and a FIFO, /dev/zero,
 * an oversized file or a bad value in place of the config are refused and reported while the rules in force stay and
 * the agent keeps serving. Every wait is bounded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COLLECTOR_NAMES } from '../../src/exporters/collectors/names';
import { parseExposition, type Exposition } from '../exporters/golden-compare';
import { request, startAgent, waitFor, type RunningAgent } from './agent-process';

const tag = Math.random().toString(16).slice(2, 6);
const comm = `crl${tag}`;
let dir: string;
let file: string;
let agent: RunningAgent;
const kids: ChildProcess[] = [];
// Each test waits for at most two bounded conditions (60 s each) on a machine that may be loaded.
jest.setTimeout(150000);

/**
 * Only process_groups collects, under a short pass deadline (500 ms): a pass of one small rule set takes a few ms,
 * checking a 1 MB file takes longer than the deadline.
 */
function config(group: string, extra = ''): string {
  const off = COLLECTOR_NAMES.filter((n) => n !== 'process_groups')
    .map((n) => `  ${n}: {enabled: false}\n`)
    .join('');
  return `log: {level: info}\ncollection: {timeout: 500ms}\ncollectors:\n${off}process_names:\n  - name: ${group}\n    comm: [${comm}]\n${extra}`;
}

/** Replaces the config atomically (as an editor or a ConfigMap does). */
function replace(text: string): void {
  const tmp = `${file}.new`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

async function scrape(): Promise<Exposition> {
  return parseExposition((await request(`${agent.url}/metrics`)).body.toString());
}

function value(e: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  return e.series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const NUM = 'namedprocess_namegroup_num_procs';
const OK = 'psutil_process_groups_config_last_reload_successful';

/** Scrapes until `ok` holds, at most 60 s (a loaded CI machine checks a 1 MB file in seconds). */
function until(what: string, ok: (e: Exposition) => boolean): Promise<Exposition> {
  return waitFor(
    what,
    async () => {
      const e = await scrape();
      return ok(e) ? e : null;
    },
    60000,
    200,
  );
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-reload-'));
  const link = path.join(dir, comm);
  fs.symlinkSync('/bin/sleep', link);
  kids.push(spawn(link, ['600'], { stdio: 'ignore' }));
  file = path.join(dir, 'agent.yaml');
  fs.writeFileSync(file, config('first'));
  agent = await startAgent([`--config.file=${file}`]);
  await until('the first group', (e) => value(e, NUM, { groupname: 'first' }) === 1);
}, 150000);

afterAll(async () => {
  for (const k of kids) k.kill('SIGKILL');
  await agent?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a valid file that takes longer to check than the pass deadline is applied, not dropped', async () => {
  // About 1 MB of resource attributes: valid, slow to parse and check, and nothing for the collector to compile.
  const attrs = Array.from({ length: 38000 }, (_, i) => `    attr${i}: value${i}\n`).join('');
  const text = config('second', `otlp:\n  resource_attributes:\n${attrs}`);
  expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024);
  replace(text);
  agent.proc.kill('SIGHUP');
  const e = await until('the slow file applied', (x) => value(x, NUM, { groupname: 'second' }) === 1);
  expect(value(e, OK)).toBe(1);
  expect(value(e, NUM, { groupname: 'first' })).toBe(0);
  expect(agent.stderr()).toMatch(/"msg":"config reloaded"/);
});

describe.each([
  [
    'a FIFO',
    () => {
      fs.rmSync(file);
      expect(spawnSync('mkfifo', [file]).status).toBe(0);
    },
    /a FIFO is not a config file/,
  ],
  [
    '/dev/zero',
    () => {
      fs.rmSync(file);
      fs.symlinkSync('/dev/zero', file);
    },
    /a character device is not a config file/,
  ],
  ['a file over 1 MiB', () => replace(config('big', `# ${'x'.repeat(1024 * 1024)}\n`)), /over the 1048576 bytes/],
  [
    'a duration of 2^31 ms',
    () => replace(config('overflow', 'otlp: {interval: 2147484s}\n')),
    /agent\.yaml:\d+:\d+: otlp\.interval: expected a duration of at most/,
  ],
  [
    'an alias bomb',
    () =>
      replace(
        `${config('bomb')}a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n`,
      ),
    /aliases of aliases expand/,
  ],
])('%s in place of the config file', (_what, put, reason) => {
  test('is refused and reported; the rules in force stay and the agent keeps serving', async () => {
    const before = await until(
      'a group in force',
      (x) => value(x, NUM, { groupname: 'second' }) === 1 || value(x, NUM, { groupname: 'third' }) === 1,
    );
    const inForce = value(before, NUM, { groupname: 'second' }) === 1 ? 'second' : 'third';
    put();
    agent.proc.kill('SIGHUP');
    const e = await until('the refusal', (x) => value(x, OK) === 0);
    expect(value(e, NUM, { groupname: inForce })).toBe(1);
    expect(agent.stderr()).toMatch(reason);
    expect(agent.proc.exitCode).toBeNull();
  });

  test('a good file written after it is applied without a signal (the watcher sees the change)', async () => {
    fs.rmSync(file);
    replace(config('third'));
    const e = await until(
      'the good file applied',
      (x) => value(x, OK) === 1 && value(x, NUM, { groupname: 'third' }) === 1,
    );
    expect(value(e, 'psutil_exporter_scrape_collector_success', { collector: 'process_groups' })).toBe(1);
  });
});
