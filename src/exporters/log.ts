/**
 * A small logger on stderr: JSON lines (one object per line: time, level, msg, fields, pino's format in spirit), or
 * logfmt (`ts=... level=info msg="..." key=value`, node_exporter's default format, for --log.format=logfmt).
 */
import type { LogFormat, LogLevel } from '../config/defaults';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Errors serialize as {name, message, code} rather than `{}`. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code !== undefined ? { code } : {}) };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One logfmt value: bare when it needs no quoting, else a JSON string (logfmt's quoting is JSON's). */
function logfmtValue(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(replacer('', v), replacer) ?? String(v));
  return /^[^\s"=\\]+$/.test(s) ? s : JSON.stringify(s);
}

/** A line of logfmt: ts, level, msg, then the fields in their order. */
export function logfmtLine(time: string, level: LogLevel, msg: string, fields?: LogFields): string {
  let line = `ts=${time} level=${level} msg=${logfmtValue(msg)}`;
  for (const [k, v] of Object.entries(fields ?? {})) line += ` ${k.replace(/[\s="]/g, '_')}=${logfmtValue(v)}`;
  return line + '\n';
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
  format: LogFormat = 'json',
): Logger {
  const min = RANK[level];
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[lvl] < min) return;
    const time = new Date().toISOString();
    write(
      format === 'logfmt'
        ? logfmtLine(time, lvl, msg, fields)
        : JSON.stringify({ time, level: lvl, msg, ...fields }, replacer) + '\n',
    );
  };
  return {
    level,
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A logger that drops everything (unit tests, --once). */
export const silentLogger: Logger = createLogger('error', () => undefined);
