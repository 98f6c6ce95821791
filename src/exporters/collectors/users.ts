/**
 * users: psutil users() (utmp under the rootfs), which node_exporter has no name for: psutil_user_sessions{user}
 * and psutil_user_session_start_time_seconds{user,terminal,host,pid}. OTLP: system.users.count (no semconv name).
 */
import type { User } from '../../index';
import { defineCollector, fam, families, metrics, otel, str } from '../catalog';

export type UsersData = readonly User[];

export function usersFamilies(d: UsersData) {
  const count = new Map<string, number>();
  const start = fam(
    'psutil_user_session_start_time_seconds',
    'gauge',
    'psutil users(): login time of each session, in unixtime.',
    ['user', 'terminal', 'host', 'pid'],
  );
  for (const u of d) {
    count.set(u.name, (count.get(u.name) ?? 0) + 1);
    start.add({ user: u.name, terminal: str(u.terminal), host: u.host, pid: String(u.pid) }, u.started);
  }
  const sessions = fam('psutil_user_sessions', 'gauge', 'psutil users(): number of login sessions per user.', ['user']);
  for (const [user, n] of count) sessions.add({ user }, n);
  return families(sessions, start);
}

export function usersMetrics(d: UsersData) {
  return metrics(
    otel('system.users.count', 'updowncounter', '{session}', 'Login sessions (utmp).', 'int').add({}, d.length),
  );
}

export const usersCollector = defineCollector<UsersData, null>({
  name: 'users',
  help: 'Logged-in users from utmp.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.users(),
  prometheus: (d) => usersFamilies(d),
  otlp: (d) => usersMetrics(d),
});
