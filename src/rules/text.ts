/** Small string helpers with Go's and Prometheus's exact rules, shared by the matchers and the renderers. */

/** Go's path/filepath.Base on Linux: what process-exporter calls ExeBase. */
export function goBase(path: string): string {
  if (path === '') return '.';
  let p = path;
  while (p.length > 0 && p.endsWith('/')) p = p.slice(0, -1);
  if (p === '') return '/';
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/**
 * argv as process-exporter sees it (prometheus/procfs Proc.CmdLine): the raw /proc/pid/cmdline with trailing NULs
 * trimmed, split at NUL. Not psutil's heuristic that splits a setproctitle() line at spaces: ExeBase of
 * "nginx: master process /usr/sbin/nginx" is "nginx" for process-exporter and must stay so here.
 */
export function argvFromRaw(raw: Buffer | string): string[] {
  const text = typeof raw === 'string' ? raw : DECODER.decode(raw);
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  if (end === 0) return [];
  return text.slice(0, end).split('\0');
}

const DECODER = new TextDecoder('utf-8', { fatal: false });

/** Lossy UTF-8 decoding (invalid bytes become U+FFFD), for comm and cmdline bytes that are not valid UTF-8. */
export function decodeLossy(buf: Uint8Array): string {
  return DECODER.decode(buf);
}

/** Prometheus rejects label values that are not valid UTF-8 (process-exporter #239): replace lone surrogates. */
export function wellFormed(s: string): string {
  // String.prototype.toWellFormed exists in Node 20 but not in the ES2022 lib this project compiles against.
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Longest label value we emit, in UTF-8 bytes; longer values are cut at a character boundary. */
export const MAX_LABEL_BYTES = 1024;

/** A label value: valid UTF-8, at most MAX_LABEL_BYTES bytes, never cut inside a character. */
export function labelValue(s: string): string {
  const w = wellFormed(s);
  // Fast path: UTF-16 length bounds the UTF-8 length from below by the code unit count, above by 3x.
  if (w.length * 3 <= MAX_LABEL_BYTES) return w;
  if (Buffer.byteLength(w, 'utf8') <= MAX_LABEL_BYTES) return w;
  let bytes = 0;
  let i = 0;
  while (i < w.length) {
    const cp = w.codePointAt(i) ?? 0;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > MAX_LABEL_BYTES) break;
    bytes += n;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return w.slice(0, i);
}

/** Prometheus label names; `__` is reserved. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
