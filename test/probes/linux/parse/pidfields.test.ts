/**
 * pidfields.ts against the general parsers: for every stat, status and io file of our fixture trees and of every
 * live process, the quick fields equal what parsePidStat, the status lookups and parsePidIo give (on the live kernel
 * the quick parse must succeed), and the layouts it does not know answer false.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  IO,
  IO_SIZE,
  ioFields,
  SS_SIZE,
  ST,
  ST_SIZE,
  statFields,
  statusFields,
} from '../../../../src/probes/linux/parse/pidfields';
import { parsePidStat } from '../../../../src/probes/linux/parse/pidstat';
import { statusIds, statusKb, statusNumber, statusSignalCount } from '../../../../src/probes/linux/parse/pidstatus';
import { parsePidIo } from '../../../../src/probes/linux/parse/pidio';
import { own } from '../../../helpers/fixtures';

function statOf(b: Buffer): Float64Array | null {
  const out = new Float64Array(ST_SIZE);
  return statFields(b, b.length, out) ? out : null;
}
function statusOf(b: Buffer): Float64Array | null {
  const out = new Float64Array(SS_SIZE);
  return statusFields(b, b.length, out) ? out : null;
}
function ioOf(b: Buffer): Float64Array | null {
  const out = new Float64Array(IO_SIZE);
  return ioFields(b, b.length, out) ? out : null;
}

function expectStat(b: Buffer, q: Float64Array): void {
  const st = parsePidStat(b);
  expect({
    ppid: q[ST.ppid],
    minflt: q[ST.minflt],
    majflt: q[ST.majflt],
    utime: q[ST.utime],
    stime: q[ST.stime],
    numThreads: q[ST.numThreads],
    starttime: q[ST.starttime],
    blkio: q[ST.blkio],
    state: String.fromCharCode(q[ST.state]!),
    comm: b.subarray(q[ST.commStart], q[ST.commEnd]).toString('latin1'),
  }).toEqual({
    ppid: st.ppid,
    minflt: st.minflt,
    majflt: st.majflt,
    utime: st.utime,
    stime: st.stime,
    numThreads: st.numThreads,
    starttime: st.starttime,
    blkio: st.blkioTicks,
    state: st.state,
    comm: Buffer.from(b.subarray(b.indexOf(0x28) + 1, b.lastIndexOf(0x29))).toString('latin1'),
  });
}

function expectStatus(b: Buffer, q: Float64Array): void {
  const t = b.toString('latin1');
  expect([...q]).toEqual([
    statusIds(t, 'Uid')[0],
    statusKb(t, 'VmSize'),
    statusKb(t, 'VmRSS'),
    statusNumber(t, 'Threads'),
    statusSignalCount(t, 'ShdPnd') ?? -1,
    statusNumber(t, 'voluntary_ctxt_switches'),
    statusNumber(t, 'nonvoluntary_ctxt_switches'),
  ]);
}

function expectIo(b: Buffer, q: Float64Array): void {
  const io = parsePidIo(b);
  expect([q[IO.syscr], q[IO.syscw], q[IO.readBytes], q[IO.writeBytes]]).toEqual([
    io.syscr,
    io.syscw,
    io.readBytes,
    io.writeBytes,
  ]);
}

/** Every <root>/<pid>/{stat,status,io} below `dir`, found by walking it (fixture trees nest proc at any depth). */
function fixtureFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) fixtureFiles(p, out);
    else if (/\/\d+\/(stat|status|io)$/.test(p)) out.push(p);
  }
  return out;
}

describe('pidfields', () => {
  test('our fixture trees: where the quick parse answers, it gives what the general parsers give', () => {
    const files = fixtureFiles(own());
    expect(files.length).toBeGreaterThan(20);
    let answered = 0;
    for (const f of files) {
      const b = fs.readFileSync(f);
      const kind = path.basename(f);
      const q = kind === 'stat' ? statOf(b) : kind === 'status' ? statusOf(b) : ioOf(b);
      if (q === null) continue;
      answered++;
      if (kind === 'stat') expectStat(b, q);
      else if (kind === 'status') expectStatus(b, q);
      else expectIo(b, q);
    }
    expect(answered).toBeGreaterThan(10);
  });

  test("every live process: the quick parse answers, with the general parsers' values", () => {
    const pids = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
    let checked = 0;
    for (const pid of pids) {
      let stat: Buffer;
      let status: Buffer;
      let io: Buffer | null = null;
      try {
        stat = fs.readFileSync(`/proc/${pid}/stat`);
        status = fs.readFileSync(`/proc/${pid}/status`);
        io = fs.readFileSync(`/proc/${pid}/io`);
      } catch (e) {
        // Gone since the listing; io is the owner's or root's only.
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ESRCH') continue;
        if (code !== 'EACCES') throw e;
      }
      const s = statOf(stat!);
      expect(s).not.toBeNull();
      expectStat(stat!, s!);
      const t = statusOf(status!);
      expect(t).not.toBeNull();
      expectStatus(status!, t!);
      if (io !== null) {
        const q = ioOf(io);
        expect(q).not.toBeNull();
        expectIo(io, q!);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(2);
  });

  test('stat: the comm split at its last parenthesis; fields 39+ absent (blkio 0); what is not the layout', () => {
    const line = '42 (a) Z 1 1) S 7 8 9 0 -1 4194560 11 12 13 14 15 16 17 18 20 0 3 0 99 1000 5 rest 0 0\n';
    const q = statOf(Buffer.from(line));
    expect(q).not.toBeNull();
    expect(String.fromCharCode(q![ST.state]!)).toBe('S');
    expect([q![ST.ppid], q![ST.minflt], q![ST.majflt], q![ST.utime], q![ST.stime]]).toEqual([7, 11, 13, 15, 16]);
    expect([q![ST.numThreads], q![ST.starttime], q![ST.blkio]]).toEqual([3, 99, 0]);
    // Without the start time, or a 16-digit counter, or no comm: the general path.
    expect(statOf(Buffer.from('42 (a) S 7 8 9 0 -1 4194560 11 12 13 14 15 16 17 18 20 0 3 0\n'))).toBeNull();
    expect(statOf(Buffer.from(line.replace(' 11 ', ' 1234567890123456 ')))).toBeNull();
    expect(statOf(Buffer.from('42 a S 7\n'))).toBeNull();
  });

  test('status: absent Vm lines are 0, an absent ShdPnd -1; a missing ctxt_switches line or a bad mask is false', () => {
    const base =
      'Name:\tkthreadd\nUid:\t0\t0\t0\t0\nThreads:\t1\nvoluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t6\n';
    expect([...statusOf(Buffer.from(base))!]).toEqual([0, 0, 0, 1, -1, 5, 6]);
    const withMask = base.replace('Threads:\t1\n', 'Threads:\t1\nShdPnd:\t8000000000000a01\nVmRSS:\t  12 kB\n');
    expect([...statusOf(Buffer.from(withMask))!]).toEqual([0, 0, 12 * 1024, 1, 4, 5, 6]);
    expect(statusOf(Buffer.from(base.replace(/nonvoluntary.*\n/, '')))).toBeNull();
    expect(statusOf(Buffer.from(withMask.replace('8000000000000a01', 'x')))).toBeNull();
    // The kernel's order (Vm lines, Threads, ShdPnd, masks, then the ctxt_switches lines read from the end), with
    // the arch lines a kernel with user shadow stacks prints after them; one ctxt_switches line missing: false.
    const ordered =
      'Name:\tsh\nUid:\t7\t7\t7\t7\nVmSize:\t  100 kB\nVmRSS:\t  12 kB\nThreads:\t2\nShdPnd:\t0000000000000003\n' +
      'SigBlk:\t0000000000000000\nMems_allowed:\t' +
      '00000000,'.repeat(63) +
      '00000001\nvoluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t6\n';
    expect([...statusOf(Buffer.from(ordered))!]).toEqual([7, 100 * 1024, 12 * 1024, 2, 2, 5, 6]);
    const arch = ordered + 'x86_Thread_features:\t\nx86_Thread_features_locked:\t\n';
    expect([...statusOf(Buffer.from(arch))!]).toEqual([7, 100 * 1024, 12 * 1024, 2, 2, 5, 6]);
    expect(statusOf(Buffer.from(arch.replace(/\nvoluntary.*\n/, '\n')))).toBeNull();
  });

  test("io: only the kernel's seven lines in order", () => {
    const io = 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n';
    expect([...ioOf(Buffer.from(io))!]).toEqual([3, 4, 5, 6]);
    expect(ioOf(Buffer.from(io.replace('syscr: 3\nsyscw: 4\n', 'syscw: 4\nsyscr: 3\n')))).toBeNull();
    expect(ioOf(Buffer.from(io + 'extra: 1\n'))).toBeNull();
  });
});
