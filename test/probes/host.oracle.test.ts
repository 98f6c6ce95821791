/** Differential tests against /usr/bin/python3 psutil 5.9: boot_time and users. */
import * as path from 'node:path';
import { createPsutil, bootTime, users } from '../../src/index';
import { describeOracle, py } from '../helpers/oracle';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../helpers/fixtures';

describeOracle('host: against psutil', () => {
  const fixtureBootTimeSame = (root: string) => {
    expect(createPsutil({ procfs: root }).bootTime()).toBe(
      py<number>(`psutil.PROCFS_PATH = ${JSON.stringify(root)}\nout = psutil.boot_time()`),
    );
  };

  test('boot_time equal (live and on our hosts)', () => {
    expect(bootTime()).toBe(py<number>('out = psutil.boot_time()'));
    fixtureBootTimeSame(own('host-laptop', 'proc'));
    fixtureBootTimeSame(own('host-server', 'proc'));
  });

  testPeer("boot_time equal on node_exporter's tree", () =>
    fixtureBootTimeSame(path.join(NODE_EXPORTER_FIXTURES, 'proc')),
  );

  test('users equal as multisets', () => {
    const key = (u: { name: string; terminal: string | null; host: string; started: number; pid: number }) =>
      // psutil maps only ':0' and ':0.0' to localhost; we also map an empty (local console) host.
      JSON.stringify([u.name, u.terminal, u.host === '' ? 'localhost' : u.host, u.started, u.pid]);
    const theirs =
      py<{ name: string; terminal: string | null; host: string; started: number; pid: number }[]>(
        'out = psutil.users()',
      );
    expect(users().map(key).sort()).toEqual(theirs.map(key).sort());
  });
});
