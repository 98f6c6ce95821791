/**
 * A config reload the OTEL_* variables make unusable, end to end (dist/cli.js, @elastic/mockotlpserver as the
 * receiver): the agent runs with OTEL_EXPORTER_OTLP_METRICS_PROTOCOL and OTEL_EXPORTER_OTLP_METRICS_HEADERS set; a file
 * whose otlp section those variables contradict (a bare host:port endpoint, which only gRPC takes, under a protocol
 * variable saying http/json), or whose TLS file cannot be read, is refused as a whole with FILE:LINE:COL at the key
 * concerned: the reload gauge reads 0, the process_names in force stay, and the push goes on to the same receiver with
 * the same protocol, headers and resource. A good file then applies. An agent started with OTLP off and a protocol
 * variable no exporter knows refuses the reload that turns OTLP on, at otlp.enabled. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as dc from 'node:diagnostics_channel';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COLLECTOR_NAMES } from '../../src/exporters/collectors/names';
import { parseExposition, type Exposition } from '../exporters/golden-compare';
import { request, startAgent, waitFor, type RunningAgent } from './agent-process';
import { startReceiver } from '../helpers/mockotlp';

jest.setTimeout(150000);

// The receiver is CommonJS without types: the part used here, typed.
interface NormalizedExport {
  resourceMetrics: Array<{
    resource: { attributes: Record<string, unknown> };
    scopeMetrics: Array<{ metrics: Array<{ name: string }> }>;
  }>;
}
/** One HTTP receiver on a free loopback port: every export's resource, and every request's headers. */
async function receiver(): Promise<{
  url: string;
  exports: NormalizedExport[];
  requests: Array<Record<string, string>>;
  close(): Promise<void>;
}> {
  const exports: NormalizedExport[] = [];
  const requests: Array<Record<string, string>> = [];
  const onRequest = (m: unknown): void => {
    const r = m as { transport?: string; headers?: Record<string, string> };
    if (r.transport === 'http' && r.headers) requests.push(r.headers);
  };
  dc.subscribe('otlp.v1.request', onRequest);
  const srv = await startReceiver<NormalizedExport>((e) => exports.push(e));
  return {
    url: `${srv.httpUrl.href}v1/metrics`,
    exports,
    requests,
    close: async () => {
      dc.unsubscribe('otlp.v1.request', onRequest);
      await srv.close();
    },
  };
}

const tag = Math.random().toString(16).slice(2, 6);
const comm = `ore${tag}`;
const OK = 'psutil_process_groups_config_last_reload_successful';
const NUM = 'namedprocess_namegroup_num_procs';

/** process_groups (the reload gauge, the rules in force) and meminfo (something to push); the rest off. */
function config(group: string, otlp: string): string {
  const off = COLLECTOR_NAMES.filter((n) => n !== 'process_groups' && n !== 'meminfo')
    .map((n) => `  ${n}: {enabled: false}\n`)
    .join('');
  return (
    `log: {level: info}\ncollection: {max_age: 0s}\ncollectors:\n${off}` +
    `process_names:\n  - name: ${group}\n    comm: [${comm}]\notlp:\n${otlp}`
  );
}

/**
 * Where the value of `key` (written `key: value`) is in `text`, 1-based, as the loader reports it: on the first line
 * holding `lineHas`.
 */
function placeOf(text: string, key: string, lineHas = key): { line: number; column: number } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(lineHas));
  if (i < 0) throw new Error(`${lineHas} is not in the config`);
  return { line: i + 1, column: (lines[i] as string).indexOf(`${key}: `) + key.length + 3 };
}

function value(e: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  return e.series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('a reload the OTEL_* variables make unusable is refused; the push in force goes on', () => {
  let dir: string;
  let file: string;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let agent: RunningAgent;
  let kid: ChildProcess;

  /** An otlp section: the receiver's URL unless `endpoint` says otherwise, the interval alone (no timeout). */
  const otlp = (setting: string, extra = '', endpoint = rx.url): string =>
    `  enabled: true\n  endpoint: "${endpoint}"\n  interval: 1s\n  headers: {X-Config: ${setting}}\n` +
    `  resource_attributes: {deployment.environment: ${setting}}\n${extra}`;

  async function scrape(): Promise<Exposition> {
    return parseExposition((await request(`${agent.url}/metrics`)).body.toString());
  }

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

  function replace(text: string): void {
    fs.writeFileSync(`${file}.new`, text);
    fs.renameSync(`${file}.new`, file);
    agent.proc.kill('SIGHUP');
  }

  /** Waits for `n` more exports (and their requests) than there are now, and returns them. */
  async function next(n: number): Promise<{ exports: NormalizedExport[]; requests: Array<Record<string, string>> }> {
    const [e0, r0] = [rx.exports.length, rx.requests.length];
    await waitFor(`${n} more exports`, async () => rx.exports.length >= e0 + n && rx.requests.length >= r0 + n, 60000);
    return { exports: rx.exports.slice(e0), requests: rx.requests.slice(r0) };
  }

  const settingsOf = (x: { exports: NormalizedExport[]; requests: Array<Record<string, string>> }) => ({
    environments: [
      ...new Set(x.exports.map((e) => e.resourceMetrics[0]?.resource.attributes['deployment.environment'])),
    ],
    configHeaders: [...new Set(x.requests.map((h) => h['x-config']))],
    envHeaders: [...new Set(x.requests.map((h) => h['x-from-env']))],
    contentTypes: [...new Set(x.requests.map((h) => h['content-type']))],
  });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-reload-env-'));
    const link = path.join(dir, comm);
    fs.symlinkSync('/bin/sleep', link);
    kid = spawn(link, ['600'], { stdio: 'ignore' });
    rx = await receiver();
    file = path.join(dir, 'c.yaml');
    fs.writeFileSync(file, config('a', otlp('a')));
    agent = await startAgent([`--config.file=${file}`], {
      // The file leaves the protocol to its default (http/protobuf): the variable makes it http/json.
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-from-env=e1',
    });
    await until('group a', (e) => value(e, NUM, { groupname: 'a' }) === 1);
    await next(1);
  }, 150000);

  afterAll(async () => {
    kid?.kill('SIGKILL');
    await agent?.stop();
    await rx?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the variables apply at start: http/json, the headers of the file and of the variable', async () => {
    expect(settingsOf(await next(2))).toEqual({
      environments: ['a'],
      configHeaders: ['a'],
      envHeaders: ['e1'],
      contentTypes: ['application/json'],
    });
  });

  describe.each([
    [
      'an endpoint only gRPC takes, while the protocol variable says http/json',
      (port: string) => ({
        text: config('b', otlp('b', '  protocol: grpc\n', `127.0.0.1:${port}`)),
        key: 'endpoint',
        reason:
          /otlp\.endpoint: expected an http:\/\/ or https:\/\/ URL[^\n"]*, got \\?"127\.0\.0\.1:\d+\\?" \(the protocol is http\/json, from OTEL_EXPORTER_OTLP_METRICS_PROTOCOL\)/,
      }),
    ],
    [
      'a CA file that cannot be read',
      () => ({
        text: config('b', otlp('b', `  tls: {ca_file: ${path.join(dir, 'missing-ca.pem')}}\n`)),
        key: 'ca_file',
        reason: /otlp\.tls\.ca_file: cannot read \S*missing-ca\.pem \(ENOENT\)/,
      }),
    ],
  ])('%s', (_what, make) => {
    test('is refused with its place in the file; the config in force stays; the push goes on unchanged', async () => {
      const { text, key, reason } = make(new URL(rx.url).port);
      const at = placeOf(text, key);
      const logged = agent.stderr().length;
      replace(text);
      await waitFor(
        'the refusal',
        async () => /"msg":"config reload refused; the config in force stays"/.test(agent.stderr().slice(logged)),
        60000,
      );
      const e = await scrape();
      expect(value(e, OK)).toBe(0);
      const log = agent.stderr().slice(logged);
      expect(log).toContain(`c.yaml:${at.line}:${at.column}: `);
      expect(log).toMatch(reason);
      // Not applied in part: the rules stay, the push is not rebuilt.
      expect(value(e, NUM, { groupname: 'a' })).toBe(1);
      expect(value(e, NUM, { groupname: 'b' })).toBeUndefined();
      expect(log).not.toMatch(/otlp settings reloaded|otlp export started/);
      expect(settingsOf(await next(2))).toEqual({
        environments: ['a'],
        configHeaders: ['a'],
        envHeaders: ['e1'],
        contentTypes: ['application/json'],
      });
      expect(agent.proc.exitCode).toBeNull();
    });
  });

  test('a good file then applies: the new settings, with the variables still on top', async () => {
    replace(config('c', otlp('c')));
    const e = await until('the good file', (x) => value(x, OK) === 1 && value(x, NUM, { groupname: 'c' }) === 1);
    // A group no rule makes any more reads 0 until it is removed (remove_empty_groups_after).
    expect(value(e, NUM, { groupname: 'a' }) ?? 0).toBe(0);
    await waitFor('the new push', async () => /otlp settings reloaded/.test(agent.stderr()), 30000);
    // The new push's exports (the old one's last may still be on its way when the log line is written).
    const later = await next(3);
    const tail = { exports: later.exports.slice(1), requests: later.requests.slice(1) };
    expect(settingsOf(tail)).toEqual({
      environments: ['c'],
      configHeaders: ['c'],
      envHeaders: ['e1'],
      contentTypes: ['application/json'],
    });
  });
});

describe('a protocol variable no exporter knows, with OTLP off at start', () => {
  let dir: string;
  let file: string;
  let agent: RunningAgent;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-reload-env2-'));
    file = path.join(dir, 'c.yaml');
    fs.writeFileSync(file, config('a', '  enabled: false\n'));
    // Harmless while nothing is pushed: the agent starts.
    agent = await startAgent([`--config.file=${file}`], { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' });
  }, 150000);

  afterAll(async () => {
    await agent?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the reload that turns OTLP on is refused at otlp.enabled, naming the variable', async () => {
    const text = config('b', '  enabled: true\n  interval: 2s\n');
    const at = placeOf(text, 'enabled', 'enabled: true');
    fs.writeFileSync(`${file}.new`, text);
    fs.renameSync(`${file}.new`, file);
    agent.proc.kill('SIGHUP');
    await waitFor('the refusal', async () => /config reload refused/.test(agent.stderr()), 60000);
    expect(agent.stderr()).toContain(
      `c.yaml:${at.line}:${at.column}: otlp.enabled: OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf, http/json, grpc, got \\"http/xml\\"`,
    );
    expect(agent.stderr()).not.toMatch(/otlp export started/);
    expect(agent.proc.exitCode).toBeNull();
  });
});
