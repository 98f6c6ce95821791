/**
 * Python's number and text formatting, as psutil's example scripts print (docs/tools.md): the tools reproduce their
 * layouts byte for byte, and JS differs from Python in the places that show (toFixed rounds ties up where '%.1f'
 * rounds the exact binary value half-to-even; String(1) is '1' where str(1.0) is '1.0'; exponents start elsewhere).
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

/** A value psutil's scripts print with str(): numbers as Python floats, null as None. */
export function pyStr(x: number | null | undefined): string {
  return x === null || x === undefined ? 'None' : pyFloat(x);
}

const SYMBOLS = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'] as const;

/**
 * psutil._common.bytes2human (5.9): '%.1f%s' with the largest binary prefix not above n, '<n>.0B' below 1 KiB.
 * The prefix is chosen before rounding, so 1048575 prints 1024.0K. 5.9 compares n itself (not abs(n)): a negative
 * value always prints in bytes.
 */
export function bytes2human(n: number): string {
  for (let i = SYMBOLS.length - 1; i >= 0; i--) {
    const prefix = 2 ** (10 * (i + 1));
    if (n >= prefix) return fixed(n / prefix, 1) + (SYMBOLS[i] as string);
  }
  return fixed(n, 1) + 'B';
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

/** Python's str(timedelta(seconds=int(s))): '0:32:59', '1 day, 2:03:04', '8 days, 21:15:40'. */
export function timedelta(seconds: number): string {
  let s = Math.trunc(seconds);
  // timedelta normalises negatives to whole days below plus positive seconds: -1 prints '-1 day, 23:59:59'.
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  if (days === 0) return hms;
  return `${days} ${Math.abs(days) === 1 ? 'day' : 'days'}, ${hms}`;
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
