import * as path from 'node:path';
import { createPsutil, OsError, ParseError } from '../../src/index';
import { UT_BOOT_TIME, UT_DEAD_PROCESS, UT_LOGIN_PROCESS, UT_USER_PROCESS } from '../../src/probes/linux/parse/utmp';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../helpers/fixtures';
import { removeTmpTrees, tmpTree } from '../helpers/tmptree';
import { utmpFile } from '../helpers/utmp';

afterAll(removeTmpTrees);

describe('bootTime', () => {
  test('our hosts: btime as a number of epoch seconds', () => {
    expect(createPsutil({ procfs: own('host-laptop', 'proc') }).bootTime()).toBe(1764979200);
    expect(createPsutil({ procfs: own('host-server', 'proc') }).bootTime()).toBe(1700000000);
  });

  testPeer('node_exporter fixture: btime as a number of epoch seconds', () => {
    expect(createPsutil({ procfs: path.join(NODE_EXPORTER_FIXTURES, 'proc') }).bootTime()).toBe(1418183276);
  });

  test('no btime line -> ParseError naming /proc/stat; no stat -> OsError ENOENT', () => {
    const root = tmpTree({ stat: 'cpu 1 2 3 4 5 6 7\n' });
    expect(() => createPsutil({ procfs: root }).bootTime()).toThrow(ParseError);
    expect(() => createPsutil({ procfs: root }).bootTime()).toThrow(path.join(root, 'stat'));
    expect(() => createPsutil({ procfs: tmpTree() }).bootTime()).toThrow(OsError);
  });
});

describe('users', () => {
  const records = [
    { type: UT_BOOT_TIME, line: '~', user: 'reboot', host: '6.1.0-13-amd64', tvSec: 1700000000 },
    { type: UT_LOGIN_PROCESS, pid: 600, line: 'tty1', id: 'tty1', user: 'LOGIN', tvSec: 1700000010 },
    {
      type: UT_USER_PROCESS,
      pid: 4242,
      line: 'pts/0',
      id: 'ts/0',
      user: 'alice',
      host: '10.0.0.7',
      tvSec: 1700000123,
      tvUsec: 5,
    },
    { type: UT_USER_PROCESS, pid: 4300, line: 'tty2', id: 'tty2', user: 'bob', host: ':0', tvSec: 1700000200 },
    { type: UT_USER_PROCESS, pid: 4301, line: 'pts/1', id: 'ts/1', user: 'bob', host: ':0.0', tvSec: 1700000201 },
    { type: UT_USER_PROCESS, pid: 4400, line: 'tty3', id: 'tty3', user: 'carol', host: '', tvSec: 1700000300 },
    { type: UT_USER_PROCESS, pid: 4500, line: '', id: 'x', user: 'dave', host: 'example.org', tvSec: 1700000400 },
    { type: UT_DEAD_PROCESS, pid: 17, line: 'pts/9', user: '' },
  ];

  test("USER_PROCESS records of <rootfs>/var/run/utmp, X displays -> localhost, an empty host stays ''", () => {
    const rootfs = tmpTree({ 'var/run/utmp': utmpFile(records) });
    const users = createPsutil({ rootfs }).users();
    expect(users).toEqual([
      { name: 'alice', terminal: 'pts/0', host: '10.0.0.7', started: 1700000123, pid: 4242 },
      { name: 'bob', terminal: 'tty2', host: 'localhost', started: 1700000200, pid: 4300 },
      { name: 'bob', terminal: 'pts/1', host: 'localhost', started: 1700000201, pid: 4301 },
      { name: 'carol', terminal: 'tty3', host: '', started: 1700000300, pid: 4400 },
      { name: 'dave', terminal: null, host: 'example.org', started: 1700000400, pid: 4500 },
    ]);
    expect(Object.keys(users[0] ?? {})).toEqual(['name', 'terminal', 'host', 'started', 'pid']);
    expect(Object.isFrozen(users)).toBe(true);
  });

  test('falls back to /run/utmp', () => {
    const rootfs = tmpTree({ 'run/utmp': utmpFile(records.slice(2, 3)) });
    expect(
      createPsutil({ rootfs })
        .users()
        .map((u) => u.name),
    ).toEqual(['alice']);
  });

  test('no utmp at all (systemd without utmp, psutil #2597): []', () => {
    expect(createPsutil({ rootfs: tmpTree() }).users()).toEqual([]);
  });

  test('a torn utmp -> ParseError naming the file', () => {
    const rootfs = tmpTree({ 'var/run/utmp': utmpFile(records).subarray(0, 1000) });
    expect(() => createPsutil({ rootfs }).users()).toThrow(ParseError);
    expect(() => createPsutil({ rootfs }).users()).toThrow(path.join(rootfs, 'var/run/utmp'));
  });
});
