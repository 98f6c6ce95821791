/**
 * /proc/<pid>/io: `key: value` lines (rchar, wchar, syscr, syscw, read_bytes, write_bytes, cancelled_write_bytes).
 * Blank or odd lines are skipped (psutil #1004); an empty file or a missing key is a ParseError.
 */
import { ParseError } from '../../errors';

export interface PidIo {
  readonly rchar: number;
  readonly wchar: number;
  readonly syscr: number;
  readonly syscw: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly cancelledWriteBytes: number;
}

export function parsePidIo(input: Buffer | string, path = '<input>'): PidIo {
  const text = typeof input === 'string' ? input : input.toString('latin1', 0, input.length);
  const f = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const i = line.indexOf(': ');
    if (i <= 0) continue;
    const v = Number(line.slice(i + 2).trim());
    if (Number.isFinite(v)) f.set(line.slice(0, i), v);
  }
  if (f.size === 0) throw new ParseError(path, 'empty');
  const get = (k: string): number => {
    const v = f.get(k);
    if (v === undefined) throw new ParseError(path, `no '${k}' field; found ${[...f.keys()].join(', ')}`);
    return v;
  };
  return {
    rchar: get('rchar'),
    wchar: get('wchar'),
    syscr: get('syscr'),
    syscw: get('syscw'),
    readBytes: get('read_bytes'),
    writeBytes: get('write_bytes'),
    cancelledWriteBytes: f.get('cancelled_write_bytes') ?? 0,
  };
}
