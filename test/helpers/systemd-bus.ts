/**
 * A private D-Bus bus with test/helpers/systemd-standin.js on it: a real dbus-daemon (Debian's `dbus-daemon`
 * package) started on a socket in a temp dir, and the stand-in owning org.freedesktop.systemd1 there. For the systemd
 * collector's tests on a machine without systemd. Every wait is bounded; stop() ends both processes and removes the
 * dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './fixtures';
import { onPath, requireOr, type Conditional } from './require';

export const STANDIN = path.join(REPO, 'test', 'helpers', 'systemd-standin.js');

/** Tests that need dbus-daemon: skipped without it, failing where REQUIRE_ORACLE=1 demands it. */
export function withDbusDaemon(): Conditional {
  return requireOr(onPath('dbus-daemon'), 'no dbus-daemon (apt-get install dbus-daemon)');
}

/** What the stand-in serves (see systemd-standin.js). */
export interface StandinUnit {
  name: string;
  loadState: string;
  activeState: string;
  subState: string;
  props?: Record<string, Record<string, string | number>>;
}
export interface StandinSpec {
  version: string;
  systemState: string;
  units: StandinUnit[];
  delayMs?: number;
}

export interface StandinCall {
  member: string;
  path: string;
  interface: string | null;
  args: string[];
}

export interface PrivateBus {
  /** The bus's address, as dbus-daemon printed it (unix:path=...,guid=...). */
  readonly address: string;
  readonly dir: string;
  /** Starts a stand-in serving `spec` on this bus; resolves once it owns org.freedesktop.systemd1. */
  serve(spec: StandinSpec): Promise<void>;
  /** The method calls the current stand-in was asked, in order. */
  calls(): StandinCall[];
  /** Ends the current stand-in (the bus stays). */
  unserve(): Promise<void>;
  stop(): Promise<void>;
}

const BUS_CONFIG = (
  socket: string,
  limits: string,
): string => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>${limits}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

/** Resolves with the child's first stdout line, or rejects on exit or after `ms`. */
function firstLine(child: ChildProcess, what: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const t = setTimeout(() => done(new Error(`${what}: not ready within ${ms} ms; stderr: ${err}`)), ms);
    const done = (e: Error | null, line?: string): void => {
      clearTimeout(t);
      child.stdout?.removeAllListeners('data');
      if (e) reject(e);
      else resolve(line as string);
    };
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', (e) => done(e));
    child.once('exit', (code) => done(new Error(`${what} exited (${code}) before it was ready; stderr: ${err}`)));
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(null, buf.slice(0, nl));
    });
  });
}

function end(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts a bus; `maxReplies` sets dbus-daemon's max_replies_per_connection (how many method calls one connection may
 * wait on at once; otherwise its built-in default, as on a system bus).
 */
export async function startPrivateBus(opts: { maxReplies?: number } = {}): Promise<PrivateBus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psutil-systemd-bus-'));
  const conf = path.join(dir, 'bus.conf');
  const limits =
    opts.maxReplies === undefined ? '' : `\n  <limit name="max_replies_per_connection">${opts.maxReplies}</limit>`;
  fs.writeFileSync(conf, BUS_CONFIG(path.join(dir, 'bus'), limits));
  const daemon = spawn('dbus-daemon', [`--config-file=${conf}`, '--nofork', '--print-address'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let address: string;
  try {
    address = (await firstLine(daemon, 'dbus-daemon', 15000)).trim();
  } catch (e) {
    await end(daemon);
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  daemon.stderr?.resume();
  let standin: ChildProcess | null = null;
  let n = 0;
  let log = '';
  const bus: PrivateBus = {
    address,
    dir,
    async serve(spec) {
      await bus.unserve();
      const specFile = path.join(dir, `spec-${++n}.json`);
      log = path.join(dir, `calls-${n}.jsonl`);
      fs.writeFileSync(specFile, JSON.stringify(spec));
      standin = spawn(process.execPath, [STANDIN, address, specFile, log], { stdio: ['ignore', 'pipe', 'pipe'] });
      const line = await firstLine(standin, 'systemd stand-in', 15000);
      if (line !== 'ready') throw new Error(`systemd stand-in said ${line}`);
      standin.stdout?.resume();
    },
    calls() {
      if (!log || !fs.existsSync(log)) return [];
      return fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as StandinCall);
    },
    async unserve() {
      await end(standin);
      standin = null;
    },
    async stop() {
      await bus.unserve();
      await end(daemon);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return bus;
}
