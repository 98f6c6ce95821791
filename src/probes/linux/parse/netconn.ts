/**
 * /proc/net/{tcp,tcp6,udp,udp6} and /proc/net/unix: the socket tables behind netConnections() and
 * Process.netConnections(), and the cheap per-state TCP count behind tcpConnectionStates().
 * Pure: text in, records out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';
import { fsdecode } from '../../../util/fsencoding';
import {
  CONN_CLOSE,
  CONN_CLOSE_WAIT,
  CONN_CLOSING,
  CONN_ESTABLISHED,
  CONN_FIN_WAIT1,
  CONN_FIN_WAIT2,
  CONN_LAST_ACK,
  CONN_LISTEN,
  CONN_SYN_RECV,
  CONN_SYN_SENT,
  CONN_TIME_WAIT,
  type ConnectionStatus,
} from '../../constants';

/** include/net/tcp_states.h, as psutil's TCP_STATUSES ("01" .. "0B"). */
export const TCP_STATUSES: ReadonlyMap<number, ConnectionStatus> = new Map<number, ConnectionStatus>([
  [0x01, CONN_ESTABLISHED],
  [0x02, CONN_SYN_SENT],
  [0x03, CONN_SYN_RECV],
  [0x04, CONN_FIN_WAIT1],
  [0x05, CONN_FIN_WAIT2],
  [0x06, CONN_TIME_WAIT],
  [0x07, CONN_CLOSE],
  [0x08, CONN_CLOSE_WAIT],
  [0x09, CONN_LAST_ACK],
  [0x0a, CONN_LISTEN],
  [0x0b, CONN_CLOSING],
]);

/** An inet endpoint, psutil's `addr(ip, port)`. */
export type InetAddr = { readonly ip: string; readonly port: number };

export interface InetSocket {
  /** null where psutil gives `()`: port 0 (a listening socket's peer, an unbound socket). */
  readonly laddr: InetAddr | null;
  readonly raddr: InetAddr | null;
  /** The raw `st` column (TCP state number; 07 for unconnected UDP, 01 for connected UDP). */
  readonly state: number;
  /** Decimal text, the key /proc/<pid>/fd links use (`socket:[N]`). */
  readonly inode: string;
}

export interface UnixSocket {
  /** SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5. */
  readonly type: number;
  readonly inode: string;
  /** The bound path, `@name` for abstract sockets, '' when unbound. */
  readonly path: string;
}

/** Which inodes to keep (a Set or Map of `socket:[N]` numbers); lines of other inodes are skipped undecoded. */
export interface InodeFilter {
  has(inode: string): boolean;
}

/** Whether this host stores 32-bit words little-endian: /proc/net/tcp prints addresses as host-order words. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const HEX = /^[0-9A-Fa-f]+$/;
const DIGITS = /^\d+$/;

function hexByte(s: string, i: number): number {
  return parseInt(s.slice(i, i + 2), 16);
}

/**
 * RFC 5952 text of 16 bytes exactly as glibc's inet_ntop (which psutil's socket.inet_ntop calls) writes it: the
 * first longest run of >= 2 zero words becomes `::`, and `::a.b.c.d` / `::ffff:a.b.c.d` keep a dotted IPv4 tail.
 */
export function formatIpv6(bytes: ArrayLike<number>): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestBase = -1,
    bestLen = 0,
    curBase = -1,
    curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      return out;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/**
 * `0500000A:0016` -> { ip: '10.0.0.5', port: 22 }; port 0 -> null (psutil's `()`).
 * IPv4 is one host-order 32-bit word; IPv6 is four of them, each byte-swapped on little-endian hosts (psutil #201).
 */
export function decodeInetAddress(
  tok: string,
  family: number,
  path = '<input>',
  littleEndian = HOST_LITTLE_ENDIAN,
  lineNo?: number,
): InetAddr | null {
  const colon = tok.indexOf(':');
  const hex = colon < 0 ? '' : tok.slice(0, colon);
  const portHex = colon < 0 ? '' : tok.slice(colon + 1);
  const want = family === 10 ? 32 : 8;
  if (hex.length !== want || !HEX.test(hex) || portHex.length === 0 || portHex.length > 4 || !HEX.test(portHex)) {
    const where = lineNo === undefined ? '' : `line ${lineNo}: `;
    throw new ParseError(
      path,
      `${where}bad ${family === 10 ? 'IPv6' : 'IPv4'} address ${JSON.stringify(tok.slice(0, 60))}`,
    );
  }
  const port = parseInt(portHex, 16);
  if (port === 0) return null;
  if (family !== 10) {
    const ip = littleEndian
      ? `${hexByte(hex, 6)}.${hexByte(hex, 4)}.${hexByte(hex, 2)}.${hexByte(hex, 0)}`
      : `${hexByte(hex, 0)}.${hexByte(hex, 2)}.${hexByte(hex, 4)}.${hexByte(hex, 6)}`;
    return Object.freeze({ ip, port });
  }
  const bytes = new Array<number>(16);
  for (let w = 0; w < 4; w++) {
    for (let b = 0; b < 4; b++) {
      const src = w * 8 + (littleEndian ? (3 - b) * 2 : b * 2);
      bytes[w * 4 + b] = hexByte(hex, src);
    }
  }
  return Object.freeze({ ip: formatIpv6(bytes), port });
}

function lines(input: Buffer | string): string[] {
  return (typeof input === 'string' ? input : input.toString('utf8')).split('\n');
}

/** Lines whose paths keep every byte (fsdecode, psutil's surrogateescape): a socket path can be connected to again. */
function pathLines(input: Buffer | string): string[] {
  return (typeof input === 'string' ? input : fsdecode(input)).split('\n');
}

function isHeader(line: string): boolean {
  return line.includes('local_address');
}

/**
 * /proc/net/tcp, tcp6, udp, udp6 (family 2 for the first and third, 10 for the *6 files). The header line is
 * skipped; every other non-blank line needs the 10 columns psutil reads (`sl local rem st ... inode`).
 */
export function parseInetSockets(
  input: Buffer | string,
  family: number,
  path = '<input>',
  opts: { only?: InodeFilter; littleEndian?: boolean } = {},
): InetSocket[] {
  const out: InetSocket[] = [];
  const le = opts.littleEndian ?? HOST_LITTLE_ENDIAN;
  let lineNo = 0;
  for (const line of lines(input)) {
    lineNo++;
    if (isHeader(line)) continue;
    const t = line.trim();
    if (t === '') continue;
    const toks = t.split(/\s+/);
    if (toks.length < 10)
      throw new ParseError(path, `line ${lineNo}: expected at least 10 columns, got ${toks.length}`);
    const inode = toks[9]!;
    if (!DIGITS.test(inode))
      throw new ParseError(path, `line ${lineNo}: inode is not a number: ${JSON.stringify(inode.slice(0, 40))}`);
    if (opts.only && !opts.only.has(inode)) continue;
    const st = toks[3]!;
    if (st.length > 2 || !HEX.test(st))
      throw new ParseError(path, `line ${lineNo}: bad state ${JSON.stringify(st.slice(0, 40))}`);
    out.push({
      laddr: decodeInetAddress(toks[1]!, family, path, le, lineNo),
      raddr: decodeInetAddress(toks[2]!, family, path, le, lineNo),
      state: parseInt(st, 16),
      inode,
    });
  }
  return out;
}

/** Bytes in the send and receive queues, summed over sockets (tx_queue:rx_queue, the fifth column). */
export interface TcpQueueTotals {
  tx: number;
  rx: number;
}

/**
 * Counts /proc/net/tcp or tcp6 lines by state without decoding addresses: index = state number (1..11 are the
 * TCP states; 0 and 12..15 stay for odd kernels and are reported by the caller as it sees fit). With `queues`, also
 * sums the tx_queue:rx_queue column into it (a listener's rx_queue is its accept backlog, as the kernel prints it).
 */
export function countTcpStates(
  input: Buffer | string,
  path = '<input>',
  into: number[] = new Array<number>(16).fill(0),
  queues?: TcpQueueTotals,
): number[] {
  let lineNo = 0;
  for (const line of lines(input)) {
    lineNo++;
    if (isHeader(line)) continue;
    const t = line.trim();
    if (t === '') continue;
    const toks = t.split(/\s+/, 5);
    const st = toks[3];
    if (st === undefined || st.length > 2 || !HEX.test(st)) {
      throw new ParseError(path, `line ${lineNo}: bad or missing state column`);
    }
    const n = parseInt(st, 16);
    into[n] = (into[n] ?? 0) + 1;
    if (queues !== undefined) {
      const m = QUEUES.exec(toks[4] ?? '');
      if (m === null) throw new ParseError(path, `line ${lineNo}: bad or missing tx_queue:rx_queue column`);
      queues.tx += parseInt(m[1] as string, 16);
      queues.rx += parseInt(m[2] as string, 16);
    }
  }
  return into;
}

const QUEUES = /^([0-9A-Fa-f]{1,16}):([0-9A-Fa-f]{1,16})$/;

/**
 * /proc/net/unix: `Num RefCount Protocol Flags Type St Inode [Path]`. The kernel writes one space then the path
 * after the (space-padded) inode, so the path is the rest of the line: paths with spaces survive (psutil splits on
 * whitespace and would drop them). Lines without any space are skipped, as psutil does (#766).
 */
export function parseUnixSockets(
  input: Buffer | string,
  path = '<input>',
  opts: { only?: InodeFilter } = {},
): UnixSocket[] {
  const out: UnixSocket[] = [];
  let lineNo = 0;
  for (const line of pathLines(input)) {
    lineNo++;
    if (line.trim() === '' || line.startsWith('Num ')) continue;
    if (!line.includes(' ')) continue;
    // Walk the first 7 whitespace-separated tokens, remembering where the 7th ends.
    const toks: string[] = [];
    let i = 0;
    while (toks.length < 7 && i < line.length) {
      while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
      const start = i;
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') i++;
      if (i > start) toks.push(line.slice(start, i));
    }
    if (toks.length < 7) throw new ParseError(path, `line ${lineNo}: expected at least 7 columns, got ${toks.length}`);
    const type = toks[4]!;
    const inode = toks[6]!;
    if (!HEX.test(type))
      throw new ParseError(path, `line ${lineNo}: bad socket type ${JSON.stringify(type.slice(0, 40))}`);
    if (!DIGITS.test(inode))
      throw new ParseError(path, `line ${lineNo}: inode is not a number: ${JSON.stringify(inode.slice(0, 40))}`);
    if (opts.only && !opts.only.has(inode)) continue;
    const rest = line.slice(i);
    out.push({
      type: parseInt(type, 16),
      inode,
      path: rest.startsWith(' ') ? rest.slice(1).replace(/\r$/, '') : rest.trim(),
    });
  }
  return out;
}
