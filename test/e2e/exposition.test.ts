/**
 * Exposition safety through the built agent (hardening B6 #21, #24), both where the running agent renders (the
 * collection worker) and in --once (this thread): a fake host whose mount table holds a 100 KiB mount point, bytes
 * that are not UTF-8, a UTF-8 character cut short, and more mounts than the per-family series cap.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectorsOffBut } from '../helpers/e2e';
import { CLI, hasBinary, promtoolCheck, request, startAgent, waitFor } from './agent-process';

const CAP_BYTES = 1024;
const CAP_SERIES = 10;
const EXTRA_MOUNTS = 25;

let dir: string;
let args: string[];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-expo-'));
  const host = path.join(dir, 'host');
  fs.mkdirSync(path.join(host, 'proc', '1'), { recursive: true });
  fs.mkdirSync(path.join(host, 'sys'), { recursive: true });
  fs.mkdirSync(path.join(host, 'root'), { recursive: true });
  const line = (id: number, mountpoint: Buffer): Buffer =>
    Buffer.concat([Buffer.from(`${id} 1 0:${id} / `), mountpoint, Buffer.from(' rw,relatime - tmpfs tmpfs rw\n')]);
  const lines = [
    line(21, Buffer.from('/' + 'a'.repeat(100 * 1024))),
    line(22, Buffer.from([0x2f, 0x62, 0x61, 0x64, 0xff, 0xfe])), // "/bad" + two bytes that are never UTF-8
    line(23, Buffer.from([0x2f, 0x63, 0x75, 0x74, 0xe5, 0x90])), // "/cut" + the first two bytes of U+540C
  ];
  for (let i = 0; i < EXTRA_MOUNTS; i++) lines.push(line(30 + i, Buffer.from(`/srv/m${String(i).padStart(2, '0')}`)));
  fs.writeFileSync(path.join(host, 'proc', '1', 'mountinfo'), Buffer.concat(lines));
  const cfg = [
    `exposition: {max_label_value_bytes: ${CAP_BYTES}, max_series_per_family: ${CAP_SERIES}}`,
    'collectors:',
    ...collectorsOffBut('filesystem', 'textfile'),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'c.yaml'), cfg);
  args = [
    `--config.file=${path.join(dir, 'c.yaml')}`,
    `--path.procfs=${path.join(host, 'proc')}`,
    `--path.sysfs=${path.join(host, 'sys')}`,
    `--path.rootfs=${path.join(host, 'root')}`,
    '--log.level=error',
  ];
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The body decoded strictly: throws on any byte sequence that is not UTF-8. */
function strictUtf8(body: Buffer): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(body);
}

/** Label values of a family's samples, read back with the text format's escapes undone. */
function labelValues(text: string, family: string, label: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith(`${family}{`)) continue;
    const m = new RegExp(`[{,]${label}="((?:[^"\\\\]|\\\\.)*)"`).exec(l);
    if (m) out.push((m[1] as string).replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c)));
  }
  return out;
}

function check(text: string): void {
  const mounts = labelValues(text, 'node_filesystem_device_error', 'mountpoint');
  // The cap keeps the first mounts of the table; the rest is counted.
  expect(mounts).toHaveLength(CAP_SERIES);
  const total = 3 + EXTRA_MOUNTS;
  expect(text).toMatch(
    new RegExp(
      `^psutil_exporter_series_dropped_total\\{family="node_filesystem_device_error"\\} ${total - CAP_SERIES}$`,
      'm',
    ),
  );
  // Every label value of every sample within the cap.
  for (const l of text.split('\n')) {
    for (const m of l.matchAll(/="((?:[^"\\]|\\.)*)"/g))
      expect(Buffer.byteLength(m[1] as string, 'utf8')).toBeLessThanOrEqual(CAP_BYTES);
  }
  const long = mounts.find((m) => m.startsWith('/aaa'));
  expect(long).toBe('/' + 'a'.repeat(CAP_BYTES - 4) + '...');
  expect(text).toMatch(/^psutil_exporter_label_values_truncated_total\{family="node_filesystem_device_error"\} 1$/m);
  // Bytes that were not UTF-8 arrive as U+FFFD, never as invalid UTF-8.
  expect(mounts).toContain('/bad\uFFFD\uFFFD');
  expect(mounts.some((m) => /^\/cut\uFFFD+$/.test(m))).toBe(true);
  if (hasBinary('promtool')) expect(promtoolCheck(text)).toEqual({ status: 0, problems: [] });
}

test('the running agent (rendered in the collection worker): capped, valid UTF-8, promtool-clean', async () => {
  const agent = await startAgent(args);
  try {
    const r = await request(`${agent.url}/metrics`);
    expect(r.status).toBe(200);
    check(strictUtf8(r.body));
    // The counter adds up from pass to pass (max_age 500ms): scrape until a second pass has added its drops (bounded).
    const droppedIn = (text: string): number =>
      Number(
        /^psutil_exporter_series_dropped_total\{family="node_filesystem_device_error"\} (\d+)$/m.exec(text)?.[1] ?? 0,
      );
    const twice = 2 * (3 + EXTRA_MOUNTS - CAP_SERIES);
    const again = await waitFor(
      'a second pass to add its dropped series',
      async () => {
        const t = strictUtf8((await request(`${agent.url}/metrics`)).body);
        return droppedIn(t) >= twice ? t : null;
      },
      20000,
      200,
    );
    expect(droppedIn(again)).toBeGreaterThanOrEqual(twice);
  } finally {
    await agent.stop();
  }
});

test('--once (rendered in this thread) applies the same limits', () => {
  // Bytes, not text: a lossy decode here would hide invalid UTF-8.
  const r = spawnSync(process.execPath, [CLI, '--once', ...args], { timeout: 120000, maxBuffer: 64 << 20 });
  expect(r.status).toBe(0);
  check(strictUtf8(r.stdout));
});
