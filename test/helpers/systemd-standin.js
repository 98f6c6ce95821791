'use strict';
/**
 * A small stand-in for systemd's D-Bus API (org.freedesktop.systemd1), for the systemd collector's tests on a machine
 * that runs no systemd. It connects to the bus at argv[2] (a private dbus-daemon the test started), owns the name
 * org.freedesktop.systemd1 and serves what the JSON file at argv[3] describes:
 *
 *   { "version": "252.30-1~deb12u2", "systemState": "running",
 *     "units": [{ "name": "ssh.service", "loadState": "loaded", "activeState": "active", "subState": "running",
 *                 "props": { "Unit": { "ActiveEnterTimestamp": 1700000000123456 },
 *                            "Service": { "Type": "notify", "NRestarts": 2, "TasksCurrent": 1, "TasksMax": 4915 } } }],
 *     "delayMs": 0 }
 *
 * - /org/freedesktop/systemd1, interface org.freedesktop.systemd1.Manager: ListUnits (a(ssssssouso)), GetUnit(s) -> o,
 *   and the properties Version, SystemState (and Virtualization when given) through org.freedesktop.DBus.Properties.
 * - one object per unit at systemd's path for it (/org/freedesktop/systemd1/unit/<name escaped as sd-bus escapes object
 *   path labels>), interfaces org.freedesktop.systemd1.Unit and org.freedesktop.systemd1.<Type> with the properties
 *   of `props`; a property or interface not given is answered with systemd's errors (UnknownProperty,
 *   UnknownInterface), as a systemd too old for it would.
 * - 64-bit properties may be written as decimal strings ("18446744073709551615", systemd's "infinity").
 * - `delayMs` holds every answer back that long (a systemd that is slow to answer).
 *
 * It prints "ready" once it owns the name, and with argv[4] appends one JSON line per method call it was asked to that
 * file ({member, path, interface, args}), so a test can see what a client asked. It exits when the bus goes away.
 */
const fs = require('node:fs');
const dbus = require('@homebridge/dbus-native');

const [, , address, specFile, callLog] = process.argv;
if (!address || !specFile) {
  process.stderr.write('usage: systemd-standin.js <bus address> <spec.json> [call log]\n');
  process.exit(2);
}
const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));

const MANAGER_PATH = '/org/freedesktop/systemd1';
const MANAGER = 'org.freedesktop.systemd1.Manager';
const PROPERTIES = 'org.freedesktop.DBus.Properties';
const T = dbus.messageType;

/** The D-Bus type of each property the stand-in knows (systemd's introspection data). */
const SIGNATURES = {
  [MANAGER]: { Version: 's', SystemState: 's', Virtualization: 's' },
  'org.freedesktop.systemd1.Unit': {
    ActiveEnterTimestamp: 't',
    ActiveState: 's',
    LoadState: 's',
    SubState: 's',
    Id: 's',
  },
  'org.freedesktop.systemd1.Service': { Type: 's', NRestarts: 'u', TasksCurrent: 't', TasksMax: 't', MainPID: 'u' },
  'org.freedesktop.systemd1.Socket': { NAccepted: 'u', NConnections: 'u', NRefused: 'u' },
  'org.freedesktop.systemd1.Timer': { LastTriggerUSec: 't', LastTriggerUSecMonotonic: 't' },
  'org.freedesktop.systemd1.Mount': { Type: 's', What: 's', Where: 's' },
};

/** sd-bus's object path label escaping (bus_label_escape): every byte but [A-Za-z0-9] (and a leading digit) as _xx. */
function escapeLabel(s) {
  if (s === '') return '_';
  let out = '';
  const bytes = Buffer.from(s, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    const digit = c >= 0x30 && c <= 0x39;
    out += alpha || (digit && i > 0) ? String.fromCharCode(c) : '_' + c.toString(16).padStart(2, '0');
  }
  return out;
}

const objects = new Map(); // path -> { interface name -> { property -> value } }
// A property left out of the spec is not there (an older systemd), not there with an empty value.
const manager = {};
if (spec.version !== undefined) manager.Version = spec.version;
if (spec.systemState !== undefined) manager.SystemState = spec.systemState;
if (spec.virtualization !== undefined) manager.Virtualization = spec.virtualization;
objects.set(MANAGER_PATH, { [MANAGER]: manager });
const unitPaths = new Map();
for (const u of spec.units) {
  const p = `${MANAGER_PATH}/unit/${escapeLabel(u.name)}`;
  unitPaths.set(u.name, p);
  const ifaces = {};
  const unitProps = { Id: u.name, LoadState: u.loadState, ActiveState: u.activeState, SubState: u.subState };
  for (const [iface, props] of Object.entries(u.props ?? {})) {
    const full = `org.freedesktop.systemd1.${iface}`;
    ifaces[full] = iface === 'Unit' ? { ...unitProps, ...props } : { ...props };
  }
  ifaces['org.freedesktop.systemd1.Unit'] ??= unitProps;
  objects.set(p, ifaces);
}

function listUnits() {
  return spec.units.map((u) => [
    u.name,
    u.description ?? u.name,
    u.loadState,
    u.activeState,
    u.subState,
    u.followed ?? '',
    unitPaths.get(u.name),
    0,
    '',
    '/',
  ]);
}

const bus = dbus.createClient({ busAddress: address });
const conn = bus.connection;
conn.on('error', (e) => {
  process.stderr.write(`systemd-standin: ${e.message}\n`);
  process.exit(1);
});
conn.on('end', () => process.exit(0));
// Every message is dispatched here, not by the library's exported-interface table: that table answers a property it
// does not know with a reply it cannot marshal, where systemd answers with an error.
conn.removeAllListeners('message');
conn.on('message', (msg) => {
  if (msg.type === T.methodReturn || msg.type === T.error) {
    const h = bus.cookies[msg.replySerial];
    delete bus.cookies[msg.replySerial];
    if (h)
      h.apply(null, msg.type === T.error ? [{ name: msg.errorName, message: msg.body }] : [null, ...(msg.body ?? [])]);
    return;
  }
  if (msg.type !== T.methodCall) return;
  if (callLog) {
    const line = { member: msg.member, path: msg.path, interface: msg['interface'] ?? null, args: msg.body ?? [] };
    fs.appendFileSync(callLog, JSON.stringify(line) + '\n');
  }
  const answer = () => serve(msg);
  if (spec.delayMs) setTimeout(answer, spec.delayMs);
  else answer();
});

function serve(msg) {
  const obj = objects.get(msg.path);
  const iface = msg['interface'];
  if (iface === 'org.freedesktop.DBus.Peer' && msg.member === 'Ping') return bus.sendReply(msg, '', []);
  if (iface === 'org.freedesktop.DBus.Introspectable' && msg.member === 'Introspect') {
    return bus.sendReply(msg, 's', ['<node/>']);
  }
  if (!obj) return bus.sendError(msg, 'org.freedesktop.DBus.Error.UnknownObject', `Unknown object '${msg.path}'.`);
  if (iface === PROPERTIES && (msg.member === 'Get' || msg.member === 'GetAll')) {
    const [ifaceName, prop] = msg.body ?? [];
    const props = obj[ifaceName];
    if (!props) {
      return bus.sendError(msg, 'org.freedesktop.DBus.Error.UnknownInterface', `Unknown interface ${ifaceName}.`);
    }
    const sigs = SIGNATURES[ifaceName] ?? {};
    if (msg.member === 'GetAll') {
      const all = Object.entries(props).map(([k, v]) => [k, [sigs[k] ?? 's', v]]);
      return bus.sendReply(msg, 'a{sv}', [all]);
    }
    if (!(prop in props) || !sigs[prop]) {
      return bus.sendError(msg, 'org.freedesktop.DBus.Error.UnknownProperty', `Unknown property ${prop}.`);
    }
    return bus.sendReply(msg, 'v', [[sigs[prop], props[prop]]]);
  }
  if (msg.path === MANAGER_PATH && (iface === MANAGER || iface === undefined)) {
    if (msg.member === 'ListUnits') return bus.sendReply(msg, 'a(ssssssouso)', [listUnits()]);
    if (msg.member === 'GetUnit') {
      const p = unitPaths.get((msg.body ?? [])[0]);
      if (p) return bus.sendReply(msg, 'o', [p]);
      return bus.sendError(msg, 'org.freedesktop.systemd1.NoSuchUnit', `Unit ${(msg.body ?? [])[0]} not loaded.`);
    }
    if (msg.member === 'Subscribe' || msg.member === 'Unsubscribe') return bus.sendReply(msg, '', []);
  }
  return bus.sendError(msg, 'org.freedesktop.DBus.Error.UnknownMethod', `Unknown method ${iface}.${msg.member}.`);
}

bus.invokeDbus(
  // ALLOW_REPLACEMENT | REPLACE_EXISTING | DO_NOT_QUEUE: a stand-in started after another takes the name over even if
  // the bus has not yet seen the previous one go.
  { member: 'RequestName', signature: 'su', body: ['org.freedesktop.systemd1', 7] },
  (err, code) => {
    if (err || code !== 1) {
      process.stderr.write(`systemd-standin: RequestName failed: ${JSON.stringify(err ?? code)}\n`);
      process.exit(1);
    }
    process.stdout.write('ready\n');
  },
);
