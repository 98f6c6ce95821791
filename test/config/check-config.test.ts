/**
 * `--check-config` of the built CLI (dist/cli.js) on hostile config files: special files (a FIFO with no writer,
 * /dev/zero, a directory), oversized files, alias bombs, out-of-range durations, broken OTLP endpoints and headers,
 * and files with very many problems. Each is refused with exit 1 and FILE:LINE:COL lines, never a stack trace, and
 * without hanging or reading without end (each run is bounded: a hang fails the test instead of stalling the suite).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI } from '../e2e/agent-process';
import { own } from '../helpers/fixtures';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-config-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** --check-config on `file`, killed after 30 s (status null then). */
function check(file: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, '--check-config', `--config.file=${file}`], {
    encoding: 'utf8',
    timeout: 30000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** A refusal as a user reads it: exit 1, the file's own lines, no stack trace from node_modules or dist. */
function expectRefused(r: ReturnType<typeof check>, file: string, line: RegExp): void {
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: '' });
  expect(r.stderr).toMatch(line);
  expect(r.stderr.startsWith(`${file}: `)).toBe(true);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('special files are refused at once, without blocking or reading without end', () => {
  test('a FIFO with no writer', () => {
    const fifo = path.join(dir, 'fifo.yaml');
    const mk = spawnSync('mkfifo', [fifo]);
    expect(mk.status).toBe(0);
    const r = check(fifo);
    expectRefused(r, fifo, /fifo\.yaml:0:0: a FIFO is not a config file: expected a regular file/);
  });

  test('/dev/zero (endless)', () => {
    expectRefused(check('/dev/zero'), '/dev/zero', /^\/dev\/zero:0:0: a character device is not a config file/m);
  });

  test('a directory', () => {
    expectRefused(check(dir), dir, /:0:0: a directory is not a config file/);
  });

  test('a file over 1 MiB (comments only: valid YAML)', () => {
    const f = write('big.yaml', `# ${'x'.repeat(1024 * 1024)}\n`);
    expectRefused(check(f), f, /big\.yaml:0:0: the file is 1048579 bytes, over the 1048576 bytes \(1 MiB\)/);
  });

  test('200,000 valid rules (8 MB) and a 10 MB string are refused by the size cap', () => {
    const rules = write(
      'rules200k.yaml',
      `process_names:\n${Array.from({ length: 200000 }, (_, i) => `  - name: g${i}\n    comm: [p${i}]\n`).join('')}`,
    );
    expectRefused(check(rules), rules, /over the 1048576 bytes/);
    const str = write('string10m.yaml', `otlp:\n  service_name: "${'a'.repeat(10 * 1024 * 1024)}"\n`);
    expectRefused(check(str), str, /over the 1048576 bytes/);
  });
});

describe('bad values are refused with their line', () => {
  test.each([
    ['duration-overflow', /:3:12: collection\.timeout: expected a duration of at most 596h31m23\.647s/],
    ['otlp-interval-overflow', /:4:13: otlp\.interval: expected a duration of at most/],
    ['otlp-endpoint-no-host', /:3:13: otlp\.endpoint: expected an http:\/\/ or https:\/\/ URL with a host/],
    ['otlp-endpoint-unparsable', /:3:13: otlp\.endpoint: expected an http:\/\/ or https:\/\/ URL such as/],
    ['otlp-header-crlf', /:4:20: otlp\.headers\.Authorization: expected an HTTP header value/],
    ['otlp-header-name', /:4:5: otlp\.headers\.Bad Name: expected an HTTP header name/],
    ['alias-bomb', /:5:8: aliases of aliases expand to more than 100 copies/],
    ['alias-undefined', /:3:17: unknown alias \*nope/],
    ['alias-count', /:104:13: more than 100 aliases in one file/],
  ])('%s', (name, line) => {
    const f = path.join(own('config'), `${name}.bad.yaml`);
    expectRefused(check(f), f, line);
  });

  test('an OTLP interval alone is valid: the unset timeout follows it', () => {
    const f = write('otlp-short.yaml', 'otlp: {enabled: true, interval: 2s}\n');
    const r = check(f);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout.startsWith(`${f}: OK\n`)).toBe(true);
    expect(r.stdout).toMatch(/"intervalMs": 2000,\n\s+"timeoutMs": 2000,/);
  });
});

describe('--check-config with flags: the effective config, flags applied over the file', () => {
  function checkWith(file: string, flags: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [CLI, '--check-config', `--config.file=${file}`, ...flags], {
      encoding: 'utf8',
      timeout: 30000,
      killSignal: 'SIGKILL',
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test("the issue's systemd-unit line and a file under it", () => {
    const f = write('unit.yaml', 'web: {max_requests: 7}\ncollectors: {textfile: {directory: /nowhere}}\n');
    // --check-config reads the web config file it is given: an empty one is valid (plain HTTP).
    const web = write('web.yml', '');
    const r = checkWith(f, [
      '--collector.systemd',
      '--collector.textfile.directory=/var/lib/node_exporter',
      '--no-collector.wifi',
      `--web.config.file=${web}`,
      '--web.max-requests=3',
    ]);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toContain('info: --no-collector.wifi: the agent has no wifi collector');
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
      web: { maxRequests: number; configFile: string };
      collectors: Record<string, { enabled: boolean; options: Record<string, unknown> }>;
    };
    expect(json.web).toMatchObject({ maxRequests: 3, configFile: web });
    expect(json.collectors['systemd']?.enabled).toBe(true);
    expect(json.collectors['textfile']?.options['directory']).toBe('/var/lib/node_exporter');
  });

  test('a bad flag value is refused with exit 2, naming the flag', () => {
    const f = write('empty.yaml', '');
    const r = checkWith(f, ['--collector.diskstats.device-include=(']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^command line: --collector.diskstats.device-include=\(: collectors.diskstats.device_include: expected an RE2/m,
    );
  });

  test('turning on a collector the agent lacks: exit 2, the flag named', () => {
    const r = checkWith(write('empty2.yaml', ''), ['--collector.buddyinfo']);
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr).toBe(
      "--collector.buddyinfo: node_exporter's buddyinfo collector is not in this agent (README: collectors)\n",
    );
  });
});

describe('a file with very many problems', () => {
  test('100,000 unknown keys (788 kB): the first 100 are listed, the rest counted', () => {
    const f = write('unknown100k.yaml', Array.from({ length: 100000 }, (_, i) => `n${i}:\n`).join(''));
    const r = check(f);
    expectRefused(r, f, /unknown100k\.yaml:1:1: n0: unknown key "n0"/);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`${f}: 100000 problems`);
    expect(lines.filter((l) => l.startsWith(`${f}:`) && / unknown key /.test(l))).toHaveLength(100);
    expect(lines[lines.length - 1]).toBe(`${f}: 99900 more problems not shown (the first 100 are listed)`);
  });

  test('20,000 duplicate keys of one map are each found (in line order, capped)', () => {
    const f = write('dups.yaml', `collectors:\n${Array.from({ length: 20000 }, () => '  cpu: {}\n').join('')}`);
    const r = check(f);
    expectRefused(r, f, /dups\.yaml:3:3: Map keys must be unique/);
    expect(r.stderr).toContain(`${f}: 19899 more problems not shown`);
  });
});
