/**
 * /proc/schedstat (version 15+): `version N`, `timestamp N`, then per CPU a `cpuN` line of nine counters followed by
 * its `domainN` lines. The last three counters of a cpu line are the time spent running and waiting (ns) and the
 * timeslices run. Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface SchedstatCpu {
  /** The number after `cpu`, as text (node_exporter's `cpu` label). */
  readonly cpu: string;
  readonly runningNanoseconds: number;
  readonly waitingNanoseconds: number;
  readonly timeslices: number;
}

const CPU_LINE = /^cpu(\d+)((?: \d+){9,})$/;

export function parseSchedstat(input: Buffer | string, path = '<input>'): SchedstatCpu[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: SchedstatCpu[] = [];
  let version = false;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    if (/^version \d+$/.test(line)) {
      version = true;
      continue;
    }
    if (!version)
      throw new ParseError(
        path,
        `line ${lineNo}: expected 'version N' first, got ${JSON.stringify(line.slice(0, 60))}`,
      );
    if (/^timestamp \d+$/.test(line) || /^domain\d+ /.test(line)) continue;
    const m = CPU_LINE.exec(line);
    if (m === null)
      throw new ParseError(
        path,
        `line ${lineNo}: not a cpu, domain or timestamp line: ${JSON.stringify(line.slice(0, 60))}`,
      );
    const n = (m[2] ?? '').trim().split(' ').map(Number);
    out.push(
      Object.freeze({
        cpu: m[1] ?? '',
        runningNanoseconds: n[6] ?? 0,
        waitingNanoseconds: n[7] ?? 0,
        timeslices: n[8] ?? 0,
      }),
    );
  }
  if (!version) throw new ParseError(path, "no 'version N' line");
  return out;
}
