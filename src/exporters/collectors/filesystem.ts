/**
 * filesystem: node_exporter's filesystem collector. Mounts come from <procfs>/1/mountinfo (the host's when <procfs>
 * is the host's /proc); statfs runs under the rootfs prefix, the mountpoint label has the prefix stripped. A mount
 * whose statfs the kernel answers from memory (ext4, xfs, tmpfs, vfat, ...: mountStatsLocal, from the same table)
 * is read at once on this thread; any other (nfs, cifs, fuse, overlay, btrfs, ...) on a statfs thread, which starts
 * with the first such mount, each bounded by stat_timeout (and by the collector's own deadline). A mount whose
 * statfs timed out and has not returned since is stuck: it is skipped (device_error 1) without another statfs until
 * the kernel answers, so a dead NFS server costs its own series only. OTLP:
 * system.filesystem.{usage,utilization,limit,inodes.usage}.
 */
import { OsError, TimeoutExpired, type MountStats } from '../../index';
import { defineCollector, fam, families, metrics, NameFilter, optString, otel } from '../catalog';
import { parseDuration } from '../../util/duration';
import { filesystemInodeMetrics } from '../otlp-system';

export interface FilesystemOptions {
  readonly mountPoints: NameFilter;
  readonly fsTypes: NameFilter;
  readonly statTimeoutMs: number;
}

export interface MountData {
  readonly device: string;
  readonly fstype: string;
  readonly mountpoint: string;
  readonly major: number;
  readonly minor: number;
  /** `ro` among the mount's options. */
  readonly readonly: boolean;
  /** statfs failed, timed out, or the mount is stuck from an earlier timeout. */
  readonly error: string | null;
  readonly stats: MountStats | null;
}

export type FilesystemData = readonly MountData[];

/** node_exporter's rootfsStripPrefix: /host/root/var -> /var; /host/root -> /. */
export function stripRootfs(p: string, rootfs: string): string {
  if (rootfs === '/' || rootfs === '') return p;
  const r = rootfs.replace(/\/+$/, '');
  if (p === r) return '/';
  return p.startsWith(r + '/') ? p.slice(r.length) : p;
}

/** Room left for answering after the last statfs gives up. */
const DEADLINE_MARGIN_MS = 50;

export function filesystemFamilies(d: FilesystemData) {
  const labels = ['device', 'fstype', 'mountpoint'];
  const size = fam('node_filesystem_size_bytes', 'gauge', 'Filesystem size in bytes.', labels);
  const free = fam('node_filesystem_free_bytes', 'gauge', 'Filesystem free space in bytes.', labels);
  const avail = fam(
    'node_filesystem_avail_bytes',
    'gauge',
    'Filesystem space available to non-root users in bytes.',
    labels,
  );
  const files = fam('node_filesystem_files', 'gauge', 'Filesystem total file nodes.', labels);
  const filesFree = fam('node_filesystem_files_free', 'gauge', 'Filesystem total free file nodes.', labels);
  const ro = fam('node_filesystem_readonly', 'gauge', 'Filesystem read-only status.', labels);
  const err = fam(
    'node_filesystem_device_error',
    'gauge',
    'Whether an error occurred while getting statistics for the given device.',
    labels,
  );
  const info = fam('node_filesystem_mount_info', 'gauge', 'Filesystem mount information.', [
    'device',
    'major',
    'minor',
    'mountpoint',
  ]);
  for (const m of d) {
    const l = { device: m.device, fstype: m.fstype, mountpoint: m.mountpoint };
    err.add(l, m.error === null ? 0 : 1);
    ro.add(l, m.readonly ? 1 : 0);
    info.add({ device: m.device, major: String(m.major), minor: String(m.minor), mountpoint: m.mountpoint }, 1);
    const s = m.stats;
    if (s === null) continue;
    size.add(l, s.size);
    free.add(l, s.free);
    avail.add(l, s.avail);
    files.add(l, s.files);
    filesFree.add(l, s.filesFree);
  }
  return families(avail, err, files, filesFree, free, info, ro, size);
}

export function filesystemMetrics(d: FilesystemData) {
  const usage = otel(
    'system.filesystem.usage',
    'updowncounter',
    'By',
    'Filesystem space by state (used, free for users, reserved for root).',
    'int',
  );
  const util = otel('system.filesystem.utilization', 'gauge', '1', 'Fraction of the filesystem in use.');
  const limit = otel('system.filesystem.limit', 'updowncounter', 'By', 'Filesystem size.', 'int');
  for (const m of d) {
    const s = m.stats;
    if (s === null) continue;
    const base = {
      'system.device': m.device,
      'system.filesystem.type': m.fstype,
      'system.filesystem.mode': m.readonly ? 'ro' : 'rw',
      'system.filesystem.mountpoint': m.mountpoint,
    };
    usage.add({ ...base, 'system.filesystem.state': 'used' }, Math.max(0, s.size - s.free));
    usage.add({ ...base, 'system.filesystem.state': 'free' }, s.avail);
    usage.add({ ...base, 'system.filesystem.state': 'reserved' }, Math.max(0, s.free - s.avail));
    if (s.size > 0) util.add(base, (s.size - s.free) / s.size);
    limit.add(base, s.size);
  }
  return metrics(usage, util, limit);
}

export const filesystemCollector = defineCollector<FilesystemData, FilesystemOptions>({
  name: 'filesystem',
  help: 'Filesystem sizes and inode counts (statfs) of the mounts in <procfs>/1/mountinfo.',
  options: (raw) => ({
    mountPoints: new NameFilter('', optString(raw, 'mount_points_exclude')),
    fsTypes: new NameFilter('', optString(raw, 'fs_types_exclude')),
    statTimeoutMs: parseDuration(optString(raw, 'stat_timeout', '5s')) ?? 5000,
  }),
  create:
    ({ psutil, roots }, o) =>
    async ({ deadline, incomplete }) => {
      const stuck = new Set(psutil.mountStatsPending());
      const seen = new Set<string>();
      const jobs: Array<Promise<MountData>> = [];
      // Mounts whose series are missing because their statfs hangs (or found no thread free): the pass is incomplete.
      // A statfs the kernel answered with an error is that mount's state (device_error 1), as in node_exporter.
      const hung: string[] = [];
      const table = psutil.mountinfo();
      // Paths as the table has them (before stripRootfs): locality is a fact of that one namespace's tree.
      const local = psutil.mountStatsLocal(table);
      for (const m of table) {
        const mountpoint = stripRootfs(m.mountPoint, roots.rootfs);
        if (!o.mountPoints.passes(mountpoint) || !o.fsTypes.passes(m.fstype)) continue;
        // Bind mounts and stacked mounts repeat device+mountpoint+type: one series each, as node_exporter dedupes.
        const key = `${m.source}\0${mountpoint}\0${m.fstype}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const base = {
          device: m.source,
          fstype: m.fstype,
          mountpoint,
          major: m.major,
          minor: m.minor,
          readonly: m.options.split(',').includes('ro'),
        };
        if (stuck.has(mountpoint)) {
          hung.push(mountpoint);
          jobs.push(Promise.resolve({ ...base, error: 'stuck: an earlier statfs has not returned', stats: null }));
          continue;
        }
        const timeoutMs = Math.max(1, Math.min(o.statTimeoutMs, deadline - Date.now() - DEADLINE_MARGIN_MS));
        jobs.push(
          psutil.mountStatsAsync(mountpoint, { timeoutMs, local: local.has(m.mountPoint) }).then(
            (stats): MountData => ({ ...base, error: null, stats }),
            // The failure is this mount's own: it shows as node_filesystem_device_error 1, the others are unaffected.
            (e: unknown): MountData => {
              if (e instanceof TimeoutExpired || (e instanceof OsError && e.osCode === 'EAGAIN')) hung.push(mountpoint);
              return { ...base, error: e instanceof Error ? e.message : String(e), stats: null };
            },
          ),
        );
      }
      const data = await Promise.all(jobs);
      if (hung.length > 0) incomplete?.(`statfs hangs on ${hung.length} mount(s): ${hung.slice(0, 5).join(', ')}`);
      return data;
    },
  prometheus: (d) => filesystemFamilies(d),
  otlp: (d) => [...filesystemMetrics(d), ...filesystemInodeMetrics(d)],
});
