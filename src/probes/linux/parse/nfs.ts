/**
 * /proc/net/rpc/nfs (the NFS client's RPC statistics) and /proc/net/rpc/nfsd (the server's), read as
 * prometheus/procfs reads them for node_exporter's nfs and nfsd collectors: one `key v1 v2 ...` line each; the
 * `procN` lines start with the count of the values that follow, one per procedure in the protocol's order. Lines of
 * keys the parser does not know (a newer kernel's) are skipped. Pure: text in, record out, ParseError on anything
 * malformed.
 */
import { ParseError } from '../../errors';

/** One procedure's call count, by procfs' field name (node_exporter's `method` label). */
export interface NfsProcedure {
  readonly method: string;
  readonly count: number;
}

export interface NfsNetwork {
  readonly netCount: number;
  readonly udpCount: number;
  readonly tcpCount: number;
  readonly tcpConnect: number;
}

export interface NfsClientRpc {
  readonly rpcCount: number;
  readonly retransmissions: number;
  readonly authRefreshes: number;
}

export interface NfsClientStats {
  readonly network: NfsNetwork | null;
  readonly rpc: NfsClientRpc;
  readonly v2: readonly NfsProcedure[];
  readonly v3: readonly NfsProcedure[];
  readonly v4: readonly NfsProcedure[];
}

export interface NfsServerRpc {
  readonly rpcCount: number;
  readonly badCount: number;
  readonly badFmt: number;
  readonly badAuth: number;
  readonly badcInt: number;
}

export interface NfsServerStats {
  /** rc: reply cache hits, misses, non-cacheable requests. */
  readonly replyCache: { readonly hits: number; readonly misses: number; readonly noCache: number } | null;
  /** fh: stale file handles (the first field; the others have read 0 since 2.6). */
  readonly fileHandlesStale: number | null;
  /** io: bytes read from and written to disk. */
  readonly io: { readonly read: number; readonly write: number } | null;
  /** th: nfsd threads running. */
  readonly threads: number | null;
  /** ra: the read-ahead cache's size and its not-found count (the last field). */
  readonly readAhead: { readonly cacheSize: number; readonly notFound: number } | null;
  readonly network: NfsNetwork | null;
  readonly rpc: NfsServerRpc;
  /** Without Null (node_exporter leaves it out for the server). */
  readonly v2: readonly NfsProcedure[];
  readonly v3: readonly NfsProcedure[];
  /** proc4ops, the NFSv4 operations node_exporter exports, plus WdelegGetattr (its own line, Linux 6.x). */
  readonly v4ops: readonly NfsProcedure[];
}

const V2 = [
  'Null',
  'GetAttr',
  'SetAttr',
  'Root',
  'Lookup',
  'ReadLink',
  'Read',
  'WrCache',
  'Write',
  'Create',
  'Remove',
  'Rename',
  'Link',
  'SymLink',
  'MkDir',
  'RmDir',
  'ReadDir',
  'FsStat',
] as const;

const V3 = [
  'Null',
  'GetAttr',
  'SetAttr',
  'Lookup',
  'Access',
  'ReadLink',
  'Read',
  'Write',
  'Create',
  'MkDir',
  'SymLink',
  'MkNod',
  'Remove',
  'RmDir',
  'Rename',
  'Link',
  'ReadDir',
  'ReadDirPlus',
  'FsStat',
  'FsInfo',
  'PathConf',
  'Commit',
] as const;

/** The client's proc4 columns in the kernel's order (nfs4_procedures); older kernels print fewer, read as 0. */
const CLIENT_V4 = [
  'Null',
  'Read',
  'Write',
  'Commit',
  'Open',
  'OpenConfirm',
  'OpenNoattr',
  'OpenDowngrade',
  'Close',
  'Setattr',
  'FsInfo',
  'Renew',
  'SetClientID',
  'SetClientIDConfirm',
  'Lock',
  'Lockt',
  'Locku',
  'Access',
  'Getattr',
  'Lookup',
  'LookupRoot',
  'Remove',
  'Rename',
  'Link',
  'Symlink',
  'Create',
  'Pathconf',
  'StatFs',
  'ReadLink',
  'ReadDir',
  'ServerCaps',
  'DelegReturn',
  'GetACL',
  'SetACL',
  'FsLocations',
  'ReleaseLockowner',
  'Secinfo',
  'FsidPresent',
  'ExchangeID',
  'CreateSession',
  'DestroySession',
  'Sequence',
  'GetLeaseTime',
  'ReclaimComplete',
  'LayoutGet',
  'GetDeviceInfo',
  'LayoutCommit',
  'LayoutReturn',
  'SecinfoNoName',
  'TestStateID',
  'FreeStateID',
  'GetDeviceList',
  'BindConnToSession',
  'DestroyClientID',
  'Seek',
  'Allocate',
  'DeAllocate',
  'LayoutStats',
  'Clone',
] as const;

/** proc4ops columns by operation number (RFC 7530: ACCESS is 3 ... RELEASE_LOCKOWNER 39); null: not exported. */
const SERVER_V4_OPS: readonly (string | null)[] = [
  null,
  null,
  null,
  'Access',
  'Close',
  'Commit',
  'Create',
  'DelegPurge',
  'DelegReturn',
  'GetAttr',
  'GetFH',
  'Link',
  'Lock',
  'Lockt',
  'Locku',
  'Lookup',
  'LookupRoot',
  'Nverify',
  'Open',
  'OpenAttr',
  'OpenConfirm',
  'OpenDgrd',
  'PutFH',
  null, // PUTPUBFH
  null, // PUTROOTFH
  'Read',
  'ReadDir',
  'ReadLink',
  'Remove',
  'Rename',
  'Renew',
  'RestoreFH',
  'SaveFH',
  'SecInfo',
  'SetAttr',
  'SetClientID',
  'SetClientIDConfirm',
  'Verify',
  'Write',
  'RelLockOwner',
];

type Lines = Map<string, { values: number[]; lineNo: number }>;

/** Splits the file into key -> integer values (the th line's histogram of decimals is kept as numbers too). */
function splitLines(text: string, path: string): Lines {
  const out: Lines = new Map();
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    const key = parts[0] as string;
    const values: number[] = [];
    for (const p of parts.slice(1)) {
      if (!/^\d+(\.\d+)?$/.test(p))
        throw new ParseError(path, `line ${lineNo}: ${key}: not a number: ${JSON.stringify(p.slice(0, 40))}`);
      values.push(Number(p));
    }
    if (out.has(key)) throw new ParseError(path, `line ${lineNo}: a second ${key} line`);
    out.set(key, { values, lineNo });
  }
  return out;
}

/** The `rpc` line, which the sunrpc module prints in both files whatever else they hold. */
function rpcLine(lines: Lines, min: number, path: string): number[] {
  const v = need(lines, 'rpc', min, path);
  if (v === null) throw new ParseError(path, 'no rpc line: not an RPC statistics file');
  return v;
}

function need(lines: Lines, key: string, min: number, path: string): number[] | null {
  const l = lines.get(key);
  if (l === undefined) return null;
  if (l.values.length < min)
    throw new ParseError(path, `line ${l.lineNo}: ${key} has ${l.values.length} fields, expected at least ${min}`);
  return l.values;
}

/**
 * A procN line: its count first, then that many values; `names` in column order, missing columns read 0. An absent
 * line reads as all zeros, as procfs' zero-valued struct does (node_exporter exports every method either way).
 */
function procedures(
  lines: Lines,
  key: string,
  names: readonly (string | null)[],
  minColumns: number,
  path: string,
): NfsProcedure[] {
  const l = lines.get(key) ?? { values: [names.length, ...names.map(() => 0)], lineNo: 0 };
  const [n, ...v] = l.values;
  if (n === undefined || n !== v.length)
    throw new ParseError(path, `line ${l.lineNo}: ${key} says ${String(n)} values and has ${v.length}`);
  if (n < minColumns) throw new ParseError(path, `line ${l.lineNo}: ${key} has ${n} values, expected ${minColumns}`);
  const out: NfsProcedure[] = [];
  names.forEach((method, i) => {
    if (method !== null) out.push(Object.freeze({ method, count: v[i] ?? 0 }));
  });
  return out;
}

function network(lines: Lines, path: string): NfsNetwork | null {
  const v = need(lines, 'net', 4, path);
  if (v === null) return null;
  return Object.freeze({ netCount: v[0]!, udpCount: v[1]!, tcpCount: v[2]!, tcpConnect: v[3]! });
}

export function parseNfsClient(input: Buffer | string, path = '<input>'): NfsClientStats {
  const lines = splitLines(typeof input === 'string' ? input : input.toString('utf8'), path);
  const rpc = rpcLine(lines, 3, path);
  return Object.freeze({
    network: network(lines, path),
    rpc: Object.freeze({ rpcCount: rpc[0]!, retransmissions: rpc[1]!, authRefreshes: rpc[2]! }),
    v2: Object.freeze(procedures(lines, 'proc2', V2, V2.length, path)),
    v3: Object.freeze(procedures(lines, 'proc3', V3, V3.length, path)),
    v4: Object.freeze(procedures(lines, 'proc4', CLIENT_V4, 1, path)),
  });
}

export function parseNfsServer(input: Buffer | string, path = '<input>'): NfsServerStats {
  const lines = splitLines(typeof input === 'string' ? input : input.toString('utf8'), path);
  const rc = need(lines, 'rc', 3, path);
  const fh = need(lines, 'fh', 1, path);
  const io = need(lines, 'io', 2, path);
  const th = need(lines, 'th', 1, path);
  const ra = need(lines, 'ra', 2, path);
  const rpc = rpcLine(lines, 5, path);
  const v4ops = procedures(lines, 'proc4ops', SERVER_V4_OPS, 1, path);
  const wdeleg = need(lines, 'wdeleg_getattr', 1, path);
  if (wdeleg !== null) v4ops.push(Object.freeze({ method: 'WdelegGetattr', count: wdeleg[0]! }));
  return Object.freeze({
    replyCache: rc === null ? null : Object.freeze({ hits: rc[0]!, misses: rc[1]!, noCache: rc[2]! }),
    fileHandlesStale: fh === null ? null : fh[0]!,
    io: io === null ? null : Object.freeze({ read: io[0]!, write: io[1]! }),
    threads: th === null ? null : th[0]!,
    readAhead: ra === null ? null : Object.freeze({ cacheSize: ra[0]!, notFound: ra[ra.length - 1]! }),
    network: network(lines, path),
    rpc: Object.freeze({ rpcCount: rpc[0]!, badCount: rpc[1]!, badFmt: rpc[2]!, badAuth: rpc[3]!, badcInt: rpc[4]! }),
    v2: Object.freeze(procedures(lines, 'proc2', V2, V2.length, path).filter((p) => p.method !== 'Null')),
    v3: Object.freeze(procedures(lines, 'proc3', V3, V3.length, path).filter((p) => p.method !== 'Null')),
    v4ops: Object.freeze(v4ops),
  });
}
