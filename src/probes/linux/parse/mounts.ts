/**
 * /proc/<pid>/mounts (and /etc/mtab): fstab-format lines, read the way glibc's getmntent(3) reads them (psutil's
 * disk_partitions goes through getmntent). Also /proc/filesystems, which decides what disk_partitions(all=False) keeps.
 * Pure: text in, records out, ParseError on anything malformed.
 */
import { ParseError } from '../../errors';
import { fsdecode } from '../../../util/fsencoding';

export interface MountEntry {
  /** mnt_fsname: the device or source ('none', 'proc', '/dev/sda1', 'host:/export'). */
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
  readonly opts: string;
}

/**
 * Undoes the kernel's mangle() escapes as glibc's decode_name does: `\040` space, `\011` tab, `\012` newline, `\134`
 * and `\\` backslash. Other backslashes stay as they are.
 */
export function unescapeMountField(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(040|011|012|134|\\)/g, (_m, code: string) => {
    switch (code) {
      case '040':
        return ' ';
      case '011':
        return '\t';
      case '012':
        return '\n';
      default:
        return '\\';
    }
  });
}

/**
 * Parses a mounts file. Blank lines and '#' comments are skipped (getmntent does the same); every other line needs at
 * least the four fields device, mount point, type and options.
 */
export function parseMounts(input: Buffer | string, path = '<input>'): readonly MountEntry[] {
  // Devices and mount points are bytes (getmntent's, which psutil decodes with surrogateescape): each one is kept.
  const text = typeof input === 'string' ? input : fsdecode(input);
  const out: MountEntry[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const trimmed = line.replace(/^[ \t]+/, '');
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const f = trimmed.split(/[ \t]+/).filter((x) => x !== '');
    if (f.length < 4) {
      throw new ParseError(
        path,
        `line ${lineNo}: expected 'device mountpoint fstype options ...', got ${f.length} field(s): ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    // The kernel shows every mount point as an absolute path (relative to the reader's root).
    if (!f[1]!.startsWith('/')) {
      throw new ParseError(
        path,
        `line ${lineNo}: mount point is not an absolute path: ${JSON.stringify(f[1]!.slice(0, 80))}`,
      );
    }
    out.push(
      Object.freeze({
        device: unescapeMountField(f[0]!),
        mountpoint: unescapeMountField(f[1]!),
        fstype: unescapeMountField(f[2]!),
        opts: unescapeMountField(f[3]!),
      }),
    );
  }
  // Every mount namespace has at least its root mount: an empty table is not a real one.
  if (out.length === 0) throw new ParseError(path, 'no mount entries');
  return Object.freeze(out);
}

export interface FilesystemType {
  readonly name: string;
  /** Marked `nodev`: not backed by a block device (tmpfs, proc, ...). */
  readonly nodev: boolean;
}

/** /proc/filesystems: `nodev\tproc` or `\text4`, one per line. */
export function parseFilesystems(input: Buffer | string, path = '<input>'): readonly FilesystemType[] {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const out: FilesystemType[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    // Type names are register_filesystem() names: ext4, fuse.sshfs is not one but fuseblk is, binfmt_misc, 9p...
    const m = /^(nodev)?\t([\w.+-]+)\s*$/.exec(line) ?? /^\s*()([\w.+-]+)\s*$/.exec(line);
    if (m === null)
      throw new ParseError(
        path,
        `line ${lineNo}: expected '[nodev]\\t<fstype>', got ${JSON.stringify(line.slice(0, 80))}`,
      );
    out.push(Object.freeze({ name: m[2]!, nodev: m[1] === 'nodev' }));
  }
  if (out.length === 0) throw new ParseError(path, 'no filesystem types');
  return Object.freeze(out);
}
