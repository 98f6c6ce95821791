import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseUdevData } from '../../../../src/probes/linux/parse/udevdata';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES } from '../../../helpers/fixtures';

describe('parseUdevData', () => {
  test("node_exporter's dm-0 entry: E: properties only", () => {
    const r = parseUdevData(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'udev', 'data', 'b252:0')));
    expect(r['DM_NAME']).toBe('nvme0n1_crypt');
    expect(r['ID_FS_TYPE']).toBe('LVM2_member');
    expect(r['ID_FS_VERSION']).toBe('LVM2 001');
    expect(Object.keys(r).every((k) => /^[A-Z0-9_]+$/.test(k))).toBe(true);
  });

  test('values keep their = signs and spaces; lines without = are skipped', () => {
    expect(parseUdevData('E:A=b=c\nE:B= x \nE:NOEQ\nS:link\nE:=v\n')).toEqual({ A: 'b=c', B: ' x ' });
  });

  test('garbage is a ParseError', () => {
    expect(() => parseUdevData(Buffer.from([0x45, 0x3a, 0x00]), 'b1:2')).toThrow(ParseError);
  });
});
