/**
 * /proc/mdstat: the md (software RAID) devices, read as prometheus/procfs reads them for node_exporter's mdadm
 * collector. Per device: `mdN : active|inactive [(read-only)] [level] dev[n][(F)|(S)] ...`, then the status line
 * (`<blocks> blocks ... [total/active] [UU_]`), then an optional bitmap line and an optional sync line
 * (`recovery = 8.5% (16775552/195310144) ...`, `resync=DELAYED`, `check = ...`). Pure: text in, records out,
 * ParseError on anything malformed.
 */
import { ParseError } from '../../errors';

/** What the device is doing: `active`/`inactive` from its first line, or the sync in progress. */
export type MdActivityState = 'active' | 'inactive' | 'recovering' | 'resyncing' | 'checking';

export interface MdDevice {
  readonly name: string;
  readonly activityState: MdActivityState;
  /** Disks in use: the status line's second number; raid0/linear: every member; inactive: 0. */
  readonly disksActive: number;
  /** Members marked (F). */
  readonly disksFailed: number;
  /** Members marked (S). */
  readonly disksSpare: number;
  /** `_` slots of the status line: members the array lacks. */
  readonly disksDown: number;
  /** Disks the array is made of: the status line's first number; raid0/linear: every member; inactive: 0. */
  readonly disksTotal: number;
  /** Size in 1 KiB blocks. */
  readonly blocksTotal: number;
  /** Blocks synced so far: blocksTotal unless a sync runs (0 while it is DELAYED or PENDING). */
  readonly blocksSynced: number;
}

const STATUS = /(\d+) blocks .*\[(\d+)\/(\d+)\] \[([U_]+)\]/;
const SYNCED = /\((\d+)\/\d+\)/;

function count(s: string, sub: string): number {
  return s.split(sub).length - 1;
}

export function parseMdstat(input: Buffer | string, path = '<input>'): MdDevice[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const lines = text.split('\n');
  const out: MdDevice[] = [];
  // md_seq_show prints the Personalities line first, whatever the devices: a file without it is not mdstat.
  if (!lines.some((l) => l.startsWith('Personalities :')))
    throw new ParseError(path, 'no Personalities line: not an mdstat file');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '' || line[0] === ' ' || line[0] === '\t') continue;
    if (line.startsWith('Personalities') || line.startsWith('unused')) continue;
    const fields = line.trim().split(/\s+/);
    const name = fields[0] as string;
    if (fields.length < 3 || fields[1] !== ':')
      throw new ParseError(path, `line ${i + 1}: not a device line: ${JSON.stringify(line.slice(0, 80))}`);
    const statusLine = lines[i + 1];
    if (statusLine === undefined || statusLine.trim() === '')
      throw new ParseError(path, `line ${i + 1}: ${name} has no status line`);
    const blocksText = statusLine.trim().split(/\s+/)[0] as string;
    if (!/^\d+$/.test(blocksText))
      throw new ParseError(path, `line ${i + 2}: ${name}'s status line does not start with its block count`);
    const blocksTotal = Number(blocksText);
    let state = fields[2] as string;
    if (state !== 'active' && state !== 'inactive')
      throw new ParseError(path, `line ${i + 1}: ${name} is neither active nor inactive: ${JSON.stringify(state)}`);
    let active: number;
    let total: number;
    let down = 0;
    // raid0 and linear print no [n/m] [UU] status: every bracketed member counts (the [n] after each name).
    if (line.includes('raid0') || line.includes('linear')) {
      total = active = count(line, '[');
    } else if (state === 'inactive') {
      total = active = 0;
    } else {
      const m = STATUS.exec(statusLine);
      if (m === null)
        throw new ParseError(path, `line ${i + 2}: ${name}'s status line has no [total/active] [U_] part`);
      total = Number(m[2]);
      active = Number(m[3]);
      down = count(m[4] as string, '_');
    }
    let syncIdx = i + 2;
    if ((lines[syncIdx] ?? '').includes('bitmap')) syncIdx++;
    const syncLine = lines[syncIdx] ?? '';
    // Only a continuation line (indented) can be this device's sync line.
    const sync = syncLine.startsWith(' ') || syncLine.startsWith('\t') ? syncLine : '';
    let blocksSynced = blocksTotal;
    const recovering = sync.includes('recovery');
    const resyncing = sync.includes('resync');
    const checking = sync.includes('check');
    // As procfs 0.8 (node_exporter 1.5): a reshape is not a state of its own, the device reads active and synced.
    if (recovering || resyncing || checking) {
      state = recovering ? 'recovering' : checking ? 'checking' : 'resyncing';
      if (sync.includes('PENDING') || sync.includes('DELAYED')) {
        blocksSynced = 0;
      } else {
        const m = SYNCED.exec(sync);
        if (m === null) throw new ParseError(path, `line ${syncIdx + 1}: ${name}'s sync line has no (done/total)`);
        blocksSynced = Number(m[1]);
      }
    }
    out.push(
      Object.freeze({
        name,
        activityState: state as MdActivityState,
        disksActive: active,
        disksFailed: count(line, '(F)'),
        disksSpare: count(line, '(S)'),
        disksDown: down,
        disksTotal: total,
        blocksTotal,
        blocksSynced,
      }),
    );
  }
  return out;
}
