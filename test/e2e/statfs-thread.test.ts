/**
 * The lazy statfs thread through the built agent (issue 14): with only the filesystem collector on and a mount table
 * (a procfs stand-in's 1/mountinfo) of local types, the agent serves every mount and no statfs thread appears among
 * its threads; the same table with an nfs4 mount added starts one (named psx-statfs, as ps -T shows it), and the
 * mount it reads has the numbers the collection thread reads for its neighbour on the same filesystem.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectorsOffBut } from '../helpers/e2e';
import { threadNames } from '../helpers/stuck-mounts';
import { THREAD_NAME } from '../../src/probes/linux/statfs';
import { request, startAgent, type RunningAgent } from './agent-process';

let dir: string;
const agents: RunningAgent[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-statfs-thread-'));
  for (const d of ['local/1', 'remote/1', 'mnt/data', 'mnt/remote'])
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'agent.yaml'),
    ['collectors:', ...collectorsOffBut('filesystem'), '  filesystem: {stat_timeout: 5s}', ''].join('\n'),
  );
  // Real directories under a temporary one, with the types this table gives them: statvfs reads the directories'
  // filesystem, the type decides only where it runs.
  const rows = [
    '22 1 254:0 / / rw,relatime - ext4 /dev/root rw',
    `24 22 0:30 / ${dir}/mnt/data rw,relatime - tmpfs psx-data rw`,
  ];
  fs.writeFileSync(path.join(dir, 'local', '1', 'mountinfo'), rows.join('\n') + '\n');
  const remote = [...rows, `25 22 0:31 / ${dir}/mnt/remote rw - nfs4 srv:/export rw`];
  fs.writeFileSync(path.join(dir, 'remote', '1', 'mountinfo'), remote.join('\n') + '\n');
});

afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sizes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^node_filesystem_size_bytes\{[^}]*mountpoint="([^"]*)"[^}]*\} (\S+)$/gm))
    out.set(m[1]!, Number(m[2]));
  return out;
}

async function run(procfs: string): Promise<{ sizes: Map<string, number>; threads: string[]; text: string }> {
  const a = await startAgent([`--config.file=${path.join(dir, 'agent.yaml')}`, `--path.procfs=${procfs}`]);
  agents.push(a);
  let text = '';
  // Fresh passes (max_age 1s by default): each one reads the table and every mount again.
  for (let i = 0; i < 3; i++) {
    const r = await request(`${a.url}/metrics`, { timeoutMs: 15000 });
    expect(r.status).toBe(200);
    text = r.body.toString();
    await new Promise((res) => setTimeout(res, 1100));
  }
  return { sizes: sizes(text), threads: threadNames(a.proc.pid!), text };
}

test('a table of local types: every mount served, no statfs thread', async () => {
  const r = await run(path.join(dir, 'local'));
  expect([...r.sizes.keys()].sort()).toEqual(['/', `${dir}/mnt/data`]);
  expect(r.text).toMatch(/^psutil_exporter_scrape_collector_success\{collector="filesystem"\} 1$/m);
  expect(r.threads).not.toContain(THREAD_NAME);
});

test('an nfs4 mount in the table: a statfs thread starts for it, with the same numbers', async () => {
  const r = await run(path.join(dir, 'remote'));
  expect(r.threads).toContain(THREAD_NAME);
  expect(r.sizes.get(`${dir}/mnt/remote`)).toBeGreaterThan(0);
  expect(r.sizes.get(`${dir}/mnt/remote`)).toBe(r.sizes.get(`${dir}/mnt/data`));
  expect(r.text).toMatch(/^psutil_exporter_scrape_collector_success\{collector="filesystem"\} 1$/m);
});
