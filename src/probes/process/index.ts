/**
 * The process area (psutil 7.x's Process, Popen, pids, pid_exists, process_iter, wait_procs, and our extensions):
 * what src/index.ts, psutil.ts and the tests import. One concern per file:
 *   types.ts  result and option types        attrs.ts  asDict/processIter attribute names
 *   args.ts   argument checks, signals       env.ts    per-context state, the constructor's init data
 *   core.ts   identity, signals, waiting     process.ts  Process: getters and setters
 *   shape.ts  kernel units -> results        popen.ts  Popen
 *   guard.ts  no OsError leaves a method     api.ts    pids, pidExists, processIter, waitProcs per context
 * Reading is in ../linux/process.ts (one process), ../linux/processes.ts (the process table) and, for
 * processSummary and kernelLimits, ../linux/sysinfo.ts.
 */
export type * from './types';
export { PROCESS_ATTRS, PROCESS_EXTENSION_ATTRS } from './attrs';
export { Process } from './process';
export { Popen } from './popen';
export type { PopenOptions, PopenInput, CommunicateOptions, CommunicateResult } from './popen';
export { processApi } from './api';
export type { IterProcess, ProcessIterFn, WaitProcsOptions } from './api';
