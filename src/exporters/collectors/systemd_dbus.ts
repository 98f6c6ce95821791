/**
 * The systemd collector's D-Bus client: one connection per pass to the bus where org.freedesktop.systemd1 answers,
 * method calls bounded by the pass's deadline, and every failure a rejected promise (never an 'error' event left
 * unheard, which would take the collection worker down). Loaded by systemd.ts only when that collector runs, so the
 * D-Bus library is never loaded otherwise.
 *
 * The wire protocol is @homebridge/dbus-native's (pure JavaScript, the homebridge project's maintained fork of
 * dbus-native; docs/systemd.md says why this one). What it gives: method calls with a serial and a reply callback,
 * the SASL EXTERNAL handshake and the bus's Hello. What this file adds: the deadline, the difference between an error
 * reply (a unit without that property: the caller leaves that series out) and a broken connection (the pass fails),
 * and a bound on calls in flight.
 */
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

/** The part of @homebridge/dbus-native this file uses (its own index.d.ts declares only systemBus()). */
interface NativeConnection extends EventEmitter {
  readonly stream: Socket;
  end(): unknown;
}
interface NativeReplyError {
  readonly name?: string;
  readonly message?: unknown;
}
interface NativeBus {
  readonly connection: NativeConnection;
  invoke(msg: NativeCall, callback: (this: unknown, err: NativeReplyError | null, ...body: unknown[]) => void): void;
}
interface NativeCall {
  readonly destination: string;
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  readonly signature?: string;
  readonly body?: readonly unknown[];
}
interface DbusNative {
  createClient(opts: { busAddress: string; direct?: boolean }): NativeBus;
}

export const SYSTEMD_SERVICE = 'org.freedesktop.systemd1';
export const SYSTEMD_PATH = '/org/freedesktop/systemd1';
export const MANAGER_INTERFACE = 'org.freedesktop.systemd1.Manager';
const PROPERTIES_INTERFACE = 'org.freedesktop.DBus.Properties';

/** godbus's default system bus address, where DBUS_SYSTEM_BUS_ADDRESS is not set. */
export const DEFAULT_SYSTEM_BUS = 'unix:path=/var/run/dbus/system_bus_socket';
/** systemd's own socket: peer to peer (no bus daemon, no Hello), root only. */
export const SYSTEMD_PRIVATE_SOCKET = 'unix:path=/run/systemd/private';

/** The answer was a D-Bus error reply: the object or property is not there. The connection is fine. */
export class DbusErrorReply extends Error {
  override readonly name = 'DbusErrorReply';
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(`${errorName}: ${message}`);
  }
}

/** The connection failed, closed, or the deadline passed: nothing more will come on it. */
export class DbusConnectionError extends Error {
  override readonly name = 'DbusConnectionError';
}

/** One row of Manager.ListUnits (a(ssssssouso)), the fields the collector reads. */
export interface ListedUnit {
  readonly name: string;
  readonly loadState: string;
  readonly activeState: string;
  readonly subState: string;
  /** The unit's object path, as systemd gives it. */
  readonly path: string;
}

/** How many method calls may wait for their answers at once: dbus-daemon refuses more than its per-connection limit. */
export const MAX_CALLS_IN_FLIGHT = 32;

export interface SystemdConnection {
  listUnits(): Promise<ListedUnit[]>;
  /** A property's value (a variant's content); DbusErrorReply when the object has no such interface or property. */
  property(path: string, iface: string, name: string): Promise<unknown>;
  close(): void;
}

function replyText(e: NativeReplyError): string {
  const m = e.message;
  if (typeof m === 'string') return m;
  if (Array.isArray(m) && typeof m[0] === 'string') return m[0];
  return '';
}

/** A variant as the library decodes it: [signature tree, [value]]. */
function variantValue(v: unknown): unknown {
  if (Array.isArray(v) && v.length === 2 && Array.isArray(v[1])) return (v[1] as unknown[])[0];
  throw new DbusConnectionError(`a Properties.Get answer that is not a variant: ${JSON.stringify(v)}`);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * Connects to `address` (a D-Bus address: `unix:path=...`, `tcp:host=...,port=...`), `direct` for a peer-to-peer
 * socket without a bus daemon (systemd's private socket). Every call made on the connection fails with
 * DbusConnectionError once `deadline` (epoch ms) has passed, and the socket is closed then.
 */
export function openSystemd(address: string, direct: boolean, deadline: number): SystemdConnection {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only here, with this file, when the collector runs
  const dbus = require('@homebridge/dbus-native') as DbusNative;
  const pending = new Set<(e: Error) => void>();
  /** Calls waiting for a place among the MAX_CALLS_IN_FLIGHT. */
  const queue: (() => void)[] = [];
  let bus: NativeBus | null = null;
  let broken: Error | null = null;
  let timer: NodeJS.Timeout | undefined;
  const fail = (e: Error): void => {
    if (broken) return;
    broken = e instanceof DbusConnectionError ? e : new DbusConnectionError(`${address}: ${e.message}`);
    clearTimeout(timer);
    for (const reject of pending) reject(broken);
    pending.clear();
    // Queued calls start now and fail at once, on `broken`.
    for (const start of queue.splice(0)) start();
    bus?.connection.stream.destroy();
  };
  try {
    bus = dbus.createClient({ busAddress: address, direct });
  } catch (e) {
    // An address the library cannot parse or reach synchronously (an unknown transport, unix:abstract=).
    fail(e instanceof Error ? e : new Error(String(e)));
  }
  if (bus) {
    timer = setTimeout(
      () => fail(new DbusConnectionError(`no answer from systemd within the collector's budget`)),
      Math.max(0, deadline - Date.now()),
    );
    // Heard at once: the library emits socket, handshake and Hello failures as 'error' events, which would otherwise
    // be thrown in the worker.
    bus.connection.on('error', (e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
    bus.connection.on('end', () => fail(new DbusConnectionError(`${address}: the bus closed the connection`)));
    bus.connection.stream.on('close', () => fail(new DbusConnectionError(`${address}: connection closed`)));
  }

  let inFlight = 0;
  const call = (msg: NativeCall): Promise<unknown[]> =>
    new Promise<unknown[]>((resolve, reject) => {
      const start = (): void => {
        if (broken || !bus) {
          reject(broken ?? new DbusConnectionError(`${address}: not connected`));
          return;
        }
        inFlight++;
        const settle = (): void => {
          pending.delete(reject);
          inFlight--;
          queue.shift()?.();
        };
        pending.add(reject);
        bus.invoke(msg, (err, ...body) => {
          if (!pending.has(reject)) return; // already failed with the connection
          settle();
          if (err) reject(new DbusErrorReply(err.name ?? 'org.freedesktop.DBus.Error.Failed', replyText(err)));
          else resolve(body);
        });
      };
      if (inFlight < MAX_CALLS_IN_FLIGHT) start();
      else queue.push(start);
    });

  return {
    async listUnits() {
      const [rows] = await call({
        destination: SYSTEMD_SERVICE,
        path: SYSTEMD_PATH,
        interface: MANAGER_INTERFACE,
        member: 'ListUnits',
      });
      if (!Array.isArray(rows)) throw new DbusConnectionError(`ListUnits answered ${JSON.stringify(rows)}`);
      return rows.map((r: unknown): ListedUnit => {
        const f = Array.isArray(r) ? (r as unknown[]) : [];
        return {
          name: str(f[0]),
          loadState: str(f[2]),
          activeState: str(f[3]),
          subState: str(f[4]),
          path: str(f[6]),
        };
      });
    },
    async property(path, iface, name) {
      const [v] = await call({
        destination: SYSTEMD_SERVICE,
        path,
        interface: PROPERTIES_INTERFACE,
        member: 'Get',
        signature: 'ss',
        body: [iface, name],
      });
      return variantValue(v);
    },
    close() {
      fail(new DbusConnectionError(`${address}: closed by the collector`));
    },
  };
}
