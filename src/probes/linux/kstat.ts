/**
 * Linux kernel statistics for node_exporter's pressure, filefd, entropy, softnet, schedstat, conntrack, interrupts,
 * arp and udp_queues collectors: /proc/pressure/*, /proc/sys/fs/file-nr, /proc/sys/kernel/random/*,
 * /proc/net/softnet_stat, /proc/schedstat, /proc/sys/net/netfilter/nf_conntrack_{count,max}, /proc/net/stat/nf_conntrack,
 * /proc/interrupts, /proc/net/arp, /proc/net/udp{,6}. Plain functions taking the ProcFs first, each named as the
 * facade function it serves (in net.ts, cpu.ts and host.ts: these are library extensions, docs/library-extensions.md).
 */
import type { ProcFs } from './procfs';
import { OsError, ParseError } from '../errors';
import { parsePressure, type PressureRecord } from './parse/pressure';
import { parseFileNr, type FileNr } from './parse/filenr';
import { parseSysctlUint } from './parse/sysctl';
import { parseSoftnet, type SoftnetCpu } from './parse/softnet';
import { parseSchedstat, type SchedstatCpu } from './parse/schedstat';
import { parseConntrackStat, type ConntrackStatCpu } from './parse/conntrack';
import { parseInterrupts, type InterruptLine } from './parse/interrupts';
import { parseArp, type ArpEntry } from './parse/arp';
import { parseUdpQueues, type UdpQueues } from './parse/udpqueues';

export type { PressureRecord, PressureLine } from './parse/pressure';
export type { FileNr, SoftnetCpu, SchedstatCpu, ConntrackStatCpu, InterruptLine, ArpEntry, UdpQueues };

// All of these are system-wide files read on every pass: readHot (kept open on a real procfs). PSI and sysctl files
// are printed whole by one handler ('short'); the others are seq_files, given their longest line.
const SOFTNET_LINE_MAX = 256;
const CONNTRACK_LINE_MAX = 256;
const ARP_LINE_MAX = 256;
const UDP_LINE_MAX = 512;
const TABLE_CAP = 256 << 20;

function isEnoent(err: unknown): boolean {
  return err instanceof OsError && (err.osCode === 'ENOENT' || err.osCode === 'ENOTDIR');
}

/** /proc/pressure/<resource> (cpu, io, memory, irq); null where the kernel has no such file (irq before 6.1). */
export function procPressure(fs: ProcFs, resource: string): PressureRecord | null {
  const p = fs.proc(`pressure/${resource}`);
  const text = fs.readHotTextOrNull(p, undefined, 'short');
  return text === null ? null : parsePressure(text, p);
}

export function fileNr(fs: ProcFs): FileNr {
  const p = fs.proc('sys/fs/file-nr');
  return parseFileNr(fs.readHotText(p, undefined, 'short'), p);
}

/** A one-number /proc/sys file (relative to the procfs root). */
export function sysctlUint(fs: ProcFs, rel: string): number {
  const p = fs.proc(rel);
  return parseSysctlUint(fs.readHotText(p, undefined, 'short'), p);
}

export function softnetStat(fs: ProcFs): SoftnetCpu[] {
  const p = fs.proc('net/softnet_stat');
  return parseSoftnet(fs.readHotText(p, undefined, SOFTNET_LINE_MAX), p);
}

export function schedstat(fs: ProcFs): SchedstatCpu[] {
  const p = fs.proc('schedstat');
  // domain lines carry a cpumask (2 KiB of hex on an 8192-CPU kernel): no small bound, so only a read of 0 ends it.
  return parseSchedstat(fs.readHotText(p, undefined, 'eof'), p);
}

/** /proc/net/stat/nf_conntrack per CPU; null where it is absent (no nf_conntrack module). */
export function conntrackStat(fs: ProcFs): ConntrackStatCpu[] | null {
  const p = fs.proc('net/stat/nf_conntrack');
  const text = fs.readHotTextOrNull(p, undefined, CONNTRACK_LINE_MAX);
  return text === null ? null : parseConntrackStat(text, p);
}

export function procInterrupts(fs: ProcFs): InterruptLine[] {
  const p = fs.proc('interrupts');
  // Lines grow with the CPU count (11 bytes a CPU): no fixed bound, so only a read of 0 bytes ends it.
  return parseInterrupts(fs.readHotText(p, undefined, 'eof'), p);
}

export function arpEntries(fs: ProcFs): ArpEntry[] {
  const p = fs.proc('net/arp');
  return parseArp(fs.readHotText(p, undefined, ARP_LINE_MAX), p);
}

/** /proc/net/udp or udp6 summed; null where the file is absent (udp6 without IPv6). */
export function udpQueues(fs: ProcFs, file: 'udp' | 'udp6'): UdpQueues | null {
  const p = fs.proc(`net/${file}`);
  try {
    // The socket table can be large; read by the ordinary path, as the other /proc/net socket tables are.
    const { buf, truncated } = fs.readCapped(p, TABLE_CAP, UDP_LINE_MAX);
    if (truncated) throw new ParseError(p, `larger than ${TABLE_CAP} bytes`);
    return parseUdpQueues(buf, p);
  } catch (err) {
    if (isEnoent(err)) return null;
    throw err;
  }
}
