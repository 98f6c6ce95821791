/** CLK_TCK and the page size, from sysconf(3): never hard-coded (psutil-surface trap 11). Cached for the process. */
import * as native from './native';

let clkTck = 0;
let pageSize = 0;

export function clockTicks(): number {
  if (clkTck === 0) clkTck = native.sysconf(native.SC_CLK_TCK) || 100;
  return clkTck;
}

export function pageSizeBytes(): number {
  if (pageSize === 0) pageSize = native.sysconf(native.SC_PAGESIZE) || 4096;
  return pageSize;
}
