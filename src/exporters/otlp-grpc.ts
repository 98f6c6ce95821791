/**
 * OTLP/gRPC (otlp.protocol: grpc): the same ExportMetricsServiceRequest bytes as http/protobuf, sent as a unary call
 * to opentelemetry.proto.collector.metrics.v1.MetricsService/Export by the OpenTelemetry JS gRPC export delegate
 * (@opentelemetry/otlp-grpc-exporter-base, on which @opentelemetry/exporter-metrics-otlp-grpc is a thin class: that
 * class fixes its serializer, and the agent's serializer adds the per-process resources to each request). Loaded only
 * when gRPC is chosen: @grpc/grpc-js costs start-up time and memory that an HTTP push does not need.
 */
import {
  convertLegacyOtlpGrpcOptions,
  createEmptyMetadata,
  createInsecureCredentials,
  createOtlpGrpcExportDelegate,
  createSslCredentials,
} from '@opentelemetry/otlp-grpc-exporter-base';
import type { IOtlpExportDelegate } from '@opentelemetry/otlp-exporter-base';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import {
  MetricsExporterMetricsHelper,
  type IExportMetricsServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { hasScheme } from '../config/otlp-endpoint';

export const GRPC_SERVICE = 'MetricsExportService';
export const GRPC_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

/**
 * Whether the call uses TLS (the OTLP exporter spec): https:// always, http:// never, whichever `insecure` says; an
 * endpoint without a scheme uses TLS unless `insecure` is true.
 */
export function grpcUsesTls(endpoint: string, insecure: boolean): boolean {
  if (hasScheme(endpoint)) return /^https:\/\//i.test(endpoint);
  return !insecure;
}

/** What the gRPC delegate needs of the resolved settings (otlp.ts resolves them and reads the TLS files). */
export interface GrpcTarget {
  readonly url: string;
  readonly insecure: boolean;
  readonly tlsFiles: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly compression: 'none' | 'gzip';
}

export function createGrpcDelegate(
  o: GrpcTarget,
  serializer: ISerializer<ResourceMetrics, IExportMetricsServiceResponse>,
): IOtlpExportDelegate<ResourceMetrics> {
  const files = o.tlsFiles;
  const credentials = grpcUsesTls(o.url, o.insecure)
    ? createSslCredentials(files.ca, files.key, files.cert)
    : createInsecureCredentials();
  // Headers travel as gRPC metadata (their names lower-cased, as HTTP/2 requires).
  const metadata = createEmptyMetadata();
  for (const [k, v] of Object.entries(o.headers)) metadata.set(k.toLowerCase(), v);
  const options = convertLegacyOtlpGrpcOptions(
    {
      url: o.url,
      credentials,
      metadata,
      timeoutMillis: o.timeoutMs,
      // At most one call on the wire, as over HTTP (the reader skips a tick while an export runs).
      concurrencyLimit: 1,
      compression: o.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    },
    'METRICS',
  );
  return createOtlpGrpcExportDelegate(
    options,
    serializer,
    'otlp_grpc_metric_exporter',
    MetricsExporterMetricsHelper,
    undefined,
    GRPC_SERVICE,
    GRPC_PATH,
  );
}
