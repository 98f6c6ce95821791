/**
 * From the kernel's units to psutil's results, for Process's getters: state letters to STATUS_* strings, the comm
 * and cmdline name rule, smaps blocks to memory maps, task records to thread infos. Pure functions.
 */
import {
  STATUS_DEAD,
  STATUS_DISK_SLEEP,
  STATUS_IDLE,
  STATUS_PARKED,
  STATUS_RUNNING,
  STATUS_SLEEPING,
  STATUS_STOPPED,
  STATUS_TRACING_STOP,
  STATUS_WAKE_KILL,
  STATUS_WAKING,
  STATUS_ZOMBIE,
  type ProcessStatus,
} from '../constants';
import type { SmapsBlock } from '../linux/parse/smaps';
import type { ThreadInfoRaw } from '../linux/process';
import { fsencode } from '../../util/fsencoding';
import type { ProcessMemoryMap, ProcessMemoryMapExt, ProcessThreadInfo } from './types';

export const PROC_STATUSES: Readonly<Record<string, ProcessStatus>> = {
  R: STATUS_RUNNING,
  S: STATUS_SLEEPING,
  D: STATUS_DISK_SLEEP,
  T: STATUS_STOPPED,
  t: STATUS_TRACING_STOP,
  Z: STATUS_ZOMBIE,
  X: STATUS_DEAD,
  x: STATUS_DEAD,
  K: STATUS_WAKE_KILL,
  W: STATUS_WAKING,
  I: STATUS_IDLE,
  P: STATUS_PARKED,
};

/** TASK_COMM_LEN - 1: a comm this long may have been cut. */
export const COMM_MAX = 15;

/** memoryPercent()'s memtypes: memoryInfo()'s fields, then memoryFullInfo()'s. */
export const PMEM_FIELDS: readonly string[] = ['rss', 'vms', 'shared', 'text', 'lib', 'data', 'dirty'];
export const PFULLMEM_FIELDS: readonly string[] = [...PMEM_FIELDS, 'uss', 'pss', 'swap'];

export function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * The comm is cut at 15 bytes, possibly inside a UTF-8 character (its decoding then ends in an escaped byte,
 * U+DC80-U+DCFF): cmdline[0]'s basename extends it when its first bytes are the comm's (psutil's rule, on bytes
 * rather than on decoded text, which psutil gets wrong for such names).
 */
export function extendsComm(ext: string, comm: string, commBytes: number): boolean {
  if (ext.startsWith(comm)) return true;
  if (!ESCAPED_BYTE.test(comm)) return false;
  const b = fsencode(ext);
  return b.length > commBytes && b.compare(fsencode(comm), 0, commBytes, 0, commBytes) === 0;
}

const ESCAPED_BYTE = /[\uDC80-\uDCFF]/;

export function freezeArray<T>(a: T[]): readonly T[] {
  return Object.freeze(a);
}

/** wchan's text, or null for the kernel's '0' (not waiting, or hidden) and for a file not read. */
export function wchanName(text: string | null): string | null {
  return text === null || text === '' || text === '0' ? null : text;
}

/** memoryMaps({ grouped: false }): one psutil pmmap_ext per mapping, addr and perms first. */
export function mapsOf(blocks: readonly SmapsBlock[]): readonly ProcessMemoryMapExt[] {
  return freezeArray(
    blocks.map((b) =>
      Object.freeze({
        addr: b.addr,
        perms: b.perms,
        path: b.path,
        rss: b.rss,
        size: b.size,
        pss: b.pss,
        sharedClean: b.sharedClean,
        sharedDirty: b.sharedDirty,
        privateClean: b.privateClean,
        privateDirty: b.privateDirty,
        referenced: b.referenced,
        anonymous: b.anonymous,
        swap: b.swap,
      }),
    ),
  );
}

/** memoryMaps(): the mappings summed by path (psutil's pmmap_grouped), in the order each path first appears. */
export function groupedMapsOf(blocks: readonly SmapsBlock[]): readonly ProcessMemoryMap[] {
  const groups = new Map<string, number[]>();
  for (const b of blocks) {
    const nums = [
      b.rss,
      b.size,
      b.pss,
      b.sharedClean,
      b.sharedDirty,
      b.privateClean,
      b.privateDirty,
      b.referenced,
      b.anonymous,
      b.swap,
    ];
    const g = groups.get(b.path);
    if (g === undefined) groups.set(b.path, nums);
    else for (let i = 0; i < nums.length; i++) g[i]! += nums[i]!;
  }
  const out: ProcessMemoryMap[] = [];
  for (const [path, n] of groups) {
    out.push(
      Object.freeze({
        path,
        rss: n[0]!,
        size: n[1]!,
        pss: n[2]!,
        sharedClean: n[3]!,
        sharedDirty: n[4]!,
        privateClean: n[5]!,
        privateDirty: n[6]!,
        referenced: n[7]!,
        anonymous: n[8]!,
        swap: n[9]!,
      }),
    );
  }
  return freezeArray(out);
}

/** threadsInfo(): task records in ticks to seconds and epoch seconds, wchan's '0' to null. */
export function threadInfosOf(raw: readonly ThreadInfoRaw[], t: number, boot: number): readonly ProcessThreadInfo[] {
  return freezeArray(
    raw.map((th) =>
      Object.freeze({
        id: th.id,
        name: th.stat.comm,
        status: PROC_STATUSES[th.stat.state] ?? '?',
        createTime: th.stat.starttime / t + boot,
        userTime: th.stat.utime / t,
        systemTime: th.stat.stime / t,
        minorFaults: th.stat.minflt,
        majorFaults: th.stat.majflt,
        voluntaryCtxSwitches: th.voluntaryCtxSwitches,
        involuntaryCtxSwitches: th.involuntaryCtxSwitches,
        readBytes: th.io?.readBytes ?? null,
        writeBytes: th.io?.writeBytes ?? null,
        wchan: wchanName(th.wchan),
      }),
    ),
  );
}
