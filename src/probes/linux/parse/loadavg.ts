/**
 * /proc/loadavg: `0.21 0.37 0.39 1/719 19737` -> the three load averages, runnable/total scheduling entities, and the
 * last PID handed out. Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface Loadavg {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
  readonly runnable: number;
  readonly total: number;
  readonly lastPid: number;
}

const LINE = /^\s*(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s+(\d+)\/(\d+)\s+(\d+)\s*$/;

export function parseLoadavg(input: Buffer | string, path = '<input>'): Loadavg {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const m = LINE.exec(text);
  if (m === null)
    throw new ParseError(path, `expected 'l1 l5 l15 runnable/total lastpid', got ${JSON.stringify(text.slice(0, 60))}`);
  return Object.freeze({
    load1: Number(m[1]),
    load5: Number(m[2]),
    load15: Number(m[3]),
    runnable: Number(m[4]),
    total: Number(m[5]),
    lastPid: Number(m[6]),
  });
}
