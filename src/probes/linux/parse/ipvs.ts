/**
 * IPVS (the kernel's L4 load balancer): /proc/net/ip_vs_stats, five hexadecimal totals on its third line, and
 * /proc/net/ip_vs, virtual services (`TCP  C0A80016:0CEA wlc`, `FWM  10001000 wlc`, IPv6 as
 * `[2620:0000:...:0001]:0050`) each followed by their real servers (`  -> C0A85216:0CEA Tunnel 100 248 2`: address,
 * forwarding method, weight, active and inactive connections). Addresses are printed as procfs' net.IP gives them to
 * node_exporter (Go's String(): IPv4 dotted, IPv6 with the first longest zero run as `::`).
 * Pure: text in, records out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface IpvsStats {
  readonly connections: number;
  readonly incomingPackets: number;
  readonly outgoingPackets: number;
  readonly incomingBytes: number;
  readonly outgoingBytes: number;
}

export interface IpvsBackend {
  /** The virtual service's address ('' for a firewall-mark service). */
  readonly localAddress: string;
  /** 0 for a firewall-mark service. */
  readonly localPort: number;
  /** The firewall mark, as printed ('' for an address service). */
  readonly localMark: string;
  /** TCP, UDP, SCTP or FWM. */
  readonly proto: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly weight: number;
  readonly activeConn: number;
  readonly inactConn: number;
}

const HEX = /^[0-9A-Fa-f]{1,16}$/;

export function parseIpvsStats(input: Buffer | string, path = '<input>'): IpvsStats {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const line = text.split('\n')[2];
  const f = line === undefined ? [] : line.trim().split(/\s+/);
  if (f.length !== 5 || !f.every((x) => HEX.test(x)))
    throw new ParseError(path, 'the third line has not five hexadecimal totals');
  const [connections, incomingPackets, outgoingPackets, incomingBytes, outgoingBytes] = f.map((x) => parseInt(x, 16));
  return Object.freeze({
    connections: connections as number,
    incomingPackets: incomingPackets as number,
    outgoingPackets: outgoingPackets as number,
    incomingBytes: incomingBytes as number,
    outgoingBytes: outgoingBytes as number,
  });
}

/** Go's net.IP.String() for 16 bytes: v4-mapped as dotted IPv4, else the first longest run (>= 2) of zero words as `::`. */
function goIpv6(words: number[]): string {
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    const a = words[6] as number;
    const b = words[7] as number;
    return `${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
  }
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best === -1) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}

function parseAddrPort(tok: string, path: string, lineNo: number): { address: string; port: number } {
  let m = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{1,4})$/.exec(tok);
  if (m !== null) {
    const v = parseInt(m[1] as string, 16);
    return {
      address: `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`,
      port: parseInt(m[2] as string, 16),
    };
  }
  m = /^\[([0-9A-Fa-f:]+)\]:([0-9A-Fa-f]{1,4})$/.exec(tok);
  if (m !== null) {
    const groups = (m[1] as string).split(':');
    if (groups.length === 8 && groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g)))
      return { address: goIpv6(groups.map((g) => parseInt(g, 16))), port: parseInt(m[2] as string, 16) };
  }
  throw new ParseError(path, `line ${lineNo}: bad address ${JSON.stringify(tok.slice(0, 60))}`);
}

const UINT = /^\d+$/;

export function parseIpvsBackends(input: Buffer | string, path = '<input>'): IpvsBackend[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: IpvsBackend[] = [];
  let service: Pick<IpvsBackend, 'localAddress' | 'localPort' | 'localMark' | 'proto'> | null = null;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const f = line.trim().split(/\s+/);
    const first = f[0] as string;
    if (first === '' || first === 'IP' || first === 'Prot' || f[1] === 'RemoteAddress:Port') continue;
    if (first === 'TCP' || first === 'UDP' || first === 'SCTP') {
      const a = parseAddrPort(f[1] ?? '', path, lineNo);
      service = { proto: first, localAddress: a.address, localPort: a.port, localMark: '' };
    } else if (first === 'FWM') {
      if (f[1] === undefined) throw new ParseError(path, `line ${lineNo}: FWM without a mark`);
      service = { proto: first, localAddress: '', localPort: 0, localMark: f[1] };
    } else if (first === '->') {
      if (service === null) throw new ParseError(path, `line ${lineNo}: a real server before any virtual service`);
      const [, addr, , weight, active, inact] = f;
      if (f.length < 6 || !UINT.test(weight ?? '') || !UINT.test(active ?? '') || !UINT.test(inact ?? ''))
        throw new ParseError(path, `line ${lineNo}: a real server line needs address, method, weight and two counts`);
      const r = parseAddrPort(addr ?? '', path, lineNo);
      out.push(
        Object.freeze({
          ...service,
          remoteAddress: r.address,
          remotePort: r.port,
          weight: Number(weight),
          activeConn: Number(active),
          inactConn: Number(inact),
        }),
      );
    } else {
      throw new ParseError(path, `line ${lineNo}: unknown line ${JSON.stringify(line.slice(0, 60))}`);
    }
  }
  return out;
}
