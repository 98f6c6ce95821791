import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseZoneinfo } from '../../../../src/probes/linux/parse/zoneinfo';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, describePeer, own } from '../../../helpers/fixtures';
import { GARBAGE } from '../../../helpers/garbage';

/** Σ of the `low` lines, counted the way psutil does (strip, startswith 'low'). */
function psutilLowSum(text: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('low')) sum += Number(t.split(/\s+/)[1]);
  }
  return sum;
}

describe('parseZoneinfo', () => {
  function agreesWithPsutil(p: string): void {
    const text = fs.readFileSync(p, 'utf8');
    const z = parseZoneinfo(text, p);
    expect(z.lowWatermarkPages).toBe(psutilLowSum(text));
    expect(z.zones.length).toBeGreaterThan(0);
  }

  test.each([
    ['memavailable-zero', own('memavailable-zero', 'proc', 'zoneinfo')],
    ['parse/zoneinfo-numa', own('parse', 'zoneinfo', 'zoneinfo-numa')],
    ['parse/zoneinfo-2.6', own('parse', 'zoneinfo', 'zoneinfo-2.6')],
  ])('our %s fixture: low watermark sum as psutil computes it', (_n, p) => {
    agreesWithPsutil(p);
  });

  describePeer("the peers' zoneinfo", () => {
    test.each([
      ['node_exporter', path.join(NODE_EXPORTER_FIXTURES, 'proc', 'zoneinfo')],
      ['procfs', path.join(PROCFS_FIXTURES, 'proc', 'zoneinfo')],
    ])('%s fixture: low watermark sum as psutil computes it', (_n, p) => {
      agreesWithPsutil(p);
    });
  });

  test('our two-node file: per-node stats and pageset high: lines are not watermarks; unpopulated Movable zones count', () => {
    const z = parseZoneinfo(fs.readFileSync(own('parse', 'zoneinfo', 'zoneinfo-numa')));
    expect(z.zones.map((x) => `${x.node}/${x.zone}`)).toEqual([
      '0/DMA',
      '0/DMA32',
      '0/Normal',
      '0/Movable',
      '1/Normal',
      '1/Movable',
    ]);
    expect(z.zones[2]).toEqual({ node: 0, zone: 'Normal', pagesFree: 2211045, min: 27115, low: 33893, high: 40671 });
    expect(z.zones[3]).toEqual({ node: 0, zone: 'Movable', pagesFree: 0, min: 32, low: 32, high: 32 });
    expect(z.zones[4]).toEqual({ node: 1, zone: 'Normal', pagesFree: 3901222, min: 34010, low: 42512, high: 51014 });
    expect(z.lowWatermarkPages).toBe(41 + 8700 + 33893 + 32 + 42512 + 32);
  });

  test('our 2.6 file: old pagesets with `high:  0` per pcp list, active/inactive/scanned lines between the watermarks', () => {
    const z = parseZoneinfo(fs.readFileSync(own('parse', 'zoneinfo', 'zoneinfo-2.6')));
    expect(z.zones).toEqual([
      { node: 0, zone: 'DMA', pagesFree: 2046, min: 35, low: 43, high: 52 },
      { node: 0, zone: 'Normal', pagesFree: 120033, min: 2012, low: 2515, high: 3018 },
    ]);
    expect(z.lowWatermarkPages).toBe(43 + 2515);
  });

  test('zones carry node, name and watermarks', () => {
    const z = parseZoneinfo(fs.readFileSync(own('memavailable-zero', 'proc', 'zoneinfo')));
    expect(z.zones.map((x) => `${x.node}/${x.zone}`)).toEqual(['0/DMA', '0/DMA32', '0/Normal']);
    expect(z.zones[2]).toEqual({ node: 0, zone: 'Normal', pagesFree: 119744, min: 10698, low: 13372, high: 16046 });
    expect(z.lowWatermarkPages).toBe(41 + 7991 + 13372);
  });

  test.each(GARBAGE)('garbage (%s) -> ParseError', (_n, input) => {
    expect(() => parseZoneinfo(input, '/g/zoneinfo')).toThrow(ParseError);
  });
});
