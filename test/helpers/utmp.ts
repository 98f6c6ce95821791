/** Builds glibc x86_64 `struct utmp` records byte by byte (384 bytes each), for utmp parser and users() tests. */
export interface UtmpSpec {
  type: number;
  pid?: number;
  line?: string;
  id?: string;
  user?: string;
  host?: string;
  session?: number;
  tvSec?: number;
  tvUsec?: number;
}

function putString(buf: Buffer, off: number, size: number, s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length > size) throw new Error(`'${s}' does not fit in ${size} bytes`);
  bytes.copy(buf, off); // the rest stays NUL: strings are NUL-padded
}

export function utmpRecord(r: UtmpSpec): Buffer {
  const b = Buffer.alloc(384);
  b.writeInt16LE(r.type, 0);
  b.writeInt32LE(r.pid ?? 0, 4);
  putString(b, 8, 32, r.line ?? '');
  putString(b, 40, 4, r.id ?? '');
  putString(b, 44, 32, r.user ?? '');
  putString(b, 76, 256, r.host ?? '');
  b.writeInt16LE(0, 332);
  b.writeInt16LE(0, 334);
  b.writeInt32LE(r.session ?? 0, 336);
  b.writeInt32LE(r.tvSec ?? 0, 340);
  b.writeInt32LE(r.tvUsec ?? 0, 344);
  return b;
}

export function utmpFile(records: UtmpSpec[]): Buffer {
  return Buffer.concat(records.map(utmpRecord));
}
