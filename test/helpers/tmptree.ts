/**
 * Throw-away fixture trees built by a test (a /proc whose stat changes between two calls, a rootfs with a
 * hand-made utmp). Real files read through the real reader: no fs mocks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

/** Creates a temp dir holding `files` (relative path -> content) and returns its path. */
export function tmpTree(files: Record<string, string | Buffer> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'psutil-fixture-'));
  made.push(root);
  for (const [rel, content] of Object.entries(files)) writeIn(root, rel, content);
  return root;
}

export function writeIn(root: string, rel: string, content: string | Buffer): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}

/** Removes every tree made so far (call from afterAll). */
export function removeTmpTrees(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/**
 * RuntimeWarnings emitted while `fn` runs. Captured at process.emitWarning itself: under jest, Node's emitWarning
 * fires 'warning' on the real process object, which the test realm's `process` does not see.
 */
export async function runtimeWarnings<T>(fn: () => T): Promise<{ value: T; warnings: string[] }> {
  const warnings: string[] = [];
  // eslint-disable-next-line jest/unbound-method -- kept to be put back below, never called unbound
  const original = process.emitWarning;
  const capture = (warning: string | Error, type?: unknown): void => {
    const name =
      typeof warning === 'string'
        ? typeof type === 'string'
          ? type
          : (type as { type?: string } | undefined)?.type
        : warning.name;
    if (name === 'RuntimeWarning') warnings.push(typeof warning === 'string' ? warning : warning.message);
  };
  process.emitWarning = capture;
  try {
    const value = fn();
    await new Promise((r) => setImmediate(r));
    return { value, warnings };
  } finally {
    process.emitWarning = original;
  }
}
