/**
 * The OTLP push's effective settings: the config's otlp section with the standard OTEL_EXPORTER_OTLP_* and
 * OTEL_METRIC_EXPORT_* variables on top (the OTLP exporter spec). A leaf, apart from the exporter (which loads the
 * OpenTelemetry SDK): the config loader resolves the same settings for the running agent's loads, so that a file the
 * variables make unusable is refused with the place in the file it contradicts (at start, under --check-config and on
 * a reload, where the config in force then stays whole) rather than found when the push is built.
 */
import * as fs from 'node:fs';
import type { OtlpProtocol, OtlpSettings, OtlpTemporality } from './defaults';
import { defaultOtlpEndpoint, otlpEndpointProblem } from './otlp-endpoint';

/** Transport security, resolved: file paths as written (read when the exporter is made). */
export interface ResolvedTls {
  readonly insecure: boolean;
  readonly caFile: string | null;
  readonly certFile: string | null;
  readonly keyFile: string | null;
}

export interface ResolvedOtlp {
  /** OTLP/HTTP: the URL posted to; OTLP/gRPC: the target as written (its scheme chooses TLS). */
  readonly url: string;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly compression: 'none' | 'gzip';
  readonly tls: ResolvedTls;
  readonly temporality: OtlpTemporality;
}

/**
 * Settings that cannot be used, with the otlp key they concern: `at` is the key under `otlp` that the variables
 * contradict (`['endpoint']` for a file's endpoint that the protocol variable makes invalid), or `[]` when the
 * variables alone are at fault (the loader then points at otlp.enabled, which is what makes the agent read them).
 */
export class OtlpEnvError extends RangeError {
  constructor(
    readonly at: readonly string[],
    readonly detail: string,
  ) {
    super(`otlp${at.length > 0 ? '.' + at.join('.') : ''}: ${detail}`);
  }
}

/** `k1=v1,k2=v2` with URL-encoded values (the OTLP exporter spec's format). */
export function parseKeyValueList(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    const k = i < 0 ? '' : part.slice(0, i).trim();
    if (k === '') continue;
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch (e) {
      // A malformed escape is kept as written: better a literal header than a lost one.
      void e;
      out[k] = v;
    }
  }
  return out;
}

/**
 * The first of the variables that is set and not blank (the OTLP exporter spec: a signal-specific variable wins over
 * the general one, and an empty value counts as unset), with its name.
 */
function envFirst(env: NodeJS.ProcessEnv, ...names: string[]): { name: string; value: string } | null {
  for (const name of names) {
    const v = env[name]?.trim();
    if (v !== undefined && v !== '') return { name, value: v };
  }
  return null;
}

function envMs(env: NodeJS.ProcessEnv, ...names: string[]): number | null {
  const v = envFirst(env, ...names);
  if (v === null) return null;
  const ms = Number(v.value);
  if (Number.isFinite(ms) && ms > 0) return ms;
  throw new OtlpEnvError([], `${v.name} must be a positive number of milliseconds, got ${JSON.stringify(v.value)}`);
}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const TEMPORALITIES: readonly OtlpTemporality[] = ['cumulative', 'delta', 'lowmemory'];

/** Each TLS file's variables, signal's first, and its key in the file. */
const TLS_VARS = {
  caFile: ['OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CERTIFICATE'],
  certFile: ['OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE'],
  keyFile: ['OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY', 'OTEL_EXPORTER_OTLP_CLIENT_KEY'],
} as const;
const TLS_KEYS = { caFile: 'ca_file', certFile: 'cert_file', keyFile: 'key_file' } as const;

/**
 * The protocol the variables choose, or null (none set, or one no exporter knows, which resolveOtlp refuses): the
 * loader checks a file's endpoint against the protocol the push will use.
 */
export function envProtocol(env: NodeJS.ProcessEnv): { protocol: OtlpProtocol; name: string } | null {
  const v = envFirst(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  const protocol = PROTOCOLS.find((x) => x === v?.value);
  return v !== null && protocol !== undefined ? { protocol, name: v.name } : null;
}

/**
 * The effective OTLP settings: the config file's, overridden by OTEL_EXPORTER_OTLP_* / OTEL_METRIC_EXPORT_*. Throws an
 * OtlpEnvError naming the variable and the key it contradicts.
 */
export function resolveOtlp(cfg: OtlpSettings, env: NodeJS.ProcessEnv = process.env): ResolvedOtlp {
  const protoVar = envFirst(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  let protocol: OtlpProtocol = cfg.protocol;
  if (protoVar !== null) {
    const p = PROTOCOLS.find((x) => x === protoVar.value);
    if (p === undefined)
      throw new OtlpEnvError(
        [],
        `${protoVar.name} must be ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protoVar.value)}`,
      );
    protocol = p;
  }
  const grpc = protocol === 'grpc';

  // The signal's variable is used as is; the general one is a base URL over HTTP (+ /v1/metrics), the target over gRPC.
  let url = cfg.endpoint ?? defaultOtlpEndpoint(protocol);
  const signal = envFirst(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  const base = envFirst(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (signal !== null) url = signal.value;
  else if (base !== null) url = grpc ? base.value : base.value.replace(/\/+$/, '') + '/v1/metrics';
  const urlProblem = otlpEndpointProblem(url, protocol);
  if (urlProblem !== null) {
    // The loader checks a file's endpoint against the file's protocol: what fails here mixes in a variable. Blame the
    // key of the file that the variables contradict, or the variables alone.
    const urlVar = signal ?? base;
    if (urlVar === null)
      throw new OtlpEnvError(
        ['endpoint'],
        `${urlProblem}${protoVar !== null ? ` (the protocol is ${protocol}, from ${protoVar.name})` : ''}`,
      );
    if (protoVar === null)
      throw new OtlpEnvError(['protocol'], `${protocol} cannot push to ${urlVar.name}: ${urlProblem}`);
    throw new OtlpEnvError([], `${urlVar.name}: ${urlProblem} (the protocol is ${protocol}, from ${protoVar.name})`);
  }

  const headers = {
    ...cfg.headers,
    ...parseKeyValueList(env['OTEL_EXPORTER_OTLP_HEADERS'] ?? ''),
    ...parseKeyValueList(env['OTEL_EXPORTER_OTLP_METRICS_HEADERS'] ?? ''),
  };
  const compVar = envFirst(env, 'OTEL_EXPORTER_OTLP_METRICS_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION');
  let compression = cfg.compression;
  if (compVar !== null) {
    if (compVar.value !== 'gzip' && compVar.value !== 'none')
      throw new OtlpEnvError([], `${compVar.name} must be gzip or none, got ${JSON.stringify(compVar.value)}`);
    compression = compVar.value;
  }
  const intervalMs = envMs(env, 'OTEL_METRIC_EXPORT_INTERVAL') ?? cfg.intervalMs;
  const timeoutMs = Math.min(
    envMs(env, 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_METRIC_EXPORT_TIMEOUT') ??
      cfg.timeoutMs,
    intervalMs,
  );

  // The spec's boolean: "true" in any case is true, any other value false.
  const insecureVar = envFirst(env, 'OTEL_EXPORTER_OTLP_METRICS_INSECURE', 'OTEL_EXPORTER_OTLP_INSECURE');
  const tls: ResolvedTls = Object.freeze({
    insecure: insecureVar !== null ? insecureVar.value.toLowerCase() === 'true' : cfg.tls.insecure,
    caFile: envFirst(env, ...TLS_VARS.caFile)?.value ?? cfg.tls.caFile,
    certFile: envFirst(env, ...TLS_VARS.certFile)?.value ?? cfg.tls.certFile,
    keyFile: envFirst(env, ...TLS_VARS.keyFile)?.value ?? cfg.tls.keyFile,
  });

  const tempVar = envFirst(env, 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE');
  let temporality = cfg.temporality;
  if (tempVar !== null) {
    // Case-insensitive, as the spec says.
    const t = TEMPORALITIES.find((x) => x === tempVar.value.toLowerCase());
    if (t === undefined)
      throw new OtlpEnvError(
        [],
        `${tempVar.name} must be ${TEMPORALITIES.join(', ')}, got ${JSON.stringify(tempVar.value)}`,
      );
    temporality = t;
  }
  return Object.freeze({
    url,
    protocol,
    headers: Object.freeze(headers),
    timeoutMs,
    intervalMs,
    compression,
    tls,
    temporality,
  });
}

/**
 * Why the enabled push could not be built with these variables, each with the otlp key it concerns (empty when it
 * can): the settings resolved, and each TLS file it would read (the exporter reads them when it is made, so a missing
 * one would stop the push, not an export).
 */
export function otlpEnvProblems(cfg: OtlpSettings, env: NodeJS.ProcessEnv): OtlpEnvError[] {
  if (!cfg.enabled) return [];
  let settings: ResolvedOtlp;
  try {
    settings = resolveOtlp(cfg, env);
  } catch (e) {
    if (e instanceof OtlpEnvError) return [e];
    throw e;
  }
  const out: OtlpEnvError[] = [];
  for (const which of ['caFile', 'certFile', 'keyFile'] as const) {
    const file = settings.tls[which];
    if (file === null) continue;
    const problem = unreadable(file);
    if (problem === null) continue;
    const fromVar = envFirst(env, ...TLS_VARS[which]);
    out.push(
      fromVar !== null
        ? new OtlpEnvError([], `${fromVar.name}: cannot read ${file} (${problem})`)
        : new OtlpEnvError(['tls', TLS_KEYS[which]], `cannot read ${file} (${problem})`),
    );
  }
  return out;
}

/** Why a PEM file cannot be read (an errno code, or what it is instead of a file), or null. */
function unreadable(file: string): string | null {
  try {
    if (!fs.statSync(file).isFile()) return 'not a regular file';
    fs.accessSync(file, fs.constants.R_OK);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}
