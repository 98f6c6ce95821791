/**
 * btrfs: node_btrfs_{info,global_rsv_size_bytes,device_size_bytes,reserved_bytes,size_bytes,used_bytes,
 * allocation_ratio} per filesystem from /sys/fs/btrfs/<uuid>, as node_exporter 1.5, and newer node_exporter's
 * commit statistics (node_btrfs_{commits_total,last_commit_seconds,max_commit_seconds,commit_seconds_total}; 0 where
 * the kernel has no commit_stats). The per-device error counts newer node_exporter reads through an ioctl on the
 * mount are not read. Silent without btrfs. OTLP: none in the semantic conventions.
 */
import type { BtrfsFilesystem } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function btrfsFamilies(d: readonly BtrfsFilesystem[]) {
  const info = fam('node_btrfs_info', 'gauge', 'Filesystem information', ['label', 'uuid']);
  const rsv = fam('node_btrfs_global_rsv_size_bytes', 'gauge', 'Size of global reserve.', ['uuid']);
  const devSize = fam('node_btrfs_device_size_bytes', 'gauge', 'Size of a device that is part of the filesystem.', [
    'device',
    'uuid',
  ]);
  const reserved = fam('node_btrfs_reserved_bytes', 'gauge', 'Amount of space reserved for a data type', [
    'block_group_type',
    'uuid',
  ]);
  const layout = ['block_group_type', 'mode', 'uuid'];
  const size = fam('node_btrfs_size_bytes', 'gauge', 'Amount of space allocated for a layout/data type', layout);
  const used = fam('node_btrfs_used_bytes', 'gauge', 'Amount of used space by a layout/data type', layout);
  const ratio = fam('node_btrfs_allocation_ratio', 'gauge', 'Data allocation ratio for a layout/data type', layout);
  const commits = fam('node_btrfs_commits_total', 'counter', 'The total number of commits that have occurred.', [
    'uuid',
  ]);
  const last = fam('node_btrfs_last_commit_seconds', 'gauge', 'Duration of the most recent commit, in seconds.', [
    'uuid',
  ]);
  const max = fam('node_btrfs_max_commit_seconds', 'gauge', 'Duration of the slowest commit, in seconds.', ['uuid']);
  const total = fam('node_btrfs_commit_seconds_total', 'counter', 'Sum of the duration of all commits, in seconds.', [
    'uuid',
  ]);
  for (const f of d) {
    const uuid = f.uuid;
    info.add({ label: f.label, uuid }, 1);
    rsv.add({ uuid }, f.globalRsvSizeBytes);
    for (const dev of f.devices) devSize.add({ device: dev.device, uuid }, dev.sizeBytes);
    for (const a of f.allocation) {
      reserved.add({ block_group_type: a.type, uuid }, a.reservedBytes);
      for (const l of a.layouts) {
        const labels = { block_group_type: a.type, mode: l.mode, uuid };
        size.add(labels, l.totalBytes);
        used.add(labels, l.usedBytes);
        ratio.add(labels, l.ratio);
      }
    }
    const c = f.commitStats;
    commits.add({ uuid }, c?.commits ?? 0);
    last.add({ uuid }, (c?.lastCommitMs ?? 0) / 1000);
    max.add({ uuid }, (c?.maxCommitMs ?? 0) / 1000);
    total.add({ uuid }, (c?.totalCommitMs ?? 0) / 1000);
  }
  return families(info, rsv, devSize, reserved, size, used, ratio, commits, last, max, total);
}

export const btrfsCollector = defineCollector<readonly BtrfsFilesystem[], null>({
  name: 'btrfs',
  help: 'Btrfs filesystems from /sys/fs/btrfs: space by block-group type and profile, devices, commits.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.btrfsFilesystems(),
  prometheus: (d) => btrfsFamilies(d),
  otlp: () => [],
});
