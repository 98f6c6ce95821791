/**
 * Type-level checks of the public process API (they fail at compile time, under ts-jest, if the types regress),
 * plus the runtime shape of the exports.
 */
import * as api from '../../src/index';
import type { IterProcess, ProcessCpuTimes, ProcessInfo } from '../../src/index';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const check = <T extends true>(_t?: T): void => undefined;

describe('public process API types', () => {
  test('processIter({ attrs }) types info from the attrs; asDict likewise, with adValue', () => {
    const it = api.processIter({ attrs: ['pid', 'name', 'cpuTimes'], adValue: 'n/a' as const });
    const first = it.next();
    if (!first.done) {
      const p: IterProcess<'pid' | 'name' | 'cpuTimes', 'n/a'> = first.value;
      check<Equal<typeof p.info.name, string | 'n/a'>>();
      check<Equal<typeof p.info.cpuTimes, ProcessCpuTimes | 'n/a'>>();
      const d: ProcessInfo<'exe', null> = p.asDict({ attrs: ['exe'] });
      check<Equal<typeof d.exe, string | null>>();
    }
    it.return(undefined);
  });

  test('getters and setters: overloads by argument', () => {
    const p = new api.Process();
    check<Equal<ReturnType<typeof p.cmdline>, string[]>>();
    const n: number = p.nice();
    const r: [number, number] = p.rlimit(api.RLIMIT_NOFILE);
    const c: number[] = p.cpuAffinity();
    const maybe: number | Promise<number> = p.cpuPercent({ interval: 0.1 });
    const now: number = p.cpuPercent();
    expect(typeof n + typeof r + typeof c + typeof now).toBe('numberobjectobjectnumber');
    return Promise.resolve(maybe).then((v) => expect(typeof v).toBe('number'));
  });

  test('exports: classes, functions and the attribute list', () => {
    expect(typeof api.Process).toBe('function');
    expect(typeof api.Popen).toBe('function');
    expect(typeof api.pids).toBe('function');
    expect(typeof api.pidExists).toBe('function');
    expect(typeof api.processIter).toBe('function');
    expect(typeof api.processIter.cacheClear).toBe('function');
    expect(typeof api.waitProcs).toBe('function');
    expect(api.PROCESS_ATTRS).toContain('memoryInfoEx');
    expect(api.psutil.Process.prototype).toBeInstanceOf(api.Process);
  });
});
