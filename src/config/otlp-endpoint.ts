/**
 * The OTLP endpoint's forms and defaults, per protocol: a leaf, so that both the config loader (for --check-config)
 * and the running agent's main thread (which resolves the OTEL_* variables, and must not load config/load.ts: ajv,
 * yaml) check an endpoint the same way.
 */
import type { OtlpProtocol } from './defaults';

/** The OTLP exporter spec's defaults: OTLP/HTTP's metrics URL, and OTLP/gRPC's target (plain, on loopback). */
export const OTLP_HTTP_DEFAULT_ENDPOINT = 'http://localhost:4318/v1/metrics';
export const OTLP_GRPC_DEFAULT_ENDPOINT = 'http://localhost:4317';

export function defaultOtlpEndpoint(protocol: OtlpProtocol): string {
  return protocol === 'grpc' ? OTLP_GRPC_DEFAULT_ENDPOINT : OTLP_HTTP_DEFAULT_ENDPOINT;
}

/** Whether an endpoint is written with a scheme (`http://...`) rather than as gRPC's bare `host:port`. */
export function hasScheme(endpoint: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(endpoint);
}

/**
 * Why an OTLP endpoint cannot be pushed to, or null. A URL the exporter cannot parse ("http://", "http://[::1") would
 * otherwise pass --check-config and stop the agent at start. OTLP/HTTP takes an http(s) URL; OTLP/gRPC also takes a
 * bare host:port (the form gRPC clients take; TLS unless tls.insecure), as the OTLP exporter spec asks.
 */
export function otlpEndpointProblem(endpoint: string, protocol: OtlpProtocol): string | null {
  const grpc = protocol === 'grpc';
  const orBare = grpc ? ' (or host:port)' : '';
  if (/^https?:\/\/(?:[/?#]|$)/i.test(endpoint))
    return `expected an http:// or https:// URL with a host, got ${JSON.stringify(endpoint)}`;
  const bare = grpc && !hasScheme(endpoint);
  let url: URL;
  try {
    url = new URL(bare ? `https://${endpoint}` : endpoint);
  } catch (e) {
    void e; // the URL parser says only "Invalid URL": the message below says what is expected
    return `expected an http:// or https:// URL such as ${defaultOtlpEndpoint(protocol)}${orBare}, got ${JSON.stringify(endpoint)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `expected an http:// or https:// URL${orBare}, got ${JSON.stringify(endpoint)}`;
  if (url.hostname === '') return `expected a URL with a host, got ${JSON.stringify(endpoint)}`;
  return null;
}
