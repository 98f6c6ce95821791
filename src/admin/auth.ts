/**
 * Admin authentication: a bearer token read from a file (re-read when the file changes, so it rotates without a
 * restart) and, optionally, a verified client certificate whose SAN is on an allowlist. When both are configured
 * both are required.
 *
 * Tokens are compared as timingSafeEqual(sha256(presented), sha256(expected)): equal-length digests hide the token's
 * length and any common prefix. There is no cache keyed by a concatenation of user input (exporter-toolkit's
 * CVE-2022-46146) and no basic auth at all.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';

export const MIN_TOKEN_BYTES = 32;
/** Tokens are visible ASCII: they travel in a header, and whitespace in a file is trimmed, never part of a token. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;
// RFC 9110 11.1: the auth scheme is case-insensitive (bearer, BEARER); one space, then the token68 characters.
const BEARER = /^bearer ([\x21-\x7e]+)$/i;
/** A token file larger than this is not a token file. */
const MAX_TOKEN_FILE = 4096;

export class AdminAuthError extends Error {}

function sha256(b: Buffer | string): Buffer {
  return crypto.createHash('sha256').update(b).digest();
}

interface Loaded {
  digest: Buffer;
  id: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/**
 * The token file. `current()` stats the file on every call (a few microseconds) and re-reads it when dev, inode,
 * size, mtime or ctime moved. A file that becomes unreadable, too short or group/world-readable stops all access
 * until fixed (fail closed) and reports why through `onProblem`.
 */
export class TokenFile {
  readonly path: string;
  private loaded: Loaded | null = null;
  private lastProblem: string | null = null;
  private readonly onProblem: (msg: string) => void;

  constructor(path: string, onProblem: (msg: string) => void = () => undefined) {
    this.path = path;
    this.onProblem = onProblem;
  }

  /** Reads the file now; throws AdminAuthError explaining what is wrong (used at startup: refuse to start). */
  load(): void {
    const r = this.read();
    if (typeof r === 'string') throw new AdminAuthError(r);
    this.loaded = r;
    this.lastProblem = null;
  }

  /** The expected token's digest and id, or null while the file is unusable. */
  current(): { digest: Buffer; id: string } | null {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.path);
    } catch (err) {
      this.problem(
        `admin token file ${this.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; refusing all requests`,
      );
      return null;
    }
    const l = this.loaded;
    if (
      l &&
      l.dev === st.dev &&
      l.ino === st.ino &&
      l.size === st.size &&
      l.mtimeMs === st.mtimeMs &&
      l.ctimeMs === st.ctimeMs
    ) {
      return l;
    }
    const r = this.read();
    if (typeof r === 'string') {
      this.loaded = null;
      this.problem(`${r}; refusing all requests`);
      return null;
    }
    this.loaded = r;
    this.lastProblem = null;
    return r;
  }

  private problem(msg: string): void {
    // Report once per distinct problem, not once per request.
    if (msg !== this.lastProblem) this.onProblem(msg);
    this.lastProblem = msg;
  }

  private read(): Loaded | string {
    const where = `admin token file ${this.path}`;
    let fd: number;
    try {
      fd = fs.openSync(this.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      return code === 'ELOOP' ? `${where} is a symbolic link (refused)` : `${where}: cannot open (${code})`;
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) return `${where} is not a regular file`;
      if ((st.mode & 0o077) !== 0) {
        return `${where} has mode ${(st.mode & 0o777).toString(8)}: it must not be readable by group or others (chmod 0400)`;
      }
      if (st.size > MAX_TOKEN_FILE) return `${where} is larger than ${MAX_TOKEN_FILE} bytes`;
      const buf = Buffer.alloc(MAX_TOKEN_FILE + 1);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      // A trailing newline (echo > file) is not part of the token (Prometheus' bearer_token_file trims the same way).
      const token = buf.subarray(0, n).toString('latin1').trim();
      if (token.length < MIN_TOKEN_BYTES) {
        return `${where} holds ${token.length} bytes: a token needs at least ${MIN_TOKEN_BYTES} (openssl rand -hex 32)`;
      }
      if (!TOKEN_CHARS.test(token)) return `${where}: the token must be visible ASCII with no inner whitespace`;
      const digest = sha256(token);
      return {
        digest,
        // Names the credential in the audit log without revealing it: 8 hex digits of a hash of the digest.
        id: `token:${sha256(digest).toString('hex').slice(0, 8)}`,
        dev: st.dev,
        ino: st.ino,
        size: st.size,
        mtimeMs: st.mtimeMs,
        ctimeMs: st.ctimeMs,
      };
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** The token in `Authorization: Bearer <token>` (the scheme in any case), or null. */
export function bearerToken(values: readonly string[] | undefined): string | null {
  // Two Authorization headers are ambiguous (a proxy may read one and us the other): refuse.
  if (values === undefined || values.length !== 1) return null;
  const m = BEARER.exec(values[0] ?? '');
  return m ? (m[1] ?? null) : null;
}

/** Constant-time check of a presented token against the expected digest. */
export function tokenMatches(presented: string, expectedDigest: Buffer): boolean {
  return crypto.timingSafeEqual(sha256(presented), expectedDigest);
}

export interface SanEntry {
  readonly type: string;
  readonly value: string;
}

/**
 * Splits Node's `subjectAltName` string (`DNS:a, IP Address:1.2.3.4, URI:spiffe://x`). Since Node 17 values holding
 * `,` or quotes are JSON-quoted (the CVE-2021-44532 fix), so a SAN cannot smuggle a second entry.
 */
export function parseSubjectAltName(s: string | undefined): SanEntry[] {
  const out: SanEntry[] = [];
  if (!s) return out;
  let i = 0;
  while (i < s.length) {
    const colon = s.indexOf(':', i);
    if (colon < 0) break;
    const type = s.slice(i, colon);
    let j = colon + 1;
    let value: string;
    if (s[j] === '"') {
      // Find the closing quote of the JSON string, honouring escapes.
      let k = j + 1;
      while (k < s.length && s[k] !== '"') k += s[k] === '\\' ? 2 : 1;
      const parsed: unknown = JSON.parse(s.slice(j, k + 1));
      value = typeof parsed === 'string' ? parsed : '';
      j = k + 1;
    } else {
      const end = s.indexOf(', ', j);
      value = end < 0 ? s.slice(j) : s.slice(j, end);
      j = end < 0 ? s.length : end;
    }
    out.push({ type, value });
    if (s.startsWith(', ', j)) j += 2;
    i = j;
  }
  return out;
}

/**
 * Names the client of a verified certificate: the allowed SAN it carries (exact match, as exporter-toolkit), or its
 * first SAN (else its subject) when no allowlist is set. Null when the connection has no verified certificate or
 * none of its SANs is allowed.
 */
export function allowedClientSan(socket: TLSSocket, allowed: readonly string[]): string | null {
  if (!socket.authorized) return null;
  const cert: X509Certificate | undefined = socket.getPeerX509Certificate();
  if (cert === undefined) return null;
  const sans = parseSubjectAltName(cert.subjectAltName);
  if (allowed.length === 0) return sans[0]?.value ?? cert.subject.replace(/\n/g, ',');
  for (const san of sans) {
    if (['DNS', 'IP Address', 'URI', 'email'].includes(san.type) && allowed.includes(san.value)) return san.value;
  }
  return null;
}
