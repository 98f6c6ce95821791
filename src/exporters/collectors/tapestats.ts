/**
 * tapestats: node_exporter's tapestats collector from /sys/class/scsi_tape/st<N>/stats: node_tape_{io_now,
 * io_time_seconds_total,io_others_total,read_bytes_total,reads_completed_total,read_time_seconds_total,
 * written_bytes_total,writes_completed_total,write_time_seconds_total,residual_total}{device}. `ignored_devices` is
 * node_exporter's --collector.tapestats.ignored-devices. Silent without tape drives. OTLP: none in the semantic
 * conventions.
 */
import type { ScsiTape, TapeCounter } from '../../index';
import { defineCollector, fam, families, NameFilter, optString, type PromType } from '../catalog';

export interface TapestatsOptions {
  readonly filter: NameFilter;
}

/** [stats file, family, type, scale, HELP]: nanoseconds times 1e-9 as node_exporter computes them. */
const FAMILIES: ReadonlyArray<readonly [TapeCounter, string, PromType, number, string]> = [
  ['in_flight', 'io_now', 'gauge', 1, 'The number of I/Os currently outstanding to this device.'],
  [
    'io_ns',
    'io_time_seconds_total',
    'counter',
    0.000000001,
    'The amount of time spent waiting for all I/O to complete (including read and write). This includes tape movement commands such as seeking between file or set marks and implicit tape movement such as when rewind on close tape devices are used.',
  ],
  [
    'other_cnt',
    'io_others_total',
    'counter',
    1,
    'The number of I/Os issued to the tape drive other than read or write commands. The time taken to complete these commands uses the following calculation io_time_seconds_total-read_time_seconds_total-write_time_seconds_total',
  ],
  ['read_byte_cnt', 'read_bytes_total', 'counter', 1, 'The number of bytes read from the tape drive.'],
  ['read_cnt', 'reads_completed_total', 'counter', 1, 'The number of read requests issued to the tape drive.'],
  [
    'read_ns',
    'read_time_seconds_total',
    'counter',
    0.000000001,
    'The amount of time spent waiting for read requests to complete.',
  ],
  [
    'resid_cnt',
    'residual_total',
    'counter',
    1,
    'The number of times during a read or write we found the residual amount to be non-zero. This should mean that a program is issuing a read larger thean the block size on tape. For write not all data made it to tape.',
  ],
  ['write_byte_cnt', 'written_bytes_total', 'counter', 1, 'The number of bytes written to the tape drive.'],
  ['write_cnt', 'writes_completed_total', 'counter', 1, 'The number of write requests issued to the tape drive.'],
  [
    'write_ns',
    'write_time_seconds_total',
    'counter',
    0.000000001,
    'The amount of time spent waiting for write requests to complete.',
  ],
];

export function tapestatsFamilies(d: readonly ScsiTape[], o: TapestatsOptions) {
  const fams = FAMILIES.map(([, name, type, , help]) => fam(`node_tape_${name}`, type, help, ['device']));
  for (const t of d) {
    if (!o.filter.passes(t.name)) continue;
    FAMILIES.forEach(([file, , , scale], i) => {
      const v = t.counters[file];
      fams[i]?.add({ device: t.name }, scale === 1 ? v : v * scale);
    });
  }
  return families(...fams);
}

export const tapestatsCollector = defineCollector<readonly ScsiTape[], TapestatsOptions>({
  name: 'tapestats',
  help: 'SCSI tape drive statistics from /sys/class/scsi_tape.',
  // node_exporter's default `^$` ignores nothing but the empty name.
  options: (raw) => ({ filter: new NameFilter('', optString(raw, 'ignored_devices', '^$')) }),
  create:
    ({ psutil }) =>
    () =>
      psutil.scsiTapes(),
  prometheus: tapestatsFamilies,
  otlp: () => [],
});
