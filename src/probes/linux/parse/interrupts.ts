/**
 * /proc/interrupts: a header of CPU columns, then `NAME: count per CPU, then details`. Numbered IRQs give the chip
 * (`IO-APIC`, `PCI-MSIX-0000:00:01.0`) then the hwirq/trigger and device names; named ones (`LOC`, `NMI`) a
 * description. Lines with fewer counts than CPUs (`ERR:`, `MIS:`) are left out, as node_exporter does.
 * Pure: text in, records out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export interface InterruptLine {
  /** The name before the colon: `0`, `24`, `LOC`, `IPI0`. */
  readonly name: string;
  /** Numbered IRQs: the chip; named ones: the description (node_exporter's `info`). */
  readonly info: string;
  /** Numbered IRQs: the rest of the line, space-separated; named ones: '' (node_exporter's `devices`). */
  readonly devices: string;
  /** One count per CPU column of the header. */
  readonly counts: readonly number[];
}

export function parseInterrupts(input: Buffer | string, path = '<input>'): InterruptLine[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const lines = text.split('\n');
  const header = (lines[0] ?? '')
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  if (header.length === 0 || !header.every((h) => /^CPU\d+$/.test(h))) {
    throw new ParseError(
      path,
      `expected a header of CPU columns, got ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`,
    );
  }
  const ncpu = header.length;
  const out: InterruptLine[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    // aarch64 prints `IPI0:` with no space before the counts: split at the first colon.
    const colon = line.indexOf(':');
    if (colon < 0)
      throw new ParseError(path, `line ${i + 1}: no 'NAME:' prefix in ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim();
    const parts = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '');
    if (parts.length < ncpu + 1) continue;
    const counts: number[] = [];
    for (let c = 0; c < ncpu; c++) {
      const v = parts[c] ?? '';
      if (!/^\d+$/.test(v))
        throw new ParseError(path, `line ${i + 1} (${name}): not a count: ${JSON.stringify(v.slice(0, 40))}`);
      counts.push(Number(v));
    }
    const numbered = /^\d+$/.test(name);
    out.push(
      Object.freeze({
        name,
        info: numbered ? (parts[ncpu] ?? '') : parts.slice(ncpu).join(' '),
        devices: numbered ? parts.slice(ncpu + 1).join(' ') : '',
        counts: Object.freeze(counts),
      }),
    );
  }
  return out;
}
