import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseZoneinfo } from '../../../../src/probes/linux/parse/zoneinfo';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own } from '../../../helpers/fixtures';
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
  test.each([
    ['node_exporter', path.join(NODE_EXPORTER_FIXTURES, 'proc', 'zoneinfo')],
    ['procfs', path.join(PROCFS_FIXTURES, 'proc', 'zoneinfo')],
    ['memavailable-zero', own('memavailable-zero', 'proc', 'zoneinfo')],
  ])('%s fixture: low watermark sum as psutil computes it', (_n, p) => {
    const text = fs.readFileSync(p, 'utf8');
    const z = parseZoneinfo(text, p);
    expect(z.lowWatermarkPages).toBe(psutilLowSum(text));
    expect(z.zones.length).toBeGreaterThan(0);
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
