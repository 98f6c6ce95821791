/**
 * The OTLP rendering of a snapshot: a MetricProducer (not observable instruments: the SDK keeps reporting series it
 * no longer observes, open-telemetry/opentelemetry-js#4096) that maps the same snapshot the Prometheus side serves to
 * semantic-convention names, cumulative, with counters starting at boot time. Pushed by a
 * PeriodicExportingMetricReader, which never runs two exports at once; the exporter's own queue is capped too.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import {
  JsonMetricsSerializer,
  MetricsExporterMetricsHelper,
  ProtobufMetricsSerializer,
  type IExportMetricsServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, emptyResource, type Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type CollectionResult,
  type InstrumentType,
  type ResourceMetrics,
  type MetricProducer,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import {
  OTLPMetricExporter as JsonExporter,
  AggregationTemporalityPreference,
  OTLPMetricExporterBase,
} from '@opentelemetry/exporter-metrics-otlp-http';
import type { OtlpSettings } from '../config/defaults';
import { parseKeyValueList, resolveOtlp, type ResolvedOtlp, type ResolvedTls } from '../config/otlp-env';
import type { OtlpMetric } from './catalog';
import type { Logger } from './log';
import { encodePackedResources } from './otlp-process-encode';
import { containerResourceMetrics, isContainerMetric, withContainers } from './otlp-container-resources';
import { packOtlp, unpackOtlp, withPacked, type PackedOtlp } from './otlp-pack';
import { silentLogger } from './log';
import { SCOPE_NAME, toMetricData, processResourceMetrics, type ProcessBatch } from './otlp-data';
import { agentVersion, type ActiveCollector } from './prometheus';
import { deltaSums, DeltaConverter, metricSelector } from './otlp-views';
import type { Snapshot, SnapshotSource } from './snapshot';

/**
 * Maps a snapshot to OTLP metrics: every successful collector's own (mapped in the worker, or here from raw data); a
 * name claimed twice keeps the first.
 */
export function snapshotMetrics(
  snap: Snapshot,
  active: ReadonlyMap<string, ActiveCollector>,
  log: Logger = silentLogger,
): OtlpMetric[] {
  const out: OtlpMetric[] = [];
  const seen = new Set<string>();
  for (const r of snap.results) {
    if (r.kind === 'failed') continue;
    if (r.kind === 'rendered' && r.otlpError !== undefined)
      log.warn('collector OTLP rendering failed', { collector: r.name, err: r.otlpError });
    const c = active.get(r.name);
    try {
      let mapped = r.kind === 'rendered' ? r.otlp : undefined;
      if (r.kind === 'data') {
        if (!c || r.data === undefined) continue;
        mapped = withPacked(c.def.otlp(r.data, c.options));
      }
      if (mapped === undefined) continue;
      for (const m of mapped) {
        // Per-process metrics repeat their names, once per process resource.
        if (m.resource !== undefined) {
          out.push(m);
          continue;
        }
        if (seen.has(m.name)) continue;
        seen.add(m.name);
        out.push(m);
      }
    } catch (e) {
      // A mapping bug costs that collector's OTLP metrics only (Prometheus shows it as success 0).
      log.warn('collector OTLP rendering failed', { collector: r.name, err: e });
    }
  }
  return out;
}

/** otlp.metrics and otlp.temporality applied to each export (otlp-views.ts); null: everything, cumulative. */
export interface OtlpViews {
  readonly keep: ((name: string) => boolean) | null;
  readonly delta: DeltaConverter | null;
}

const NO_VIEWS: OtlpViews = { keep: null, delta: null };

export class SnapshotProducer implements MetricProducer {
  /** The last collect()'s per-process metrics, for the exporter that sends them beside the host's. */
  private pending: ProcessBatch | null = null;

  constructor(
    private readonly source: SnapshotSource,
    private readonly active: ReadonlyMap<string, ActiveCollector>,
    private readonly agentStartMs: number = Date.now(),
    private readonly log: Logger = silentLogger,
    private readonly hostResource: Resource = emptyResource(),
    private readonly views: OtlpViews = NO_VIEWS,
  ) {}

  /** The per-process metrics of the last collect(), once (null: none). */
  takeResources(): ProcessBatch | null {
    const out = this.pending;
    this.pending = null;
    return out;
  }

  async collect(): Promise<CollectionResult> {
    const snap = await this.source.get();
    // Host counters count from boot; without a boot time, from the agent's start (still monotonic per series).
    const startMs = snap.bootTime !== null ? snap.bootTime * 1000 : this.agentStartMs;
    let all = snapshotMetrics(snap, this.active, this.log);
    const keep = this.views.keep;
    if (keep !== null) all = all.filter((m) => keep(m.name));
    const containerList = all.filter(isContainerMetric);
    if (containerList.length > 0) all = all.filter((m) => !isContainerMetric(m));
    let containers = containerResourceMetrics(containerList, this.hostResource, startMs, snap.finishedAt);
    let metrics = all.filter((m) => m.resource === undefined).map((m) => toMetricData(m, startMs, snap.finishedAt));
    // Per-process metrics as the worker packed them (otlp-pack.ts), and those mapped here from raw data.
    const packs: PackedOtlp[] = [];
    for (const r of snap.results) if (r.kind === 'rendered' && r.otlpPacked !== undefined) packs.push(r.otlpPacked);
    const local = packOtlp(all).packed;
    if (local !== undefined) packs.push(local);
    const delta = this.views.delta;
    if (keep === null && delta === null) {
      this.pending =
        packs.length === 0 ? null : { kind: 'packed', packs, host: this.hostResource, endMs: snap.finishedAt };
    } else {
      // Views need the SDK's form: unpack (local ones are in `all` too, so only the worker's packs), filter, convert.
      let procs = packs
        .flatMap((p) => (p === local ? [] : unpackOtlp(p)))
        .concat(all.filter((m) => m.resource !== undefined));
      if (keep !== null) procs = procs.filter((m) => keep(m.name));
      let resources = processResourceMetrics(procs, this.hostResource, snap.finishedAt);
      if (delta !== null) {
        metrics = delta.convert('', metrics);
        // A process whose every metric was a first delta left out has nothing to send this time.
        resources = delta.convertResources(resources).filter((rm) => rm.scopeMetrics.some((sm) => sm.metrics.length));
        containers = delta.convertResources(containers).filter((rm) => rm.scopeMetrics.some((sm) => sm.metrics.length));
        delta.endExport();
      }
      this.pending = resources.length === 0 ? null : { kind: 'resources', resources };
    }
    this.pending = withContainers(this.pending, containers);
    return {
      resourceMetrics: {
        resource: emptyResource(), // the reader keeps the MeterProvider's resource
        scopeMetrics: [{ scope: { name: SCOPE_NAME, version: agentVersion() }, metrics }],
      },
      errors: [],
    };
  }
}

// ---- settings: config, then the standard OTEL_* variables on top (config/otlp-env.ts, which the loader checks too) ----

export { SCOPE_NAME, toMetricData, processResourceMetrics, type ProcessBatch } from './otlp-data';
export { parseKeyValueList, resolveOtlp, type ResolvedOtlp, type ResolvedTls } from '../config/otlp-env';

/** `<rootfs>/etc/machine-id` (systemd), else the D-Bus copy: the host.id OpenTelemetry's host detector uses. */
export function readMachineId(rootfs: string): string | null {
  for (const p of ['etc/machine-id', 'var/lib/dbus/machine-id']) {
    try {
      const id = fs.readFileSync(path.join(rootfs, p), 'utf8').trim();
      if (/^[0-9a-f]{32}$/i.test(id)) return id;
    } catch (e) {
      // Absent in minimal images: try the next place, then go without host.id.
      void e;
    }
  }
  return null;
}

/** service.name, host.name, host.id, k8s.node.name, the config's attributes, then OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME. */
export function buildResource(cfg: OtlpSettings, rootfs: string, env: NodeJS.ProcessEnv = process.env): Resource {
  const attrs: Record<string, string> = {
    'service.name': cfg.serviceName,
    'service.version': agentVersion(),
    'host.name': os.hostname(),
  };
  const id = readMachineId(rootfs);
  if (id) attrs['host.id'] = id;
  const node = env['K8S_NODE_NAME'];
  if (node && node.trim()) attrs['k8s.node.name'] = node.trim();
  Object.assign(attrs, cfg.resourceAttributes);
  let resource = resourceFromAttributes(attrs);
  const fromEnv: Record<string, string> = parseKeyValueList(env['OTEL_RESOURCE_ATTRIBUTES'] ?? '');
  const svc = env['OTEL_SERVICE_NAME'];
  if (svc && svc.trim()) fromEnv['service.name'] = svc.trim();
  if (Object.keys(fromEnv).length) resource = resource.merge(resourceFromAttributes(fromEnv));
  return resource;
}

/**
 * A serializer for the host's ResourceMetrics that appends the per-process ones registered for it: in protobuf, an
 * ExportMetricsServiceRequest is one repeated field, so the concatenation of single-resource requests is one request
 * with all the resources; in JSON, the resourceMetrics arrays are joined.
 */
function multiResourceSerializer(
  base: ISerializer<ResourceMetrics, IExportMetricsServiceResponse>,
  json: boolean,
  extras: WeakMap<ResourceMetrics, ProcessBatch>,
): ISerializer<ResourceMetrics, IExportMetricsServiceResponse> {
  const joined = (all: readonly ResourceMetrics[]): Uint8Array | undefined => {
    const parts: Uint8Array[] = [];
    for (const r of all) {
      const b = base.serializeRequest(r);
      if (b === undefined) return undefined;
      parts.push(b);
    }
    if (!json) return Buffer.concat(parts);
    const each = parts.flatMap(
      (p) => (JSON.parse(Buffer.from(p).toString('utf8')) as { resourceMetrics: unknown[] }).resourceMetrics,
    );
    return Buffer.from(JSON.stringify({ resourceMetrics: each }), 'utf8');
  };
  return {
    serializeRequest(rm) {
      const batch = extras.get(rm);
      if (batch === undefined) return base.serializeRequest(rm);
      if (batch.kind === 'resources') return joined([rm, ...batch.resources]);
      if (!json) {
        const head = base.serializeRequest(rm);
        if (head === undefined) return undefined;
        const scope = { name: SCOPE_NAME, version: agentVersion() };
        const extra = joined(batch.extra ?? []);
        if (extra === undefined) return undefined;
        // One buffer: the host's resource, the processes' (written straight after it), the containers'.
        return encodePackedResources(batch.packs, batch.host.attributes, batch.endMs, scope, {
          before: head,
          after: extra,
          ...(batch.body !== undefined ? { body: batch.body } : {}),
        });
      }
      const metrics = batch.packs.flatMap((p) => unpackOtlp(p));
      return joined([rm, ...processResourceMetrics(metrics, batch.host, batch.endMs), ...(batch.extra ?? [])]);
    },
    deserializeResponse: (b) => base.deserializeResponse(b),
  };
}

/** The OTLP/HTTP exporter, sending with each export the per-process resources its producer gathered. */
class MultiResourceExporter implements PushMetricExporter {
  /**
   * The last packed export's body buffer, once that export has ended (its transport's promise settled: no retry,
   * no socket write or gzip pass reads it any more), lent to the next (BodyLease); null while one is out.
   */
  private spare: Buffer | null = null;

  constructor(
    private readonly inner: OTLPMetricExporterBase,
    private readonly extras: WeakMap<ResourceMetrics, ProcessBatch>,
    private readonly producer: SnapshotProducer | null,
  ) {}

  export(rm: ResourceMetrics, done: Parameters<PushMetricExporter['export']>[1]): void {
    const batch = this.producer?.takeResources() ?? null;
    if (batch === null) return this.inner.export(rm, done);
    this.extras.set(rm, batch);
    if (batch.kind !== 'packed') return this.inner.export(rm, done);
    const body = { buf: this.spare };
    this.spare = null;
    batch.body = body;
    this.inner.export(rm, (result) => {
      if (body.buf !== null && (this.spare === null || this.spare.length < body.buf.length)) this.spare = body.buf;
      done(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  selectAggregationTemporality(t: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality(t);
  }
}

function readPem(file: string | null, what: string): Buffer | undefined {
  if (file === null) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (e) {
    // Read at start: a missing certificate stops the start with the file named, not every export later.
    throw new Error(`otlp: cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
}

/** The TLS files an OTLP/HTTPS or gRPC-over-TLS push presents or trusts, read now. */
export function readTlsFiles(tls: ResolvedTls): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const ca = readPem(tls.caFile, 'CA certificate file');
  const cert = readPem(tls.certFile, 'client certificate file');
  const key = readPem(tls.keyFile, 'client key file');
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

export function createExporter(o: ResolvedOtlp, producer: SnapshotProducer | null = null): PushMetricExporter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: gRPC (and @grpc/grpc-js) loads only when chosen
  const grpcModule = (): typeof import('./otlp-grpc') => require('./otlp-grpc') as typeof import('./otlp-grpc');
  const tlsFiles = o.tls.caFile ?? o.tls.certFile ?? o.tls.keyFile;
  const options = {
    url: o.url,
    headers: { ...o.headers },
    timeoutMillis: o.timeoutMs,
    // At most one request on the wire: with the reader skipping a tick while an export runs, the queue is bounded.
    concurrencyLimit: 1,
    compression: o.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    // Only the SDK's own instruments follow this (the agent has none): the producer sets each metric's temporality.
    temporalityPreference:
      o.temporality === 'delta'
        ? AggregationTemporalityPreference.DELTA
        : o.temporality === 'lowmemory'
          ? AggregationTemporalityPreference.LOWMEMORY
          : AggregationTemporalityPreference.CUMULATIVE,
    ...(o.protocol !== 'grpc' && tlsFiles !== null ? { httpAgentOptions: readTlsFiles(o.tls) } : {}),
  };
  const extras = new WeakMap<ResourceMetrics, ProcessBatch>();
  if (o.protocol === 'grpc') {
    const target = { ...o, insecure: o.tls.insecure, tlsFiles: readTlsFiles(o.tls) };
    const delegate = grpcModule().createGrpcDelegate(
      target,
      multiResourceSerializer(ProtobufMetricsSerializer, false, extras),
    );
    return new MultiResourceExporter(new OTLPMetricExporterBase(delegate, options), extras, producer);
  }
  if (producer === null) return o.protocol === 'http/json' ? new JsonExporter(options) : new ProtoExporter(options);
  const json = o.protocol === 'http/json';
  const delegate = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions(options, 'METRICS', 'v1/metrics', {
      'Content-Type': json ? 'application/json' : 'application/x-protobuf',
    }),
    multiResourceSerializer(json ? JsonMetricsSerializer : ProtobufMetricsSerializer, json, extras),
    json ? 'otlp_http_json_metric_exporter' : 'otlp_http_metric_exporter',
    MetricsExporterMetricsHelper,
    undefined,
  );
  return new MultiResourceExporter(new OTLPMetricExporterBase(delegate, options), extras, producer);
}

/** The SDK's global error handler passes errors as JSON text ({"message": ...}); keep the message, drop the stack. */
export function diagText(msg: string): string {
  if (msg.startsWith('{')) {
    try {
      const o = JSON.parse(msg) as { message?: unknown };
      if (typeof o.message === 'string') return o.message;
    } catch (e) {
      void e; // not JSON after all: the text is the message
    }
  }
  return msg;
}

let diagInstalled = false;
/** Routes the SDK's diagnostics (export failures, timeouts) into the agent's log. */
function installDiag(log: Logger): void {
  if (diagInstalled) return;
  diagInstalled = true;
  diag.setLogger(
    {
      error: (msg, ...args) =>
        log.warn(`otlp: ${diagText(msg)}`, args.length ? { detail: args.map(String) } : undefined),
      warn: (msg, ...args) =>
        log.warn(`otlp: ${diagText(msg)}`, args.length ? { detail: args.map(String) } : undefined),
      info: (msg) => log.debug(`otlp: ${msg}`),
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
}

/** `p`, or a rejection naming `what` after `ms`. */
function withinMs<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, over]).finally(() => clearTimeout(timer));
}

export interface OtlpPipeline {
  readonly settings: ResolvedOtlp;
  readonly resource: Resource;
  /** Exports now (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function startOtlp(
  cfg: OtlpSettings,
  rootfs: string,
  source: SnapshotSource,
  active: ReadonlyMap<string, ActiveCollector>,
  log: Logger = silentLogger,
  env: NodeJS.ProcessEnv = process.env,
): OtlpPipeline {
  installDiag(log);
  const settings = resolveOtlp(cfg, env);
  const resource = buildResource(cfg, rootfs, env);
  const startMs = Date.now();
  const views: OtlpViews = {
    keep: Object.keys(cfg.metrics).length > 0 ? metricSelector(cfg.metrics) : null,
    delta: deltaSums(settings.temporality) ? new DeltaConverter(startMs) : null,
  };
  const producer = new SnapshotProducer(source, active, startMs, log, resource, views);
  const reader = new PeriodicExportingMetricReader({
    exporter: createExporter(settings, producer),
    exportIntervalMillis: settings.intervalMs,
    exportTimeoutMillis: settings.timeoutMs,
    metricProducers: [producer],
  });
  const provider = new MeterProvider({ resource, readers: [reader] });
  log.info('otlp export started', {
    url: settings.url,
    protocol: settings.protocol,
    interval_ms: settings.intervalMs,
    temporality: settings.temporality,
  });
  return {
    settings,
    resource,
    flush: () => provider.forceFlush({ timeoutMillis: settings.timeoutMs }),
    // One bound for the export in flight and the last one together: the reader waits for the first before it starts
    // the second, each with the exporter's own timeout. Past the bound the request is left on the wire (the agent
    // exits without waiting for it).
    shutdown: () =>
      withinMs(provider.shutdown({ timeoutMillis: settings.timeoutMs }), settings.timeoutMs, 'otlp shutdown'),
  };
}
