/**
 * native-io.ts's ReadBuffer, the one grow-and-read loop of the kept-fd readers (cgroupdir.ts, netclass.ts, pidfds.ts):
 * a file longer than the buffer grows it by doubling, the cap drops what lies beyond, a kept fd re-read with pread
 * gives the file afresh, and a failed open is -errno. closeFds: closes exactly the fds it is given, runs and gaps.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReadBuffer, openRead, closeFd, closeFds } from '../../../src/probes/linux/native-io';

let dir: string;
let dirFd: number;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readbuf-'));
  fs.writeFileSync(path.join(dir, 'long'), 'x'.repeat(10_000) + 'END');
  fs.writeFileSync(path.join(dir, 'short'), 'abc');
  dirFd = openRead(dir);
  expect(dirFd).toBeGreaterThanOrEqual(0);
});

afterAll(() => {
  closeFd(dirFd);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a file past the buffer grows it and is read whole', () => {
  const rb = new ReadBuffer(16, 1 << 20);
  const n = rb.fillAt(dirFd, 'long');
  expect(n).toBe(10_003);
  expect(rb.buf.length).toBeGreaterThanOrEqual(10_003);
  expect(rb.buf.toString('latin1', n - 3, n)).toBe('END');
});

test('the cap drops the bytes beyond it', () => {
  const rb = new ReadBuffer(16, 64);
  expect(rb.fillAt(dirFd, 'long')).toBe(64);
  expect(rb.buf.length).toBe(64);
});

test('a kept fd re-read positionally gives the file from its start each time', () => {
  const rb = new ReadBuffer(2, 1024);
  const fd = openRead(path.join(dir, 'short'));
  try {
    expect(rb.fill(fd, true)).toBe(3);
    expect(rb.fill(fd, true)).toBe(3);
    expect(rb.buf.toString('latin1', 0, 3)).toBe('abc');
    // read(2) moves the offset: a second plain fill starts at the end.
    expect(rb.fill(fd)).toBe(3);
    expect(rb.fill(fd)).toBe(0);
  } finally {
    closeFd(fd);
  }
});

test('a missing file is -ENOENT', () => {
  expect(new ReadBuffer(16, 64).fillAt(dirFd, 'absent')).toBe(-2);
});

/** What fd `fd` names now (null: not open). */
function target(fd: number): string | null {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

test('closeFds closes the fds given, runs of consecutive numbers and single ones, and no fd between them', () => {
  const file = path.join(dir, 'short');
  const other = path.join(dir, 'long');
  // Three in a row (normally consecutive numbers: one close_range), then one not given, then two more: the fd in the
  // gap must stay open whatever the numbers are.
  const given = [openRead(file), openRead(file), openRead(file)];
  const kept = openRead(other);
  given.push(openRead(file), openRead(file));
  expect(Math.min(kept, ...given)).toBeGreaterThanOrEqual(0);
  try {
    expect(given.map(target)).toEqual(given.map(() => file));
    closeFds(Int32Array.from(given), given.length);
    expect(target(kept)).toBe(other);
    // Closed: not open, or (another thread's open since) not our file.
    expect(given.filter((fd) => target(fd) === file)).toEqual([]);
  } finally {
    closeFd(kept);
  }
});

test('closeFds closes only the first n', () => {
  const file = path.join(dir, 'short');
  const fds = [openRead(file), openRead(file), openRead(file)];
  try {
    closeFds(Int32Array.from(fds), 2);
    expect(fds.slice(0, 2).filter((fd) => target(fd) === file)).toEqual([]);
    expect(target(fds[2]!)).toBe(file);
  } finally {
    closeFd(fds[2]!);
  }
});
