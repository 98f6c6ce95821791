/**
 * The Linux backend: one object gathering every platform function the facade calls. Each area module exports plain
 * functions taking the ProcFs first; they are spread here so the facade has a single typed entry point.
 */
import * as sys from './sysconf';

export const linuxBackend = {
  ...sys,
};

export type Backend = typeof linuxBackend;
