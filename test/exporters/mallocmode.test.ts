/**
 * The agent's malloc mode (src/exporters/mallocmode.ts): glibc's mmap threshold fixed at 128 KiB, so a freed large
 * block no longer raises it and later large blocks keep their own mappings instead of staying in the arenas. Checked in
 * child processes (the setting is the whole process's and is made once), on this machine's glibc, with the library's
 * heapInfo (mallinfo2's hblkhd: bytes in blocks mapped on their own).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { operatorMallocThresholds } from '../../src/exporters/mallocmode';
import { requireOr } from '../helpers/require';

const REPO = path.resolve(__dirname, '..', '..');
const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;

test.each([
  [{}, false],
  [{ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, false],
  [{ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=262144' }, true],
  [{ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=1048576' }, true],
  // Another tunable whose name ends the same is not a malloc threshold.
  [{ GLIBC_TUNABLES: 'glibc.foo.xglibc.malloc.mmap_threshold=1' }, false],
  [{ MALLOC_MMAP_THRESHOLD_: '65536' }, true],
  [{ MALLOC_TRIM_THRESHOLD_: '0' }, true],
] as const)('an operator threshold in %j: %s', (env, want) => {
  expect(operatorMallocThresholds(env)).toBe(want);
});

/**
 * In a child: a 16 MiB block malloc'd and freed (glibc then raises the threshold to 16 MiB), then a 1 MiB block; then
 * applyMallocMode() and a 4 MiB block (more than the arena's free top after the first, so the threshold decides).
 * Reports whether each of the two got a mapping of its own.
 */
function child(env: Record<string, string> = {}): { outcome: string; before: boolean; after: boolean } {
  const script = `
    const koffi = require('koffi');
    const { heapInfo } = require(process.argv[1] + '/index.js');
    const { applyMallocMode } = require(process.argv[1] + '/exporters/mallocmode.js');
    const libc = koffi.load('libc.so.6');
    const malloc = libc.func('void *malloc(size_t size)');
    const free = libc.func('void free(void *ptr)');
    const mapped = (size) => {
      const m0 = heapInfo().mmapUsed;
      const p = malloc(size);
      const grew = heapInfo().mmapUsed - m0 >= size;
      free(p);
      return grew;
    };
    free(malloc(16 * 1024 * 1024));
    const before = mapped(1024 * 1024);
    const outcome = applyMallocMode();
    const after = mapped(4 * 1024 * 1024);
    process.stdout.write(JSON.stringify({ outcome, before, after }));
  `;
  // Nothing of this environment's own malloc settings: only `env`'s.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'GLIBC_TUNABLES' && !k.startsWith('MALLOC_')),
  );
  const r = spawnSync(process.execPath, ['-e', script, path.join(REPO, 'dist')], {
    encoding: 'utf8',
    timeout: 60000,
    cwd: REPO,
    env: { ...base, ...env },
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { outcome: string; before: boolean; after: boolean };
}

requireOr(process.platform === 'linux' && glibc !== undefined, 'not Linux with glibc').describe(
  "glibc's mmap threshold in a process (glibc " + String(glibc) + ')',
  () => {
    test("glibc's own rule: once a 16 MiB block is freed, 1 MiB comes from the arena; fixed, 4 MiB is mapped", () => {
      expect(child()).toEqual({ outcome: 'fixed', before: false, after: true });
    });

    test("an operator's GLIBC_TUNABLES threshold is kept: applyMallocMode changes nothing", () => {
      // 8 MiB, fixed by the operator: neither block is mapped (the 16 MiB one was, without raising it).
      expect(child({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=8388608' })).toEqual({
        outcome: 'operator',
        before: false,
        after: false,
      });
    });
  },
);
