import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdminAuthError, TokenFile, bearerToken, parseSubjectAltName, tokenMatches } from '../../src/admin/auth';

const TOKEN = 'a'.repeat(8) + crypto.randomBytes(24).toString('hex');
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-auth-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string, mode = 0o400): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content, { mode });
  fs.chmodSync(p, mode);
  return p;
}

describe('TokenFile', () => {
  it('loads a token and trims the trailing newline', () => {
    const tf = new TokenFile(write('t', `${TOKEN}\n`));
    tf.load();
    const cur = tf.current();
    expect(cur).not.toBeNull();
    expect(tokenMatches(TOKEN, cur!.digest)).toBe(true);
    expect(tokenMatches(`${TOKEN}\n`, cur!.digest)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, -1), cur!.digest)).toBe(false);
    expect(cur!.id).toMatch(/^token:[0-9a-f]{8}$/);
    expect(cur!.id).not.toContain(TOKEN.slice(0, 8));
  });

  it.each([
    ['too short', 'short-token', 0o400, /at least 32/],
    ['group-readable', TOKEN, 0o440, /must not be readable by group or others/],
    ['world-readable', TOKEN, 0o644, /must not be readable/],
    ['inner whitespace', `${TOKEN.slice(0, 20)} ${TOKEN.slice(20)}`, 0o400, /visible ASCII/],
  ])('refuses a %s token file at load', (_n, content, mode, msg) => {
    expect(() => new TokenFile(write('t', content, mode)).load()).toThrow(msg);
  });

  it('refuses a missing file and a symlink', () => {
    expect(() => new TokenFile(path.join(dir, 'absent')).load()).toThrow(AdminAuthError);
    const real = write('real', TOKEN);
    fs.symlinkSync(real, path.join(dir, 'link'));
    expect(() => new TokenFile(path.join(dir, 'link')).load()).toThrow(/symbolic link/);
  });

  it('re-reads the file when it changes, and fails closed while it is broken', () => {
    const p = write('t', TOKEN);
    const problems: string[] = [];
    const tf = new TokenFile(p, (m) => problems.push(m));
    tf.load();
    const second = crypto.randomBytes(32).toString('hex');
    // Rotate by rename (a new inode), as `install -m 0400` or a Kubernetes secret update does.
    const tmp = write('t.new', second);
    fs.renameSync(tmp, p);
    const cur = tf.current();
    expect(tokenMatches(second, cur!.digest)).toBe(true);
    expect(tokenMatches(TOKEN, cur!.digest)).toBe(false);

    fs.chmodSync(p, 0o644);
    expect(tf.current()).toBeNull();
    expect(tf.current()).toBeNull();
    expect(problems).toHaveLength(1);
    fs.chmodSync(p, 0o400);
    expect(tf.current()).not.toBeNull();

    fs.unlinkSync(p);
    expect(tf.current()).toBeNull();
  });
});

describe('bearerToken', () => {
  it('accepts "Bearer <token>", the scheme in any case (RFC 9110 11.1), and nothing looser', () => {
    expect(bearerToken([`Bearer ${TOKEN}`])).toBe(TOKEN);
    expect(bearerToken([`bearer ${TOKEN}`])).toBe(TOKEN);
    expect(bearerToken([`BEARER ${TOKEN}`])).toBe(TOKEN);
    expect(bearerToken([`Bearer\t${TOKEN}`])).toBeNull();
    expect(bearerToken([`Bearer  ${TOKEN}`])).toBeNull();
    expect(bearerToken([`Basic ${Buffer.from('a:b').toString('base64')}`])).toBeNull();
    expect(bearerToken([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`])).toBeNull();
    expect(bearerToken(['Bearer '])).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('parseSubjectAltName', () => {
  it('splits Node subjectAltName strings, including JSON-quoted values', () => {
    expect(parseSubjectAltName('DNS:a.example, IP Address:127.0.0.1, URI:spiffe://x/y, email:o@example.org')).toEqual([
      { type: 'DNS', value: 'a.example' },
      { type: 'IP Address', value: '127.0.0.1' },
      { type: 'URI', value: 'spiffe://x/y' },
      { type: 'email', value: 'o@example.org' },
    ]);
    // A SAN holding ", DNS:allowed" must stay one value, not become a second entry.
    expect(parseSubjectAltName('DNS:"evil, DNS:ops.example", DNS:b')).toEqual([
      { type: 'DNS', value: 'evil, DNS:ops.example' },
      { type: 'DNS', value: 'b' },
    ]);
    expect(parseSubjectAltName(undefined)).toEqual([]);
  });
});
