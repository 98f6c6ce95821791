/** What sensors, temperatures, fans and battery share: psutil's secs2hours and the battery lines. */
import { POWER_TIME_UNKNOWN, POWER_TIME_UNLIMITED, type Battery } from '../index';
import { pyFloat, pyRound } from './format';

/** '%d:%02d:%02d'; fixed: the sentinels print as words where psutil prints '-1:59:59' / '-1:59:58'. */
export function secs2hours(secs: number): string {
  if (secs === POWER_TIME_UNLIMITED) return 'unlimited';
  if (secs === POWER_TIME_UNKNOWN) return 'N/A';
  const s = Math.trunc(secs);
  return `${Math.trunc(s / 3600)}:${String(Math.trunc((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** The battery block; `indent` is '    ' under sensors' `Battery:`, '' for battery. */
export function batteryLines(b: Battery, indent: string): string[] {
  const out = [`${indent}charge:     ${pyFloat(pyRound(b.percent, 2))}%`];
  if (b.powerPlugged) {
    out.push(`${indent}status:     ${b.percent < 100 ? 'charging' : 'fully charged'}`, `${indent}plugged in: yes`);
  } else {
    out.push(
      `${indent}left:       ${secs2hours(b.secsleft)}`,
      `${indent}status:     discharging`,
      `${indent}plugged in: no`,
    );
  }
  return out;
}
