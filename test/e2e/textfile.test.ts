/**
 * The textfile collector in the running agent: a temp directory, a file written, scraped, rewritten (as a cron job
 * does: a temp name, then rename), scraped again with the new value; promtool has nothing to say about its families.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectorsOffBut } from '../helpers/e2e';
import {
  describeWithBinary,
  promtoolCheck,
  request,
  runCli,
  startAgent,
  waitFor,
  type RunningAgent,
} from './agent-process';

let dir: string;
let agent: RunningAgent;
const scrapes: string[] = [];

function jobFile(runs: number, when: number): string {
  return [
    '# HELP backup_runs_total Backups run by the nightly job.',
    '# TYPE backup_runs_total counter',
    `backup_runs_total{job="nightly"} ${runs}`,
    '# HELP backup_last_success_timestamp_seconds When the last backup succeeded.',
    '# TYPE backup_last_success_timestamp_seconds gauge',
    `backup_last_success_timestamp_seconds{job="nightly"} ${when}`,
    `backup_size_bytes{job="nightly",path="/srv/\\"quoted\\""} 1.5e9`,
    '',
  ].join('\n');
}

function write(name: string, text: string): void {
  const tmp = path.join(dir, `${name}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path.join(dir, name));
}

async function scrape(): Promise<string> {
  const r = await request(`${agent.url}/metrics`);
  expect(r.status).toBe(200);
  return r.body.toString('utf8');
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-textfile-'));
  const textfiles = path.join(dir, 'textfiles');
  fs.mkdirSync(textfiles);
  const cfg = [
    'collection: {max_age: 100ms}',
    'collectors:',
    ...collectorsOffBut('textfile'),
    `  textfile: {directory: ${JSON.stringify(textfiles)}}`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'c.yaml'), cfg);
  dir = textfiles;
  write('backup.prom', jobFile(41, 1700000000));
  agent = await startAgent([`--config.file=${path.join(path.dirname(textfiles), 'c.yaml')}`, '--log.level=error']);
}, 90000);

afterAll(async () => {
  await agent?.stop();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

test('a file written, scraped, changed and scraped again shows the new value', async () => {
  const first = await scrape();
  scrapes.push(first);
  expect(first).toContain(
    '# HELP backup_runs_total Backups run by the nightly job.\n# TYPE backup_runs_total counter\nbackup_runs_total{job="nightly"} 41',
  );
  expect(first).toContain('backup_last_success_timestamp_seconds{job="nightly"} 1700000000');
  expect(first).toContain(
    `# HELP backup_size_bytes Metric read from ${path.join(dir, 'backup.prom')}\n# TYPE backup_size_bytes untyped\nbackup_size_bytes{job="nightly",path="/srv/\\"quoted\\""} 1500000000`,
  );
  expect(first).toMatch(
    new RegExp(`node_textfile_mtime_seconds\\{file="${path.join(dir, 'backup.prom').replace(/[.]/g, '\\.')}"\\} \\d+`),
  );
  expect(first).toContain('node_textfile_scrape_error 0');
  expect(first).toContain('psutil_exporter_scrape_collector_success{collector="textfile"} 1');

  write('backup.prom', jobFile(42, 1700086400));
  const second = await waitFor(
    'the new value',
    async () => {
      const t = await scrape();
      return t.includes('backup_runs_total{job="nightly"} 42') ? t : null;
    },
    30000,
    200,
  );
  scrapes.push(second);
  expect(second).toContain('backup_last_success_timestamp_seconds{job="nightly"} 1700086400');
  expect(second).not.toContain('backup_runs_total{job="nightly"} 41');

  // A broken file beside it: skipped whole, scrape_error 1, the good file still served.
  write('broken.prom', 'broken_metric{ 1\n');
  const third = await waitFor(
    'scrape_error 1',
    async () => {
      const t = await scrape();
      return t.includes('node_textfile_scrape_error 1') ? t : null;
    },
    30000,
    200,
  );
  expect(third).toContain('backup_runs_total{job="nightly"} 42');
  expect(third).not.toContain('broken_metric');
}, 90000);

describeWithBinary('promtool')('promtool check metrics', () => {
  test('no complaint about the textfile families', () => {
    expect(scrapes.length).toBeGreaterThan(0);
    for (const s of scrapes) {
      const problems = promtoolCheck(s).problems.filter((p) => /backup_|node_textfile_/.test(p));
      expect(problems).toEqual([]);
    }
  });
});

describeWithBinary('promtool')('a histogram and a summary from a textfile (--once)', () => {
  test('pass through to the exposition; promtool check metrics has no complaint about them', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-textfile-once-'));
    try {
      const files = path.join(tmp, 'files');
      fs.mkdirSync(files);
      const lines = [
        '# HELP job_duration_seconds How long the job ran.',
        '# TYPE job_duration_seconds histogram',
        'job_duration_seconds_bucket{job="nightly",le="1"} 2',
        'job_duration_seconds_bucket{job="nightly",le="60"} 5',
        'job_duration_seconds_bucket{job="nightly",le="+Inf"} 6',
        'job_duration_seconds_sum{job="nightly"} 400.5',
        'job_duration_seconds_count{job="nightly"} 6',
        '# HELP job_rows_processed Rows per run.',
        '# TYPE job_rows_processed summary',
        'job_rows_processed{job="nightly",quantile="0.5"} 1200',
        'job_rows_processed{job="nightly",quantile="0.99"} 9000',
        'job_rows_processed_sum{job="nightly"} 30000',
        'job_rows_processed_count{job="nightly"} 6',
      ];
      fs.writeFileSync(path.join(files, 'job.prom'), `${lines.join('\n')}\n`);
      const cfg = [
        'collectors:',
        ...collectorsOffBut('textfile'),
        `  textfile: {directory: ${JSON.stringify(files)}}`,
        '',
      ].join('\n');
      fs.writeFileSync(path.join(tmp, 'c.yaml'), cfg);
      const r = runCli(['--once', '--log.level=error', `--config.file=${path.join(tmp, 'c.yaml')}`]);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout.split('\n').filter((l) => /^(# (HELP|TYPE) )?job_/.test(l))).toEqual(lines);
      expect(r.stdout).toContain('node_textfile_scrape_error 0');
      const check = promtoolCheck(r.stdout);
      expect(check.problems.filter((p) => /job_|node_textfile_|error|pars/i.test(p))).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 60000);
});
