/**
 * /proc/pressure/{cpu,io,memory,irq}: PSI lines `some|full avg10=F avg60=F avg300=F total=N` (total in microseconds).
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface PressureLine {
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  /** Cumulative stall time in microseconds. */
  readonly total: number;
}

/** `some` and `full` as the file has them (irq has only `full`; cpu's `full` is 0 system-wide on 5.13+). */
export interface PressureRecord {
  readonly some: PressureLine | null;
  readonly full: PressureLine | null;
}

const LINE = /^(some|full) avg10=(\d+(?:\.\d+)?) avg60=(\d+(?:\.\d+)?) avg300=(\d+(?:\.\d+)?) total=(\d+)$/;

export function parsePressure(input: Buffer | string, path = '<input>'): PressureRecord {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  let some: PressureLine | null = null;
  let full: PressureLine | null = null;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const m = LINE.exec(line);
    if (m === null) throw new ParseError(path, `line ${lineNo}: not a PSI line: ${JSON.stringify(line.slice(0, 80))}`);
    const rec = Object.freeze({ avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), total: Number(m[5]) });
    if (m[1] === 'some') {
      if (some !== null) throw new ParseError(path, `line ${lineNo}: a second 'some' line`);
      some = rec;
    } else {
      if (full !== null) throw new ParseError(path, `line ${lineNo}: a second 'full' line`);
      full = rec;
    }
  }
  if (some === null && full === null) throw new ParseError(path, 'neither a some nor a full line');
  return Object.freeze({ some, full });
}
