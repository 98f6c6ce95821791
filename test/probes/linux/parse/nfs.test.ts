import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { parseNfsClient, parseNfsServer, type NfsProcedure } from '../../../../src/probes/linux/parse/nfs';
import { NODE_EXPORTER_FIXTURES, PROCFS_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE, onlyParseErrors } from '../../../helpers/garbage';

const ours = (name: string): Buffer => fs.readFileSync(own('parse', 'nfs', name));
const counts = (list: readonly NfsProcedure[]): Record<string, number> =>
  Object.fromEntries(list.map((p) => [p.method, p.count]));

describe('parseNfsClient', () => {
  test('our file: net, rpc, proc3 in column order, proc4 of a 68-column kernel (extra columns ignored), proc2 absent', () => {
    const s = parseNfsClient(ours('rpc-nfs'));
    expect(s.network).toEqual({ netCount: 0, udpCount: 0, tcpCount: 0, tcpConnect: 0 });
    expect(s.rpc).toEqual({ rpcCount: 531902, retransmissions: 17, authRefreshes: 531911 });
    expect(counts(s.v3)).toEqual({
      Null: 0,
      GetAttr: 204816,
      SetAttr: 3112,
      Lookup: 40177,
      Access: 87210,
      ReadLink: 12,
      Read: 61003,
      Write: 30551,
      Create: 2207,
      MkDir: 131,
      SymLink: 9,
      MkNod: 0,
      Remove: 1804,
      RmDir: 120,
      Rename: 606,
      Link: 4,
      ReadDir: 1093,
      ReadDirPlus: 25360,
      FsStat: 3301,
      FsInfo: 6,
      PathConf: 3,
      Commit: 8840,
    });
    expect(s.v4).toHaveLength(59);
    expect(s.v4.slice(0, 4)).toEqual([
      { method: 'Null', count: 0 },
      { method: 'Read', count: 7104 },
      { method: 'Write', count: 2203 },
      { method: 'Commit', count: 306 },
    ]);
    expect(counts(s.v4)['Getattr']).toBe(35202);
    expect(counts(s.v4)['Clone']).toBe(0);
    // No proc2 line (kernels built without NFSv2): every v2 procedure reads 0, as node_exporter exports them.
    expect(s.v2).toHaveLength(18);
    expect(s.v2.every((p) => p.count === 0)).toBe(true);
  });

  test('our older file: proc2, and a 41-column proc4 padded with zeros', () => {
    const s = parseNfsClient(ours('rpc-nfs-v2'));
    expect(s.network).toEqual({ netCount: 4402, udpCount: 4390, tcpCount: 12, tcpConnect: 6 });
    expect(counts(s.v2)).toMatchObject({ Null: 1, GetAttr: 902, Lookup: 2300, Read: 611, ReadDir: 250, FsStat: 16 });
    expect(s.v4.map((p) => p.count)).toEqual([...Array.from({ length: 41 }, (_, i) => i + 1), ...Array(18).fill(0)]);
  });

  testPeer("node_exporter's and procfs' fixtures", () => {
    const ne = parseNfsClient(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'proc', 'net', 'rpc', 'nfs')));
    expect(ne.rpc).toEqual({ rpcCount: 1218785755, retransmissions: 374636, authRefreshes: 1218815394 });
    expect(counts(ne.v3)['GetAttr']).toBe(1061909262);
    expect(counts(ne.v4)).toMatchObject({ Null: 98, Getattr: 88, LayoutReturn: 0, Clone: 0 });
    const pf = parseNfsClient(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', 'net', 'rpc', 'nfs')));
    expect(pf.network).toEqual({ netCount: 18628, udpCount: 0, tcpCount: 18628, tcpConnect: 6 });
    expect(counts(pf.v3)['Commit']).toBe(39);
  });

  test('malformed input is a ParseError', () => {
    expect(() => parseNfsClient('rpc 1 2 3\nproc3 22 1 2\n', '/p/nfs')).toThrow(
      /\/p\/nfs.*proc3 says 22 values and has 2/,
    );
    expect(() => parseNfsClient('rpc 1 2 3\nproc2 3 1 2 3\n')).toThrow(/proc2 has 3 values, expected 18/);
    expect(() => parseNfsClient('rpc 1 x 3\n')).toThrow(/not a number/);
    expect(() => parseNfsClient('rpc 1 2\n')).toThrow(/rpc has 2 fields/);
    expect(() => parseNfsClient('net 1 2 3 4\n')).toThrow(/no rpc line/);
    for (const [, input] of GARBAGE) expect(() => parseNfsClient(input)).toThrow(ParseError);
    onlyParseErrors((b) => parseNfsClient(b), [ours('rpc-nfs')]);
  });
});

describe('parseNfsServer', () => {
  test('our file: every line, proc4ops by operation number, wdeleg_getattr; Null left out of v2 and v3', () => {
    const s = parseNfsServer(ours('rpc-nfsd'));
    expect(s.replyCache).toEqual({ hits: 12, misses: 4019, noCache: 880213 });
    expect(s.fileHandlesStale).toBe(3);
    expect(s.io).toEqual({ read: 90177536, write: 2254438400 });
    expect(s.threads).toBe(16);
    expect(s.readAhead).toEqual({ cacheSize: 64, notFound: 77 });
    expect(s.network).toEqual({ netCount: 884244, udpCount: 31, tcpCount: 884213, tcpConnect: 19 });
    expect(s.rpc).toEqual({ rpcCount: 884240, badCount: 4, badFmt: 1, badAuth: 2, badcInt: 1 });
    expect(s.v2.map((p) => p.method)).not.toContain('Null');
    expect(s.v2).toHaveLength(17);
    expect(counts(s.v3)).toMatchObject({ GetAttr: 130042, Read: 402113, Write: 201330, Commit: 20407 });
    expect(s.v3).toHaveLength(21);
    expect(counts(s.v4ops)).toEqual({
      Access: 3300,
      Close: 410,
      Commit: 120,
      Create: 2,
      DelegPurge: 0,
      DelegReturn: 19,
      GetAttr: 40112,
      GetFH: 9013,
      Link: 0,
      Lock: 5,
      Lockt: 5,
      Locku: 5,
      Lookup: 8016,
      LookupRoot: 1,
      Nverify: 0,
      Open: 420,
      OpenAttr: 0,
      OpenConfirm: 0,
      OpenDgrd: 0,
      PutFH: 41712,
      Read: 22013,
      ReadDir: 803,
      ReadLink: 4,
      Remove: 33,
      Rename: 21,
      Renew: 0,
      RestoreFH: 0,
      SaveFH: 410,
      SecInfo: 0,
      SetAttr: 88,
      SetClientID: 1,
      SetClientIDConfirm: 1,
      Verify: 0,
      Write: 9020,
      RelLockOwner: 2,
      WdelegGetattr: 27,
    });
  });

  testPeer("node_exporter's fixture (with wdeleg_getattr, which 1.5.0 fails on) and procfs'", () => {
    const ne = parseNfsServer(fs.readFileSync(path.join(NODE_EXPORTER_FIXTURES, 'proc', 'net', 'rpc', 'nfsd')));
    expect(ne.rpc).toEqual({ rpcCount: 18628, badCount: 3, badFmt: 1, badAuth: 2, badcInt: 0 });
    expect(counts(ne.v4ops)).toMatchObject({
      Access: 1098,
      GetAttr: 8179,
      PutFH: 9609,
      Renew: 1236,
      WdelegGetattr: 15,
    });
    const pf = parseNfsServer(fs.readFileSync(path.join(PROCFS_FIXTURES, 'proc', 'net', 'rpc', 'nfsd')));
    expect(pf.network).toEqual({ netCount: 18628, udpCount: 0, tcpCount: 18628, tcpConnect: 6 });
    expect(counts(pf.v4ops)['WdelegGetattr']).toBeUndefined();
  });

  test('malformed input is a ParseError', () => {
    expect(() => parseNfsServer('rpc 1 2 3 4 5\nrpc 1 2 3 4 5\n')).toThrow(/a second rpc line/);
    expect(() => parseNfsServer('rpc 1 2 3 4\n')).toThrow(/rpc has 4 fields/);
    expect(() => parseNfsServer('rpc 1 2 3 4 5\nio 1\n')).toThrow(/io has 1 fields/);
    for (const [, input] of GARBAGE) expect(() => parseNfsServer(input)).toThrow(ParseError);
    onlyParseErrors((b) => parseNfsServer(b), [ours('rpc-nfsd')]);
  });
});
