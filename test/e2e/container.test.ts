/**
 * The container layout, through the built agent: with --path.procfs/--path.sysfs/--path.rootfs pointing at a host's
 * trees, mounts come from <procfs>/1/mountinfo, statfs runs under the rootfs prefix, and mountpoint labels are the
 * host's paths, without the prefix.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseExposition } from '../exporters/golden-compare';
import { collectorsOffBut } from '../helpers/e2e';
import { runCli } from './agent-process';

const ONLY_FILESYSTEM = `collectors:\n${collectorsOffBut('filesystem', 'textfile').join('\n')}\n`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-ctr-'));
  fs.writeFileSync(path.join(dir, 'fs-only.yaml'), ONLY_FILESYSTEM);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function once(args: string[]): ReturnType<typeof parseExposition> {
  const r = runCli(['--once', '--log.level=error', `--config.file=${path.join(dir, 'fs-only.yaml')}`, ...args]);
  if (r.status !== 0) throw new Error(`--once failed: ${r.stderr}`);
  return parseExposition(r.stdout);
}

test("this host through a prefix, as a container sees it: init's mount table, statfs under the prefix, labels without it", () => {
  // A container mounts the host's / at /host/root; here a symlink stands in for that mount.
  const prefix = path.join(dir, 'host-root');
  fs.symlinkSync('/', prefix);
  const e = once(['--path.procfs=/proc', '--path.sysfs=/sys', `--path.rootfs=${prefix}`]);
  const size = e.series.find((s) => s.name === 'node_filesystem_size_bytes' && s.labels['mountpoint'] === '/');
  expect(size).toBeDefined();
  expect(e.series.every((s) => !(s.labels['mountpoint'] ?? '').startsWith(prefix))).toBe(true);
  expect(e.series.find((s) => s.name === 'node_filesystem_device_error' && s.labels['mountpoint'] === '/')?.value).toBe(
    0,
  );
  // statfs(1) of / as the reference: blocks x block size.
  const st = spawnSync('stat', ['-f', '-c', '%b %S', '/'], { encoding: 'utf8' }).stdout.trim().split(' ').map(Number);
  expect(size?.value).toBe((st[0] as number) * (st[1] as number));
});

test('a fake host under temp dirs: its mount table, statfs under its root, its mount points as labels', () => {
  const host = path.join(dir, 'host');
  fs.mkdirSync(path.join(host, 'proc', '1'), { recursive: true });
  fs.mkdirSync(path.join(host, 'root', 'srv', 'data'), { recursive: true });
  fs.mkdirSync(path.join(host, 'sys'), { recursive: true });
  fs.writeFileSync(
    path.join(host, 'proc', '1', 'mountinfo'),
    [
      '21 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '22 21 254:1 / /srv/data ro,relatime - xfs /dev/vdb ro',
      '23 21 0:44 / /missing rw - nfs4 nas:/export rw',
      '',
    ].join('\n'),
  );
  const e = once([
    `--path.procfs=${path.join(host, 'proc')}`,
    `--path.sysfs=${path.join(host, 'sys')}`,
    `--path.rootfs=${path.join(host, 'root')}`,
  ]);
  const by = (name: string) =>
    Object.fromEntries(e.series.filter((s) => s.name === name).map((s) => [s.labels['mountpoint'], s]));
  expect(Object.keys(by('node_filesystem_device_error')).sort()).toEqual(['/', '/missing', '/srv/data']);
  expect(by('node_filesystem_device_error')['/missing']?.value).toBe(1);
  expect(by('node_filesystem_size_bytes')['/srv/data']?.labels).toEqual({
    device: '/dev/vdb',
    fstype: 'xfs',
    mountpoint: '/srv/data',
  });
  expect(by('node_filesystem_readonly')['/srv/data']?.value).toBe(1);
  expect(by('node_filesystem_size_bytes')['/missing']).toBeUndefined();
  const success = e.series.find(
    (s) => s.name === 'psutil_exporter_scrape_collector_success' && s.labels['collector'] === 'filesystem',
  );
  expect(success?.value).toBe(1);
});
