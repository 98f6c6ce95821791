/**
 * native.ts's promises (issue 10 §4.8), each in a fresh `node` (jest's module registry and other test files may have
 * loaded koffi already): importing it does not load koffi, the first call that needs libc does; on an architecture
 * whose syscall numbers are not listed, ioprio throws UnsupportedOperation and pidfd_open reports ENOSYS (signals then
 * take the kill(2) way) instead of using x86-64's numbers.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const TS_REQUIRE = path.join(__dirname, '..', '..', 'helpers', 'ts-require.js');
const NATIVE = path.join(__dirname, '..', '..', '..', 'src', 'probes', 'linux', 'native.ts');

function run(code: string): unknown {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(TS_REQUIRE)});\n${code}`], {
    encoding: 'utf8',
    timeout: 60000,
  });
  if (r.status !== 0) throw new Error(`node exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('importing native.ts does not load koffi; the first libc call does', () => {
  const out = run(`
    const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/koffi/'));
    const native = require(${JSON.stringify(NATIVE)});
    const before = loaded();
    const clk = native.sysconf(native.SC_CLK_TCK);
    console.log(JSON.stringify({ before, after: loaded(), clk: clk > 0 }));
  `);
  expect(out).toEqual({ before: false, after: true, clk: true });
});

test('an architecture with no syscall numbers listed: UnsupportedOperation for ioprio, ENOSYS for pidfd_open', () => {
  const out = run(`
    // koffi itself finds its addon by process.arch: loaded first, as on a real such machine.
    require('koffi');
    Object.defineProperty(process, 'arch', { value: 'mips64el' });
    const native = require(${JSON.stringify(NATIVE)});
    const what = (fn) => { try { fn(); return 'no error'; } catch (e) { return e.constructor.name + ' ' + (e.osCode ?? '') + ' ' + e.message; } };
    console.log(JSON.stringify({
      get: what(() => native.ioprioGet(process.pid)),
      set: what(() => native.ioprioSet(process.pid, 2, 4)),
      pidfd: what(() => native.pidfdOpen(process.pid)),
    }));
  `) as { get: string; set: string; pidfd: string };
  expect(out.get).toMatch(/^UnsupportedOperation .*ioprio_get.*mips64el/);
  expect(out.set).toMatch(/^UnsupportedOperation .*ioprio_set.*mips64el/);
  expect(out.pidfd).toMatch(/^NativeError ENOSYS /);
});
