/**
 * psutil's scripts/killall.py NAME: signals every process named NAME but this one. Fixed: SIGTERM by default, as
 * psmisc's killall (psutil sends SIGKILL); `-s SIG` picks another. A process that denies the signal is reported and
 * the others still get theirs (psutil's script stops with a traceback at the first).
 */
import { constants } from 'node:os';
import { AccessDenied, NoSuchProcess } from '../index';
import { ToolError, type Tool } from './tool';

function signalNumber(s: string | null): number {
  if (s === null) return constants.signals.SIGTERM;
  if (/^\d+$/.test(s)) return Number(s);
  const name = (
    s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : 'SIG' + s.toUpperCase()
  ) as keyof typeof constants.signals;
  const n = constants.signals[name];
  if (n === undefined) throw new ToolError(`unknown signal ${JSON.stringify(s)}`);
  return n;
}

export const killall: Tool = {
  name: 'killall',
  synopsis: 'NAME [-s SIG]',
  summary: 'signal every process with this name (SIGTERM)',
  json: false,
  run(env) {
    if (env.args.length !== 1) throw new ToolError('usage: psutil killall NAME [-s SIG]');
    const name = env.args[0] as string;
    const sig = signalNumber(env.flags.signal);
    let signalled = 0;
    let denied = 0;
    for (const p of env.ps.processIter({ attrs: ['name'] })) {
      if (p.info.name !== name || p.pid === env.selfPid) continue;
      try {
        // sendSignal checks the pid still names the process we matched (no signal to a reused pid).
        p.sendSignal(sig);
        signalled++;
      } catch (e) {
        if (e instanceof AccessDenied) {
          env.err(`psutil: killall: ${name}(${p.pid}): permission denied`);
          denied++;
        } else if (!(e instanceof NoSuchProcess)) {
          throw e;
        }
      }
    }
    if (signalled === 0 && denied === 0) throw new ToolError(`${name}: no process found`);
    return denied > 0 ? 1 : 0;
  },
};
