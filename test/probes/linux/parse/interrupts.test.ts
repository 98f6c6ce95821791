import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseInterrupts } from '../../../../src/probes/linux/parse/interrupts';

describe('parseInterrupts', () => {
  test("node_exporter's x86 fixture: numbered IRQs split into chip and devices, named ones keep their description; ERR and MIS left out", () => {
    const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/interrupts');
    const r = parseInterrupts(fs.readFileSync(p), p);
    expect(r[0]).toEqual({ name: '0', info: 'IR-IO-APIC-edge', devices: 'timer', counts: [18, 0, 0, 0] });
    expect(r.find((l) => l.name === 'LOC')).toEqual({ name: 'LOC', info: 'Local timer interrupts', devices: '', counts: [174326351, 135776678, 168393257, 130980079] });
    expect(r.some((l) => l.name === 'ERR' || l.name === 'MIS')).toBe(false);
    expect(r.every((l) => l.counts.length === 4)).toBe(true);
  });

  test("node_exporter's aarch64 fixture: `IPI0:` with no space before the counts", () => {
    const r = parseInterrupts(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'proc/interrupts_aarch64')));
    expect(r.find((l) => l.name === 'IPI0')).toEqual({
      name: 'IPI0', info: 'Rescheduling interrupts', devices: '',
      counts: [2768808080, 2844211768, 2878602432, 2730576120, 2723524623, 3349096412, 2717389879, 2154252810],
    });
    expect(r.find((l) => l.name === '10')).toMatchObject({ info: 'GICv3', devices: '27 Level arch_timer' });
  });

  test("procfs's fixture and the live file: a count per header CPU on every line", () => {
    for (const p of [path.join(PROCFS_FIXTURES, 'proc/interrupts'), '/proc/interrupts']) {
      const text = fs.readFileSync(p, 'utf8');
      const ncpu = (text.split('\n')[0] ?? '').trim().split(/\s+/).length;
      const r = parseInterrupts(text, p);
      expect(r.length).toBeGreaterThan(0);
      expect(r.every((l) => l.counts.length === ncpu)).toBe(true);
    }
  });

  test.each([
    ['empty', ''],
    ['no header', '  0:   18   0   IO-APIC-edge  timer\n'],
    ['no colon', '           CPU0       CPU1\n  0   18   0   IO-APIC-edge  timer\n'],
    ['non-numeric count', '           CPU0       CPU1\n  0:   18   x   IO-APIC-edge  timer\n'],
    ['binary', '\u0000\u0001'],
  ])('garbage (%s) -> ParseError naming the file', (_w, body) => {
    expect(() => parseInterrupts(body, '/proc/interrupts')).toThrow(ParseError);
    expect(() => parseInterrupts(body, '/proc/interrupts')).toThrow('/proc/interrupts');
  });

  test('fuzz: random bytes and mutated fixtures give records or ParseError, nothing else', () => {
    onlyParseErrors((b) => parseInterrupts(b, 'x'), [fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'proc/interrupts'))]);
  });
});
