/**
 * diskstats: node_exporter's diskstats collector: node_disk_*{device} from /proc/diskstats (columns the kernel does
 * not print are left out), node_disk_info from sysfs and the udev database, node_disk_filesystem_info,
 * node_disk_device_mapper_info and node_disk_ata_* from udev properties. OTLP: system.disk.{io,operations,io_time,
 * operation_time,merged}{system.device,disk.io.direction}, system.disk.{weighted_io_time,pending_operations,limit}.
 */
import type { BlockDeviceInfo, DiskstatsEntry } from '../../index';
import { defineCollector, fam, families, metrics, NameFilter, optString, otel, type FamilyBuilder } from '../catalog';
import { diskQueueMetrics } from '../otlp-system';

export interface DiskstatsOptions {
  readonly filter: NameFilter;
  readonly udevData: string;
}

export interface DiskDevice {
  readonly stats: DiskstatsEntry;
  readonly info: BlockDeviceInfo;
  /** Capacity in bytes (sysfs size), for system.disk.limit; absent or null where unknown. */
  readonly sizeBytes?: number | null;
}

export type DiskstatsData = readonly DiskDevice[];

const SECTOR = 512;

/** [family, help, type, value] in node_exporter's order. */
const COLUMNS: ReadonlyArray<readonly [string, string, 'counter' | 'gauge', (e: DiskstatsEntry) => number | null]> = [
  ['reads_completed_total', 'The total number of reads completed successfully.', 'counter', (e) => e.readsCompleted],
  ['reads_merged_total', 'The total number of reads merged.', 'counter', (e) => e.readsMerged],
  ['read_bytes_total', 'The total number of bytes read successfully.', 'counter', (e) => e.sectorsRead * SECTOR],
  ['read_time_seconds_total', 'The total number of seconds spent by all reads.', 'counter', (e) => ms(e.readTimeMs)],
  ['writes_completed_total', 'The total number of writes completed successfully.', 'counter', (e) => e.writesCompleted],
  ['writes_merged_total', 'The number of writes merged.', 'counter', (e) => e.writesMerged],
  [
    'written_bytes_total',
    'The total number of bytes written successfully.',
    'counter',
    (e) => e.sectorsWritten * SECTOR,
  ],
  [
    'write_time_seconds_total',
    'This is the total number of seconds spent by all writes.',
    'counter',
    (e) => ms(e.writeTimeMs),
  ],
  ['io_now', 'The number of I/Os currently in progress.', 'gauge', (e) => e.ioInProgress],
  ['io_time_seconds_total', 'Total seconds spent doing I/Os.', 'counter', (e) => ms(e.ioTimeMs)],
  [
    'io_time_weighted_seconds_total',
    'The weighted # of seconds spent doing I/Os.',
    'counter',
    (e) => ms(e.weightedIoTimeMs),
  ],
  [
    'discards_completed_total',
    'The total number of discards completed successfully.',
    'counter',
    (e) => e.discardsCompleted,
  ],
  ['discards_merged_total', 'The total number of discards merged.', 'counter', (e) => e.discardsMerged],
  [
    'discarded_sectors_total',
    'The total number of sectors discarded successfully.',
    'counter',
    (e) => e.sectorsDiscarded,
  ],
  [
    'discard_time_seconds_total',
    'This is the total number of seconds spent by all discards.',
    'counter',
    (e) => ms(e.discardTimeMs),
  ],
  [
    'flush_requests_total',
    'The total number of flush requests completed successfully',
    'counter',
    (e) => e.flushRequestsCompleted,
  ],
  [
    'flush_requests_time_seconds_total',
    'This is the total number of seconds spent by all flush requests.',
    'counter',
    (e) => ms(e.flushTimeMs),
  ],
];

const ATA: ReadonlyArray<readonly [string, string, string]> = [
  ['ID_ATA_WRITE_CACHE', 'node_disk_ata_write_cache', 'ATA disk has a write cache.'],
  ['ID_ATA_WRITE_CACHE_ENABLED', 'node_disk_ata_write_cache_enabled', 'ATA disk has its write cache enabled.'],
  ['ID_ATA_ROTATION_RATE_RPM', 'node_disk_ata_rotation_rate_rpm', 'ATA disk rotation rate in RPMs (0 for SSDs).'],
];

/** Milliseconds to seconds as node_exporter converts them (ticks * 0.001): 36 ms is 0.036000000000000004 there, bit for bit. */
function ms(v: number | null): number | null {
  return v === null ? null : v * 0.001;
}

export function diskstatsFamilies(d: DiskstatsData) {
  const info = fam('node_disk_info', 'gauge', 'Info of /sys/block/<block_device>.', [
    'device',
    'major',
    'minor',
    'path',
    'wwn',
    'model',
    'serial',
    'revision',
    'rotational',
  ]);
  const cols = COLUMNS.map(
    ([name, help, type, get]) => [fam(`node_disk_${name}`, type, help, ['device']), get] as const,
  );
  const fsInfo = fam('node_disk_filesystem_info', 'gauge', 'Info about disk filesystem.', [
    'device',
    'type',
    'usage',
    'uuid',
    'version',
  ]);
  const dmInfo = fam('node_disk_device_mapper_info', 'gauge', 'Info about disk device mapper.', [
    'device',
    'name',
    'uuid',
    'vg_name',
    'lv_name',
    'lv_layer',
  ]);
  const ata = new Map<string, FamilyBuilder>(
    ATA.map(([key, name, help]) => [key, fam(name, 'gauge', help, ['device'])]),
  );
  for (const { stats: e, info: i } of d) {
    const device = e.name;
    const u = i.udev ?? {};
    // The serial printed on the disk's label, as node_exporter picks it.
    const serial = u['SCSI_IDENT_SERIAL'] || u['ID_SERIAL_SHORT'] || u['ID_SERIAL'] || '';
    info.add(
      {
        device,
        major: String(e.major),
        minor: String(e.minor),
        path: u['ID_PATH'] ?? '',
        wwn: u['ID_WWN'] ?? '',
        model: u['ID_MODEL'] ?? '',
        serial,
        revision: u['ID_REVISION'] ?? '',
        rotational: String(i.rotational ?? 0),
      },
      1,
    );
    for (const [b, get] of cols) {
      const v = get(e);
      if (v !== null) b.add({ device }, v);
    }
    if (u['ID_FS_TYPE']) {
      fsInfo.add(
        {
          device,
          type: u['ID_FS_TYPE'],
          usage: u['ID_FS_USAGE'] ?? '',
          uuid: u['ID_FS_UUID'] ?? '',
          version: u['ID_FS_VERSION'] ?? '',
        },
        1,
      );
    }
    if (u['DM_NAME']) {
      dmInfo.add(
        {
          device,
          name: u['DM_NAME'],
          uuid: u['DM_UUID'] ?? '',
          vg_name: u['DM_VG_NAME'] ?? '',
          lv_name: u['DM_LV_NAME'] ?? '',
          lv_layer: u['DM_LV_LAYER'] ?? '',
        },
        1,
      );
    }
    if (u['ID_ATA']) {
      for (const [key] of ATA) {
        const text = u[key];
        const v = text === undefined ? NaN : Number(text);
        if (text !== undefined && text.trim() !== '' && Number.isFinite(v)) ata.get(key)?.add({ device }, v);
      }
    }
  }
  return families(info, ...cols.map(([b]) => b), fsInfo, dmInfo, ...ata.values());
}

export function diskstatsMetrics(d: DiskstatsData) {
  const io = otel('system.disk.io', 'counter', 'By', 'Bytes read from and written to each disk.', 'int');
  const ops = otel('system.disk.operations', 'counter', '{operation}', 'Read and write operations completed.', 'int');
  const ioTime = otel('system.disk.io_time', 'counter', 's', 'Time each disk spent with I/O in flight.');
  const opTime = otel('system.disk.operation_time', 'counter', 's', 'Time spent in read and write operations.');
  const merged = otel('system.disk.merged', 'counter', '{operation}', 'Adjacent operations merged.', 'int');
  for (const { stats: e } of d) {
    const r = { 'system.device': e.name, 'disk.io.direction': 'read' };
    const w = { 'system.device': e.name, 'disk.io.direction': 'write' };
    io.add(r, e.sectorsRead * SECTOR).add(w, e.sectorsWritten * SECTOR);
    ops.add(r, e.readsCompleted).add(w, e.writesCompleted);
    if (e.ioTimeMs !== null) ioTime.add({ 'system.device': e.name }, e.ioTimeMs / 1000);
    if (e.readTimeMs !== null) opTime.add(r, e.readTimeMs / 1000);
    if (e.writeTimeMs !== null) opTime.add(w, e.writeTimeMs / 1000);
    if (e.readsMerged !== null) merged.add(r, e.readsMerged);
    if (e.writesMerged !== null) merged.add(w, e.writesMerged);
  }
  return metrics(io, ops, ioTime, opTime, merged);
}

export const diskstatsCollector = defineCollector<DiskstatsData, DiskstatsOptions>({
  name: 'diskstats',
  help: 'Block device I/O statistics from /proc/diskstats, sysfs and the udev database.',
  options: (raw) => ({
    filter: new NameFilter(
      optString(raw, 'device_include'),
      optString(raw, 'device_exclude', '^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$'),
    ),
    udevData: optString(raw, 'udev_data', '/run/udev/data'),
  }),
  create:
    ({ psutil }, o) =>
    () =>
      psutil
        .diskstats()
        .filter((e) => o.filter.passes(e.name))
        .map((stats) => ({
          stats,
          info: psutil.blockDeviceInfo(stats.name, stats.major, stats.minor, { udevData: o.udevData }),
          sizeBytes: psutil.blockDeviceSize(stats.name),
        })),
  prometheus: (d) => diskstatsFamilies(d),
  otlp: (d) => [
    ...diskstatsMetrics(d),
    ...diskQueueMetrics(
      d.map(({ stats: e, sizeBytes }) => ({
        name: e.name,
        ioInProgress: e.ioInProgress,
        weightedIoTimeMs: e.weightedIoTimeMs,
        sizeBytes: sizeBytes ?? null,
      })),
    ),
  ],
});
