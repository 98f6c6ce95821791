import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { parseSoftirqs } from '../../../../src/probes/linux/parse/softirqs';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

const ours = (f: string): string => own('parse', 'softirqs', f);
const VECTORS = ['HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU'];

describe('parseSoftirqs', () => {
  test('ours, three CPUs: the ten vectors in file order, a count past 10^8 glued to its column', () => {
    const p = ours('softirqs-3cpu');
    const s = parseSoftirqs(fs.readFileSync(p), p);
    expect(s.cpus).toEqual([0, 1, 2]);
    expect(s.lines.map((l) => l.name)).toEqual(VECTORS);
    expect(s.lines[3]).toEqual({ name: 'NET_RX', counts: [123456789, 2201311, 2100004] });
    expect(s.lines[9]).toEqual({ name: 'RCU', counts: [9901123, 9877002, 9812330] });
  });

  test('ours, one CPU and two vectors (an old kernel)', () => {
    const p = ours('softirqs-1cpu');
    expect(parseSoftirqs(fs.readFileSync(p), p)).toEqual({
      cpus: [0],
      lines: [
        { name: 'HI', counts: [1] },
        { name: 'TIMER', counts: [20] },
      ],
    });
  });

  describePeer("the peers' /proc/softirqs", () => {
    test("node_exporter's: two CPUs, the values of its e2e-output.txt", () => {
      const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/softirqs');
      const s = parseSoftirqs(fs.readFileSync(p), p);
      expect(s.cpus).toEqual([0, 1]);
      expect(s.lines.map((l) => l.name)).toEqual(VECTORS);
      expect(s.lines.find((l) => l.name === 'TIMER')?.counts).toEqual([424191, 108342]);
      expect(s.lines.find((l) => l.name === 'HI')?.counts).toEqual([7, 1]);
    });

    test("procfs's", () => {
      const p = path.join(PROCFS_FIXTURES, 'proc/softirqs');
      const s = parseSoftirqs(fs.readFileSync(p), p);
      expect(s.lines.find((l) => l.name === 'BLOCK')?.counts).toEqual([174915, 262755]);
      expect(s.lines.find((l) => l.name === 'RCU')?.counts).toEqual([605871, 532783]);
    });
  });

  test.each([
    ['empty', ''],
    ['no header', '          HI:          1\n'],
    ['a short line', '   CPU0 CPU1\n  HI: 1\n'],
    ['a long line', '   CPU0\n  HI: 1 2\n'],
    ['a negative count', '   CPU0\n  HI: -1\n'],
    ['no colon', '   CPU0\n  HI 1\n'],
    ['a lower-case name', '   CPU0\n  hi: 1\n'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseSoftirqs(body, '/proc/softirqs')).toThrow(ParseError);
    expect(() => parseSoftirqs(body, '/proc/softirqs')).toThrow('/proc/softirqs');
  });

  test('fuzz: random bytes and mutated fixtures give a record or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseSoftirqs(b, 'x'), [fs.readFileSync(ours('softirqs-3cpu'))]);
  });
});
