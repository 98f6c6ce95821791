/**
 * Bytes that are not UTF-8 in what a live process shows (issue 12 bug 4): a python child, exec'd with bytes only
 * Python can pass (Node's spawn takes strings), runs from a copy of the interpreter whose name holds C0 80 (an
 * overlong NUL) and FF, in a directory named with C0 80, FF and a valid é, with such an argument and environment
 * value, an open file and a memory map of a file so named, and a unix socket bound to such a path. Every path and
 * string must give the exact bytes back through fsencode, open again, and equal what /usr/bin/python3's psutil
 * (surrogateescape) returns for the same pid.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Process } from '../../src/probes/process';
import { createPsutil } from '../../src/probes/psutil';
import { fsencode } from '../../src/util/fsencoding';
import { startReady } from '../helpers/children';
import { run } from '../tools/run';
import { PYTHON, describeOracle, oracleAvailable, py } from '../helpers/oracle';
import { IS_ROOT, onPath, requireOr } from '../helpers/require';

const ps = createPsutil();
const children: ChildProcess[] = [];
// A short base: the socket path must fit in sun_path (108 bytes).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-b-'));
const ODD = Buffer.from([0xc0, 0x80, 0xff, 0xc3, 0xa9]); // overlong NUL, FF, then a valid é
const DIR = Buffer.concat([Buffer.from(tmp + '/d'), ODD]);
// 15 bytes up to "-long-": the kernel cuts the comm there, so name() comes from cmdline[0]'s basename.
const EXE_NAME = Buffer.concat([Buffer.from('interp'), Buffer.from([0xff, 0xc0, 0x80]), Buffer.from('-long-name')]);
const EXE = Buffer.concat([DIR, Buffer.from('/'), EXE_NAME]);
const FILE = Buffer.concat([DIR, Buffer.from('/f'), ODD]);
const SOCK = Buffer.concat([DIR, Buffer.from('/s'), Buffer.from([0xff])]);
const ARG = Buffer.concat([Buffer.from('arg'), ODD]);
const ENV_VALUE = Buffer.concat([Buffer.from('v'), ODD]);

/** The child, after the first exec: chdir, open, mmap, bind; then `ready` and sleep. */
const CHILD = `import mmap, os, socket, sys, time
os.chdir(bytes.fromhex(sys.argv[1]))
f = open(bytes.fromhex(sys.argv[2]), 'w+b'); f.write(b'x' * 4096); f.flush()
m = mmap.mmap(f.fileno(), 4096)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(bytes.fromhex(sys.argv[3])); s.listen(1)
sys.stdout.write('ready\\n'); sys.stdout.flush()
time.sleep(600)
`;

/** The first python re-execs the copy with bytes argv and environment (what Node cannot pass). */
const LAUNCH = `import os, sys
h = bytes.fromhex
os.execve(h('${EXE.toString('hex')}'), [h('${EXE.toString('hex')}'), b'-c', ${JSON.stringify(CHILD)}.encode(),
    b'${DIR.toString('hex')}', b'${FILE.toString('hex')}', b'${SOCK.toString('hex')}', h('${ARG.toString('hex')}')],
    {b'PSX_BYTES': h('${ENV_VALUE.toString('hex')}'), b'LANG': b'C.UTF-8'})
`;

let pid = 0;

beforeAll(async () => {
  fs.mkdirSync(DIR);
  fs.copyFileSync(fs.realpathSync(PYTHON), EXE);
  fs.chmodSync(EXE, 0o755);
  const { child } = await startReady(children, PYTHON, ['-c', LAUNCH]);
  pid = child.pid as number;
}, 30_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a process whose paths and strings hold bytes that are not UTF-8', () => {
  test('cwd() gives the directory back: fsencode is its bytes, stat and diskUsage open it', () => {
    const cwd = new Process(pid).cwd();
    expect(cwd).toBe(`${tmp}/d\udcc0\udc80\udcff\u00e9`);
    expect(fsencode(cwd)).toEqual(DIR);
    expect(fs.statSync(fsencode(cwd)).isDirectory()).toBe(true);
    // A function taking a path takes the escaped string or the bytes, and reaches the same directory.
    expect(ps.diskUsage(cwd).total).toBe(ps.diskUsage(DIR).total);
    expect(ps.diskUsage(cwd).total).toBe(ps.diskUsage(tmp).total);
  });

  test('exe(), name() and cmdline() keep the bytes of the executable and of the argument', () => {
    const p = new Process(pid);
    expect(fsencode(p.exe())).toEqual(EXE);
    expect(fsencode(p.name())).toEqual(EXE_NAME);
    const args = p.cmdline();
    expect(fsencode(args[0]!)).toEqual(EXE);
    expect(fsencode(args[args.length - 1]!)).toEqual(ARG);
    expect(fsencode(p.cmdline({ raw: true }).at(-1)!)).toEqual(ARG);
  });

  test('environ() keeps the bytes of a value', () => {
    expect(fsencode(new Process(pid).environ()['PSX_BYTES']!)).toEqual(ENV_VALUE);
  });

  test('openFiles() and memoryMaps() name the file so that it opens again', () => {
    const p = new Process(pid);
    const open = p.openFiles().map((f) => f.path);
    expect(open.map((f) => fsencode(f))).toContainEqual(FILE);
    const mapped = p.memoryMaps({ grouped: false }).map((m) => m.path);
    expect(mapped.map((m) => fsencode(m))).toContainEqual(FILE);
    expect(p.memoryMaps().map((m) => fsencode(m.path))).toContainEqual(FILE);
    const hit = open.find((f) => fsencode(f).equals(FILE))!;
    expect(fs.readFileSync(fsencode(hit)).length).toBe(4096);
  });

  test("netConnections({ kind: 'unix' }) gives the socket's path as its bytes", () => {
    const paths = new Process(pid).netConnections({ kind: 'unix' }).map((c) => c.laddr as string);
    expect(paths.map((s) => fsencode(s))).toContainEqual(SOCK);
    expect(fs.statSync(SOCK).isSocket()).toBe(true);
  });
});

describe('where the text leaves: the psutil command', () => {
  const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  test('procinfo writes each escaped byte as U+FFFD, as text and as --json', async () => {
    const text = await run(['procinfo', String(pid), '-v']);
    expect(text.code).toBe(0);
    expect(text.out).not.toMatch(LONE);
    expect(text.out).toContain(`${tmp}/d\ufffd\ufffd\ufffd\u00e9`);
    const json = await run(['procinfo', String(pid), '--json']);
    expect(json.code).toBe(0);
    // JSON.stringify alone would write the escape \udcff: a reader such as Python's would get a surrogate back.
    expect(json.out).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
    const doc = JSON.parse(json.out) as { cwd?: string };
    expect(doc.cwd).toBe(`${tmp}/d\ufffd\ufffd\ufffd\u00e9`);
  });
});

describeOracle("the same process through psutil's surrogateescape strings", () => {
  test('cwd, exe, name, cmdline, environ, open files, maps and unix sockets equal psutil 5.9', () => {
    const want = py<{
      cwd: string;
      exe: string;
      name: string;
      cmdline: string[];
      env: string;
      files: string[];
      maps: string[];
      unix: string[];
    }>(`p = psutil.Process(${pid})
out = {'cwd': p.cwd(), 'exe': p.exe(), 'name': p.name(), 'cmdline': p.cmdline(), 'env': p.environ()['PSX_BYTES'],
       'files': sorted(f.path for f in p.open_files()), 'maps': sorted(m.path for m in p.memory_maps(grouped=False)),
       'unix': sorted(c.laddr for c in p.connections('unix'))}`);
    // JSON carries psutil's lone surrogates as \\udcXX escapes: the strings compare as they are.
    expect(fsencode(want.cwd)).toEqual(DIR);
    const p = new Process(pid);
    expect({
      cwd: p.cwd(),
      exe: p.exe(),
      name: p.name(),
      cmdline: p.cmdline(),
      env: p.environ()['PSX_BYTES'],
      files: p
        .openFiles()
        .map((f) => f.path)
        .sort(),
      maps: p
        .memoryMaps({ grouped: false })
        .map((m) => m.path)
        .sort(),
      unix: p
        .netConnections({ kind: 'unix' })
        .map((c) => c.laddr as string)
        .sort(),
    }).toEqual(want);
  });
});

/**
 * A tmpfs mounted on the directory with odd bytes, in a mount namespace of its own (so the host's table is left
 * alone): diskPartitions() and mountinfo() read that namespace through a procfs root whose `1` is the child's
 * /proc entry, and psutil reads it from inside (nsenter).
 */
requireOr(IS_ROOT && onPath('unshare') && onPath('nsenter'), 'not root, or no unshare/nsenter (util-linux)').describe(
  'a mount point with bytes that are not UTF-8',
  () => {
    let mountPid = 0;
    let procRoot = '';

    beforeAll(async () => {
      const launch = `import os
os.execv('/usr/bin/unshare', [b'unshare', b'--mount', b'--propagation', b'private', b'sh', b'-c',
    b'mount -t tmpfs psx-bytes "$1" && echo ready && exec sleep 600', b'sh', bytes.fromhex('${DIR.toString('hex')}')])`;
      const { child } = await startReady(children, PYTHON, ['-c', launch]);
      mountPid = child.pid as number;
      procRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-bproc-'));
      fs.symlinkSync(`/proc/${mountPid}`, path.join(procRoot, '1'));
    }, 30_000);

    afterAll(() => {
      if (procRoot !== '') fs.rmSync(procRoot, { recursive: true, force: true });
    });

    test('diskPartitions() and mountinfo() give the mount point back as its bytes; psutil agrees', () => {
      const lib = createPsutil({ procfs: procRoot });
      const parts = lib.diskPartitions({ all: true }).filter((p) => p.device === 'psx-bytes');
      expect(parts.map((p) => fsencode(p.mountpoint))).toEqual([DIR]);
      expect(parts[0]!.mountpoint).toBe(`${tmp}/d\udcc0\udc80\udcff\u00e9`);
      const info = lib.mountinfo().filter((m) => m.source === 'psx-bytes');
      expect(info.map((m) => fsencode(m.mountPoint))).toEqual([DIR]);
      if (oracleAvailable()) {
        const r = spawnSync(
          'nsenter',
          [
            `--target=${mountPid}`,
            '--mount',
            PYTHON,
            '-c',
            'import os, psutil; print(" ".join(os.fsencode(p.mountpoint).hex() for p in psutil.disk_partitions(all=True) if p.device == "psx-bytes"))',
          ],
          { encoding: 'utf8', timeout: 30_000 },
        );
        expect(r.stderr).toBe('');
        expect(r.stdout.trim()).toBe(DIR.toString('hex'));
      }
    });
  },
);
