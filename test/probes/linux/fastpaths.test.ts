/**
 * The fast paths behind the system functions give the same answers as the plain ones: ProcFs.readHot (kept-open
 * files re-read from offset 0) and its ReadEnd rules, sysinfo(2) load averages, statvfs and readlink through libc,
 * netIfStats through ioctls, cpuCount from the online CPU list, the cached cpufreq layout and the one-listing storage
 * check of diskIoCounters. Live comparisons run against the same machine's files; fixture trees check the rules.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createPsutil, OsError } from '../../../src/index';
import { ProcFs } from '../../../src/probes/linux/procfs';
import * as native from '../../../src/probes/linux/native';
import * as nativeNet from '../../../src/probes/linux/native-net';
import { requireOr } from '../../helpers/require';
import { removeTmpTrees, tmpTree, writeIn } from '../../helpers/tmptree';

afterAll(removeTmpTrees);

const live = new ProcFs({ procfs: '/proc', sysfs: '/sys', rootfs: '/' });

describe('ProcFs.readHot', () => {
  test('a kept /proc file gives fresh content on every read (seq_file regenerates at offset 0)', () => {
    const a = live.readHotText('/proc/stat', undefined, 'short');
    const b = live.readText('/proc/stat');
    expect(a.split('\n')[0]!.startsWith('cpu ')).toBe(true);
    expect(a.split('\n').length).toBe(b.split('\n').length);
    // ctxt (context switches since boot) only grows: a kept fd must not replay the first read.
    const ctxt = (t: string): number => Number(/^ctxt (\d+)$/m.exec(t)![1]);
    const first = ctxt(live.readHotText('/proc/stat', undefined, 'short'));
    spawnSync('true');
    expect(ctxt(live.readHotText('/proc/stat', undefined, 'short'))).toBeGreaterThan(first);
  });

  for (const [p, ends] of [
    ['/proc/meminfo', 'short'],
    ['/proc/vmstat', 256],
    ['/proc/net/dev', 512],
    ['/proc/diskstats', 512],
    ['/proc/cpuinfo', 'eof'],
    ['/sys/devices/system/cpu/online', 'short'],
  ] as const) {
    requireOr(fs.existsSync(p), `no ${p} in this kernel`).test(
      `${p}: same lines as a plain read (ends ${ends})`,
      () => {
        // A line's words without its numbers (which move between the reads): names, and the order of the lines.
        const keys = (t: string): string[] =>
          t.split('\n').map((l) =>
            l
              .split(/[\s:]+/)
              .filter((w) => w !== '' && !/^[\d.]+$/.test(w))
              .join(' '),
          );
        const plain = keys(live.readText(p));
        expect(plain.filter((k) => k !== '').length).toBeGreaterThan(0);
        expect(keys(live.readHotText(p, undefined, ends))).toEqual(plain);
      },
    );
  }

  test('fixture trees are read the ordinary way: a replaced file is seen at once', () => {
    const root = tmpTree({ 'proc/loadavg': '1.00 2.00 3.00 1/10 100\n' });
    const tree = new ProcFs({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys'), rootfs: root });
    const p = path.join(root, 'proc/loadavg');
    expect(tree.readHotText(p)).toBe('1.00 2.00 3.00 1/10 100\n');
    // A new inode under the same name (what a kept fd would miss).
    fs.rmSync(p);
    writeIn(root, 'proc/loadavg', '4.00 5.00 6.00 1/10 100\n');
    expect(tree.readHotText(p, undefined, 'short')).toBe('4.00 5.00 6.00 1/10 100\n');
    expect(tree.isKernelPath(p)).toBe(false);
    expect(live.isKernelPath('/proc/stat')).toBe(true);
    expect(live.isKernelPath('/sys/block')).toBe(true);
  });

  requireOr(fs.existsSync('/proc/kallsyms'), 'no /proc/kallsyms (CONFIG_KALLSYMS off)').test(
    'a kept file larger than the scratch buffer is read whole (/proc/kallsyms: static, megabytes)',
    () => {
      const plain = live.readText('/proc/kallsyms', 256 << 20);
      expect(plain.length).toBeGreaterThan(1 << 16);
      // Symbol lines stay under 1 KiB (KSYM_NAME_LEN 512 plus address, type and module).
      expect(live.readHotText('/proc/kallsyms', 256 << 20, 1024)).toBe(plain);
      expect(live.readHotText('/proc/kallsyms', 256 << 20)).toBe(plain);
    },
  );

  test('errors are the ordinary OsError, and a missing file is null for the OrNull form', () => {
    expect(live.readHotTextOrNull('/proc/no-such-file')).toBeNull();
    let err: unknown;
    try {
      live.readHotText('/proc/no-such-file');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OsError);
    expect((err as OsError).osCode).toBe('ENOENT');
    expect((err as OsError).path).toBe('/proc/no-such-file');
    expect(live.readHotAttr('/sys/no-such-attr')).toBeNull();
  });

  test('a file larger than the scratch buffer is read whole, with a record bound too (no early stop)', () => {
    const root = tmpTree({ big: 'x'.repeat(100) + '\n'.repeat(1) + 'y'.repeat(200_000) });
    const tree = new ProcFs({ procfs: root, sysfs: root, rootfs: root });
    expect(tree.readHotText(path.join(root, 'big'), undefined, 512).length).toBe(200_101);
    expect(tree.readCapped(path.join(root, 'big'), 1 << 20, 512).buf.length).toBe(200_101);
  });
});

describe('ProcFs.readView through libc (real procfs)', () => {
  /** What the ordinary read (Node's fs) gives: the reference for the libc path. */
  const plainBytes = (p: string): Buffer => fs.readFileSync(p);

  test("a child's stable files read the same bytes as Node's fs, a cmdline past the scratch buffer whole", async () => {
    // 200 KB of arguments (one may hold 128 KiB at most): more than the 64 KiB scratch buffer, so the read loop has
    // to grow it and go on.
    const longs = ['a', 'b', 'c', 'd'].map((c) => c.repeat(50_000));
    // sh stays (a command after sleep keeps it from exec'ing sleep) with the arguments as its $0..$3.
    const child = spawn('sh', ['-c', 'sleep 60; :', ...longs], { stdio: 'ignore' });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      const dir = `/proc/${child.pid}/`;
      expect(live.isKernelPath(dir + 'cmdline')).toBe(true);
      const got = Buffer.from(live.readView(dir + 'cmdline', 8 << 20));
      expect(got.length).toBe('sh\0-c\0sleep 60; :\0'.length + 4 * 50_001);
      expect(got.equals(plainBytes(dir + 'cmdline'))).toBe(true);
      // The cap cuts the read where the plain read's cap would.
      expect(live.readView(dir + 'cmdline', 1000).length).toBe(1000);
      // statm and status of a sleeping process stay put between two reads (no page faults, no scheduling fields).
      expect(Buffer.from(live.readView(dir + 'statm')).equals(plainBytes(dir + 'statm'))).toBe(true);
      const statusKeys = (b: Buffer): string[] =>
        b
          .toString('latin1')
          .split('\n')
          .map((l) => l.split(':')[0]!);
      expect(statusKeys(Buffer.from(live.readView(dir + 'status')))).toEqual(statusKeys(plainBytes(dir + 'status')));
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('errors are the OsError the fs path gives: code, errno, syscall, path and message', () => {
    const p = '/proc/no-such-pid/stat';
    const tree = tmpTree({ 'proc/uptime': '1.00 2.00\n' });
    const plain = new ProcFs({ procfs: path.join(tree, 'proc'), sysfs: tree, rootfs: tree });
    const errOf = (f: () => unknown): OsError => {
      try {
        f();
      } catch (e) {
        return e as OsError;
      }
      throw new Error('no error');
    };
    const viaLibc = errOf(() => live.readView(p));
    const viaFs = errOf(() => plain.readView(path.join(tree, 'proc/no-such-pid/stat')));
    expect(viaLibc).toBeInstanceOf(OsError);
    expect(viaFs).toBeInstanceOf(OsError);
    expect([viaLibc.osCode, viaLibc.errno, viaLibc.syscall, viaLibc.path]).toEqual(['ENOENT', 2, 'open', p]);
    expect([viaFs.osCode, viaFs.errno, viaFs.syscall]).toEqual([viaLibc.osCode, viaLibc.errno, viaLibc.syscall]);
    expect(viaLibc.message).toBe(viaFs.message.split(path.join(tree, 'proc/no-such-pid/stat')).join(p));
  });
});

describe('ProcFs.pidsHot', () => {
  /** The numeric names of a readdir of /proc (the way pids() lists a fixture tree). */
  const listed = (): Set<number> =>
    new Set(
      fs
        .readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .map(Number),
    );

  test('the pids of a readdir, ascending, afresh on each call (a child started in between appears)', async () => {
    const before = listed();
    const hot = live.pidsHot();
    const after = listed();
    expect(hot).not.toBeNull();
    const got = hot!;
    expect(got.every((p, i) => Number.isSafeInteger(p) && (i === 0 || p > got[i - 1]!))).toBe(true);
    // A pid listed before and after was there during the call (the others may have come or gone meanwhile).
    const set = new Set(got);
    for (const p of before) if (after.has(p)) expect(set.has(p)).toBe(true);
    expect(set.has(process.pid)).toBe(true);
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      expect(live.pidsHot()).toContain(child.pid);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a fixture tree is not listed this way (null: the caller reads the directory)', () => {
    const root = tmpTree({ 'proc/12/stat': '', 'proc/3/stat': '', 'proc/self': '' });
    const tree = new ProcFs({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys'), rootfs: root });
    expect(tree.pidsHot()).toBeNull();
    expect(createPsutil({ procfs: path.join(root, 'proc') }).pids()).toEqual([3, 12]);
  });
});

describe('ProcFs.readdirHotOrEmpty', () => {
  for (const dir of [
    '/sys/class/net',
    '/sys/class/power_supply',
    '/sys/devices/system/cpu',
    '/sys/block',
    '/proc/self',
  ]) {
    requireOr(fs.existsSync(dir), `no ${dir} on this host`).test(
      `${dir}: the same names in the same order as fs.readdirSync`,
      () => {
        expect(live.readdirHotOrEmpty(dir)).toEqual(fs.readdirSync(dir));
        expect(live.readdirHotOrEmpty(dir)).toEqual(fs.readdirSync(dir)); // again, through the kept fd
      },
    );
  }

  test('a kept directory is listed afresh: a process started after the first listing appears in /proc', () => {
    const before = live.readdirHotOrEmpty('/proc');
    const child = spawn('sleep', ['5']);
    try {
      const pid = String(child.pid);
      expect(before).not.toContain(pid);
      expect(live.readdirHotOrEmpty('/proc')).toContain(pid);
    } finally {
      child.kill();
    }
  });

  test('fixture trees: listed the ordinary way (bytewise order, new entries seen); absent or a file: []', () => {
    const root = tmpTree({ 'd/b': '', 'd/a': '', 'd/é': '', 'd/Z': '', f: '' });
    const tree = new ProcFs({ procfs: root, sysfs: root, rootfs: root });
    expect(tree.readdirHotOrEmpty(path.join(root, 'd'))).toEqual(fs.readdirSync(path.join(root, 'd')));
    writeIn(root, 'd/c', '');
    expect(tree.readdirHotOrEmpty(path.join(root, 'd'))).toEqual(['Z', 'a', 'b', 'c', 'é']);
    expect(tree.readdirHotOrEmpty(path.join(root, 'nope'))).toEqual([]);
    expect(tree.readdirHotOrEmpty(path.join(root, 'f'))).toEqual([]);
    expect(live.readdirHotOrEmpty('/sys/class/no-such-class')).toEqual([]);
  });
});

describe('readlink through libc', () => {
  test('the same targets and errors as fs.readlinkSync', () => {
    expect(live.readlink('/proc/self')).toBe(fs.readlinkSync('/proc/self'));
    expect(live.readlink('/proc/self/exe')).toBe(fs.readlinkSync('/proc/self/exe'));
    let compared = 0;
    for (const fd of fs.readdirSync('/proc/self/fd').slice(0, 20)) {
      const link = `/proc/self/fd/${fd}`;
      let theirs: string;
      try {
        theirs = fs.readlinkSync(link);
      } catch (e) {
        // The fd of the listing itself is closed by now: gone, nothing else.
        expect([fd, (e as NodeJS.ErrnoException).code]).toEqual([fd, 'ENOENT']);
        continue;
      }
      let ours: string;
      try {
        ours = live.readlink(link);
      } catch (e) {
        // Closed between the two reads (an fd of a libuv thread): only as the library's ENOENT, and gone for fs too.
        expect([fd, e instanceof OsError ? e.osCode : e, fs.existsSync(link)]).toEqual([fd, 'ENOENT', false]);
        continue;
      }
      expect(ours).toBe(theirs);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
    for (const [p, code] of [
      ['/proc/no-such', 'ENOENT'],
      ['/proc/stat', 'EINVAL'],
    ] as const) {
      let err: unknown;
      try {
        live.readlink(p);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OsError);
      expect([(err as OsError).osCode, (err as OsError).path, (err as OsError).syscall]).toEqual([code, p, 'readlink']);
    }
  });

  test('a target as long as a symlink can hold (4095 bytes) comes back whole', () => {
    const dir = tmpTree();
    const target = '/' + 'a'.repeat(200) + '/' + 'b'.repeat(3893);
    const link = path.join(dir, 'l');
    fs.symlinkSync(target, link);
    expect(live.readlink(link)).toBe(target);
  });
});

describe('ProcFs.readlinksIn', () => {
  test('/proc/self/fd: the names of readdir in ascending fd order, socket targets as readlink gives them', () => {
    const server = net.createServer();
    return new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)).then(() => {
      try {
        const entries = live.readlinksIn('/proc/self/fd', 'socket:[');
        const fds = entries.map((e) => Number(e.name));
        expect([...fds].sort((a, b) => a - b)).toEqual(fds);
        expect(new Set(entries.map((e) => e.name))).toEqual(
          new Set(fs.readdirSync('/proc/self/fd').filter((n) => entries.some((e) => e.name === n))),
        );
        const sockets = entries.filter((e) => e.target !== null);
        expect(sockets.length).toBeGreaterThan(0);
        for (const e of sockets) {
          let target: string;
          try {
            target = fs.readlinkSync(`/proc/self/fd/${e.name}`);
          } catch {
            continue; // closed since
          }
          expect(e.target).toBe(target);
          expect(e.target).toMatch(/^socket:\[\d+\]$/);
        }
      } finally {
        server.close();
      }
    });
  });

  test('fixture tree: any directory order, non-links and dangling links reported by errno name', () => {
    const root = tmpTree({ 'fd/7': 'not a link' });
    for (const [name, target] of [
      ['10', 'socket:[42]'],
      ['2', 'pipe:[7]'],
      ['3', 'socket:[43]'],
    ] as const) {
      fs.symlinkSync(target, path.join(root, 'fd', name));
    }
    const tree = new ProcFs({ procfs: root, sysfs: root, rootfs: root });
    const byName = new Map(tree.readlinksIn(path.join(root, 'fd'), 'socket:[').map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(['10', '2', '3', '7']);
    expect(byName.get('10')).toMatchObject({ target: 'socket:[42]', osCode: null });
    expect(byName.get('2')).toMatchObject({ target: null, osCode: null });
    expect(byName.get('7')).toMatchObject({ target: null, osCode: 'EINVAL' });
    const err = tree.readlinkError(path.join(root, 'fd'), byName.get('7')!);
    expect([err.osCode, err.syscall, err.path]).toEqual(['EINVAL', 'readlink', path.join(root, 'fd', '7')]);
    expect(() => tree.readlinksIn(path.join(root, 'nope'), 'socket:[')).toThrow(
      expect.objectContaining({ osCode: 'ENOENT' }),
    );
    // A code to stop at ends the list at that entry.
    const stopped = tree.readlinksIn(path.join(root, 'fd'), 'socket:[', new Set(['EINVAL']));
    expect(stopped[stopped.length - 1]).toMatchObject({ name: '7', osCode: 'EINVAL' });
  });
});

describe('libc fast paths', () => {
  test('getloadavg: sysinfo(2) on the real /proc agrees with /proc/loadavg to its 2 decimals', () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const file = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
      const ours = native.sysinfoLoads();
      const file2 = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
      // The kernel updates both every 5 s: retry when an update fell between the reads.
      if (JSON.stringify(file) !== JSON.stringify(file2)) continue;
      ours.forEach((v, i) => expect(Math.abs(v - file[i]!)).toBeLessThanOrEqual(0.0051));
      return;
    }
  });

  test('getloadavg under another procfs root reads that tree', () => {
    const root = tmpTree({ loadavg: '0.25 0.50 0.75 2/300 4242\n' });
    expect(createPsutil({ procfs: root }).getloadavg()).toEqual([0.25, 0.5, 0.75]);
  });

  test('statvfs through a DataView matches fs.statfsSync', () => {
    const st = native.statvfs('/');
    const ref = fs.statfsSync('/');
    expect(st.bsize).toBe(ref.bsize);
    expect(st.blocks).toBe(ref.blocks);
    expect(st.files).toBe(ref.files);
    // Free counts move between the two calls on a busy machine.
    expect(Math.abs(st.bfree - ref.bfree)).toBeLessThan(ref.blocks / 100 + 1024);
    expect(() => native.statvfs('/no/such/path')).toThrow(native.NativeError);
  });

  test('cpuCount from the online CPU list equals sysconf(_SC_NPROCESSORS_ONLN)', () => {
    expect(createPsutil().cpuCount()).toBe(native.sysconf(native.SC_NPROCESSORS_ONLN));
  });
});

describe('netIfStats through ioctls', () => {
  test('the ioctl path (real roots) gives what the sysfs path gives for every NIC', () => {
    // A symlinked root is not the string '/sys', so that instance takes the sysfs path over the same files.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-sysroot-'));
    try {
      fs.symlinkSync('/sys', path.join(dir, 'sys'));
      for (let attempt = 0; attempt < 5; attempt++) {
        const viaIoctl = createPsutil({ procfs: '/proc', sysfs: '/sys' }).netIfStats();
        const viaSysfs = createPsutil({ procfs: '/proc', sysfs: path.join(dir, 'sys') }).netIfStats();
        // NICs come and go on a shared machine (veth pairs of containers): compare again if the sets differ.
        if (JSON.stringify(Object.keys(viaIoctl).sort()) !== JSON.stringify(Object.keys(viaSysfs).sort())) continue;
        for (const nic of Object.keys(viaIoctl)) {
          const a = viaIoctl[nic]!;
          const b = viaSysfs[nic]!;
          // sysfs `flags` also shows promiscuity the kernel set for a bridge port or a packet socket (psutil's
          // SIOCGIFFLAGS does not): compare the rest, and the flags without promisc/allmulti.
          const strip = (f: string): string =>
            f
              .split(',')
              .filter((x) => x !== 'promisc' && x !== 'allmulti')
              .join(',');
          expect([nic, a.isup, a.duplex, a.speed, a.mtu, strip(a.flags)]).toEqual([
            nic,
            b.isup,
            b.duplex,
            b.speed,
            b.mtu,
            strip(b.flags),
          ]);
        }
        return;
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unknown NIC name is ENODEV from the ioctl', () => {
    const sock = nativeNet.inetDgramSocket();
    try {
      expect(() => nativeNet.ifFlags(sock, 'nosuchnic0')).toThrow(expect.objectContaining({ osCode: 'ENODEV' }));
      expect(() => nativeNet.ifMtu(sock, 'x'.repeat(20))).toThrow(expect.objectContaining({ osCode: 'ENODEV' }));
    } finally {
      native.closeFd(sock);
    }
  });
});

describe('cached cpufreq layout', () => {
  const cpuinfo = (n: number): string =>
    Array.from({ length: n }, (_, i) => `processor\t: ${i}\ncpu MHz\t\t: ${1000 + i}.000\n`).join('\n') + '\n';
  const policy = (root: string, n: number): void => {
    writeIn(root, `sys/devices/system/cpu/cpufreq/policy${n}/scaling_min_freq`, '800000\n');
    writeIn(root, `sys/devices/system/cpu/cpufreq/policy${n}/scaling_max_freq`, '3000000\n');
    writeIn(root, `sys/devices/system/cpu/cpufreq/policy${n}/scaling_cur_freq`, '1500000\n');
  };

  test('a CPU onlined for the first time (one more cpu MHz line) makes cpuFreq look at sysfs again', () => {
    const root = tmpTree({ 'proc/cpuinfo': cpuinfo(1) });
    policy(root, 0);
    const ps = createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys') });
    expect(ps.cpuFreq({ percpu: true })).toEqual([{ current: 1000, min: 800, max: 3000 }]);
    policy(root, 1);
    writeIn(root, 'proc/cpuinfo', cpuinfo(2));
    expect(ps.cpuFreq({ percpu: true })).toEqual([
      { current: 1000, min: 800, max: 3000 },
      { current: 1001, min: 800, max: 3000 },
    ]);
  });

  test('a policy directory that vanished (driver unloaded) is noticed', () => {
    const root = tmpTree({ 'proc/cpuinfo': cpuinfo(2) });
    policy(root, 0);
    policy(root, 1);
    const ps = createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys') });
    expect(ps.cpuFreq({ percpu: true })).toHaveLength(2);
    fs.rmSync(path.join(root, 'sys/devices/system/cpu/cpufreq'), { recursive: true });
    // No cpufreq left: the cpuinfo values with min = max = 0, as a fresh instance gives.
    const fresh = createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys') }).cpuFreq({
      percpu: true,
    });
    expect(ps.cpuFreq({ percpu: true })).toEqual(fresh);
    expect(fresh).toEqual([
      { current: 1000, min: 0, max: 0 },
      { current: 1001, min: 0, max: 0 },
    ]);
  });
});

describe('diskIoCounters storage check', () => {
  const stats = (names: string[]): string =>
    names.map((n, i) => `   8       ${i} ${n} 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n`).join('');

  test('whole disks only, a dangling /sys/block link counts as absent, as with one lookup per name', () => {
    const root = tmpTree({ 'proc/diskstats': stats(['sda', 'sda1', 'cciss/c0d0', 'gone']) });
    writeIn(root, 'sys/devices/sda/stat', '');
    fs.mkdirSync(path.join(root, 'sys/block'), { recursive: true });
    fs.symlinkSync('../devices/sda', path.join(root, 'sys/block/sda'));
    fs.mkdirSync(path.join(root, 'sys/block/cciss!c0d0'));
    fs.symlinkSync('../devices/nothing', path.join(root, 'sys/block/gone'));
    const ps = createPsutil({ procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys') });
    const perdisk = ps.diskIoCounters({ perdisk: true, nowrap: false });
    expect(Object.keys(perdisk)).toEqual(['sda', 'sda1', 'cciss/c0d0', 'gone']);
    // The sum covers sda and cciss/c0d0: readCount 1 each.
    expect(ps.diskIoCounters({ nowrap: false })?.readCount).toBe(2);
  });
});
