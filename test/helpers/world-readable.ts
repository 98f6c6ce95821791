/**
 * A helper script run as another user (setpriv --reuid=65533) must be readable by that user, and so must every file
 * it loads: the sources under src/ and the packages under node_modules. A clone may sit in a directory only its owner
 * can enter (`mktemp -d` makes it 0700), so the helper is not run from the checkout: it, src/, test/helpers/ and the
 * packages it loads are copied with the same layout into a fresh world-readable temp dir, and run from there.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './fixtures';

const copies: string[] = [];

/** Removes every copy made by this test file (call from afterAll). */
export function removeWorldReadableCopies(): void {
  for (const d of copies.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/**
 * The top-level packages (under the first node_modules/ of each path) that the helper loads, found by running it once
 * as this user with `discoveryArgs` and listing require.cache at its exit: what it loads lazily is found too, as long
 * as the discovery run takes the same paths as the real one.
 */
function packagesLoaded(helper: string, discoveryArgs: string[], scratch: string): Map<string, string> {
  const hook = path.join(scratch, 'list-loaded.js');
  const out = path.join(scratch, 'loaded.json');
  fs.writeFileSync(
    hook,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  const r = spawnSync(process.execPath, ['-r', hook, path.join(REPO, helper), ...discoveryArgs], {
    encoding: 'utf8',
    timeout: 60000,
  });
  if (r.status !== 0 || !fs.existsSync(out))
    throw new Error(`discovery run of ${helper} failed (${r.status}): ${r.stderr}`);
  const roots = new Map<string, string>(); // package name -> its folder
  for (const file of JSON.parse(fs.readFileSync(out, 'utf8')) as string[]) {
    const marker = `${path.sep}node_modules${path.sep}`;
    const at = file.indexOf(marker);
    if (at < 0) continue;
    const base = file.slice(0, at + marker.length);
    const parts = file.slice(base.length).split(path.sep);
    const name = parts[0]!.startsWith('@') ? path.join(parts[0]!, parts[1]!) : parts[0]!;
    roots.set(name, path.join(base, name));
  }
  fs.rmSync(hook);
  fs.rmSync(out);
  return roots;
}

/** Gives everyone read (and, for directories and executables, search/execute) access under `p`. */
function openUp(p: string): void {
  const st = fs.lstatSync(p);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    fs.chmodSync(p, (st.mode & 0o7777) | 0o555);
    for (const e of fs.readdirSync(p)) openUp(path.join(p, e));
  } else {
    fs.chmodSync(p, (st.mode & 0o7777) | 0o444 | ((st.mode & 0o100) !== 0 ? 0o111 : 0));
  }
}

/** Throws unless every directory above `dir` lets others through (a TMPDIR inside a private directory would not). */
function checkReachable(dir: string): void {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0)
      throw new Error(`${d} is not searchable by other users: set TMPDIR to a world-readable directory`);
    if (d === path.dirname(d)) return;
  }
}

/**
 * Copies `helper` (a path relative to the repository, e.g. test/helpers/process-probe.js) with src/, test/helpers/ and
 * the packages it loads into a new world-readable temp dir; returns the copy's path. `discoveryArgs` are arguments
 * for one run of the helper as this user that loads what the real run will load.
 */
export function worldReadableCopy(helper: string, discoveryArgs: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-as-user-'));
  copies.push(dir);
  checkReachable(dir);
  for (const [name, from] of packagesLoaded(helper, discoveryArgs, dir)) {
    fs.cpSync(from, path.join(dir, 'node_modules', name), { recursive: true, dereference: true });
  }
  for (const sub of ['src', path.join('test', 'helpers')]) {
    fs.cpSync(path.join(REPO, sub), path.join(dir, sub), { recursive: true, dereference: true });
  }
  openUp(dir);
  return path.join(dir, helper);
}
