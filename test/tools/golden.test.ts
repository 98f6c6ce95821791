/**
 * `psutil <tool>` on the fixture hosts (test/fixtures/host-laptop, host-server): whole outputs, whose numbers are
 * worked out from the fixture files in the comments, and every line checked against the column layout of psutil
 * 5.9.4's own output. The PSUTIL_594 lines are copied from captures of psutil's scripts (psutil 5.9.4, Python 3.11;
 * docs/tools.md): the layouts must split them too, so a wrong width here fails on psutil's lines as well as ours.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { utmpFile } from '../helpers/utmp';
import { cells, rootsOf, run, type Col } from './run';

const PSUTIL_594 = {
  free: [
    '             total       used       free     shared    buffers      cache',
    'Mem:      24684096     139148   23935888       8872      13208     595852',
    'Swap:            0          0          0                                 ',
  ],
  meminfo: ['Total      :   23.5G', 'Percent    :     1.5', 'Sin        :    0.0B'],
  ps: [
    'USER         PID  %MEM     VSZ     RSS  NICE STATUS  START   TIME  CMDLINE',
    'root           1   0.1   41.7M   12.9M        sleep  04:22  06:30  /process_api ',
    'root           4   0.0    0.0B    0.0B   -20   idle  04:22  00:00  kworker/R-rcu',
  ],
  netstat: [
    'Proto Local address                  Remote address                 Status        PID    Program name',
    'tcp   127.0.0.1:18765                -                              LISTEN        4073   python3',
    'tcp   192.0.2.2:48750                203.0.113.80:80                TIME_WAIT     -      ?',
  ],
  df: [
    'Device               Total     Used     Free  Use %      Type  Mount',
    '/dev/vda            252.0G    23.3G    78.1G    23%      ext4  /',
  ],
  who: ['root         pts/0      2023-11-14 23:13 (10.0.2.2)     sshd'],
  sensors: [
    '        Package id 0         54.0°C (high=100.0°C, critical=100.0°C)',
    '        acpitz               27.8°C (high=None°C, critical=None°C)',
    '        thinkpad             2712 RPM',
  ],
  temperatures: ['    Package id 0         54.0 °C (high = 100.0 °C, critical = 100.0 °C)'],
  pmap: [
    'Address                     RSS  Mode    Mapping',
    '000055ba543e3000           8.0K  r--p    /tmp/cliout/zzsleep',
    'Total                      1.7M          ',
  ],
  procsmem: [
    'PID     User        USS     PSS    Swap     RSS Cmdline',
    '918     root     100.0K  354.0K      0B    1.1M line_io_tools/binary_backend --uid 0 --gid 0 --sta',
  ],
  procinfo: [
    'cpu-tspent  0:00.50',
    'res-limits  RLIMIT                  SOFT            HARD',
    '            coredumpsize               0        infinity',
  ],
};

const L = (n: number): Col => ['L', n];
const R = (n: number): Col => ['R', n];
const LAYOUT: Record<string, readonly Col[]> = {
  free: [L(7), ' ', R(10), ' ', R(10), ' ', R(10), ' ', R(10), ' ', R(10), ' ', R(10)],
  meminfo: [L(10), ' : ', R(7)],
  ps: [L(10), ' ', R(5), ' ', R(5), ' ', R(7), ' ', R(7), ' ', R(5), ' ', R(6), ' ', R(6), ' ', R(6), '  '],
  netstat: [L(5), ' ', L(30), ' ', L(30), ' ', L(13), ' ', L(6), ' '],
  df: [L(17), ' ', R(8), ' ', R(8), ' ', R(8), ' ', R(5), '% ', R(9), '  '],
  who: [L(12), ' ', L(10), ' ', L(16), ' ', L(14), ' '],
  sensors: ['        ', L(20), ' '],
  temperatures: ['    ', L(20), ' '],
  pmap: [L(20), ' ', R(10), '  ', L(7), ' '],
  procsmem: [L(7), ' ', L(7), ' ', R(7), ' ', R(7), ' ', R(7), ' ', R(7), ' '],
  procinfo: [L(11), ' '],
};

/** Splits every line by the tool's layout: psutil's captured lines first (the layout is right), then ours. */
function checkLayout(tool: keyof typeof PSUTIL_594, lines: readonly string[]): string[][] {
  const layout = LAYOUT[tool] as readonly Col[];
  for (const l of PSUTIL_594[tool]) expect(() => cells(layout, l)).not.toThrow();
  return lines.map((l) => cells(layout, l));
}

describe('on host-laptop', () => {
  const roots = rootsOf('host-laptop');

  test('free: KiB, used = total - available, the Swap row padded with empty cells', async () => {
    const r = await run(['free', ...roots]);
    expect(r.code).toBe(0);
    // meminfo: MemTotal 16215440, MemAvailable 9875012 (used 6340428), MemFree 3218844, Shmem 783020, Buffers 412376,
    // Cached 6518800 + SReclaimable 402880 = 6921680; swap 8388604 total, 7340028 free.
    expect(r.lines).toEqual([
      '             total       used       free     shared    buffers      cache',
      'Mem:      16215440    6340428    3218844     783020     412376    6921680',
      'Swap:      8388604    1048576    7340028                                 ',
    ]);
    expect(r.lines[0]).toBe(PSUTIL_594.free[0]);
    checkLayout('free', r.lines);
  });

  test('meminfo: bytes2human per field, percent as a float', async () => {
    const r = await run(['meminfo', ...roots]);
    expect(r.code).toBe(0);
    // 16215440 KiB = 15.46 GiB; available 9875012 KiB = 9.42 GiB; percent (total - available) / total = 39.1;
    // sin 52213 pages x 4 KiB = 203.96 MiB; sout 262151 pages = 1.0000038 GiB.
    expect(r.lines.slice(0, 5)).toEqual([
      'MEMORY',
      '------',
      'Total      :   15.5G',
      'Available  :    9.4G',
      'Percent    :    39.1',
    ]);
    expect(r.lines.slice(13)).toEqual([
      '',
      'SWAP',
      '----',
      'Total      :    8.0G',
      'Used       :    1.0G',
      'Free       :    7.0G',
      'Percent    :    12.5',
      'Sin        :  204.0M',
      'Sout       :    1.0G',
    ]);
    checkLayout(
      'meminfo',
      r.lines.filter((l) => l.includes(' : ')),
    );
  });

  test('sensors: chips in name order, None for a missing threshold, the battery block', async () => {
    const r = await run(['sensors', ...roots]);
    expect(r.code).toBe(0);
    expect(r.lines.filter((l) => !l.startsWith(' '))).toEqual(['acpitz', 'coretemp', 'nvme', 'thinkpad', 'Battery:']);
    expect(r.lines).toContain('        Package id 0         48.0°C (high=100.0°C, critical=100.0°C)');
    expect(r.lines).toContain('        thinkpad             50.0°C (high=None°C, critical=None°C)');
    expect(r.lines).toContain('        thinkpad             2950 RPM');
    // BAT0: energy_now 36660000 / energy_full 45120000 = 81.25 %, charging, AC online.
    expect(r.lines.slice(-4)).toEqual([
      'Battery:',
      '    charge:     81.25%',
      '    status:     charging',
      '    plugged in: yes',
    ]);
    checkLayout(
      'sensors',
      r.lines.filter((l) => l.startsWith('        ')),
    );
  });

  test('temperatures, fans and battery', async () => {
    const t = await run(['temperatures', ...roots]);
    expect(t.code).toBe(0);
    expect(t.lines).toContain('    Package id 0         48.0 °C (high = 100.0 °C, critical = 100.0 °C)');
    expect(t.lines).toContain('    thinkpad             50.0 °C (high = None °C, critical = None °C)');
    checkLayout(
      'temperatures',
      t.lines.filter((l) => l.startsWith('    ')),
    );
    const f = await run(['fans', ...roots]);
    expect(f.lines).toEqual(['thinkpad', '    thinkpad             2950 RPM', '    thinkpad             0 RPM', '']);
    const b = await run(['battery', ...roots]);
    expect(b.lines).toEqual(['charge:     81.25%', 'status:     charging', 'plugged in: yes']);
    const j = await run(['battery', '--json', ...roots]);
    expect(JSON.parse(j.out)).toEqual({ percent: 81.25, secsleft: -2, powerPlugged: true });
  });

  test('pstree: the smallest parent first, `|- ` and `` `_ `` connectors, `?` for an unreadable name', async () => {
    const r = await run(['pstree', ...roots]);
    expect(r.code).toBe(0);
    // ppids: 1 and 2 under 0, 1877 (firefox) under 1, 15 and 57 under 2; 57 has no comm psutil can read here.
    expect(r.lines).toEqual([
      '0 ?',
      '|- 1 systemd',
      '| `_ 1877 firefox-bin',
      '`_ 2 kthreadd',
      '  |- 15 ksoftirqd/0',
      '  `_ 57 ?',
    ]);
  });
});

describe('on host-server', () => {
  const roots = rootsOf('host-server');

  test('free and meminfo: no swap, zero cells and 0.0B', async () => {
    const r = await run(['free', ...roots]);
    expect(r.lines[2]).toBe('Swap:            0          0          0                                 ');
    checkLayout('free', r.lines);
    const m = await run(['meminfo', ...roots]);
    expect(m.lines.slice(-6)).toEqual([
      'Total      :    0.0B',
      'Used       :    0.0B',
      'Free       :    0.0B',
      'Percent    :     0.0',
      'Sin        :    0.0B',
      'Sout       :    0.0B',
    ]);
  });

  test('netstat: tcp, tcp6, udp, udp6 with the owning process; - and ? where psutil prints them', async () => {
    const r = await run(['netstat', ...roots]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe(PSUTIL_594.netstat[0]);
    const rows = checkLayout('netstat', r.lines).slice(1);
    expect(rows).toEqual([
      ['tcp', '0.0.0.0:22', '-', 'LISTEN', '812', 'sshd'],
      ['tcp', '127.0.0.1:5432', '-', 'LISTEN', '1337', 'postgres'],
      ['tcp', '10.20.0.5:22', '10.20.0.99:50122', 'ESTABLISHED', '812', 'sshd'],
      ['tcp', '10.20.0.5:41202', '10.20.0.10:3306', 'TIME_WAIT', '-', '?'],
      ['tcp6', ':::22', '-', 'LISTEN', '812', 'sshd'],
      ['tcp6', '::ffff:10.20.0.5:5432', '::ffff:10.20.0.99:54321', 'ESTABLISHED', '-', '?'],
      ['udp', '0.0.0.0:68', '-', 'NONE', '-', '?'],
      ['udp', '127.0.0.1:53', '-', 'NONE', '-', '?'],
      ['udp6', '::1:547', '-', 'NONE', '-', '?'],
    ]);
    const j = JSON.parse((await run(['netstat', '--json', ...roots])).out) as Array<{
      proto: string;
      pid: number | null;
      name: string | null;
    }>;
    expect(j.map((c) => `${c.proto}/${c.pid}/${c.name}`).slice(0, 2)).toEqual(['tcp/812/sshd', 'tcp/1337/postgres']);
  });

  test('ps: START in %b%d, own CPU time, nice only when set, blank cells for unreadable files', async () => {
    const r = await run(['ps', ...roots]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe(PSUTIL_594.ps[0]);
    const rows = checkLayout('ps', r.lines);
    // btime 1700000000 is 2023-11-14 22:13:20 UTC; pid 1 started 4 ticks later: Nov14. utime 300 + stime 120 ticks =
    // 4.2 s: 00:04. No statm in this tree: VSZ, RSS and %MEM are blank, as psutil's ad_value cells.
    expect(rows[1]).toEqual([
      'root',
      '1',
      '',
      '',
      '',
      '',
      'sleep',
      'Nov14',
      '00:04',
      '/usr/lib/systemd/systemd --switched-root --system --deserialize 22',
    ]);
    const kworker = rows.find((c) => c[1] === '14');
    expect(kworker?.slice(5, 7)).toEqual(['-20', 'idle']);
    expect(rows.find((c) => c[1] === '4242')?.[6]).toBe('zombi');
    const t = await run(['test', ...roots]);
    expect(t.out).toBe(r.out);
  });

  test('procinfo: label rows, gids (not uids twice), connections with *:* for no peer', async () => {
    const r = await run(['procinfo', '812', ...roots]);
    expect(r.code).toBe(0);
    const rows = new Map(r.lines.filter((l) => !l.startsWith(' ')).map((l) => [l.slice(0, 11).trim(), l.slice(12)]));
    expect(rows.get('name')).toBe('sshd');
    expect(rows.get('parent')).toBe('1 (systemd)');
    // utime 300 + stime 120 ticks: 4.20 s.
    expect(rows.get('cpu-tspent')).toBe('0:04.20');
    expect(rows.get('cpu-times')).toBe('user=3.0, system=1.2, children_user=0.0, children_system=0.0, iowait=0.0');
    expect(r.lines.filter((l) => l.startsWith('uids'))).toHaveLength(1);
    expect(r.lines.some((l) => l.startsWith('gids'))).toBe(true);
    const i = r.lines.indexOf('connections PROTO LOCAL ADDR                REMOTE ADDR               STATUS');
    expect(r.lines.slice(i + 1, i + 4)).toEqual([
      '            TCP   0.0.0.0:22                *:*                       LISTEN',
      '            TCP   10.20.0.5:22              10.20.0.99:50122          ESTABLISHED',
      '            TCP   :::22                     *:*                       LISTEN',
    ]);
    // Labels over 11 characters (cpu-affinity, ctx-switches) push their value right, in psutil too.
    checkLayout(
      'procinfo',
      r.lines.filter((l) => !/^\S{12}/.test(l)),
    );
  });

  test('pidof: by name or argv[0], pids ascending on one line; no match exits 1', async () => {
    // comm sshd (812); 1337's comm is postgres; systemd (1) matches by name; argv[0] of 812 is /usr/sbin/sshd.
    expect(await run(['pidof', 'sshd', ...roots])).toMatchObject({ code: 0, out: '812\n' });
    expect(await run(['pidof', '/usr/sbin/sshd', ...roots])).toMatchObject({ code: 0, out: '812\n' });
    expect(await run(['pidof', 'nosuch', ...roots])).toMatchObject({ code: 1, out: '', err: '' });
    expect(JSON.parse((await run(['pidof', 'systemd', '--json', ...roots])).out)).toEqual([1]);
  });

  test('who: utmp sessions with their process name, (host) only when there is one', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psutil-who-'));
    try {
      fs.mkdirSync(path.join(tmp, 'var', 'run'), { recursive: true });
      // USER_PROCESS (7) records; pid 812 is sshd in host-server's procfs, 999 is not there (a blank name). An empty
      // ut_host stays '' in users(), as in psutil, so who.py prints no (host) for the console login.
      fs.writeFileSync(
        path.join(tmp, 'var', 'run', 'utmp'),
        utmpFile([
          { type: 7, pid: 812, line: 'pts/0', user: 'root', host: '10.0.2.2', tvSec: 1700003600 },
          { type: 7, pid: 999, line: 'tty7', user: 'giampaolo', tvSec: 1700000000 },
        ]),
      );
      const procfs = rootsOf('host-server')[1] as string;
      const r = await run(['who', '--procfs', procfs, '--rootfs', tmp]);
      expect(r.code).toBe(0);
      expect(r.lines).toEqual([
        'root         pts/0      2023-11-14 23:13 (10.0.2.2)     sshd',
        'giampaolo    tty7       2023-11-14 22:13                ',
      ]);
      expect(r.lines[0]).toBe(PSUTIL_594.who[0]);
      checkLayout('who', r.lines);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('nothing to report: sensors rc 0, temperatures and battery one line on stderr and rc 1, fans rc 0', async () => {
    expect(await run(['sensors', ...roots])).toMatchObject({
      code: 0,
      out: "can't read any temperature, fans or battery info\n",
    });
    expect(await run(['temperatures', ...roots])).toMatchObject({
      code: 1,
      out: '',
      err: "psutil: temperatures: can't read any temperature\n",
    });
    expect(await run(['battery', ...roots])).toMatchObject({
      code: 1,
      out: '',
      err: 'psutil: battery: no battery is installed\n',
    });
    expect(await run(['fans', ...roots])).toMatchObject({ code: 0, out: 'no fans detected\n' });
  });
});

/** One smaps mapping block (sizes in KiB), in the kernel's layout. */
function smapsBlock(
  range: string,
  perms: string,
  pathname: string,
  rss: number,
  pss: number,
  privateDirty: number,
  swap: number,
): string {
  const kb = (k: string, v: number): string => `${(k + ':').padEnd(16)}${String(v).padStart(8)} kB`;
  return (
    [
      `${range} ${perms} 00000000 00:00 0 ${pathname}`,
      kb('Size', rss),
      kb('Rss', rss),
      kb('Pss', pss),
      kb('Shared_Clean', rss - privateDirty),
      kb('Shared_Dirty', 0),
      kb('Private_Clean', 0),
      kb('Private_Dirty', privateDirty),
      kb('Referenced', rss),
      kb('Anonymous', privateDirty),
      kb('Swap', swap),
    ].join('\n') + '\n'
  );
}

describe('pmap and procsmem on host-server plus smaps files', () => {
  // A copy of host-server with statm and smaps for sshd (812) and postgres (1337), which the fixture lacks.
  // Made in beforeAll (not at collection), so a run that filters these tests out leaves no directory behind.
  let tmp = '';
  let host = '';
  let roots: string[] = [];
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psutil-smaps-'));
    host = path.join(tmp, 'host');
    roots = ['--procfs', path.join(host, 'proc'), '--sysfs', path.join(host, 'sys'), '--rootfs', host];
    fs.cpSync(path.join(__dirname, '..', 'fixtures', 'host-server'), host, { recursive: true, verbatimSymlinks: true });
    const put = (rel: string, text: string): void => fs.writeFileSync(path.join(host, 'proc', rel), text);
    // statm: size resident shared text lib data dt, in pages (4 KiB): rss 1233 pages = 4.8M.
    put('812/statm', '27399 1233 900 50 0 300 0\n');
    put(
      '812/smaps',
      smapsBlock('55d0c0a00000-55d0c0a5c000', 'r-xp', '/usr/sbin/sshd', 360, 180, 0, 0) +
        smapsBlock('55d0c1000000-55d0c1021000', 'rw-p', '[heap]', 2304, 2304, 2304, 12) +
        smapsBlock('7ffc00000000-7ffc00021000', 'rw-p', '[stack]', 16, 16, 16, 0),
    );
    put('1337/statm', '50000 300 200 10 0 100 0\n');
    put('1337/smaps', smapsBlock('7f0000000000-7f0000100000', 'rw-p', '', 1024, 600, 100, 0));
  });
  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('pmap: zero-filled start addresses, RSS via bytes2human (2304K is 2.2M, half-even), the total', async () => {
    const r = await run(['pmap', '812', ...roots]);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      'Address                     RSS  Mode    Mapping',
      '000055d0c0a00000         360.0K  r-xp    /usr/sbin/sshd',
      '000055d0c1000000           2.2M  rw-p    [heap]',
      '00007ffc00000000          16.0K  rw-p    [stack]',
      '-------------------------------',
      // 360 + 2304 + 16 = 2680 KiB = 2.62 MiB.
      'Total                      2.6M          ',
      'PID = 812, name = sshd',
    ]);
    expect(r.lines[0]).toBe(PSUTIL_594.pmap[0]);
    checkLayout(
      'pmap',
      r.lines.filter((l) => !l.startsWith('-') && !l.startsWith('PID')),
    );
  });

  test('procsmem: smallest USS first, the largest kept by --limit, blank user where status is missing', async () => {
    const r = await run(['procsmem', ...roots]);
    expect(r.code).toBe(0);
    // 812: USS = private 2304 + 16 KiB = 2.3M; PSS 180 + 2304 + 16 = 2500 KiB = 2.4M; swap 12K; RSS 1233 pages = 4.8M.
    // 1337: USS 100 KiB, PSS 600 KiB, RSS 300 pages = 1.2M; its cmdline is padded by setproctitle, cut at 50.
    expect(r.lines).toEqual([
      PSUTIL_594.procsmem[0],
      '='.repeat(78),
      `1337    ${' '.repeat(7)}  100.0K  600.0K      0B    1.2M ${'postgres: checkpointer'.padEnd(50).slice(0, 50)}`,
      `812     ${' '.repeat(7)}    2.3M    2.4M   12.0K    4.8M /usr/sbin/sshd -D`,
    ]);
    checkLayout(
      'procsmem',
      r.lines.filter((l) => !l.startsWith('=')),
    );
    // The others have no smaps here: counted on stderr, not a traceback.
    expect(r.err).toMatch(/^warning: memory not readable for \d+ pids\n$/);
    const one = await run(['procsmem', '--limit', '1', ...roots]);
    expect(one.lines.slice(2).map((l) => l.split(' ')[0])).toEqual(['812']);
  });
});

describe('the command', () => {
  test('alone it lists every tool; --help adds the options and the list of fixes', async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    for (const t of [
      'free',
      'df',
      'disk_usage',
      'meminfo',
      'who',
      'ifconfig',
      'netstat',
      'ps',
      'pstree',
      'procinfo',
      'pmap',
      'procsmem',
      'sensors',
      'temperatures',
      'fans',
      'battery',
      'killall',
      'cpu_distribution',
      'test',
      'pidof',
    ]) {
      expect(r.lines.some((l) => l.startsWith(`  ${t} `))).toBe(true);
    }
    const h = await run(['--help']);
    expect(h.out).toContain("Fixed from psutil's scripts:");
    expect(h.out).toContain('procsmem: the largest 86');
  });

  test.each([
    [['nosuchtool'], 'psutil: unknown tool "nosuchtool" (psutil alone lists them)'],
    [['pmap'], 'psutil: pmap: usage: psutil pmap PID'],
    [['pmap', 'abc'], 'psutil: pmap: invalid pid "abc"'],
    [['pmap', '424242', ...rootsOf('host-server')], 'psutil: pmap: process PID not found (pid=424242)'],
    [['procinfo', '424242', ...rootsOf('host-server')], 'psutil: procinfo: process PID not found (pid=424242)'],
    [['ps', '--once'], 'psutil: ps: unknown option --once'],
    [['killall', '--json', 'x'], 'psutil: killall: --json is for the one-shot tools'],
    // Node's parseArgs words this one: its first words are enough.
    [['free', '--bogus'], /^psutil: Unknown option '--bogus'[^\n]*$/],
  ])('%p: one line on stderr, exit 1', async (argv, msg) => {
    const r = await run(argv);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err.endsWith('\n')).toBe(true);
    if (typeof msg === 'string') expect(r.err).toBe(msg + '\n');
    else expect(r.err.slice(0, -1)).toMatch(msg);
  });

  test('cpu_distribution stops with one line without a terminal, and prints one frame with --once', async () => {
    const r = await run(['cpu_distribution', ...rootsOf('host-laptop')]);
    expect(r).toMatchObject({
      code: 1,
      err: 'psutil: cpu_distribution: cpu_distribution is a live view and stdout is not a terminal (use --once)\n',
    });
    const o = await run(['cpu_distribution', '--once', ...rootsOf('host-laptop')], { env: { LINES: '6' } });
    expect(o.code).toBe(0);
    // 4 CPUs in /proc/stat: 4 L10 headers, 4 percents, then LINES - 3 rows of names.
    expect(o.lines[0]).toBe('CPU 0     CPU 1     CPU 2     CPU 3     ');
    expect(o.lines).toHaveLength(2 + 3);
  });
});
