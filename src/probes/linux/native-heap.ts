/**
 * glibc's malloc statistics and trim for heapInfo/heapTrim (native.ts holds the bindings and the rest). Same rules
 * as native.ts: koffi loads on the first call.
 */
import { UnsupportedOperation } from '../errors';
import { koffi, namedStruct, optionalFunc, type Fn, type KoffiField, type LibraryHandle } from './native';

// ---- the C heap: glibc's malloc statistics and trim (heapInfo, heapTrim) ----

/** glibc's struct mallinfo2 (2.33+; mallinfo's int fields, widened, on older glibc). */
export interface MallInfo {
  arena: number;
  ordblks: number;
  smblks: number;
  hblks: number;
  hblkhd: number;
  usmblks: number;
  fsmblks: number;
  uordblks: number;
  fordblks: number;
  keepcost: number;
}

const MALLINFO_FIELDS = [
  'arena',
  'ordblks',
  'smblks',
  'hblks',
  'hblkhd',
  'usmblks',
  'fsmblks',
  'uordblks',
  'fordblks',
  'keepcost',
] as const;

let heapFns: { info: () => MallInfo; trim: Fn; mallopt: Fn | null } | null = null;

const NO_GLIBC = 'heapInfo and heapTrim (glibc malloc statistics)';

/**
 * glibc's mallinfo2/mallinfo and malloc_trim, bound on first use. psutil builds these only against glibc (its
 * PSUTIL_HAS_HEAP_INFO: not on musl), so a libc.so.6 that does not load, or is not glibc's (musl's gcompat shim
 * provides that name; only glibc exports gnu_get_libc_version), gives UnsupportedOperation.
 */
function heapLib(): { info: () => MallInfo; trim: Fn; mallopt: Fn | null } {
  if (heapFns !== null) return heapFns;
  let libc: LibraryHandle;
  try {
    libc = koffi().load('libc.so.6');
  } catch (err) {
    throw new UnsupportedOperation(NO_GLIBC, 'a Linux without glibc (libc.so.6 does not load)', err);
  }
  if (optionalFunc(libc, 'const char *gnu_get_libc_version(void)') === null)
    throw new UnsupportedOperation(NO_GLIBC, 'a Linux whose libc.so.6 is not glibc');
  const trim = optionalFunc(libc, 'int malloc_trim(size_t pad)');
  if (trim === null) throw new UnsupportedOperation(`${NO_GLIBC}: no malloc_trim`, 'this glibc');
  const def = (t: string): Record<string, KoffiField> => Object.fromEntries(MALLINFO_FIELDS.map((f) => [f, t]));
  // mallinfo2 came in glibc 2.33 (February 2021); before it psutil falls back to mallinfo, whose fields are ints
  // that wrap past 2 GiB. Read as unsigned here, which holds up to 4 GiB (psutil casts the int to 64 bits).
  namedStruct('psx_mallinfo2', def('size_t'));
  const m2 = optionalFunc(libc, 'psx_mallinfo2 mallinfo2(void)');
  let info: () => MallInfo;
  if (m2 !== null) {
    info = () => m2() as MallInfo;
  } else {
    namedStruct('psx_mallinfo', def('int'));
    const m1 = optionalFunc(libc, 'psx_mallinfo mallinfo(void)');
    if (m1 === null) throw new UnsupportedOperation(`${NO_GLIBC}: neither mallinfo2 nor mallinfo`, 'this glibc');
    info = () => {
      const r = m1() as Record<string, number>;
      return Object.fromEntries(MALLINFO_FIELDS.map((f) => [f, (r[f] ?? 0) >>> 0])) as unknown as MallInfo;
    };
  }
  heapFns = { info, trim, mallopt: optionalFunc(libc, 'int mallopt(int param, int value)') };
  return heapFns;
}

/** mallinfo2(3): this process's malloc statistics, every arena summed. */
export function mallinfo(): MallInfo {
  return heapLib().info();
}

/** malloc_trim(3): true when memory went back to the system. */
export function mallocTrim(pad: number): boolean {
  return (heapLib().trim(pad) as number) === 1;
}

/** mallopt(3)'s M_TRIM_THRESHOLD and M_MMAP_THRESHOLD (malloc.h). */
export const M_TRIM_THRESHOLD = -1;
export const M_MMAP_THRESHOLD = -3;

/**
 * mallopt(3): sets one of glibc malloc's parameters for the whole process (every thread's arena). True when glibc
 * took it; UnsupportedOperation where there is no glibc (musl has no mallopt worth the name).
 */
export function mallopt(param: number, value: number): boolean {
  const fn = heapLib().mallopt;
  if (fn === null) throw new UnsupportedOperation(`${NO_GLIBC}: no mallopt`, 'this glibc');
  return (fn(param, value) as number) === 1;
}
