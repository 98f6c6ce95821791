/**
 * A real OTLP receiver for the end-to-end tests: @elastic/mockotlpserver (CommonJS, without types), typed here once.
 * Each test types the normalized export with the part of it that it reads.
 */
export interface MockServer {
  start(): Promise<void>;
  close(): Promise<void>;
  httpUrl: URL;
  grpcUrl: URL;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the mock server's package is CommonJS without types
const mock = require('@elastic/mockotlpserver') as {
  MockOtlpServer: new (opts: Record<string, unknown>) => MockServer;
  normalizeMetrics: (m: unknown) => unknown;
};

/**
 * A started receiver on 127.0.0.1 and a free port (OTLP/HTTP, or gRPC), handing every metrics export to `onExport`
 * in the receiver's normalized form (the protocol's JSON shape whichever encoding arrived).
 */
export async function startReceiver<E>(
  onExport: (e: E) => void,
  service: 'http' | 'grpc' = 'http',
): Promise<MockServer> {
  const onMetrics = (m: unknown): void => onExport(mock.normalizeMetrics(m) as E);
  const srv = new mock.MockOtlpServer(
    service === 'http'
      ? { logLevel: 'warn', services: ['http'], httpHostname: '127.0.0.1', httpPort: 0, onMetrics }
      : { logLevel: 'warn', services: ['grpc'], grpcHostname: '127.0.0.1', grpcPort: 0, onMetrics },
  );
  await srv.start();
  return srv;
}
