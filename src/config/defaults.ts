/**
 * The resolved agent config: what config/schema.json describes, with durations in milliseconds and camelCase keys.
 * The defaults themselves live in the schema (ajv fills them in), so `defaultConfig()` is simply an empty file parsed.
 * Command-line flags are config keys too (flags.ts): the loader applies them to the file before checking it.
 */
import type { AdminConfig } from '../admin/config';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type LogFormat = 'json' | 'logfmt';

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
  readonly pod_name?: readonly string[];
  readonly namespace?: readonly string[];
  readonly container_name?: readonly string[];
  readonly systemd_unit?: readonly string[];
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

/** One listener of /metrics: as written, and parsed. */
export interface ListenAddress {
  readonly text: string;
  readonly host: string;
  readonly port: number;
}

export interface AgentConfig {
  readonly web: {
    /** The first listener's address (`listeners[0]`), as written. */
    readonly listenAddress: string;
    readonly host: string;
    readonly port: number;
    /** Every listener: web.listen_address as a list, or node_exporter's repeated --web.listen-address. */
    readonly listeners: readonly ListenAddress[];
    readonly telemetryPath: string;
    readonly maxRequests: number;
    /** Leave out the process_* families (node_exporter --web.disable-exporter-metrics). */
    readonly disableExporterMetrics: boolean;
    /** exporter-toolkit's web config file (--web.config.file); null when not set. */
    readonly configFile: string | null;
  };
  readonly paths: { readonly procfs: string; readonly sysfs: string; readonly rootfs: string };
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  readonly collection: {
    readonly maxAgeMs: number;
    readonly timeoutMs: number;
    readonly collectorTimeoutMs: number;
    /** node_exporter's --collector.disable-defaults (already applied to `collectors`; kept to show it). */
    readonly disableDefaults: boolean;
  };
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
