/**
 * The Linux backend: one object gathering every platform module the facade calls, one namespace per area
 * (ctx.os.cpu.cpuTimes(ctx.fs, ...)). Each area module exports plain functions taking the ProcFs first.
 * Add an area: `import * as area from './area'` and list it below.
 */
import * as sysconf from './sysconf';
import * as net from './net';
import * as cpu from './cpu';
import * as memory from './memory';
import * as host from './host';
import * as disk from './disk';
import * as sensors from './sensors';
import * as sysinfo from './sysinfo';
import * as processHandle from './process';
import * as processTable from './processes';
import * as kstat from './kstat';
import * as heap from './heap';
import * as cgroups from './cgroups';
import * as platform from './platform';
import * as subsystems from './subsystems';

export const linuxBackend = {
  sysconf,
  net,
  cpu,
  memory,
  host,
  disk,
  sensors,
  sysinfo,
  // One process's files (handle) and the process table (pids, pidExists, ppidMap, ...), as one area.
  process: { ...processHandle, ...processTable },
  kstat,
  heap,
  cgroups,
  platform,
  subsystems,
};

export type Backend = typeof linuxBackend;
