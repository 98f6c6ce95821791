/**
 * os-release(5): KEY=value lines, values optionally quoted with shell quoting rules (double quotes allow \" \\ \$ \`
 * escapes, single quotes none). Comments and blank lines are skipped; a malformed line is skipped, as systemd does.
 */
import { ParseError } from '../../errors';

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function unquote(v: string): string | null {
  if (v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"') {
    return v.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  }
  if (v.length >= 2 && v[0] === "'" && v[v.length - 1] === "'") return v.slice(1, -1);
  // An unquoted value may not contain shell specials; systemd rejects the line, so do we.
  if (/[\s"'\\`$]/.test(v)) return null;
  return v;
}

export function parseOsRelease(input: Buffer | string, path = '<input>'): Readonly<Record<string, string>> {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.includes('\0')) throw new ParseError(path, 'NUL byte in os-release');
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!KEY.test(key)) continue;
    const value = unquote(line.slice(eq + 1));
    if (value !== null) out[key] = value;
  }
  return Object.freeze(out);
}
