/**
 * A udev database entry (/run/udev/data/b<major>:<minor>, see udevadm(8)): only the device property lines
 * `E:KEY=value` matter here; S:, I:, G:, Q:, V: lines are skipped. A line without `=` is skipped, as udev's own reader.
 */
import { ParseError } from '../../errors';

export function parseUdevData(input: Buffer | string, path = '<input>'): Readonly<Record<string, string>> {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.includes('\0')) throw new ParseError(path, 'NUL byte in udev data');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('E:')) continue;
    const eq = line.indexOf('=', 2);
    if (eq <= 2) continue;
    out[line.slice(2, eq)] = line.slice(eq + 1);
  }
  return Object.freeze(out);
}
