/** psutil's scripts/disk_usage.py ("a-la df -h"): physical filesystems only, Use% truncated as psutil does. */
import { bytes2human, ljust, rjust } from './format';
import { messageOf, printJson, type Tool } from './tool';

const line = (
  dev: string,
  total: string,
  used: string,
  free: string,
  use: string,
  type: string,
  mount: string,
): string =>
  `${ljust(dev, 17)} ${rjust(total, 8)} ${rjust(used, 8)} ${rjust(free, 8)} ${rjust(use, 5)}% ${rjust(type, 9)}  ${mount}`;

function run(env: Parameters<Tool['run']>[0]): number {
  // A mount whose usage cannot be read (gone, denied, a stale NFS handle) is reported and skipped, as df does (rc 1);
  // psutil's script stops with a traceback there.
  let failed = false;
  const rows = env.ps.diskPartitions({ all: false }).flatMap((part) => {
    try {
      return [{ ...part, usage: env.ps.diskUsage(part.mountpoint) }];
    } catch (e) {
      env.err(`psutil: ${env.toolName}: ${part.mountpoint}: ${messageOf(e)}`);
      failed = true;
      return [];
    }
  });
  if (env.flags.json) {
    printJson(env, rows);
    return failed ? 1 : 0;
  }
  env.out(line('Device', 'Total', 'Used', 'Free', 'Use ', 'Type', 'Mount'));
  for (const r of rows) {
    const u = r.usage;
    env.out(
      line(
        r.device,
        bytes2human(u.total),
        bytes2human(u.used),
        bytes2human(u.free),
        String(Math.trunc(u.percent)),
        r.fstype,
        r.mountpoint,
      ),
    );
  }
  return failed ? 1 : 0;
}

export const diskUsage: Tool = {
  name: 'disk_usage',
  summary: 'mounted filesystems and their usage, a-la df -h',
  json: true,
  run,
};
export const df: Tool = { name: 'df', summary: 'the same as disk_usage', json: true, run };
