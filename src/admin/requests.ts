/**
 * Strict schemas for admin request bodies. Every field is typed and bounded, unknown fields are refused, and names
 * (signals, I/O classes, rlimit resources) are resolved through the allowlists in vocabulary.ts. The result is a
 * typed ActionRequest; nothing downstream sees raw JSON.
 */
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import {
  IOCLASS_NAMES,
  NICE_MAX,
  NICE_MIN,
  SIGNAL_NAMES,
  rlimitName,
  signalNumber,
  type IoClassName,
  type SignalName,
} from './vocabulary';

export type ActionName = 'signal' | 'nice' | 'ionice' | 'cpu_affinity' | 'rlimit';

/** The URL segment of each action (`/v1/processes/{pid}/cpu-affinity`). */
export const ACTION_SEGMENTS: ReadonlyMap<string, ActionName> = new Map<string, ActionName>([
  ['signal', 'signal'],
  ['nice', 'nice'],
  ['ionice', 'ionice'],
  ['cpu-affinity', 'cpu_affinity'],
  ['rlimit', 'rlimit'],
]);

export type ActionRequest =
  | { readonly action: 'signal'; readonly signal: SignalName; readonly signum: number }
  | { readonly action: 'nice'; readonly value: number }
  | { readonly action: 'ionice'; readonly ioclass: IoClassName; readonly value: number }
  /** An empty list means every CPU the target is eligible for, as psutil's cpu_affinity([]). */
  | { readonly action: 'cpu_affinity'; readonly cpus: readonly number[] }
  | { readonly action: 'rlimit'; readonly resource: string; readonly soft: number; readonly hard: number };

export interface ParsedBody {
  readonly request: ActionRequest;
  /** Required for a single process (identity binding); absent for group actions, where each member's is captured. */
  readonly createTime: number | null;
  readonly dryRun: boolean;
}

export class BadRequest extends Error {
  /** A stable machine-readable code for the error body. */
  readonly code: string;
  constructor(code: string, msg: string) {
    // An expected refusal, never debugged by its stack: skip the capture (see HttpError in server.ts).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(msg);
    Error.stackTraceLimit = limit;
    this.code = code;
  }
}

const MAX_CPUS = 4096;
/** psutil's default I/O priority level for realtime and best-effort when no value is given. */
const IONICE_DEFAULT_LEVEL = 4;

const FIELDS: Record<ActionName, readonly string[]> = {
  signal: ['signal'],
  nice: ['value'],
  ionice: ['ioclass', 'value'],
  cpu_affinity: ['cpus'],
  rlimit: ['resource', 'soft', 'hard'],
};

function typeName(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function int(body: JsonObject, key: string, min: number, max: number): number {
  const v = body[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new BadRequest('invalid_field', `${key} must be an integer in ${min}..${max}, got ${typeName(v)}`);
  }
  return v;
}

function name(body: JsonObject, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) {
    throw new BadRequest('invalid_field', `${key} must be a name (a string), got ${typeName(v)}`);
  }
  return v;
}

/** An rlimit value: a non-negative integer, or -1 for RLIM_INFINITY (psutil's convention). */
function limit(body: JsonObject, key: string): number {
  const v = body[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < -1) {
    throw new BadRequest('invalid_field', `${key} must be -1 (unlimited) or an integer >= 0, got ${typeName(v)}`);
  }
  return v;
}

function parseAction(action: ActionName, body: JsonObject): ActionRequest {
  switch (action) {
    case 'signal': {
      const s = name(body, 'signal');
      const num = signalNumber(s);
      if (num === null) {
        throw new BadRequest(
          'invalid_signal',
          `signal ${JSON.stringify(s)} is not allowed; use one of ${SIGNAL_NAMES.join(', ')}`,
        );
      }
      return { action, signal: s as SignalName, signum: num };
    }
    case 'nice':
      return { action, value: int(body, 'value', NICE_MIN, NICE_MAX) };
    case 'ionice': {
      const c = name(body, 'ioclass');
      if (!(IOCLASS_NAMES as readonly string[]).includes(c)) {
        throw new BadRequest('invalid_field', `ioclass ${JSON.stringify(c)} is not one of ${IOCLASS_NAMES.join(', ')}`);
      }
      const ioclass = c as IoClassName;
      // psutil's rule: no level with none/idle; realtime and best-effort take 0..7, default 4.
      if (ioclass === 'none' || ioclass === 'idle') {
        if (body['value'] !== undefined && body['value'] !== 0) {
          throw new BadRequest('invalid_field', `value cannot be given with ioclass ${ioclass}`);
        }
        return { action, ioclass, value: 0 };
      }
      const value = body['value'] === undefined ? IONICE_DEFAULT_LEVEL : int(body, 'value', 0, 7);
      return { action, ioclass, value };
    }
    case 'cpu_affinity': {
      const v = body['cpus'];
      if (!Array.isArray(v) || v.length > MAX_CPUS) {
        throw new BadRequest('invalid_field', `cpus must be a list of CPU numbers, got ${typeName(v)}`);
      }
      const cpus: number[] = [];
      for (const [i, c] of v.entries()) {
        if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0 || c >= MAX_CPUS) {
          throw new BadRequest(
            'invalid_field',
            `cpus[${i}] must be an integer in 0..${MAX_CPUS - 1}, got ${typeName(c)}`,
          );
        }
        if (cpus.includes(c)) throw new BadRequest('invalid_field', `cpus[${i}] repeats CPU ${c}`);
        cpus.push(c);
      }
      return { action, cpus: Object.freeze(cpus.sort((a, b) => a - b)) };
    }
    case 'rlimit': {
      const raw = name(body, 'resource');
      const resource = rlimitName(raw);
      if (resource === null)
        throw new BadRequest(
          'invalid_field',
          `resource ${JSON.stringify(raw)} is not an rlimit (NOFILE, NPROC, CORE, ...)`,
        );
      const soft = limit(body, 'soft');
      const hard = limit(body, 'hard');
      if (hard !== -1 && (soft === -1 || soft > hard)) {
        throw new BadRequest('invalid_field', `soft (${soft}) must not exceed hard (${hard})`);
      }
      return { action, resource, soft, hard };
    }
  }
}

/**
 * Validates a parsed JSON body for `action`. `scope` 'process' requires createTime; 'group' refuses it (each member's
 * identity is captured when the group is resolved).
 */
export function parseActionBody(action: ActionName, body: JsonValue, scope: 'process' | 'group'): ParsedBody {
  if (!isJsonObject(body))
    throw new BadRequest('invalid_body', `the body must be a JSON object, got ${typeName(body)}`);
  const allowed = new Set([...FIELDS[action], 'dryRun', ...(scope === 'process' ? ['createTime'] : [])]);
  for (const k of Object.keys(body)) {
    if (!allowed.has(k)) {
      throw new BadRequest('unknown_field', `unknown field ${JSON.stringify(k)}; expected ${[...allowed].join(', ')}`);
    }
  }
  let createTime: number | null = null;
  if (scope === 'process') {
    const ct = body['createTime'];
    if (typeof ct !== 'number' || !(ct > 0)) {
      throw new BadRequest(
        'invalid_field',
        `createTime must be the process's createTime from GET /v1/processes/{pid} (a number), got ${typeName(ct)}`,
      );
    }
    createTime = ct;
  }
  const dr = body['dryRun'];
  if (dr !== undefined && typeof dr !== 'boolean')
    throw new BadRequest('invalid_field', `dryRun must be true or false, got ${typeName(dr)}`);
  return { request: parseAction(action, body), createTime, dryRun: dr === true };
}

/** What a request asks for, for logs and the audit record (no raw input). */
export function describeRequest(r: ActionRequest): Record<string, unknown> {
  switch (r.action) {
    case 'signal':
      return { signal: r.signal };
    case 'nice':
      return { value: r.value };
    case 'ionice':
      return { ioclass: r.ioclass, value: r.value };
    case 'cpu_affinity':
      return { cpus: r.cpus };
    case 'rlimit':
      return { resource: r.resource, soft: r.soft, hard: r.hard };
  }
}
