/**
 * systemd: node_exporter's systemd collector (off by default upstream, on in Debian's package), its families, labels,
 * HELP and types as node_exporter 1.5 writes them. Read over D-Bus from org.freedesktop.systemd1, one connection per
 * pass (systemd_dbus.ts, loaded only when this collector runs). OTLP: none (no semantic convention covers units).
 *
 * What is asked, as node_exporter 1.5 asks it (checked against Debian's 1.5.0 binary serving the same stand-in,
 * test/e2e/systemd.test.ts):
 * - Manager.Version (a property): node_systemd_version{version} = the first `[0-9]{3,}(\.[0-9]+)?` of it as a number
 *   ("252.30-1~deb12u2" -> 252.3); none found or no answer: 0 with version="".
 * - Manager.ListUnits: node_systemd_units{state} counts every listed unit by ActiveState (the five states always, a
 *   sixth such as "reloading" when a unit is in it); the units that go on are those whose name matches unit_include
 *   and not unit_exclude (both anchored: the whole name) and whose LoadState is "loaded".
 * - per unit: node_systemd_unit_state{name,state,type} for the five states, type = Service.Type (.service) or
 *   Mount.Type (.mount), "" otherwise or without an answer; with enable_restarts_metrics Service.NRestarts
 *   (node_systemd_service_restart_total, counter); with enable_start_time_metrics Unit.ActiveEnterTimestamp / 1e6
 *   for an active unit, 0 for any other without asking (node_systemd_unit_start_time_seconds); with
 *   enable_task_metrics Service.TasksCurrent and TasksMax (node_systemd_unit_tasks_{current,max}), UINT64_MAX
 *   ("infinity", also "not counted") left out.
 * - .socket units: Socket.NAccepted (counter), NConnections (gauge), NRefused (a gauge despite its _total name, as
 *   node_exporter types it); no NAccepted answer drops the unit's three, no NConnections the last two.
 * - from systemd 212 on (the version above): .timer units' Timer.LastTriggerUSec / 1e6, and Manager.SystemState:
 *   node_systemd_system_running is 1 for "running", else 0.
 * A property that systemd does not have (an older systemd, a unit type without it) leaves its series out, as
 * node_exporter does; any other error reply (the bus's LimitsExceeded...) too, but the pass is marked incomplete
 * (success 0, data served); no connection, no ListUnits or no SystemState answer fails the collector (success 0).
 *
 * Where: `bus_address` if set; else the system bus (DBUS_SYSTEM_BUS_ADDRESS, or /var/run/dbus/system_bus_socket) and,
 * for root when that fails, systemd's private socket /run/systemd/private, as go-systemd's NewWithContext does;
 * `private` goes to the private socket at once (node_exporter's hidden --collector.systemd.private).
 */
import { defineCollector, fam, families, NameFilter, optBool, optString, type PassContext } from '../catalog';
import type * as Dbus from './systemd_dbus';

/** node_exporter 1.5's defaults. Debian's package adds `target` to the exclusions (its --help shows it). */
export const DEFAULT_UNIT_INCLUDE = '.+';
export const DEFAULT_UNIT_EXCLUDE = '.+\\.(automount|device|mount|scope|slice)';

/** systemd 212 brought the SystemState property and the timers' LastTriggerUSec. */
export const MIN_VERSION_SYSTEM_STATE = 212;

export const UNIT_STATES = ['active', 'activating', 'deactivating', 'inactive', 'failed'] as const;

/** UINT64_MAX as the D-Bus library hands a uint64 over: the nearest double, 2^64. */
const UINT64_MAX_AS_NUMBER = 2 ** 64;

export interface SystemdOptions {
  readonly filter: NameFilter;
  readonly taskMetrics: boolean;
  readonly restartsMetrics: boolean;
  readonly startTimeMetrics: boolean;
  /** '' for the system bus (with the private socket as root's fallback). */
  readonly busAddress: string;
  readonly private: boolean;
}

export interface SystemdUnit {
  readonly name: string;
  readonly activeState: string;
  readonly type: string;
  readonly startTime: number | null;
  readonly restarts: number | null;
  readonly tasksCurrent: number | null;
  readonly tasksMax: number | null;
  readonly accepted: number | null;
  readonly connections: number | null;
  readonly refused: number | null;
  readonly lastTrigger: number | null;
}

export interface SystemdData {
  /** The version text ('' when none was read) and its number (0 then). */
  readonly version: string;
  readonly versionNumber: number;
  /** Units by ActiveState, over every listed unit, in the order first seen (the five states first). */
  readonly summary: readonly (readonly [string, number])[];
  /** null below systemd 212, where node_exporter does not ask. */
  readonly systemRunning: number | null;
  readonly units: readonly SystemdUnit[];
}

/** node_exporter's version parse: the first run of 3+ digits with an optional fraction. */
export function parseSystemdVersion(text: string): { version: string; number: number } {
  const m = /[0-9]{3,}(\.[0-9]+)?/.exec(text);
  if (!m) return { version: '', number: 0 };
  return { version: text, number: Number(m[0]) };
}

/** node_exporter's unit filter: the whole name matches include and not exclude, and the unit is loaded. */
export function unitFilter(include: string, exclude: string): NameFilter {
  return new NameFilter(`^(?:${include})$`, `^(?:${exclude})$`);
}

export function summarize(states: Iterable<string>): [string, number][] {
  const counts = new Map<string, number>(UNIT_STATES.map((s) => [s, 0]));
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts];
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A count that systemd writes as UINT64_MAX when it has none: null then. */
function count64(v: unknown): number | null {
  const n = num(v);
  return n === null || n >= UINT64_MAX_AS_NUMBER ? null : n;
}

/**
 * D-Bus errors that say a property is not there: an older systemd, a unit type without it, a unit gone since
 * ListUnits. Any other error reply (LimitsExceeded, NoMemory, AccessDenied, a timeout) says the bus or systemd did not
 * give an answer it has.
 */
const ABSENT = new Set([
  'org.freedesktop.DBus.Error.UnknownProperty',
  'org.freedesktop.DBus.Error.UnknownInterface',
  'org.freedesktop.DBus.Error.UnknownObject',
  'org.freedesktop.DBus.Error.UnknownMethod',
  'org.freedesktop.DBus.Error.InvalidArgs',
  'org.freedesktop.systemd1.NoSuchUnit',
]);

/**
 * Reads what the families need over `conn`. A property that is not there leaves that value null (the series out), as
 * node_exporter leaves it out; another error reply does the same but is reported through `incomplete` (the data is
 * served, the collector's success 0), where node_exporter drops the series silently. A broken connection rejects the
 * whole read.
 */
export async function readSystemd(
  conn: Dbus.SystemdConnection,
  o: SystemdOptions,
  incomplete: (reason: string) => void = () => undefined,
): Promise<SystemdData> {
  const { DbusErrorReply, SYSTEMD_PATH, MANAGER_INTERFACE } = loadClient();
  const optional = async (path: string, iface: string, name: string): Promise<unknown> => {
    try {
      return await conn.property(path, iface, name);
    } catch (e) {
      if (!(e instanceof DbusErrorReply)) throw e;
      if (!ABSENT.has(e.errorName)) incomplete(`${path} ${iface}.${name}: ${e.message}`);
      return undefined;
    }
  };
  const versionText = await optional(SYSTEMD_PATH, MANAGER_INTERFACE, 'Version');
  const { version, number: versionNumber } = parseSystemdVersion(typeof versionText === 'string' ? versionText : '');
  const all = await conn.listUnits();
  const summary = summarize(all.map((u) => u.activeState));
  const withStateAndTimers = versionNumber >= MIN_VERSION_SYSTEM_STATE;
  const kept = all.filter((u) => u.loadState === 'loaded' && o.filter.passes(u.name));
  const iface = (t: string): string => `org.freedesktop.systemd1.${t}`;

  const units = await Promise.all(
    kept.map(async (u): Promise<SystemdUnit> => {
      const service = u.name.endsWith('.service');
      const typeOf = service ? 'Service' : u.name.endsWith('.mount') ? 'Mount' : null;
      const [type, restarts, startTime, tasksCurrent, tasksMax, socket, lastTrigger] = await Promise.all([
        typeOf ? optional(u.path, iface(typeOf), 'Type') : undefined,
        o.restartsMetrics && service ? optional(u.path, iface('Service'), 'NRestarts') : undefined,
        !o.startTimeMetrics
          ? null
          : u.activeState === 'active'
            ? optional(u.path, iface('Unit'), 'ActiveEnterTimestamp').then((v) => {
                const n = num(v);
                return n === null ? null : n / 1e6;
              })
            : 0,
        o.taskMetrics && service ? optional(u.path, iface('Service'), 'TasksCurrent') : undefined,
        o.taskMetrics && service ? optional(u.path, iface('Service'), 'TasksMax') : undefined,
        u.name.endsWith('.socket') ? readSocket(u.path) : null,
        withStateAndTimers && u.name.endsWith('.timer')
          ? optional(u.path, iface('Timer'), 'LastTriggerUSec')
          : undefined,
      ]);
      const trigger = num(lastTrigger);
      return {
        name: u.name,
        activeState: u.activeState,
        type: typeof type === 'string' ? type : '',
        startTime,
        restarts: num(restarts),
        tasksCurrent: count64(tasksCurrent),
        tasksMax: count64(tasksMax),
        accepted: socket?.accepted ?? null,
        connections: socket?.connections ?? null,
        refused: socket?.refused ?? null,
        lastTrigger: trigger === null ? null : trigger / 1e6,
      };
    }),
  );

  // node_exporter's order: NAccepted, then NConnections, then NRefused; a missing one ends the unit's socket series.
  async function readSocket(
    path: string,
  ): Promise<{ accepted: number | null; connections: number | null; refused: number | null }> {
    const accepted = num(await optional(path, iface('Socket'), 'NAccepted'));
    if (accepted === null) return { accepted, connections: null, refused: null };
    const connections = num(await optional(path, iface('Socket'), 'NConnections'));
    if (connections === null) return { accepted, connections, refused: null };
    return { accepted, connections, refused: num(await optional(path, iface('Socket'), 'NRefused')) };
  }

  let systemRunning: number | null = null;
  if (withStateAndTimers) {
    // No answer here fails the collector, as in node_exporter (its Update returns the error).
    const state = await conn.property(SYSTEMD_PATH, MANAGER_INTERFACE, 'SystemState');
    systemRunning = state === 'running' ? 1 : 0;
  }
  return { version, versionNumber, summary, systemRunning, units };
}

export function systemdFamilies(d: SystemdData) {
  const state = fam('node_systemd_unit_state', 'gauge', 'Systemd unit', ['name', 'state', 'type']);
  const start = fam(
    'node_systemd_unit_start_time_seconds',
    'gauge',
    'Start time of the unit since unix epoch in seconds.',
    ['name'],
  );
  const tasksCurrent = fam('node_systemd_unit_tasks_current', 'gauge', 'Current number of tasks per Systemd unit', [
    'name',
  ]);
  const tasksMax = fam('node_systemd_unit_tasks_max', 'gauge', 'Maximum number of tasks per Systemd unit', ['name']);
  const running = fam(
    'node_systemd_system_running',
    'gauge',
    "Whether the system is operational (see 'systemctl is-system-running')",
  );
  const units = fam('node_systemd_units', 'gauge', 'Summary of systemd unit states', ['state']);
  const restarts = fam('node_systemd_service_restart_total', 'counter', 'Service unit count of Restart triggers', [
    'name',
  ]);
  const trigger = fam('node_systemd_timer_last_trigger_seconds', 'gauge', 'Seconds since epoch of last trigger.', [
    'name',
  ]);
  const accepted = fam(
    'node_systemd_socket_accepted_connections_total',
    'counter',
    'Total number of accepted socket connections',
    ['name'],
  );
  const current = fam('node_systemd_socket_current_connections', 'gauge', 'Current number of socket connections', [
    'name',
  ]);
  const refused = fam(
    'node_systemd_socket_refused_connections_total',
    'gauge',
    'Total number of refused socket connections',
    ['name'],
  );
  const version = fam('node_systemd_version', 'gauge', 'Detected systemd version', ['version']);

  version.add({ version: d.version }, d.versionNumber);
  for (const [s, n] of d.summary) units.add({ state: s }, n);
  if (d.systemRunning !== null) running.set(d.systemRunning);
  for (const u of d.units) {
    const name = u.name;
    for (const s of UNIT_STATES) state.add({ name, state: s, type: u.type }, s === u.activeState ? 1 : 0);
    if (u.startTime !== null) start.add({ name }, u.startTime);
    if (u.restarts !== null) restarts.add({ name }, u.restarts);
    if (u.tasksCurrent !== null) tasksCurrent.add({ name }, u.tasksCurrent);
    if (u.tasksMax !== null) tasksMax.add({ name }, u.tasksMax);
    if (u.accepted !== null) accepted.add({ name }, u.accepted);
    if (u.connections !== null) current.add({ name }, u.connections);
    if (u.refused !== null) refused.add({ name }, u.refused);
    if (u.lastTrigger !== null) trigger.add({ name }, u.lastTrigger);
  }
  return families(
    state,
    start,
    tasksCurrent,
    tasksMax,
    running,
    units,
    restarts,
    trigger,
    accepted,
    current,
    refused,
    version,
  );
}

function loadClient(): typeof Dbus {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the D-Bus client and its library load only when this collector runs
  return require('./systemd_dbus') as typeof Dbus;
}

/** Where to connect, in order: [address, direct (no bus daemon)]. */
export function busCandidates(
  o: SystemdOptions,
  env: NodeJS.ProcessEnv,
  uid: number,
  client: { readonly DEFAULT_SYSTEM_BUS: string; readonly SYSTEMD_PRIVATE_SOCKET: string },
): [string, boolean][] {
  if (o.busAddress) return [[o.busAddress, false]];
  if (o.private) return [[client.SYSTEMD_PRIVATE_SOCKET, true]];
  const system: [string, boolean] = [env['DBUS_SYSTEM_BUS_ADDRESS'] || client.DEFAULT_SYSTEM_BUS, false];
  return uid === 0 ? [system, [client.SYSTEMD_PRIVATE_SOCKET, true]] : [system];
}

async function collect(o: SystemdOptions, pass: PassContext): Promise<SystemdData> {
  const client = loadClient();
  const candidates = busCandidates(o, process.env, process.getuid?.() ?? -1, client);
  let lastError: Error | null = null;
  for (const [address, direct] of candidates) {
    const conn = client.openSystemd(address, direct, pass.deadline);
    try {
      return await readSystemd(conn, o, pass.incomplete);
    } catch (e) {
      // Only a connection that never worked moves on to the next address; an error reply is systemd's answer.
      if (!(e instanceof client.DbusConnectionError)) throw e;
      lastError = e;
    } finally {
      conn.close();
    }
  }
  throw lastError ?? new Error('no D-Bus address to try');
}

export const systemdCollector = defineCollector<SystemdData, SystemdOptions>({
  name: 'systemd',
  help: "systemd units' states, start times, restarts, tasks, sockets and timers over D-Bus, as node_exporter's.",
  options: (raw) => ({
    filter: unitFilter(
      optString(raw, 'unit_include', DEFAULT_UNIT_INCLUDE),
      optString(raw, 'unit_exclude', DEFAULT_UNIT_EXCLUDE),
    ),
    taskMetrics: optBool(raw, 'enable_task_metrics', false),
    restartsMetrics: optBool(raw, 'enable_restarts_metrics', false),
    startTimeMetrics: optBool(raw, 'enable_start_time_metrics', false),
    busAddress: optString(raw, 'bus_address'),
    private: optBool(raw, 'private', false),
  }),
  create: (_env, o) => (pass) => collect(o, pass),
  prometheus: systemdFamilies,
  otlp: () => [],
});
