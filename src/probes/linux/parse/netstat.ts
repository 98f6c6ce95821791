/**
 * /proc/net/netstat and /proc/net/snmp (pairs of `Proto: names` / `Proto: values` lines) and /proc/net/snmp6
 * (`Ip6InReceives  7` lines), as `{ Proto: { Field: value } }` for node_netstat_<Proto>_<Field>.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export type NetstatRecord = Readonly<Record<string, Readonly<Record<string, number>>>>;

// Values are signed (Tcp MaxConn is -1) and can be u64 counters (kept as number: counters, not identities).
const INT = /^-?\d+$/;

function toText(input: Buffer | string): string {
  return typeof input === 'string' ? input : input.toString('utf8');
}

function splitProto(line: string, lineNo: number, path: string): [string, string[]] {
  const colon = line.indexOf(':');
  if (colon <= 0)
    throw new ParseError(path, `line ${lineNo}: no 'Proto:' prefix in ${JSON.stringify(line.slice(0, 80))}`);
  const rest = line.slice(colon + 1).trim();
  return [line.slice(0, colon).trim(), rest === '' ? [] : rest.split(/\s+/)];
}

/**
 * Fields by protocol, unfrozen: what the parsers add to (netstat() merges its three files into one and freezes the
 * result once; freezing each file's records first, then copying them, was a third of its CPU).
 */
export type NetstatFields = Map<string, Record<string, number>>;

/** /proc/net/netstat or /proc/net/snmp: a header line then a value line per protocol. */
export function parseNetstat(input: Buffer | string, path = '<input>'): NetstatRecord {
  return freeze(addNetstat(new Map(), input, path));
}

/** parseNetstat's fields added to `out` (a field of a protocol already there is replaced). */
export function addNetstat(out: NetstatFields, input: Buffer | string, path = '<input>'): NetstatFields {
  const lines = toText(input)
    .split('\n')
    .filter((l) => l.trim() !== '');
  for (let i = 0; i < lines.length; i += 2) {
    const [proto, names] = splitProto(lines[i]!, i + 1, path);
    if (i + 1 >= lines.length) throw new ParseError(path, `line ${i + 1} (${proto}): header without a value line`);
    const [proto2, values] = splitProto(lines[i + 1]!, i + 2, path);
    if (proto2 !== proto)
      throw new ParseError(path, `line ${i + 2}: value line for '${proto2}' follows the header of '${proto}'`);
    if (names.length !== values.length) {
      throw new ParseError(path, `line ${i + 2} (${proto}): ${names.length} names but ${values.length} values`);
    }
    let fields = out.get(proto);
    if (fields === undefined) {
      fields = {};
      out.set(proto, fields);
    }
    for (let k = 0; k < names.length; k++) {
      const v = values[k]!;
      if (!INT.test(v))
        throw new ParseError(
          path,
          `line ${i + 2} (${proto} ${names[k]}): not an integer: ${JSON.stringify(v.slice(0, 40))}`,
        );
      fields[names[k]!] = Number(v);
    }
  }
  return out;
}

/**
 * /proc/net/snmp6: one `NameValue` pair a line. The protocol is the name up to and including its first '6'
 * (`Icmp6InMsgs` -> Icmp6 / InMsgs), as node_exporter splits it; lines whose name has no '6' are skipped as
 * node_exporter does (none exist today).
 */
export function parseSnmp6(input: Buffer | string, path = '<input>'): NetstatRecord {
  return freeze(addSnmp6(new Map(), input, path));
}

/** parseSnmp6's fields added to `out` (a field of a protocol already there is replaced). */
export function addSnmp6(out: NetstatFields, input: Buffer | string, path = '<input>'): NetstatFields {
  let lineNo = 0;
  for (const line of toText(input).split('\n')) {
    lineNo++;
    const toks = line.trim().split(/\s+/);
    if (toks.length === 1 && toks[0] === '') continue;
    if (toks.length !== 2)
      throw new ParseError(path, `line ${lineNo}: expected 'Name value', got ${JSON.stringify(line.slice(0, 80))}`);
    const [name, v] = toks as [string, string];
    if (!INT.test(v))
      throw new ParseError(path, `line ${lineNo} (${name}): not an integer: ${JSON.stringify(v.slice(0, 40))}`);
    const six = name.indexOf('6');
    if (six < 0 || six === name.length - 1) continue;
    const proto = name.slice(0, six + 1);
    let fields = out.get(proto);
    if (fields === undefined) {
      fields = {};
      out.set(proto, fields);
    }
    fields[name.slice(six + 1)] = Number(v);
  }
  return out;
}

/** The record of parsed fields: each protocol's fields frozen, and the whole. */
export function freeze(m: NetstatFields): NetstatRecord {
  const out: Record<string, Readonly<Record<string, number>>> = {};
  for (const [proto, fields] of m) out[proto] = Object.freeze(fields);
  return Object.freeze(out);
}
