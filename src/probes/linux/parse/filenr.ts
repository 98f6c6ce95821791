/**
 * /proc/sys/fs/file-nr: `allocated<TAB>unused<TAB>maximum` (unused is 0 since Linux 2.6).
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface FileNr {
  readonly allocated: number;
  readonly unused: number;
  readonly maximum: number;
}

export function parseFileNr(input: Buffer | string, path = '<input>'): FileNr {
  const text = (typeof input === 'string' ? input : input.toString('utf8')).trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) {
    throw new ParseError(path, `expected three unsigned integers, got ${JSON.stringify(text.slice(0, 80))}`);
  }
  const [allocated, unused, maximum] = parts.map(Number) as [number, number, number];
  return Object.freeze({ allocated, unused, maximum });
}
