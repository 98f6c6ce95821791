import {
  AccessDenied,
  NoSuchProcess,
  OsError,
  ParseError,
  PsutilError,
  TimeoutExpired,
  UnsupportedOperation,
  ZombieProcess,
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

  test('a stack formatted when first read still starts with the class name and the message', () => {
    const e = new OsError('ENOENT', 2, 'open', '/x', "ENOENT: open '/x': no such file or directory");
    expect(e.name).toBe('OsError');
    expect(String(e.stack)).toMatch(/^OsError: ENOENT: open '\/x': no such file or directory\n\s+at /);
    expect(String(new NoSuchProcess(7, 'cat').stack)).toMatch(/^NoSuchProcess: process no longer exists/);
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

describe("psutil's messages", () => {
  test('msg is the bare message; message adds the details once, as psutil str(e)', () => {
    const e = new NoSuchProcess(42, 'cat');
    expect(e.msg).toBe('process no longer exists');
    expect(e.message).toBe("process no longer exists (pid=42, name='cat')");
    expect(`${e.msg} (pid=${e.pid})`).toBe('process no longer exists (pid=42)');
    const z = new ZombieProcess(42, 'sleep', 1);
    expect(z.msg).toBe("PID still exists but it's a zombie");
    expect(z.message).toBe("PID still exists but it's a zombie (pid=42, ppid=1, name='sleep')");
    expect(new AccessDenied(0).message).toBe('access denied (pid=0)');
    expect(new AccessDenied().message).toBe('access denied');
    expect(new AccessDenied(7, "it's", 'custom').message).toBe('custom (pid=7, name="it\'s")');
    expect(new NoSuchProcess(7, 'a\nb').message).toBe("process no longer exists (pid=7, name='a\\nb')");
    expect(new TimeoutExpired(1.5, 9, 'x').message).toBe("timeout after 1.5 seconds (pid=9, name='x')");
  });
});
