/**
 * Python's number and text formatting, where the library prints as psutil does: bytes2human (psutil._common's, public
 * here), test()'s table, and the `psutil` command's tools (src/tools/format.ts re-exports these). JS differs from
 * Python in the places that show: toFixed rounds ties up where '%.1f' rounds the exact binary value half-to-even,
 * String(1) is '1' where str(1.0) is '1.0', exponents start elsewhere.
 */

/**
 * Python's '%.<digits>f': the exact binary value rounded to `digits` places, ties to even. toFixed is exact except on
 * ties (it picks the larger), so a tie is detected on the exact expansion (toFixed(100) holds every digit of any
 * double this formats: a double's binary fraction ends within 1074 places, but a tie at `digits` places needs the
 * expansion to stop at digits+1, so 100 digits are more than enough to tell).
 */
export function fixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (Math.abs(x) >= 1e21) return BigInt(Math.round(x)).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  let out = ax.toFixed(digits);
  const exact = ax.toFixed(100);
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 1 + digits);
  if (/^50*$/.test(rest)) {
    // A tie: toFixed went up; Python goes to the even neighbour.
    const down = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
    const lastDigit = Number(down.charAt(down.length - 1));
    if (lastDigit % 2 === 0) out = down;
  }
  return (neg ? '-' : '') + out;
}

/** Python's round(x, n) for a float: half-to-even on the exact value (round(2.5) is 2, round(2.675, 2) is 2.67). */
export function pyRound(x: number, n = 0): number {
  return Number(fixed(x, n));
}

/** Python's str(float): shortest round-trip digits, '.0' on integers, exponent below 1e-4 and from 1e16. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let body: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) {
    body = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    body = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return (neg ? '-' : '') + body;
}

// ---- Python's printf-style formatting (`format % mapping`), for bytes2human's format argument ----

/** A value as Python holds it: an int, a float or a str (JS numbers cannot tell 1 from 1.0: the caller says). */
export type PyValue =
  | { readonly kind: 'int'; readonly v: number | bigint }
  | { readonly kind: 'float'; readonly v: number }
  | { readonly kind: 'str'; readonly v: string };

/** The exact decimal value of a finite double: x = sign * digits * 10^exp (digits without leading zeros). */
function exactDecimal(x: number): { neg: boolean; digits: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const neg = hi >>> 31 === 1;
  const e = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let p2: number;
  if (e === 0) p2 = -1074;
  else {
    m |= 1n << 52n;
    p2 = e - 1075;
  }
  // m * 2^p2: an integer for p2 >= 0, else m * 5^k / 10^k.
  if (p2 >= 0) return { neg, digits: m << BigInt(p2), exp: 0 };
  return { neg, digits: m * 5n ** BigInt(-p2), exp: p2 };
}

/** digits * 10^exp rounded to a multiple of 10^target, ties to even (Python rounds the exact value so). */
function roundTo(digits: bigint, exp: number, target: number): bigint {
  if (exp >= target) return digits * 10n ** BigInt(exp - target);
  const div = 10n ** BigInt(target - exp);
  let q = digits / div;
  const r = digits % div;
  const half = div / 2n;
  if (r > half || (r === half && q % 2n === 1n)) q += 1n;
  return q;
}

/** The digits of a non-negative integer with a decimal point `places` from the right ('%.<places>f'). */
function point(int: bigint, places: number, alt: boolean): string {
  if (places === 0) return int.toString() + (alt ? '.' : '');
  const s = int.toString().padStart(places + 1, '0');
  return `${s.slice(0, -places)}.${s.slice(-places)}`;
}

/** '%.<p>e' of |x| (x finite): the mantissa and Python's exponent (sign, at least two digits). */
function expForm(x: number, p: number, alt: boolean): { text: string; exp: number } {
  const d = exactDecimal(Math.abs(x));
  if (d.digits === 0n) return { text: `${point(0n, p, alt)}e+00`, exp: 0 };
  let exp = d.digits.toString().length - 1 + d.exp;
  let int = roundTo(d.digits, d.exp, exp - p);
  // 9.99 -> 10.0: one digit more, so the exponent moves up (the value is then exactly a power of ten).
  if (int.toString().length > p + 1) {
    exp += 1;
    int /= 10n;
  }
  const e = `e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return { text: point(int, p, alt) + e, exp };
}

/** One float conversion (f, e, g and their capitals) of |x|, without sign or padding. */
function floatBody(x: number, conv: string, precision: number | null, alt: boolean): string {
  const lower = conv.toLowerCase();
  if (!Number.isFinite(x)) {
    const t = Number.isNaN(x) ? 'nan' : 'inf';
    return conv === lower ? t : t.toUpperCase();
  }
  let body: string;
  if (lower === 'f') {
    const p = precision ?? 6;
    const d = exactDecimal(Math.abs(x));
    body = point(roundTo(d.digits, d.exp, -p), p, alt);
  } else if (lower === 'e') {
    body = expForm(x, precision ?? 6, alt).text;
  } else {
    // %g: %e's exponent picks the form; trailing zeros go unless '#'.
    const p = precision === null ? 6 : Math.max(precision, 1);
    const { text, exp } = expForm(x, p - 1, alt);
    if (exp >= -4 && exp < p) {
      const d = exactDecimal(Math.abs(x));
      body = point(roundTo(d.digits, d.exp, -(p - 1 - exp)), p - 1 - exp, alt);
    } else body = text;
    if (!alt) {
      const [mant, e] = body.split('e') as [string, string | undefined];
      const trimmed = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
      body = e === undefined ? trimmed : `${trimmed}e${e}`;
    }
  }
  return conv === lower ? body : body.toUpperCase();
}

/** Python's repr of a str (single quotes unless it holds one and no double quote). */
function reprStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\' || ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

const SPEC = /%(?:\(([^)]*)\))?([-+ #0]*)(\d+)?(?:\.(\d*))?[hlL]?([diouxXeEfFgGrs%])?/g;

/**
 * Python's `format % mapping` where every conversion names its key (`%(value).1f`): flags `-+ #0`, width, precision,
 * conversions d i u o x X e E f F g G s r and %%. A missing key is a RangeError (Python's KeyError), a value of the
 * wrong kind a TypeError (`%x` of a float, `%d` of a str), an unknown conversion a RangeError (Python's ValueError).
 */
export function pyFormat(format: string, mapping: Readonly<Record<string, PyValue>>): string {
  return format.replace(
    SPEC,
    (whole, key: string | undefined, flags: string, w?: string, prec?: string, conv?: string) => {
      if (conv === undefined) throw new RangeError(`unsupported or incomplete format at ${JSON.stringify(whole)}`);
      if (conv === '%' && key === undefined) return '%';
      if (key === undefined) throw new TypeError(`format requires a mapping key at ${JSON.stringify(whole)}`);
      const v = Object.prototype.hasOwnProperty.call(mapping, key) ? mapping[key] : undefined;
      if (v === undefined)
        throw new RangeError(`format names %(${key}), which is not one of ${Object.keys(mapping).join(', ')}`);
      const left = flags.includes('-');
      const zero = flags.includes('0') && !left;
      const alt = flags.includes('#');
      const sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
      const width = w === undefined ? 0 : Number(w);
      const precision = prec === undefined ? null : Number(prec || '0');
      let body: string;
      let neg = false;
      let numeric = true;
      if (conv === 's' || conv === 'r') {
        numeric = false;
        body = v.kind === 'str' ? (conv === 'r' ? reprStr(v.v) : v.v) : v.kind === 'float' ? pyFloat(v.v) : String(v.v);
        if (precision !== null) body = [...body].slice(0, precision).join('');
      } else if (conv === '%') {
        numeric = false;
        body = '%';
      } else if (v.kind === 'str') {
        throw new TypeError(`%${conv} format: a real number is required, not str (%(${key}))`);
      } else if ('eEfFgG'.includes(conv)) {
        const x = Number(v.v);
        neg = x < 0 || Object.is(x, -0);
        body = floatBody(x, conv, precision, alt);
        if (!Number.isFinite(x)) numeric = false; // Python pads inf and nan with spaces, never zeros
      } else {
        if ('oxX'.includes(conv) && v.kind === 'float')
          throw new TypeError(`%${conv} format: an integer is required, not float (%(${key}))`);
        let int: bigint;
        if (typeof v.v === 'bigint') int = v.v;
        else {
          if (!Number.isFinite(v.v)) throw new RangeError(`%${conv} format: cannot convert ${v.v} to an integer`);
          int = BigInt(Math.trunc(v.v));
        }
        neg = int < 0n;
        const mag = neg ? -int : int;
        body =
          conv === 'o'
            ? mag.toString(8)
            : conv === 'x'
              ? mag.toString(16)
              : conv === 'X'
                ? mag.toString(16).toUpperCase()
                : mag.toString();
        if (precision !== null) body = body.padStart(precision, '0');
        if (alt && conv !== 'd' && conv !== 'i' && conv !== 'u')
          body = (conv === 'o' ? '0o' : conv === 'x' ? '0x' : '0X') + body;
      }
      const prefix = numeric || neg ? (neg ? '-' : sign) : '';
      const len = [...prefix].length + [...body].length;
      if (len >= width) return prefix + body;
      if (left) return prefix + body + ' '.repeat(width - len);
      if (zero && numeric) return prefix + '0'.repeat(width - len) + body;
      return ' '.repeat(width - len) + prefix + body;
    },
  );
}

const SYMBOLS = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'] as const;

/** A number as Python would hold it: an integer-valued JS number counts as an int (1024, not 1024.0). */
function pyNumber(n: number | bigint): PyValue {
  if (typeof n === 'bigint') return { kind: 'int', v: n };
  return Number.isInteger(n) && !Object.is(n, -0) ? { kind: 'int', v: n } : { kind: 'float', v: n };
}

/**
 * psutil's bytes2human (psutil._common, 7.x): n bytes with the largest binary prefix not above |n|, formatted with
 * Python's `format % mapping`: '%(value).1f%(symbol)s' by default, so 10000 -> '9.8K', 100001221 -> '95.4M', 1023 ->
 * '1023.0B'. The prefix is picked before rounding (1048575 -> '1024.0K'). From 1 KiB the format may name `value`
 * (float(n) / prefix), `symbol` and `n`; below it only `value` (n itself) and `symbol` ('B'), as psutil's two
 * `format % ...` calls give. |n| picks the prefix (psutil 5.9.6+, #2268: -2048 -> '-2.0K'; 5.9.0-5.9.5 compared n
 * itself and printed every negative value in bytes). An integer-valued number counts as Python's int, so
 * bytes2human(512, '%(value)s') is '512'; a bigint is exact.
 */
export function bytes2human(n: number | bigint, format = '%(value).1f%(symbol)s'): string {
  if (typeof n !== 'number' && typeof n !== 'bigint')
    throw new TypeError(`bytes2human: n must be a number or a bigint, got ${n === null ? 'null' : typeof n}`);
  if (typeof format !== 'string')
    throw new TypeError(`bytes2human: format must be a string, got ${format === null ? 'null' : typeof format}`);
  for (let i = SYMBOLS.length - 1; i >= 0; i--) {
    const prefix = 2 ** (10 * (i + 1));
    const above = typeof n === 'bigint' ? (n < 0n ? -n : n) >= BigInt(prefix) : Math.abs(n) >= prefix;
    if (above) {
      const symbol = SYMBOLS[i] as string;
      // float(n) / prefix: Number(bigint) rounds to nearest, ties to even, as Python's int -> float does.
      const value: PyValue = { kind: 'float', v: Number(n) / prefix };
      return pyFormat(format, { n: pyNumber(n), symbol: { kind: 'str', v: symbol }, value });
    }
  }
  return pyFormat(format, { symbol: { kind: 'str', v: 'B' }, value: pyNumber(n) });
}

/** Python's str.ljust / str.rjust: pads by code points and never cuts. */
export function ljust(s: string, width: number): string {
  const len = [...s].length;
  return len >= width ? s : s + ' '.repeat(width - len);
}
export function rjust(s: string, width: number): string {
  const len = [...s].length;
  return len >= width ? s : ' '.repeat(width - len) + s;
}

/** Cuts a line to `width` code points (psutil's ps and pmap cut to the terminal width). */
export function cut(line: string, width: number | null): string {
  if (width === null) return line;
  const cps = [...line];
  return cps.length <= width ? line : cps.slice(0, width).join('');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const two = (n: number): string => String(n).padStart(2, '0');

/** C-locale strftime for the few formats the scripts use, in local time: %H %M %S %b %d %Y %m. */
export function strftime(fmt: string, epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return fmt.replace(/%([HMSbdYm%])/g, (_, c: string) => {
    switch (c) {
      case 'H':
        return two(d.getHours());
      case 'M':
        return two(d.getMinutes());
      case 'S':
        return two(d.getSeconds());
      case 'b':
        return MONTHS[d.getMonth()] as string;
      case 'd':
        return two(d.getDate());
      case 'Y':
        return String(d.getFullYear());
      case 'm':
        return two(d.getMonth() + 1);
      default:
        return '%';
    }
  });
}
