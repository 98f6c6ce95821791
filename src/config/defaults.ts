/**
 * The resolved agent config: what config/schema.json describes, with durations in milliseconds and camelCase keys.
 * The defaults themselves live in the schema (ajv fills them in), so `defaultConfig()` is simply an empty file parsed.
 * Command-line flags are config keys too (flags.ts): the loader applies them to the file before checking it.
 */
import type { AdminConfig } from '../admin/config';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
/** OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE's values (the OTLP metrics exporter spec). */
export type OtlpTemporality = 'cumulative' | 'delta' | 'lowmemory';
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
  /** What the walk keeps open per exported process: its /proc/<pid> dir, or that and its stat, status and io. */
  readonly keptFds: 'dir' | 'files';
}

/** otlp.tls: the transport security of the push (the OpenTelemetry Collector's otlp exporter's `tls` block). */
export interface OtlpTls {
  /** gRPC without TLS for an endpoint with no scheme (http:// is always plain, https:// always TLS). */
  readonly insecure: boolean;
  /** PEM files: the CA that signs the receiver's certificate, and a client certificate and key (mutual TLS). */
  readonly caFile: string | null;
  readonly certFile: string | null;
  readonly keyFile: string | null;
}

export interface OtlpSettings {
  readonly enabled: boolean;
  /** null: the protocol's default (http://localhost:4318/v1/metrics over HTTP, http://localhost:4317 over gRPC). */
  readonly endpoint: string | null;
  readonly protocol: OtlpProtocol;
  readonly tls: OtlpTls;
  readonly temporality: OtlpTemporality;
  /** otlp.metrics: metric names (or `prefix.*` sets) switched on or off; what is not listed is on. */
  readonly metrics: Readonly<Record<string, { readonly enabled: boolean }>>;
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
