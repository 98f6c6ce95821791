import {
  AccessDenied, NoSuchProcess, ParseError, PsutilError, TimeoutExpired, UnsupportedOperation, ZombieProcess,
} from '../../src/index';

describe('error hierarchy', () => {
  test('ZombieProcess is a NoSuchProcess is a PsutilError, each with a stable code', () => {
    const z = new ZombieProcess(42, 'sleep', 1);
    expect(z).toBeInstanceOf(ZombieProcess);
    expect(z).toBeInstanceOf(NoSuchProcess);
    expect(z).toBeInstanceOf(PsutilError);
    expect(z.code).toBe('PSUTIL_ZOMBIE_PROCESS');
    expect(z.pid).toBe(42);
    expect(z.ppid).toBe(1);
    expect(z.name).toBe('sleep');
    expect(z.msg).toMatch(/zombie/);
    expect(String(z.stack)).toMatch(/^ZombieProcess: /);
  });

  test('name is the process name when known, else the class name', () => {
    expect(new NoSuchProcess(7).name).toBe('NoSuchProcess');
    expect(new NoSuchProcess(7, 'cat').name).toBe('cat');
    expect(new NoSuchProcess(7, 'cat').processName).toBe('cat');
    expect(new NoSuchProcess(7).processName).toBeNull();
  });

  test('codes', () => {
    expect(new AccessDenied(1).code).toBe('PSUTIL_ACCESS_DENIED');
    expect(new TimeoutExpired(1.5, 9).seconds).toBe(1.5);
    expect(new UnsupportedOperation('cpuFreq', 'aix').message).toMatch(/cpuFreq is not supported on aix/);
    const p = new ParseError('/proc/stat', 'no cpu line');
    expect(p.path).toBe('/proc/stat');
    expect(p.message).toContain('/proc/stat');
    expect(p.code).toBe('PSUTIL_PARSE_ERROR');
  });
});
