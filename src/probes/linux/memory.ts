/**
 * Linux memory backend: /proc/meminfo, /proc/vmstat and /proc/zoneinfo. Plain functions taking the ProcFs first.
 * Results in bytes; fields the kernel did not give are 0 and named in `missing`, for the facade to warn about
 * (psutil's RuntimeWarning: warn, don't fail).
 */
import type { ProcFs } from './procfs';
import { parseMeminfo, type Meminfo } from './parse/meminfo';
import { parseVmstat, vmstatField, type Vmstat } from './parse/vmstat';
import { parseZoneinfo } from './parse/zoneinfo';
import { parseSwaps, type SwapArea } from './parse/swaps';
import { OsError, ParseError } from '../errors';
import { pageSizeBytes } from './sysconf';

// meminfo, vmstat and zoneinfo are read with readHot: kept open and re-read from offset 0 on a real procfs.
// meminfo is a single_open file (a short read has all of it); vmstat prints one short `name value` line per record.
const VMSTAT_LINE_MAX = 256;

export function readMeminfo(fs: ProcFs): Meminfo {
  const p = fs.proc('meminfo');
  return parseMeminfo(fs.readHotText(p, undefined, 'short'), p);
}

export function readVmstat(fs: ProcFs): Vmstat {
  const p = fs.proc('vmstat');
  return parseVmstat(fs.readHotText(p, undefined, VMSTAT_LINE_MAX), p);
}

/** /proc/swaps: the active swap areas (none: an empty list). Read whole each time: it is a few short lines. */
export function readSwaps(fs: ProcFs): readonly SwapArea[] {
  const p = fs.proc('swaps');
  return parseSwaps(fs.readText(p), p);
}

/** psutil's usage_percent(used, total, round_=1). */
export function usagePercent(used: number, total: number): number {
  if (total <= 0) return 0;
  return Math.round((used / total) * 1000) / 10;
}

export interface VirtualMemoryRaw {
  total: number;
  available: number;
  percent: number;
  used: number;
  free: number;
  active: number;
  inactive: number;
  buffers: number;
  cached: number;
  shared: number;
  slab: number;
  missing: string[];
}

/**
 * `available` where MemAvailable is missing (kernel < 3.14) or 0 (psutil #1915): the kernel's si_mem_available()
 * rebuilt from MemFree, the file LRU lists, SReclaimable and the zoneinfo low watermarks (psutil's
 * calculate_avail_vmem). Falls back to MemFree + Cached when an input is missing.
 */
export function calculateAvailVmem(fs: ProcFs, mems: Meminfo, memFree: number): number {
  const fallback = memFree + (mems['Cached'] ?? 0);
  const activeFile = mems['Active(file)'];
  const inactiveFile = mems['Inactive(file)'];
  const slabReclaimable = mems['SReclaimable'];
  if (activeFile === undefined || inactiveFile === undefined || slabReclaimable === undefined) return fallback;
  const zp = fs.proc('zoneinfo');
  const text = fs.readHotTextOrNull(zp);
  if (text === null) return fallback; // kernel < 2.6.13
  const watermarkLow = parseZoneinfo(text, zp).lowWatermarkPages * pageSizeBytes();
  let avail = memFree - watermarkLow;
  let pagecache = activeFile + inactiveFile;
  pagecache -= Math.min(pagecache / 2, watermarkLow);
  avail += pagecache;
  avail += slabReclaimable - Math.min(slabReclaimable / 2, watermarkLow);
  return Math.trunc(avail);
}

/** psutil 7.x virtual_memory(), mirroring procps `free` (used = total - available since psutil 7.1, #2604). */
export function virtualMemory(fs: ProcFs): VirtualMemoryRaw {
  const p = fs.proc('meminfo');
  const mems = parseMeminfo(fs.readHotText(p, undefined, 'short'), p);
  const missing: string[] = [];
  // sysinfo(2) gives these two as well, so every kernel has them: their absence means this is not a meminfo.
  const total = mems['MemTotal'];
  const free = mems['MemFree'];
  if (total === undefined) throw new ParseError(p, 'no MemTotal line');
  if (free === undefined) throw new ParseError(p, 'no MemFree line');
  const pick = (name: string, ...keys: string[]): number => {
    for (const k of keys) {
      const v = mems[k];
      if (v !== undefined) return v;
    }
    missing.push(name);
    return 0;
  };
  const buffers = pick('buffers', 'Buffers'); // psutil #1010
  let cached = pick('cached', 'Cached');
  // `free` adds reclaimable slab to cache (procps 05d751c4); only when Cached itself is there, as psutil does.
  if (mems['Cached'] !== undefined) cached += mems['SReclaimable'] ?? 0;
  const shared = pick('shared', 'Shmem', 'MemShared'); // MemShared: 2.4 kernels
  const active = pick('active', 'Active');
  let inactive: number;
  if (mems['Inactive'] !== undefined) {
    inactive = mems['Inactive'];
  } else {
    const d = mems['Inact_dirty'];
    const c = mems['Inact_clean'];
    const l = mems['Inact_laundry'];
    if (d !== undefined && c !== undefined && l !== undefined) {
      inactive = d + c + l;
    } else {
      inactive = 0;
      missing.push('inactive');
    }
  }
  const slab = mems['Slab'] ?? 0;

  let avail = mems['MemAvailable'];
  // MemAvailable: 0 happens (a kernel bug, psutil #1915); `free` then estimates, and so do we.
  if (avail === undefined || avail === 0) avail = calculateAvailVmem(fs, mems, free);
  if (avail < 0) {
    avail = 0;
    missing.push('available');
  } else if (avail > total) {
    // Inside LXC the host's numbers leak in; procps then falls back to MemFree.
    avail = free;
  }
  const used = total - avail;
  return {
    total,
    available: avail,
    percent: usagePercent(total - avail, total),
    used,
    free,
    active,
    inactive,
    buffers,
    cached,
    shared,
    slab,
    missing,
  };
}

export interface SwapMemoryRaw {
  total: number;
  used: number;
  free: number;
  percent: number;
  sin: number;
  sout: number;
  /** Warnings to raise (RuntimeWarning), psutil's wording. */
  warnings: string[];
}

/**
 * pswpin/pswpout count pages; psutil multiplies by a hardcoded 4096 (not PAGESIZE), and we keep its numbers so both
 * agree on 64 KiB-page kernels too.
 */
const SWAP_PAGE = 4096;

/** psutil's swap_memory(): SwapTotal/SwapFree from /proc/meminfo (so a procfs root works, #1015), sin/sout from vmstat. */
export function swapMemory(fs: ProcFs): SwapMemoryRaw {
  const mems = readMeminfo(fs);
  const warnings: string[] = [];
  let total = mems['SwapTotal'];
  let free = mems['SwapFree'];
  if (total === undefined || free === undefined) {
    warnings.push("'total' and 'free' swap memory stats couldn't be determined and were set to 0");
    total = 0;
    free = 0;
  }
  const used = total - free;
  let sin = 0;
  let sout = 0;
  const vp = fs.proc('vmstat');
  let text: string | null;
  try {
    text = fs.readHotText(vp, undefined, VMSTAT_LINE_MAX);
  } catch (err) {
    // psutil #722: a missing or unreadable vmstat costs sin/sout only, with a warning carrying the error.
    if (!(err instanceof OsError)) throw err;
    warnings.push(`'sin' and 'sout' swap memory stats couldn't be determined and were set to 0 (${err.message})`);
    text = null;
  }
  if (text !== null) {
    let pin = vmstatField(text, 'pswpin');
    let pout = vmstatField(text, 'pswpout');
    if (pin === null || pout === null) {
      // Not found by the quick scan: the full parse tells a malformed file (ParseError) from a kernel without them.
      const vm = parseVmstat(text, vp);
      pin = vm['pswpin'] ?? null;
      pout = vm['pswpout'] ?? null;
    }
    if (pin === null || pout === null) {
      warnings.push("'sin' and 'sout' swap memory stats couldn't be determined and were set to 0"); // psutil #313
    } else {
      sin = pin * SWAP_PAGE;
      sout = pout * SWAP_PAGE;
    }
  }
  return { total, used, free, percent: usagePercent(used, total), sin, sout, warnings };
}
