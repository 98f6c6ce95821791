/**
 * /proc/net/arp: a header (`IP address HW type Flags HW address Mask Device`), then one six-column line per entry.
 * Pure: text in, records out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface ArpEntry {
  readonly ipAddress: string;
  readonly hwType: number;
  readonly flags: number;
  readonly hwAddress: string;
  readonly mask: string;
  readonly device: string;
}

const HEX = /^0x[0-9a-fA-F]+$/;

export function parseArp(input: Buffer | string, path = '<input>'): ArpEntry[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: ArpEntry[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const cols = line
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '');
    if (cols.length === 0) continue;
    if (lineNo === 1 && cols[0] === 'IP' && cols[1] === 'address') continue;
    if (cols.length !== 6) throw new ParseError(path, `line ${lineNo}: ${cols.length} columns, expected 6`);
    const [ip, hwType, flags, hw, mask, device] = cols as [string, string, string, string, string, string];
    if (!/^[0-9a-fA-F.:]+$/.test(ip))
      throw new ParseError(path, `line ${lineNo}: not an IP address: ${JSON.stringify(ip.slice(0, 40))}`);
    if (!HEX.test(hwType) || !HEX.test(flags))
      throw new ParseError(path, `line ${lineNo}: HW type and flags must be 0x-hexadecimal`);
    out.push(
      Object.freeze({
        ipAddress: ip,
        hwType: parseInt(hwType, 16),
        flags: parseInt(flags, 16),
        hwAddress: hw,
        mask,
        device,
      }),
    );
  }
  return out;
}
