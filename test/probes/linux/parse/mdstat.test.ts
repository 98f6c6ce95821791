import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { parseMdstat, type MdDevice } from '../../../../src/probes/linux/parse/mdstat';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE, onlyParseErrors } from '../../../helpers/garbage';

const ours = (name: string): Buffer => fs.readFileSync(own('parse', 'mdstat', name));

function md(
  name: string,
  activityState: MdDevice['activityState'],
  [disksTotal, disksActive, disksFailed, disksSpare, disksDown]: readonly number[],
  blocksTotal: number,
  blocksSynced = blocksTotal,
): MdDevice {
  return {
    name,
    activityState,
    disksActive: disksActive!,
    disksFailed: disksFailed!,
    disksSpare: disksSpare!,
    disksDown: disksDown!,
    disksTotal: disksTotal!,
    blocksTotal,
    blocksSynced,
  };
}

describe('parseMdstat', () => {
  test('our file: recovery, resync, check, PENDING/DELAYED, inactive, raid0/linear member counts, bitmap lines', () => {
    expect(parseMdstat(ours('states'))).toEqual([
      // The bitmap line sits where a sync line would: the device is not syncing.
      md('md5', 'active', [2, 2, 0, 0, 0], 976630464),
      // The recovery line comes before the bitmap line.
      md('md20', 'recovering', [4, 3, 0, 0, 1], 2929889280, 208012288),
      md('md21', 'resyncing', [4, 3, 1, 1, 1], 1953257472, 918030336),
      md('md22', 'checking', [4, 4, 0, 0, 0], 41910272, 87936),
      // (auto-read-only) after `active`; a pending or delayed resync has synced nothing yet.
      md('md23', 'resyncing', [2, 2, 0, 0, 0], 10476544, 0),
      md('md24', 'resyncing', [2, 2, 0, 0, 0], 1047552, 0),
      // Inactive: no [n/m] status, every member a spare.
      md('md30', 'inactive', [0, 0, 0, 2, 0], 7813775024),
      // raid0 and linear: every bracketed member, as procfs counts them.
      md('md31', 'active', [3, 3, 0, 0, 0], 3144192),
      md('md32', 'active', [2, 2, 0, 0, 0], 4186112),
      // A reshape is not a state of node_exporter 1.5's: active and fully synced.
      md('md33', 'active', [3, 3, 0, 0, 0], 1953258496),
    ]);
  });

  test('a host without arrays: no devices', () => {
    expect(parseMdstat(ours('empty'))).toEqual([]);
  });

  testPeer("node_exporter's fixture: 17 devices, the states of its e2e output", () => {
    const devs = parseMdstat(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'proc', 'mdstat')));
    expect(devs.map((d) => d.name)).toEqual([
      'md3',
      'md127',
      'md0',
      'md4',
      'md6',
      'md8',
      'md201',
      'md7',
      'md9',
      'md10',
      'md11',
      'md12',
      'md126',
      'md219',
      'md00',
      'md120',
      'md101',
    ]);
    const by = new Map(devs.map((d) => [d.name, d]));
    expect(by.get('md6')).toEqual(md('md6', 'recovering', [2, 1, 1, 1, 1], 195310144, 16775552));
    expect(by.get('md8')).toEqual(md('md8', 'resyncing', [2, 2, 0, 2, 0], 195310144, 16775552));
    expect(by.get('md201')).toEqual(md('md201', 'checking', [2, 2, 0, 0, 0], 1993728, 114176));
    expect(by.get('md4')).toEqual(md('md4', 'inactive', [0, 0, 1, 1, 0], 4883648));
    expect(by.get('md219')).toEqual(md('md219', 'inactive', [0, 0, 0, 3, 0], 7932));
    expect(by.get('md9')).toEqual(md('md9', 'resyncing', [4, 4, 2, 1, 0], 523968, 0));
    expect(by.get('md11')).toEqual(md('md11', 'resyncing', [2, 2, 1, 2, 0], 4190208, 0));
    expect(by.get('md7')).toEqual(md('md7', 'active', [4, 3, 1, 0, 1], 7813735424));
    expect(by.get('md120')).toEqual(md('md120', 'active', [2, 2, 0, 0, 0], 2095104));
  });

  testPeer("procfs' fixture: its md42 reshape reads active and synced, as node_exporter 1.5", () => {
    const devs = parseMdstat(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', 'mdstat')));
    expect(devs).toHaveLength(18);
    expect(devs.find((d) => d.name === 'md42')).toEqual(md('md42', 'active', [3, 2, 0, 1, 1], 1953381440));
  });

  test('malformed input is a ParseError naming the path', () => {
    expect(() => parseMdstat('Personalities : [raid1]\nmd0 : active raid1 sda1[0]\n', '/p/mdstat')).toThrow(
      /\/p\/mdstat.*md0 has no status line/,
    );
    expect(() => parseMdstat('Personalities : [raid1]\nmd0 : active raid1 sda1[0]\n  x blocks\n')).toThrow(ParseError);
    expect(() => parseMdstat('Personalities : [raid1]\nmd0 : clean raid1 sda1[0]\n  5 blocks [1/1] [U]\n')).toThrow(
      /neither active nor inactive/,
    );
    expect(() => parseMdstat('Personalities : [raid1]\nmd0 : active raid1 sda1[0]\n  5 blocks [1/1]\n')).toThrow(
      /\[total\/active\]/,
    );
    for (const [, input] of GARBAGE) expect(() => parseMdstat(input)).toThrow(ParseError);
    onlyParseErrors((b) => parseMdstat(b), [ours('states')]);
  });
});
