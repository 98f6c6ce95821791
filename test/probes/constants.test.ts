/**
 * psutil 8.0's enums (psutil/_enums.py) beside the constants: each member is the constant of its name, the objects are
 * frozen, and where the installed psutil 5.9 has the enum or the names (NicDuplex, BatteryTime, IOPriority, the
 * RLIM* names ProcessRlimit is built from) the members and values are its own.
 */
import * as lib from '../../src/index';
import {
  BatteryTime,
  ConnectionStatus,
  NicDuplex,
  ProcessIOPriority,
  ProcessRlimit,
  ProcessStatus,
  CONN_LISTEN,
  IOPRIO_CLASS_IDLE,
  NIC_DUPLEX_FULL,
  POWER_TIME_UNLIMITED,
  RLIMIT_NOFILE,
  RLIM_INFINITY,
  STATUS_RUNNING,
  STATUS_ZOMBIE,
} from '../../src/index';
import * as agentConstants from '../../src/constants';
import { describeOracle, py } from '../helpers/oracle';

const ENUMS = { ProcessStatus, ConnectionStatus, NicDuplex, BatteryTime, ProcessIOPriority, ProcessRlimit };

describe("psutil 8.0's enums", () => {
  test('each member is the exported constant of the same name, the same value', () => {
    const constants = lib as unknown as Record<string, unknown>;
    for (const [enumName, e] of Object.entries(ENUMS)) {
      for (const [member, value] of Object.entries(e)) {
        expect([enumName, member, constants[member]]).toEqual([enumName, member, value]);
      }
    }
    expect(ProcessStatus.STATUS_RUNNING).toBe(STATUS_RUNNING);
    expect(ProcessStatus.STATUS_ZOMBIE).toBe('zombie');
    expect(ConnectionStatus.CONN_LISTEN).toBe(CONN_LISTEN);
    expect(NicDuplex.NIC_DUPLEX_FULL).toBe(NIC_DUPLEX_FULL);
    expect(BatteryTime.POWER_TIME_UNLIMITED).toBe(POWER_TIME_UNLIMITED);
    expect(ProcessIOPriority.IOPRIO_CLASS_IDLE).toBe(IOPRIO_CLASS_IDLE);
    expect(ProcessRlimit.RLIMIT_NOFILE).toBe(RLIMIT_NOFILE);
    expect(ProcessRlimit.RLIM_INFINITY).toBe(RLIM_INFINITY);
  });

  test('members in psutil 8.0 order, every STATUS_*/CONN_* constant in its enum', () => {
    expect(Object.keys(ProcessStatus)).toEqual([...Object.keys(ProcessStatus)].sort());
    expect(Object.keys(ConnectionStatus)).toEqual([...Object.keys(ConnectionStatus)].sort());
    const names = Object.keys(lib);
    expect(names.filter((n) => n.startsWith('STATUS_')).sort()).toEqual(Object.keys(ProcessStatus));
    expect(names.filter((n) => n.startsWith('CONN_')).sort()).toEqual(Object.keys(ConnectionStatus));
    expect(Object.keys(ProcessIOPriority)).toEqual([
      'IOPRIO_CLASS_NONE',
      'IOPRIO_CLASS_RT',
      'IOPRIO_CLASS_BE',
      'IOPRIO_CLASS_IDLE',
    ]);
  });

  test('frozen: members can be neither changed nor added', () => {
    for (const e of Object.values(ENUMS)) expect(Object.isFrozen(e)).toBe(true);
    expect(() => {
      (ProcessStatus as unknown as Record<string, string>)['STATUS_RUNNING'] = 'x';
    }).toThrow(TypeError);
    expect(STATUS_RUNNING).toBe('running');
  });

  test('the type of each enum is the union of its values', () => {
    const s: ProcessStatus = STATUS_ZOMBIE;
    const d: NicDuplex = 2;
    const r: ProcessRlimit = RLIMIT_NOFILE;
    // @ts-expect-error -- 3 is not a duplex value
    const bad: NicDuplex = 3;
    expect([s, d, r, bad]).toEqual(['zombie', 2, 7, 3]);
  });

  test("the agent's leaf module (src/constants.ts) has them too", () => {
    expect(agentConstants.ProcessStatus).toBe(ProcessStatus);
    expect(agentConstants.ProcessRlimit).toBe(ProcessRlimit);
  });
});

describeOracle('the enums against the installed psutil 5.9', () => {
  test('NicDuplex, BatteryTime (psutil._common) and IOPriority (psutil._pslinux): same members and values', () => {
    const theirs = py<Record<string, Array<[string, number]>>>(
      [
        'import psutil._common as c, psutil._pslinux as L',
        "out = {k: [[n, int(m)] for n, m in e.__members__.items()] for k, e in [('NicDuplex', c.NicDuplex), ('BatteryTime', c.BatteryTime), ('ProcessIOPriority', L.IOPriority)]}",
      ].join('\n'),
    );
    expect(theirs).toEqual({
      NicDuplex: Object.entries(NicDuplex),
      BatteryTime: Object.entries(BatteryTime),
      ProcessIOPriority: Object.entries(ProcessIOPriority),
    });
  });

  test("ProcessRlimit is psutil 8.0's rule applied to psutil's names: every RLIM* name, in dir() order", () => {
    const theirs = py<Array<[string, number]>>(
      "out = [[n, getattr(psutil, n)] for n in sorted(dir(psutil)) if n.startswith('RLIM') and n.isupper()]",
    );
    expect(Object.entries(ProcessRlimit)).toEqual(theirs);
  });

  test('ProcessStatus and ConnectionStatus hold psutil._common values of the same names', () => {
    const names = [...Object.keys(ProcessStatus), ...Object.keys(ConnectionStatus)];
    const theirs = py<string[]>(`import psutil._common as c\nout = [getattr(c, n) for n in ${JSON.stringify(names)}]`);
    expect(theirs).toEqual([...Object.values(ProcessStatus), ...Object.values(ConnectionStatus)]);
  });
});
