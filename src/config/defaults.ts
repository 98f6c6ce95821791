/**
 * The resolved agent config: what config/schema.json describes, with durations in milliseconds and camelCase keys.
 * The defaults themselves live in the schema (ajv fills them in), so `defaultConfig()` is simply an empty file parsed.
 */
import type { AdminConfig } from '../admin/config';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** One collector's settings: `enabled`, its time budget, and its own options (snake_case, as written). */
export interface CollectorSettings {
  readonly enabled: boolean;
  readonly timeoutMs: number;
  readonly options: Readonly<Record<string, unknown>>;
}

/** process-exporter's matcher, unchanged, plus our selectors (see docs/process-groups.md). */
export interface ProcessMatcher {
  readonly name?: string;
  readonly comm?: readonly string[];
  readonly exe?: readonly string[];
  readonly cmdline?: readonly string[];
  readonly user?: readonly string[];
  readonly cgroup?: readonly string[];
  readonly container_id?: readonly string[];
  readonly pod_uid?: readonly string[];
  readonly parent?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly per_process?: boolean;
}

/** Process names to keep or drop for per-process OTLP (the hostmetrics receiver's include/exclude). */
export interface OtlpProcessFilter {
  readonly names: readonly string[];
  readonly matchType: 'regexp' | 'strict';
}

/** otlp.processes: one OTLP resource per process, as the receiver's `process` scraper. */
export interface OtlpProcessSettings {
  readonly enabled: boolean;
  /** null: every process. */
  readonly include: OtlpProcessFilter | null;
  readonly exclude: OtlpProcessFilter | null;
  readonly max: number;
}

export interface OtlpSettings {
  readonly enabled: boolean;
  readonly endpoint: string;
  readonly protocol: OtlpProtocol;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly compression: 'none' | 'gzip';
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly processes: OtlpProcessSettings;
}

export interface AgentConfig {
  readonly web: {
    readonly listenAddress: string;
    readonly host: string;
    readonly port: number;
    readonly telemetryPath: string;
    readonly maxRequests: number;
  };
  readonly paths: { readonly procfs: string; readonly sysfs: string; readonly rootfs: string };
  readonly log: { readonly level: LogLevel };
  readonly collection: { readonly maxAgeMs: number; readonly timeoutMs: number; readonly collectorTimeoutMs: number };
  /** Caps on /metrics: label value length (bytes of UTF-8) and series per family; 0 is no cap. */
  readonly exposition: { readonly maxLabelValueBytes: number; readonly maxSeriesPerFamily: number };
  /** V8's optimizing compilers for the running agent: 'auto' (on only when process_names are configured), on or off. */
  readonly runtime: { readonly jit: 'auto' | boolean };
  readonly collectors: Readonly<Record<string, CollectorSettings>>;
  readonly processNames: readonly ProcessMatcher[];
  readonly otlp: OtlpSettings;
  /** The admin API (src/admin/config.ts parses and checks it). */
  readonly admin: AdminConfig;
}

/** Command-line values that override the file (node_exporter's flags). */
export interface ConfigOverrides {
  listenAddress?: { host: string; port: number; text: string };
  procfs?: string;
  sysfs?: string;
  rootfs?: string;
  logLevel?: LogLevel;
}

export function applyOverrides(cfg: AgentConfig, o: ConfigOverrides): AgentConfig {
  return Object.freeze({
    ...cfg,
    web: o.listenAddress
      ? Object.freeze({
          ...cfg.web,
          listenAddress: o.listenAddress.text,
          host: o.listenAddress.host,
          port: o.listenAddress.port,
        })
      : cfg.web,
    paths: Object.freeze({
      procfs: o.procfs ?? cfg.paths.procfs,
      sysfs: o.sysfs ?? cfg.paths.sysfs,
      rootfs: o.rootfs ?? cfg.paths.rootfs,
    }),
    log: o.logLevel ? Object.freeze({ level: o.logLevel }) : cfg.log,
  });
}
