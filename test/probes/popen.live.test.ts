/**
 * Popen.communicate (subprocess.Popen.communicate) with real children: input to stdin, both outputs read to their end,
 * the exit awaited; bytes or text by the Popen's encoding; TimeoutExpired leaves the child running and a later call
 * collects everything. Every child is bounded: killed in the test that starts it, or it ends by itself.
 */
import { Popen, TimeoutExpired } from '../../src/index';

const MiB = 1024 * 1024;

describe('Popen.communicate', () => {
  test('cat: the input comes back on stdout as a Buffer, stderr empty, returncode 0', async () => {
    const p = new Popen('cat');
    const [out, err] = await p.communicate(Buffer.from('hello\nworld\n'));
    expect(out).toEqual(Buffer.from('hello\nworld\n'));
    expect(err).toEqual(Buffer.alloc(0));
    expect(p.returncode).toBe(0);
    expect(await p.wait()).toBe(0);
  });

  test('an encoding gives strings both ways; the exit code is kept', async () => {
    const p = new Popen('sh', ['-c', 'read x; printf "got:%s" "$x"; printf "é" >&2; exit 3'], { encoding: 'utf8' });
    expect(await p.communicate('ünïcode\n')).toEqual(['got:ünïcode', 'é']);
    expect(p.returncode).toBe(3);
    expect(p.encoding).toBe('utf8');
    // Decoding only: no universal-newline translation as Python's text mode does (README, differences).
    expect(await new Popen('printf', ['a\\r\\nb'], { encoding: 'utf8' }).communicate()).toEqual(['a\r\nb', '']);
  });

  test('4 MiB through cat: stdin is written while stdout is read (no pipe deadlock)', async () => {
    const data = Buffer.alloc(4 * MiB);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const p = new Popen('cat');
    const [out] = await p.communicate(data, { timeout: 60 });
    expect(Buffer.compare(out as Buffer, data)).toBe(0);
  });

  test('without input stdin is closed at once (cat ends); { input, timeout } works as well', async () => {
    expect(await new Popen('cat').communicate()).toEqual([Buffer.alloc(0), Buffer.alloc(0)]);
    expect(await new Popen('cat', [], { encoding: 'latin1' }).communicate({ input: 'x', timeout: 30 })).toEqual([
      'x',
      '',
    ]);
  });

  test('a child that exits without reading its input: no error (the broken pipe is ignored, as in Python)', async () => {
    const p = new Popen('sh', ['-c', 'exec 0<&-; echo done']);
    const [out] = await p.communicate(Buffer.alloc(2 * MiB, 120));
    expect(String(out)).toBe('done\n');
    expect(p.returncode).toBe(0);
  });

  test('streams that are not pipes give null', async () => {
    const p = new Popen('sh', ['-c', 'exit 0'], { stdio: ['pipe', 'ignore', 'ignore'] });
    expect(await p.communicate()).toEqual([null, null]);
  });

  test('timeout: TimeoutExpired, the child still runs; after kill() a second call returns all it wrote', async () => {
    const p = new Popen('sh', ['-c', 'echo started; exec sleep 60'], { encoding: 'utf8' });
    try {
      await expect(p.communicate(null, { timeout: 0.3 })).rejects.toThrow(TimeoutExpired);
      expect(p.poll()).toBeNull();
      expect(p.isRunning()).toBe(true);
      // The input went with the first call (stdin is closed): Python's ValueError.
      expect(() => p.communicate('more')).toThrow(RangeError);
    } finally {
      p.kill();
    }
    expect(await p.communicate()).toEqual(['started\n', '']);
    expect(p.returncode).toBe(-9);
  });

  test('argument checks: input of the wrong mode, options twice, a bad timeout, an unknown encoding', () => {
    const p = new Popen('cat');
    try {
      expect(() => p.communicate('text')).toThrow(TypeError);
      expect(() => p.communicate({ input: Buffer.from('x') }, { timeout: 1 })).toThrow(TypeError);
      expect(() => p.communicate(null, { timeout: -1 })).toThrow(RangeError);
      expect(() => p.communicate(null, { timeout: 'soon' as unknown as number })).toThrow(TypeError);
    } finally {
      p.kill();
    }
    expect(() => new Popen('cat', [], { encoding: 'klingon' as BufferEncoding })).toThrow(RangeError);
  });
});
