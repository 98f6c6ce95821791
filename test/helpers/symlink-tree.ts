/**
 * The shared fixture trees store symlinks as plain files holding the link target (`sys/class/hwmon/hwmon0` contains
 * `../../devices/platform/coretemp.0/hwmon/hwmon0`). sysfs readers follow links, so tests copy the parts they need
 * into a temp dir and turn those files back into symlinks. Only files whose whole content is a relative path starting
 * with `..` are links: no sysfs attribute reads like that.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const LINK = /^\.\.(?:\/[^\0\n]*)?$/;

function restoreLinks(dir: string): void {
  // The copies keep the fixture's read-only modes; a non-root run needs write access to replace entries.
  fs.chmodSync(dir, 0o755);
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) {
      restoreLinks(p);
    } else if (ent.isFile() && fs.statSync(p).size < 4096) {
      const target = fs.readFileSync(p, 'latin1');
      if (LINK.test(target)) {
        fs.unlinkSync(p);
        fs.symlinkSync(target.replace(/\/+$/, ''), p);
      }
    }
  }
}

/**
 * Copies `subdirs` of `src` (or all of it) into a fresh temp dir with the links restored; returns the new root.
 * The caller removes it (fs.rmSync(root, { recursive: true, force: true })).
 */
export function materializeSymlinks(src: string, subdirs: readonly string[] = ['.']): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-links-'));
  for (const sub of subdirs) {
    const from = path.join(src, sub);
    if (!fs.existsSync(from)) continue;
    const to = path.join(root, sub);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(from, to, { recursive: true });
  }
  restoreLinks(root);
  return root;
}
