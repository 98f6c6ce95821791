import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseUdevData } from '../../../../src/probes/linux/parse/udevdata';
import { ParseError } from '../../../../src/probes/errors';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../../../helpers/fixtures';

describe('parseUdevData', () => {
  test('our SATA disk entry: E: properties only; values with = and spaces, a dotted private key, escaped _ENC forms kept raw', () => {
    const r = parseUdevData(fs.readFileSync(own('parse', 'udev', 'b8:0')), 'b8:0');
    expect(Object.keys(r)).toHaveLength(16);
    expect(r['ID_MODEL']).toBe('Samsung_SSD_870_EVO_1TB');
    expect(r['ID_MODEL_ENC']).toBe('Samsung\\x20SSD\\x20870\\x20EVO\\x201TB' + '\\x20'.repeat(20));
    expect(r['ID_SERIAL_SHORT']).toBe('S6PTNX0T123456A');
    expect(r['ID_PATH']).toBe('pci-0000:00:17.0-ata-1');
    expect(r['SYSTEMD_MOUNT_OPTIONS']).toBe('x-systemd.device-timeout=0,nofail');
    expect(r['.SYSTEMD_READY']).toBe('1');
    expect(r['ID_NOTE']).toBe(' two spaces around ');
    // S:, L:, W:, I:, G:, Q: and V: lines are not properties.
    expect(Object.keys(r).some((k) => k.startsWith('disk/') || k === 'systemd')).toBe(false);
  });

  test('our device-mapper entry: DM_NAME, LVM names and a label with a space', () => {
    const r = parseUdevData(fs.readFileSync(own('parse', 'udev', 'b253:0')));
    expect(r).toMatchObject({
      DM_NAME: 'vg0-root',
      DM_VG_NAME: 'vg0',
      DM_LV_NAME: 'root',
      ID_FS_TYPE: 'ext4',
      ID_FS_LABEL: 'root fs',
      ID_FS_UUID: '5f0e3c1a-7d2b-4e8f-9a6c-0b1d2e3f4a5b',
    });
    expect(r['DM_UUID']?.startsWith('LVM-')).toBe(true);
  });

  testPeer("node_exporter's dm-0 entry: E: properties only", () => {
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
