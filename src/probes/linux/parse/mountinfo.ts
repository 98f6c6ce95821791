/**
 * /proc/<pid>/mountinfo (proc(5)):
 *   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)         (6)       (7...)   (8)(9)   (10)      (11)
 * Optional fields (7) run up to the lone '-'. Paths and sources are escaped by the kernel (`\040` for a space, ...) and
 * are unescaped here. Pure: text in, records out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';
import { fsdecode } from '../../../util/fsencoding';
import { unescapeMountField } from './mounts';

export interface MountInfoEntry {
  readonly mountId: number;
  readonly parentId: number;
  /** st_dev of the mounted filesystem (`major:minor`). */
  readonly major: number;
  readonly minor: number;
  /** The directory of the filesystem that forms this mount's root (a bind mount's subdirectory). */
  readonly root: string;
  readonly mountPoint: string;
  /** Per-mount options (rw, nosuid, relatime, ...). */
  readonly options: string;
  /** Tagged fields such as `shared:1`, `master:2`, `propagate_from:3`, `unbindable`. */
  readonly optionalFields: readonly string[];
  readonly fstype: string;
  /** The mount source ('/dev/sda1', 'tmpfs', 'host:/export'); 'none' stays 'none'. */
  readonly source: string;
  /** Per-superblock options. */
  readonly superOptions: string;
}

const UINT = /^\d+$/;

export function parseMountinfo(input: Buffer | string, path = '<input>'): readonly MountInfoEntry[] {
  // Paths and sources are bytes: each one is kept (fsdecode), as parseMounts keeps them.
  const text = typeof input === 'string' ? input : fsdecode(input);
  const out: MountInfoEntry[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    const bad = (msg: string): ParseError =>
      new ParseError(path, `line ${lineNo}: ${msg}: ${JSON.stringify(line.slice(0, 120))}`);
    // The separator is the first lone '-' field: real spaces inside fields are always escaped as \040.
    const sep = line.indexOf(' - ');
    if (sep < 0) throw bad("no ' - ' separator");
    // Before the separator fields are never empty, so runs of blanks are one separator (procfs's fixture has '/  /root').
    const head = line.slice(0, sep).trim().split(/\s+/);
    // After it there are exactly three fields; an empty source ('ext4  rw') is a real, empty field.
    const tail = line
      .slice(sep + 3)
      .replace(/\s+$/, '')
      .split(' ');
    if (head.length < 6) throw bad(`expected at least 6 fields before ' - ', got ${head.length}`);
    if (tail.length !== 3) throw bad(`expected 3 fields after ' - ', got ${tail.length}`);
    const [id, parent, devno, root, mountPoint, options] = head as [string, string, string, string, string, string];
    if (!UINT.test(id) || !UINT.test(parent)) throw bad('mount id and parent id must be unsigned integers');
    const dm = /^(\d+):(\d+)$/.exec(devno);
    if (dm === null) throw bad(`bad major:minor ${JSON.stringify(devno)}`);
    const [fstype, source, superOptions] = tail as [string, string, string];
    if (fstype === '') throw bad('empty filesystem type');
    // The root is not always a path: an nsfs mount (ip netns add) has 'net:[4026532177]' there.
    if (!mountPoint.startsWith('/')) throw bad('mount point must be an absolute path');
    out.push(
      Object.freeze({
        mountId: Number(id),
        parentId: Number(parent),
        major: Number(dm[1]),
        minor: Number(dm[2]),
        root: unescapeMountField(root),
        mountPoint: unescapeMountField(mountPoint),
        options: unescapeMountField(options),
        optionalFields: Object.freeze(head.slice(6)),
        fstype: unescapeMountField(fstype),
        source: unescapeMountField(source),
        superOptions: unescapeMountField(superOptions),
      }),
    );
  }
  // Every mount namespace has at least its root mount: an empty table is not a real one.
  if (out.length === 0) throw new ParseError(path, 'no mount entries');
  return Object.freeze(out);
}
