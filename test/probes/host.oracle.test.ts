/** Differential tests against /usr/bin/python3 psutil 5.9: boot_time and users. */
import * as path from 'node:path';
import { createPsutil, bootTime, users } from '../../src/index';
import { describeOracle, py } from '../helpers/oracle';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../helpers/fixtures';
import { removeTmpTrees, tmpTree } from '../helpers/tmptree';
import { utmpFile } from '../helpers/utmp';

afterAll(removeTmpTrees);

interface PyUser {
  name: string;
  terminal: string | null;
  host: string;
  started: number;
  pid: number;
}

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
    const key = (u: PyUser) => JSON.stringify([u.name, u.terminal, u.host, u.started, u.pid]);
    const theirs = py<PyUser[]>('out = psutil.users()');
    expect(users().map(key).sort()).toEqual(theirs.map(key).sort());
  });

  test("users of a fixture utmp: ':0' and ':0.0' read localhost, an empty host stays '' (psutil reads it via utmpname)", () => {
    const USER_PROCESS = 7;
    const rootfs = tmpTree({
      'var/run/utmp': utmpFile([
        { type: USER_PROCESS, pid: 4300, line: 'tty2', id: 'tty2', user: 'bob', host: ':0', tvSec: 1700000200 },
        { type: USER_PROCESS, pid: 4301, line: 'pts/1', id: 'ts/1', user: 'bob', host: ':0.0', tvSec: 1700000201 },
        { type: USER_PROCESS, pid: 4400, line: 'tty3', id: 'tty3', user: 'carol', host: '', tvSec: 1700000300 },
        { type: USER_PROCESS, pid: 4401, line: 'pts/2', id: 'ts/2', user: 'dan', host: ':1', tvSec: 1700000301 },
        { type: USER_PROCESS, pid: 4500, line: '', id: 'x', user: 'eve', host: 'localhost', tvSec: 1700000400 },
      ]),
    });
    // glibc's utmpname() points the getutent() that psutil's C users() calls at the fixture file.
    const theirs = py<PyUser[]>(
      `import ctypes\nctypes.CDLL('libc.so.6').utmpname(${JSON.stringify(path.join(rootfs, 'var/run/utmp'))}.encode())\nout = psutil.users()`,
    );
    const ours = createPsutil({ rootfs }).users();
    expect(ours.map((u) => u.host)).toEqual(['localhost', 'localhost', '', ':1', 'localhost']);
    // psutil 5.9.4 passes `started` through a C float (psutil #2225, fixed in 5.9.5): compare at that precision.
    expect(ours.map((u) => ({ ...u, started: Math.fround(u.started) }))).toEqual(theirs);
    expect(ours.map((u) => u.started)).toEqual([1700000200, 1700000201, 1700000300, 1700000301, 1700000400]);
  });
});
