/**
 * heapInfo/heapTrim (psutil 7.2's heap_info/heap_trim) on this process: native memory allocated here through libc's
 * own malloc moves the field psutil's table says it moves (small blocks: heapUsed; 128 KiB and up: mmapUsed), and
 * freeing it moves it back. Margins absorb what other threads allocate meanwhile; no timing is involved.
 * psutil 5.9 (the oracle) has no heap_info, and another process's heap cannot be read: shapes and movements only.
 */
import { createPsutil, heapInfo, heapTrim, UnsupportedOperation } from '../../src/index';
import { createContext } from '../../src/probes/context';
import { heapApi } from '../../src/probes/heap';
import { requireOr } from '../helpers/require';

type Koffi = typeof import('koffi', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the test allocates with libc's malloc itself
const koffi = require('koffi') as Koffi;

const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;

requireOr(process.platform === 'linux' && glibc !== undefined, 'not Linux with glibc').describe(
  'heapInfo and heapTrim on this process (glibc)',
  () => {
    const libc = koffi.load('libc.so.6');
    const malloc = libc.func('void *malloc(size_t size)');
    const free = libc.func('void free(void *ptr)');
    const MiB = 1024 * 1024;

    test("psutil's pheap on Linux: heapUsed and mmapUsed, frozen non-negative integers; heapTrim returns nothing", () => {
      const h = heapInfo();
      expect(Object.keys(h)).toEqual(['heapUsed', 'mmapUsed']);
      expect(Object.isFrozen(h)).toBe(true);
      for (const v of Object.values(h)) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
      // Node itself mallocs (V8, libuv, koffi): the heap is never empty.
      expect(h.heapUsed).toBeGreaterThan(0);
      expect(heapTrim()).toBeUndefined();
      // Every instance answers for this process, whatever roots it reads.
      expect(Object.keys(createPsutil({ procfs: '/nonexistent' }).heapInfo())).toEqual(['heapUsed', 'mmapUsed']);
    });

    test('16,000 small mallocs of 1000 bytes raise heapUsed by about 16 MB; freeing them lowers it again', () => {
      heapTrim();
      const before = heapInfo();
      const blocks: unknown[] = [];
      for (let i = 0; i < 16000; i++) blocks.push(malloc(1000));
      const during = heapInfo();
      for (const b of blocks) free(b);
      const after = heapInfo();
      // 15.3 MiB asked for; the rest of the process (V8, koffi) frees and allocates about 1 MiB meanwhile.
      expect(during.heapUsed - before.heapUsed).toBeGreaterThan(12 * MiB);
      expect(during.heapUsed - after.heapUsed).toBeGreaterThan(12 * MiB);
    });

    test('one 64 MiB malloc (mmapped: above the 32 MiB ceiling of the mmap threshold) moves mmapUsed, not heapUsed', () => {
      const before = heapInfo();
      const big = malloc(64 * MiB);
      const during = heapInfo();
      free(big);
      const after = heapInfo();
      expect(during.mmapUsed - before.mmapUsed).toBeGreaterThanOrEqual(64 * MiB);
      expect(during.mmapUsed - after.mmapUsed).toBeGreaterThanOrEqual(64 * MiB);
      expect(Math.abs(during.heapUsed - before.heapUsed)).toBeLessThan(8 * MiB);
    });

    test("a Buffer's backing store is malloc'd too: Buffer.allocUnsafeSlow(64 MiB) shows in mmapUsed", () => {
      const before = heapInfo();
      const buf = Buffer.allocUnsafeSlow(64 * MiB);
      const during = heapInfo();
      expect(buf.length).toBe(64 * MiB);
      expect(during.mmapUsed - before.mmapUsed).toBeGreaterThanOrEqual(64 * MiB);
    });
  },
);

describe('heapInfo and heapTrim elsewhere', () => {
  test('another platform: UnsupportedOperation, as psutil lacks the functions there', () => {
    const api = heapApi(createContext({ procfs: '/proc', sysfs: '/sys', rootfs: '/' }, 'aix'));
    expect(() => api.heapInfo()).toThrow(UnsupportedOperation);
    expect(() => api.heapTrim()).toThrow(UnsupportedOperation);
  });
});
