/**
 * /proc/net/udp and udp6 summed: the bytes queued for sending and receiving over every socket (tx_queue and
 * rx_queue, the hexadecimal `TX:RX` fifth column), as node_exporter's udp_queues reports them.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface UdpQueues {
  readonly txQueue: number;
  readonly rxQueue: number;
  /** Socket lines summed. */
  readonly sockets: number;
}

const QUEUES = /^([0-9a-fA-F]{1,16}):([0-9a-fA-F]{1,16})$/;

export function parseUdpQueues(input: Buffer | string, path = '<input>'): UdpQueues {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const lines = text.split('\n');
  if (!/^\s*sl\s+local_address\s/.test(lines[0] ?? ''))
    throw new ParseError(
      path,
      `expected the 'sl local_address ...' header, got ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`,
    );
  let tx = 0;
  let rx = 0;
  let sockets = 0;
  for (let i = 1; i < lines.length; i++) {
    const cols = (lines[i] ?? '')
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '');
    if (cols.length === 0) continue;
    if (cols.length < 10 || !/^\d+:$/.test(cols[0] ?? ''))
      throw new ParseError(path, `line ${i + 1}: not a socket line (${cols.length} columns)`);
    const m = QUEUES.exec(cols[4] ?? '');
    if (m === null)
      throw new ParseError(
        path,
        `line ${i + 1}: not a TX:RX queue pair: ${JSON.stringify((cols[4] ?? '').slice(0, 40))}`,
      );
    tx += parseInt(m[1] ?? '0', 16);
    rx += parseInt(m[2] ?? '0', 16);
    sockets++;
  }
  return Object.freeze({ txQueue: tx, rxQueue: rx, sockets });
}
