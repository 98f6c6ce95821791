/**
 * Python's number and text formatting, as psutil's example scripts print (docs/tools.md): the tools reproduce their
 * layouts byte for byte. The library prints the same way (bytes2human, test()), so most of it lives there
 * (src/probes/format.ts) and is re-exported here; pyStr and timedelta are the tools' alone.
 */
import { pyFloat } from '../probes/format';

export { bytes2human, cut, fixed, ljust, pyFloat, pyRound, rjust, strftime } from '../probes/format';

/** A value psutil's scripts print with str(): numbers as Python floats, null as None. */
export function pyStr(x: number | null | undefined): string {
  return x === null || x === undefined ? 'None' : pyFloat(x);
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
