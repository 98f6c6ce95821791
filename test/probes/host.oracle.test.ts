/** Differential tests against /usr/bin/python3 psutil 5.9: boot_time and users. */
import * as path from 'node:path';
import { createPsutil, bootTime, users } from '../../src/index';
import { describeOracle, py } from '../helpers/oracle';
import { NODE_EXPORTER_FIXTURES } from '../helpers/fixtures';

describeOracle('host: against psutil', () => {
  test('boot_time equal (live and on a fixture tree)', () => {
    expect(bootTime()).toBe(py<number>('out = psutil.boot_time()'));
    const root = path.join(NODE_EXPORTER_FIXTURES, 'proc');
    expect(createPsutil({ procfs: root }).bootTime()).toBe(py<number>(`psutil.PROCFS_PATH = ${JSON.stringify(root)}\nout = psutil.boot_time()`));
  });

  test('users equal as multisets', () => {
    const key = (u: { name: string; terminal: string | null; host: string; started: number; pid: number }) =>
      // psutil maps only ':0' and ':0.0' to localhost; we also map an empty (local console) host.
      JSON.stringify([u.name, u.terminal, u.host === '' ? 'localhost' : u.host, u.started, u.pid]);
    const theirs = py<{ name: string; terminal: string | null; host: string; started: number; pid: number }[]>('out = psutil.users()');
    expect(users().map(key).sort()).toEqual(theirs.map(key).sort());
  });
});
