/**
 * /proc/cpuinfo: blank-line separated blocks of `key<tabs>: value` lines. Returns every block as { key: value } with
 * the kernel's keys (trimmed; s390x puts spaces before the colon, psutil 8 #2770), in file order. Blocks without a
 * `processor` key (ARM's trailing Hardware/Revision/Serial block, s390x's summary) are kept: callers pick.
 * Pure: text in, record out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

export type CpuinfoBlock = Readonly<Record<string, string>>;

export function parseCpuinfo(input: Buffer | string, path = '<input>'): readonly CpuinfoBlock[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const blocks: CpuinfoBlock[] = [];
  let cur: Record<string, string> | null = null;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    if (raw.trim() === '') {
      if (cur !== null) blocks.push(Object.freeze(cur));
      cur = null;
      continue;
    }
    const colon = raw.indexOf(':');
    if (colon <= 0)
      throw new ParseError(path, `line ${lineNo} has no 'key: value' form: ${JSON.stringify(raw.slice(0, 60))}`);
    const key = raw.slice(0, colon).trim();
    if (key === '') throw new ParseError(path, `line ${lineNo} has an empty key`);
    cur ??= {};
    cur[key] = raw.slice(colon + 1).trim();
  }
  if (cur !== null) blocks.push(Object.freeze(cur));
  if (blocks.length === 0) throw new ParseError(path, 'no cpu records');
  return Object.freeze(blocks);
}

/**
 * The `cpu MHz` values in file order, scanned straight from the text (psutil's _cpu_get_cpuinfo_freq: lines starting
 * with `cpu mhz`, case-blind), without parsing the rest: cpuFreq() needs only these. Non-numeric values are skipped.
 */
export function cpuinfoMhz(input: Buffer | string): number[] {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    let end = text.indexOf('\n', i);
    if (end === -1) end = text.length;
    if ((text.charCodeAt(i) | 32) === 99 && text.slice(i, i + 7).toLowerCase() === 'cpu mhz') {
      const colon = text.indexOf(':', i);
      if (colon !== -1 && colon < end) {
        const v = text.slice(colon + 1, end).trim();
        const mhz = Number(v);
        if (v !== '' && Number.isFinite(mhz)) out.push(mhz);
      }
    }
    i = end + 1;
  }
  return out;
}
