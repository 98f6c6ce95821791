/**
 * Process groups in the built agent (collection in its worker thread): a reload on SIGHUP with a good file, then with
 * a bad one (refused with its line number, the old rules stay, the agent keeps running), and groups whose literal
 * names try to break the exposition.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseExposition, type Exposition } from '../exporters/golden-compare';
import { PYTHON } from '../helpers/oracle';
import { promtoolCheck, request, startAgent, waitFor, type RunningAgent } from './agent-process';

const tag = Math.random().toString(16).slice(2, 6);
let dir: string;
let agent: RunningAgent;
let file: string;
const kids: ChildProcess[] = [];
const comm = `pge2e${tag}`;

const rules = (group: string) =>
  `log: {level: info}\nprocess_names:\n  - name: ${group}\n    comm: [${comm}]\n` +
  // A real newline and quotes: the exposition must escape them (hardening B6.38).
  `  - name: "x\\"} 1\\nevil{a=\\""\n    comm: [nothing-${tag}]\n` +
  // Names made from a comm and an argument whose bytes are not UTF-8 (issue 12 bug 4).
  `  - name: "bytes;{{.Comm}};{{.Matches.arg}}"\n    cmdline: ['pgbytes-${tag} (?P<arg>\\S+)']\n`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pge2e-'));
  const link = path.join(dir, comm);
  fs.symlinkSync('/bin/sleep', link);
  kids.push(spawn(link, ['600'], { stdio: 'ignore' }));
  // Node passes strings only: python execs itself with a comm (prctl) and an argument holding FF and C0 80.
  const child = `import ctypes, time
ctypes.CDLL(None).prctl(15, ctypes.c_char_p(b'pgb\\xff\\xc0\\x80${tag}'), 0, 0, 0)
time.sleep(600)`;
  const launch = `import os
os.execv('${PYTHON}', [b'${PYTHON}', b'-c', ${JSON.stringify(child)}.encode(), b'pgbytes-${tag}', b'a\\xffb\\xc0\\x80'])`;
  kids.push(spawn(PYTHON, ['-c', launch], { stdio: 'ignore' }));
  file = path.join(dir, 'agent.yaml');
  fs.writeFileSync(file, rules('first'));
  agent = await startAgent([`--config.file=${file}`]);
});

afterAll(async () => {
  for (const k of kids) k.kill('SIGKILL');
  await agent?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function scrape(): Promise<Exposition & { text: string }> {
  const text = (await request(`${agent.url}/metrics`)).body.toString();
  return { ...parseExposition(text), text };
}

function value(e: Exposition, name: string, labels: Record<string, string>): number | undefined {
  return e.series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const NUM = 'namedprocess_namegroup_num_procs';

test('the groups are collected in the worker', async () => {
  const e = await waitFor('the group', async () => {
    const x = await scrape();
    return value(x, NUM, { groupname: 'first' }) === 1 ? x : null;
  });
  expect(value(e, 'psutil_exporter_scrape_collector_success', { collector: 'process_groups' })).toBe(1);
});

test('a literal name made to break the exposition stays one series and the scrape passes promtool', async () => {
  const e = await scrape();
  const evil = e.series.filter((s) => s.name === NUM && s.labels['groupname']?.startsWith('x\\"}'));
  expect(evil).toHaveLength(1);
  expect(evil[0]?.labels['groupname']).toBe('x\\"} 1\\nevil{a=\\"');
  expect(e.series.some((s) => s.name === 'evil')).toBe(false);
  // Only lint about other collectors' node_exporter-style names may remain.
  expect(promtoolCheck(e.text).problems.filter((p) => /namedprocess|process_groups/.test(p))).toEqual([]);
});

test('names from a comm and an argument with bytes that are not UTF-8: U+FFFD on the wire, promtool-clean', async () => {
  const want = `bytes;pgb\ufffd\ufffd\ufffd${tag};a\ufffdb\ufffd\ufffd`;
  const body = await waitFor('the bytes group', async () => {
    const b = (await request(`${agent.url}/metrics`)).body;
    return b.includes(Buffer.from(`groupname="bytes;`)) ? b : null;
  });
  // Strictly decoded: a byte sequence that is not UTF-8 would throw here.
  const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  const e = parseExposition(text);
  expect(value(e, NUM, { groupname: want })).toBe(1);
  expect(promtoolCheck(text).problems.filter((p) => /namedprocess|process_groups/.test(p))).toEqual([]);
});

test('SIGHUP reloads a good file; a bad file is refused with its line number and the agent keeps the old rules', async () => {
  fs.writeFileSync(file, rules('second'));
  agent.proc.kill('SIGHUP');
  const e = await waitFor('the reload', async () => {
    const x = await scrape();
    return value(x, NUM, { groupname: 'second' }) === 1 ? x : null;
  });
  expect(value(e, 'psutil_process_groups_config_last_reload_successful', {})).toBe(1);
  expect(agent.stderr()).toMatch(/process groups reloaded/);

  fs.writeFileSync(file, `log: {level: info}\nprocess_names:\n  - name: ok\n    comm: [${comm}]\n    cmdline: ["("]\n`);
  agent.proc.kill('SIGHUP');
  const bad = await waitFor('the refusal', async () => {
    const x = await scrape();
    return value(x, 'psutil_process_groups_config_last_reload_successful', {}) === 0 ? x : null;
  });
  expect(value(bad, NUM, { groupname: 'second' })).toBe(1);
  expect(agent.stderr()).toMatch(/reload refused/);
  expect(agent.stderr()).toContain('agent.yaml:5:');
  expect(agent.proc.exitCode).toBeNull();
});
