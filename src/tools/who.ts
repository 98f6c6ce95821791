/** psutil's scripts/who.py: users() with the name of each session's process. */
import { PsutilError } from '../index';
import { ljust, strftime } from './format';
import { printJson, type Tool } from './tool';

export const who: Tool = {
  name: 'who',
  summary: 'logged-in users and their session process',
  json: true,
  run(env) {
    const rows = env.ps.users().map((u) => {
      let proc = '';
      if (u.pid) {
        // psutil's script dies on a session whose process is gone; a blank name is all that is lost.
        try {
          proc = new env.ps.Process(u.pid).name();
        } catch (e) {
          if (!(e instanceof PsutilError)) throw e;
        }
      }
      return { ...u, process: proc };
    });
    if (env.flags.json) {
      printJson(env, rows);
      return 0;
    }
    for (const u of rows) {
      const host = u.host ? `(${u.host})` : '';
      env.out(
        `${ljust(u.name, 12)} ${ljust(u.terminal || '-', 10)} ${ljust(strftime('%Y-%m-%d %H:%M', u.started), 10)} ${ljust(host, 14)} ${u.process}`,
      );
    }
    return 0;
  },
};
