/**
 * /proc/net/softnet_stat: one line per online CPU, hexadecimal 32-bit columns. The kernel added columns over time:
 * 9 (2.6.23: processed, dropped, time_squeeze, 5 zeros, cpu_collision), 10 (2.6.39: received_rps),
 * 11 (4.18: flow_limit_count), 13 (5.14: backlog length and the CPU's number), 15 (6.x: input/process queue lengths).
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface SoftnetCpu {
  /** The CPU number: column 13 where the kernel prints it (5.14+), else the line's index (as procfs does). */
  readonly cpu: number;
  readonly processed: number;
  readonly dropped: number;
  readonly timeSqueezed: number;
  readonly cpuCollision: number;
  /** 0 where the kernel has no such column (as procfs reads it). */
  readonly receivedRps: number;
  readonly flowLimitCount: number;
  readonly backlogLen: number;
}

const HEX = /^[0-9a-fA-F]{1,8}$/;
const MIN_COLUMNS = 9;

export function parseSoftnet(input: Buffer | string, path = '<input>'): SoftnetCpu[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: SoftnetCpu[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    const cols = line.trim().split(/\s+/);
    if (cols.length < MIN_COLUMNS)
      throw new ParseError(path, `line ${lineNo}: ${cols.length} columns, expected at least ${MIN_COLUMNS}`);
    const v: number[] = [];
    for (const c of cols) {
      if (!HEX.test(c))
        throw new ParseError(
          path,
          `line ${lineNo}: not a 32-bit hexadecimal number: ${JSON.stringify(c.slice(0, 40))}`,
        );
      v.push(parseInt(c, 16));
    }
    const at = (i: number): number => (i < v.length ? (v[i] as number) : 0);
    out.push(
      Object.freeze({
        cpu: v.length >= 13 ? at(12) : out.length,
        processed: at(0),
        dropped: at(1),
        timeSqueezed: at(2),
        cpuCollision: at(8),
        receivedRps: at(9),
        flowLimitCount: at(10),
        backlogLen: at(11),
      }),
    );
  }
  return out;
}
