/**
 * A real Prometheus server for the end-to-end tests: scrapes each given job every second (timeout 900 ms), keeps its
 * TSDB under `dir`, and is ready (/-/ready 200) when the promise resolves. The caller stops it (SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, request, waitFor } from '../e2e/agent-process';

export interface PrometheusServer {
  readonly proc: ChildProcess;
  /** http://127.0.0.1:<port> */
  readonly url: string;
}

export async function startPrometheus(
  dir: string,
  jobs: ReadonlyArray<{ readonly name: string; readonly port: number }>,
): Promise<PrometheusServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      ...jobs.flatMap((j) => [
        `  - job_name: ${j.name}`,
        '    scrape_timeout: 900ms',
        `    static_configs: [ { targets: ['127.0.0.1:${j.port}'] } ]`,
      ]),
      '',
    ].join('\n'),
  );
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  await waitFor('Prometheus to be ready', async () => (await request(`${url}/-/ready`)).status === 200, 60000);
  return { proc, url };
}
