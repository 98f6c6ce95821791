/**
 * /proc/softirqs: a header of `CPU<n>` columns (online CPUs only: an offline CPU's column is absent), then one
 * `NAME: count count ...` line per softirq vector (HI, TIMER, NET_TX, NET_RX, BLOCK, IRQ_POLL, TASKLET, SCHED,
 * HRTIMER, RCU on every kernel since 4.x). Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface SoftirqLine {
  /** The vector's name as the kernel prints it (`NET_RX`). */
  readonly name: string;
  /** One count per column of the header, in its order. */
  readonly counts: readonly number[];
}

export interface Softirqs {
  /** The CPU numbers of the header's columns, in file order. */
  readonly cpus: readonly number[];
  readonly lines: readonly SoftirqLine[];
}

export function parseSoftirqs(input: Buffer | string, path = '<input>'): Softirqs {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const rows = text.split('\n');
  const header = (rows[0] ?? '').trim();
  const cpus: number[] = [];
  for (const col of header === '' ? [] : header.split(/\s+/)) {
    const m = /^CPU(\d+)$/.exec(col);
    if (m === null) throw new ParseError(path, `header column ${JSON.stringify(col.slice(0, 20))} is not CPU<n>`);
    cpus.push(Number(m[1]));
  }
  if (cpus.length === 0) throw new ParseError(path, 'no CPU columns in the header');
  const lines: SoftirqLine[] = [];
  for (let i = 1; i < rows.length; i++) {
    const t = (rows[i] as string).trim();
    if (t === '') continue;
    const colon = t.indexOf(':');
    if (colon <= 0) throw new ParseError(path, `line ${i + 1} has no 'NAME:' prefix`);
    const name = t.slice(0, colon);
    if (!/^[A-Z_0-9]+$/.test(name))
      throw new ParseError(path, `line ${i + 1}: bad vector name ${JSON.stringify(name)}`);
    const toks = t
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (toks.length !== cpus.length || !toks.every((x) => /^\d+$/.test(x)))
      throw new ParseError(path, `line ${i + 1} (${name}) has not ${cpus.length} counts`);
    lines.push(Object.freeze({ name, counts: Object.freeze(toks.map(Number)) }));
  }
  return Object.freeze({ cpus: Object.freeze(cpus), lines: Object.freeze(lines) });
}
