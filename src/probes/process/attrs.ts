/**
 * The attribute names asDict() and processIter() accept, and the check of an `attrs` argument against them.
 */
import type { ProcessAttr } from './types';
import { describeValue } from './args';

/** The attribute names asDict() and processIter() accept (psutil's as_dict names, camelCased). */
export const PROCESS_ATTRS: readonly ProcessAttr[] = Object.freeze([
  'cmdline',
  'cpuAffinity',
  'cpuNum',
  'cpuPercent',
  'cpuTimes',
  'createTime',
  'cwd',
  'environ',
  'exe',
  'gids',
  'ioCounters',
  'ionice',
  'memoryFullInfo',
  'memoryInfo',
  'memoryInfoEx',
  'memoryMaps',
  'memoryPercent',
  'name',
  'netConnections',
  'nice',
  'numCtxSwitches',
  'numFds',
  'numThreads',
  'openFiles',
  'pageFaults',
  'pid',
  'ppid',
  'status',
  'terminal',
  'threads',
  'uids',
  'username',
] as const);

/** Our extension attributes: asDict() and processIter() read them only when asked for by name. */
export const PROCESS_EXTENSION_ATTRS: readonly ProcessAttr[] = Object.freeze([
  'cgroups',
  'memoryFootprint',
  'memoryUsage',
  'threadsInfo',
  'wchan',
] as const);

const ATTR_SET: ReadonlySet<string> = new Set([...PROCESS_ATTRS, ...PROCESS_EXTENSION_ATTRS]);

/** Validates an attrs list once: the distinct names in the order given (all of them for null/undefined/[]). */
export function resolveAttrs(fn: string, attrs: unknown): { names: readonly ProcessAttr[]; explicit: boolean } {
  if (attrs === undefined || attrs === null) return { names: PROCESS_ATTRS, explicit: false };
  if (!Array.isArray(attrs) && !(attrs instanceof Set))
    throw new TypeError(`${fn}: attrs must be an array of attribute names, got ${describeValue(attrs)}`);
  const names: ProcessAttr[] = [];
  const bad: string[] = [];
  for (const a of attrs as Iterable<unknown>) {
    if (typeof a === 'string' && ATTR_SET.has(a)) {
      if (!names.includes(a as ProcessAttr)) names.push(a as ProcessAttr);
    } else {
      bad.push(describeValue(a));
    }
  }
  if (bad.length > 0) throw new RangeError(`${fn}: invalid attr name${bad.length > 1 ? 's' : ''} ${bad.join(', ')}`);
  if (names.length === 0) return { names: PROCESS_ATTRS, explicit: false };
  return { names, explicit: true };
}

/** The attributes that read /proc/<pid>/status whatever else the block holds (numThreads prefers a cached stat). */
const STATUS_READERS: ReadonlySet<ProcessAttr> = new Set<ProcessAttr>([
  'uids',
  'gids',
  'username',
  'numCtxSwitches',
  'memoryInfoEx',
  'memoryUsage',
]);

/** Whether asking for `names` reads status (so memoryInfo's statm figures can come from that read). */
export function readsStatus(names: readonly ProcessAttr[]): boolean {
  for (const n of names) if (STATUS_READERS.has(n)) return true;
  return false;
}
