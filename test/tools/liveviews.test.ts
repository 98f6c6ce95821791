/**
 * top, iotop and nettop with --once on the fixture hosts (whole frames, numbers worked out from the fixture files in
 * the comments), each line checked against the column layout psutil 5.9.4's own captured lines split by, and the
 * one-line error without a terminal. The live runs (keys, refresh, the terminal restored) are in tmux.test.ts.
 */
import { cells, rootsOf, run, type Col } from './run';

/** Lines copied from captures of psutil 5.9.4's top.py, iotop.py and nettop.py (docs/tools.md). */
const PSUTIL_594 = {
  topHead: [
    ' CPU0  [                                        ]   1.0%',
    ' Mem   [                                        ]   1.5% 106.0M / 23.5G',
    ' Swap  [                                        ]   0.0%   0.0B / 0.0B',
  ],
  top: [
    'PID    USER       NI   VIRT    RES  CPU%  MEM%     TIME+  NAME',
    '1      root        0  42.0M  13.3M   1.0   0.1   6:33.50  process_api',
    '4      root      -20   0.0B   0.0B   0.0   0.0    0:00.0  kworker/R-rcu_gp',
  ],
  iotop: [
    'PID   USER      DISK READ  DISK WRITE  COMMAND',
    '6701  root          96.0K      240.0M  bash /dev/fd/3',
    '2     root           0.0B        0.0B  kthreadd',
  ],
  nettop: [
    'eth0                      TOTAL         PER-SEC',
    'bytes-sent                 1.3M          0.0B/s',
    'pkts-sent                  9215               0',
  ],
  nettopTotal: [
    'total bytes:           sent: 44.3M        received: 487.7M',
    'total packets:         sent: 46978        received: 52485',
  ],
};

const BAR: Col[] = [' ', ['L', 6], '[', ['L', 40], '] ', ['R', 5], '%'];
const MEM_BAR: Col[] = [...BAR, ' ', ['R', 6], ' / '];
const TOP: Col[] = [
  ['L', 6],
  ' ',
  ['L', 8],
  ' ',
  ['R', 4],
  ' ',
  ['R', 6],
  ' ',
  ['R', 6],
  ' ',
  ['R', 5],
  ' ',
  ['R', 5],
  ' ',
  ['R', 9],
  '  ',
];
const IOTOP: Col[] = [['L', 5], ' ', ['L', 7], ' ', ['R', 11], ' ', ['R', 11], '  '];
const NETTOP: Col[] = [['L', 15], ' ', ['R', 15], ' ', ['R', 15]];
const TOTAL: Col[] = [['L', 23], 'sent: ', ['L', 10], '   received: '];

test("psutil's own lines split by the layouts (so a wrong width fails here too)", () => {
  expect(cells(BAR, PSUTIL_594.topHead[0] as string)).toEqual(['CPU0', '', '1.0', '']);
  expect(cells(MEM_BAR, PSUTIL_594.topHead[1] as string)).toEqual(['Mem', '', '1.5', '106.0M', '23.5G']);
  expect(cells(MEM_BAR, PSUTIL_594.topHead[2] as string)).toEqual(['Swap', '', '0.0', '0.0B', '0.0B']);
  for (const l of PSUTIL_594.top) expect(cells(TOP, l)).toHaveLength(9);
  for (const l of PSUTIL_594.iotop) expect(cells(IOTOP, l)).toHaveLength(5);
  for (const l of PSUTIL_594.nettop) expect(cells(NETTOP, l)).toHaveLength(4);
  for (const l of PSUTIL_594.nettopTotal) expect(cells(TOTAL, l)).toHaveLength(3);
});

describe('on host-laptop', () => {
  const roots = rootsOf('host-laptop');

  test('top --once: the header lines and the processes by CPU%', async () => {
    const r = await run(['top', '--once', ...roots]);
    expect(r).toMatchObject({ code: 0, err: '' });
    // The uptime is now - btime: it moves with the clock, so it is checked by its shape only.
    const uptime = r.lines[7]?.match(/ Uptime: (\d+ days?, \d+:\d\d:\d\d)$/)?.[1];
    expect(uptime).toBeDefined();
    expect(r.lines.join('\n').replace(uptime as string, 'UPTIME')).toBe(
      [
        // 4 cpuN lines in /proc/stat; a static tree gives no ticks over the 0.1 s sample: 0.0, an empty bar.
        ' CPU0  [                                        ]   0.0%',
        ' CPU1  [                                        ]   0.0%',
        ' CPU2  [                                        ]   0.0%',
        ' CPU3  [                                        ]   0.0%',
        // MemTotal 16215440 kB, MemAvailable 9875012 kB: used 6340428 kB = 6.0G, 39.1 % (15 dashes = int(39.1*0.4)).
        ' Mem   [|||||||||||||||                         ]  39.1%   6.0G / 15.5G',
        // SwapTotal 8388604 kB, SwapFree 7340028 kB: 1048576 kB used = 1.0G of 8.0G, 12.5 %.
        ' Swap  [|||||                                   ]  12.5%   1.0G / 8.0G',
        // Statuses in first-seen order, running and sleeping moved first (psutil's sort).
        ' Processes: 5 (sleeping=3, running=1, idle=1)',
        // /proc/loadavg: 1.27 0.98 0.75.
        ' Load average: 1.27 0.98 0.75  Uptime: UPTIME',
        '',
        'PID    USER       NI   VIRT    RES  CPU%  MEM%     TIME+  NAME',
        // All at 0.0 CPU%: pid order kept. firefox-bin: utime 91234 + stime 12001 ticks = 1032.35 s = 17:12.35
        // (psutil: the same here, but it would add cutime/cstime and drop the hours).
        '1                  0   0.0B   0.0B   0.0         0:12.13  systemd',
        '2                  0   0.0B   0.0B   0.0         0:00.00  kthreadd',
        '15                 0   0.0B   0.0B   0.0         0:00.00  ksoftirqd/0',
        '57                 0   0.0B   0.0B   0.0         0:00.00  ',
        '1877               0   0.0B   0.0B   0.0        17:12.35  firefox-bin',
      ].join('\n'),
    );
    for (const l of r.lines.slice(0, 4)) expect(cells(BAR, l)).toHaveLength(4);
    for (const l of r.lines.slice(4, 6)) expect(cells(MEM_BAR, l)).toHaveLength(5);
    for (const l of r.lines.slice(9)) expect(cells(TOP, l)).toHaveLength(9);
  });

  test('iotop --once: the totals and the header (no process here has an io file)', async () => {
    const r = await run(['iotop', '--once', ...roots]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.lines).toEqual([
      'Total DISK READ: 0.0B/s | Total DISK WRITE: 0.0B/s',
      'PID   USER      DISK READ  DISK WRITE  COMMAND',
    ]);
    expect(cells(IOTOP, r.lines[1] as string)).toHaveLength(5);
  });

  test('nettop --once: totals, then the NICs by the sum of their counters', async () => {
    const r = await run(['nettop', '--once', ...roots]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.lines.slice(0, 9)).toEqual([
      'total bytes:           sent: 443.4M       received: 3.7G',
      'total packets:         sent: 1507282      received: 3344179',
      '',
      'wlp2s0                    TOTAL         PER-SEC',
      'bytes-sent               393.2M          0.0B/s',
      'bytes-recv                 3.6G          0.0B/s',
      'pkts-sent               1302233               0',
      'pkts-recv               3140211               0',
      '',
    ]);
    // lo: 48213377 bytes each way and 201544 packets in /proc/net/dev.
    expect(r.lines.slice(9, 14)).toEqual([
      'lo                        TOTAL         PER-SEC',
      'bytes-sent                46.0M          0.0B/s',
      'bytes-recv                46.0M          0.0B/s',
      'pkts-sent                201544               0',
      'pkts-recv                201544               0',
    ]);
    const blocks = r.lines.filter((l) => l.endsWith('PER-SEC')).map((l) => l.split(' ')[0]);
    expect(blocks).toEqual(['wlp2s0', 'lo', 'vethb1e2f3a', 'docker0', 'enp0s31f6']);
    for (const l of r.lines.slice(0, 2)) expect(cells(TOTAL, l)).toHaveLength(3);
    for (const l of r.lines.slice(3).filter((x) => x !== '')) expect(cells(NETTOP, l)).toHaveLength(4);
  });

  test.each(['top', 'iotop', 'nettop'])('%s without a terminal: one line on stderr, exit 1', async (t) => {
    const r = await run([t, ...roots]);
    expect(r).toEqual({
      code: 1,
      out: '',
      err: `psutil: ${t}: ${t} is a live view and stdout is not a terminal (use --once)\n`,
      lines: [],
    });
  });

  test('psutil alone lists the live views', async () => {
    const r = await run([]);
    for (const t of ['top', 'iotop', 'nettop']) expect(r.lines.some((l) => l.startsWith(`  ${t} `))).toBe(true);
  });
});
