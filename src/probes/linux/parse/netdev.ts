/**
 * /proc/net/dev: the 16 counters of every interface (8 receive, 8 transmit), raw.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

/** The 16 columns in the kernel's order, named as node_exporter names its node_network_* families. */
export const NET_DEV_FIELDS = [
  'receiveBytes',
  'receivePackets',
  'receiveErrs',
  'receiveDrop',
  'receiveFifo',
  'receiveFrame',
  'receiveCompressed',
  'receiveMulticast',
  'transmitBytes',
  'transmitPackets',
  'transmitErrs',
  'transmitDrop',
  'transmitFifo',
  'transmitColls',
  'transmitCarrier',
  'transmitCompressed',
] as const;
export type NetDevField = (typeof NET_DEV_FIELDS)[number];

/** Every /proc/net/dev column of one interface. */
export type NetDevCounters = { readonly [K in NetDevField]: number };

const UINT = /^\d+$/;

/**
 * The common case of a counters line, read in place from `from`: at least 16 unsigned decimal numbers separated by
 * spaces or tabs. null for anything else (other whitespace, a sign, a letter, fewer numbers), and the line goes the
 * general way, which gives the same record or the error. What follows the 16th is ignored, as there.
 */
function countersFast(line: string, from: number): NetDevCounters | null {
  const v = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const end = line.length;
  let i = from;
  let c = 0;
  for (let k = 0; k < 16; k++) {
    while (i < end && ((c = line.charCodeAt(i)) === 32 || c === 9)) i++;
    const start = i;
    let n = 0;
    for (; i < end && (c = line.charCodeAt(i)) >= 48 && c <= 57; i++) n = n * 10 + (c - 48);
    if (i === start) return null;
    // The number must end at a separator or the end of the line; past 15 digits the sum is not exact: Number() it.
    if (i < end && c !== 32 && c !== 9) return null;
    v[k] = i - start > 15 ? Number(line.slice(start, i)) : n;
  }
  return Object.freeze({
    receiveBytes: v[0]!,
    receivePackets: v[1]!,
    receiveErrs: v[2]!,
    receiveDrop: v[3]!,
    receiveFifo: v[4]!,
    receiveFrame: v[5]!,
    receiveCompressed: v[6]!,
    receiveMulticast: v[7]!,
    transmitBytes: v[8]!,
    transmitPackets: v[9]!,
    transmitErrs: v[10]!,
    transmitDrop: v[11]!,
    transmitFifo: v[12]!,
    transmitColls: v[13]!,
    transmitCarrier: v[14]!,
    transmitCompressed: v[15]!,
  });
}

/**
 * Parses /proc/net/dev into `{ nic: counters }` in file order. The two header lines (with `|`) and blank lines are
 * skipped; every other line must be `name: 16 numbers` (more columns from a future kernel are ignored).
 */
export function parseNetDev(input: Buffer | string, path = '<input>'): Readonly<Record<string, NetDevCounters>> {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const entries: Array<[string, NetDevCounters]> = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '' || line.includes('|')) continue;
    // Counters can be glued to the colon (`eth0:1234567890 ...`) and names cannot hold ':' (dev_valid_name): split
    // at the last one, as psutil does.
    const colon = line.lastIndexOf(':');
    if (colon <= 0)
      throw new ParseError(path, `line ${lineNo}: no 'name:' prefix in ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim();
    if (name === '') throw new ParseError(path, `line ${lineNo}: empty interface name`);
    const fast = countersFast(line, colon + 1);
    if (fast !== null) {
      entries.push([name, fast]);
      continue;
    }
    const toks = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (toks.length < NET_DEV_FIELDS.length) {
      throw new ParseError(
        path,
        `line ${lineNo} (${name}): expected ${NET_DEV_FIELDS.length} counters, got ${toks.length}`,
      );
    }
    const rec: Record<string, number> = {};
    for (let i = 0; i < NET_DEV_FIELDS.length; i++) {
      const tok = toks[i]!;
      if (!UINT.test(tok)) {
        throw new ParseError(
          path,
          `line ${lineNo} (${name}): ${NET_DEV_FIELDS[i]} is not an unsigned integer: ${JSON.stringify(tok.slice(0, 40))}`,
        );
      }
      rec[NET_DEV_FIELDS[i]!] = Number(tok);
    }
    entries.push([name, Object.freeze(rec) as NetDevCounters]);
  }
  // fromEntries defines own properties, so a NIC literally named `__proto__` stays a key.
  return Object.freeze(Object.fromEntries(entries));
}
