/**
 * /proc/<pid>/cgroup: one `hierarchy-id:controller-list:cgroup-path` line per hierarchy the process belongs to
 * (man 7 cgroups). cgroup v1 lines list their controllers (`4:memory:/docker/<id>`, `9:name=systemd:/`); the v2
 * unified hierarchy is `0::/path`. The path is everything after the second colon (it may hold colons itself); the
 * kernel refuses cgroup names with a newline, so a line is always one entry. An empty file (a kernel without cgroups)
 * is no entries; a line without two colons or with a non-numeric id is a ParseError.
 */
import { ParseError } from '../../errors';
import { fsdecode } from '../../../util/fsencoding';

export interface CgroupEntry {
  /** 0 for the unified (v2) hierarchy. */
  readonly hierarchyId: number;
  /** The v1 controllers of the hierarchy (`name=systemd` for a named one); [] for v2. */
  readonly controllers: readonly string[];
  /** The cgroup path relative to the hierarchy's root, as the kernel prints it. */
  readonly path: string;
}

const DIGITS = /^\d{1,10}$/;

export function parseCgroup(input: Buffer | string, path = '<input>'): CgroupEntry[] {
  // Paths are bytes: each one is kept (fsdecode, psutil's surrogateescape), never an exception.
  const text = typeof input === 'string' ? input : fsdecode(input);
  const out: CgroupEntry[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line === '') continue;
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0)
      throw new ParseError(path, `line ${lineNo}: not id:controllers:path: ${JSON.stringify(line.slice(0, 80))}`);
    const id = line.slice(0, a);
    if (!DIGITS.test(id))
      throw new ParseError(path, `line ${lineNo}: hierarchy id ${JSON.stringify(id.slice(0, 20))} is not a number`);
    const ctl = line.slice(a + 1, b);
    out.push({ hierarchyId: Number(id), controllers: ctl === '' ? [] : ctl.split(','), path: line.slice(b + 1) });
  }
  return out;
}
