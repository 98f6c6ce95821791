import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { onlyParseErrors } from '../../../helpers/garbage';

import { parseInterrupts } from '../../../../src/probes/linux/parse/interrupts';

const X86 = own('parse', 'interrupts', 'x86_64');
const AARCH64 = own('parse', 'interrupts', 'aarch64');

describe('parseInterrupts', () => {
  test('our x86_64 file: chip and devices split, named lines keep their description, a u32-max count; ERR and MIS left out', () => {
    const r = parseInterrupts(fs.readFileSync(X86), X86);
    expect(r.map((l) => l.name)).toEqual(['0', '8', '16', '124', 'NMI', 'LOC', 'PIN', 'TLB']);
    expect(r[0]).toEqual({ name: '0', info: 'IR-IO-APIC', devices: '2-edge timer', counts: [44, 0, 0, 0] });
    expect(r[2]).toEqual({
      name: '16',
      info: 'IR-IO-APIC',
      devices: '16-fasteoi i801_smbus, idma64.0',
      counts: [0, 0, 2871, 0],
    });
    expect(r[3]).toMatchObject({
      info: 'IR-PCI-MSIX-0000:00:1f.6',
      devices: '0-edge enp0s31f6',
      counts: [4294967295, 1, 2, 3],
    });
    expect(r.find((l) => l.name === 'LOC')).toEqual({
      name: 'LOC',
      info: 'Local timer interrupts',
      devices: '',
      counts: [40781226, 38112903, 41200111, 39876543],
    });
    expect(r.find((l) => l.name === 'PIN')?.info).toBe('Posted-interrupt notification event');
    countPerCpu(X86);
  });

  test('our aarch64 file: `IPI0:` glued to a 10-digit count, GICv3 and ITS-MSI lines, Err left out', () => {
    const r = parseInterrupts(fs.readFileSync(AARCH64), AARCH64);
    expect(r.map((l) => l.name)).toEqual(['11', '14', '47', 'IPI0', 'IPI1', 'IPI2']);
    expect(r.find((l) => l.name === 'IPI0')).toEqual({
      name: 'IPI0',
      info: 'Rescheduling interrupts',
      devices: '',
      counts: [2914402051, 2877003003, 3000111222, 2765432100],
    });
    expect(r[0]).toMatchObject({
      info: 'GICv3',
      devices: '27 Level arch_timer',
      counts: [3120045, 2988011, 3300123, 3011223],
    });
    expect(r[2]).toMatchObject({ info: 'ITS-MSI', devices: '524288 Edge nvme0q0' });
  });

  testPeer(
    "node_exporter's x86 fixture: numbered IRQs split into chip and devices, named ones keep their description; ERR and MIS left out",
    () => {
      const p = path.join(NODE_EXPORTER_FIXTURES, 'proc/interrupts');
      const r = parseInterrupts(fs.readFileSync(p), p);
      expect(r[0]).toEqual({ name: '0', info: 'IR-IO-APIC-edge', devices: 'timer', counts: [18, 0, 0, 0] });
      expect(r.find((l) => l.name === 'LOC')).toEqual({
        name: 'LOC',
        info: 'Local timer interrupts',
        devices: '',
        counts: [174326351, 135776678, 168393257, 130980079],
      });
      expect(r.some((l) => l.name === 'ERR' || l.name === 'MIS')).toBe(false);
      expect(r.every((l) => l.counts.length === 4)).toBe(true);
    },
  );

  testPeer("node_exporter's aarch64 fixture: `IPI0:` with no space before the counts", () => {
    const r = parseInterrupts(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'proc/interrupts_aarch64')));
    expect(r.find((l) => l.name === 'IPI0')).toEqual({
      name: 'IPI0',
      info: 'Rescheduling interrupts',
      devices: '',
      counts: [2768808080, 2844211768, 2878602432, 2730576120, 2723524623, 3349096412, 2717389879, 2154252810],
    });
    expect(r.find((l) => l.name === '10')).toMatchObject({ info: 'GICv3', devices: '27 Level arch_timer' });
  });

  function countPerCpu(p: string): void {
    const text = fs.readFileSync(p, 'utf8');
    const ncpu = (text.split('\n')[0] ?? '').trim().split(/\s+/).length;
    const r = parseInterrupts(text, p);
    expect(r.length).toBeGreaterThan(0);
    expect(r.every((l) => l.counts.length === ncpu)).toBe(true);
  }

  test('the live file: a count per header CPU on every line', () => {
    countPerCpu('/proc/interrupts');
  });

  testPeer("procfs's fixture: a count per header CPU on every line", () => {
    countPerCpu(path.join(PROCFS_FIXTURES, 'proc/interrupts'));
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
    onlyParseErrors((b) => parseInterrupts(b, 'x'), [fs.readFileSync(X86), fs.readFileSync(AARCH64)]);
  });
});
