/**
 * The loader with the OTEL_* variables on top of an enabled otlp section (config/otlp-env.ts): what they make
 * unusable is refused at the key of the file they contradict, or at otlp.enabled when the variables alone are at
 * fault; without an environment (unit callers, --once) or with OTLP off, nothing is checked against them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/load';
import { OtlpEnvError, otlpEnvProblems } from '../../src/config/otlp-env';

function refusal(text: string, env: NodeJS.ProcessEnv): ConfigError {
  try {
    parseConfig(text, 'o.yaml', [], env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('an otlp section checked with the OTEL_* variables on top', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psx-otlp-env-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("a file's endpoint that only gRPC takes, under a protocol variable for HTTP: at otlp.endpoint", () => {
    const text = 'otlp:\n  enabled: true\n  protocol: grpc\n  endpoint: "collector:4317"\n';
    expect(() => parseConfig(text, 'o.yaml', [], {})).not.toThrow();
    const e = refusal(text, { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf' });
    expect(e.issues).toHaveLength(1);
    expect(e.message).toMatch(
      /o\.yaml:4:13: otlp\.endpoint: expected an http:\/\/ or https:\/\/ URL.*got "collector:4317" \(the protocol is http\/protobuf, from OTEL_EXPORTER_OTLP_METRICS_PROTOCOL\)/,
    );
  });

  test("a file's endpoint that only gRPC takes, under a protocol variable saying grpc: accepted", () => {
    const text = 'otlp:\n  enabled: true\n  protocol: http/protobuf\n  endpoint: "collector:4317"\n';
    expect(refusal(text, {}).message).toMatch(/o\.yaml:4:13: otlp\.endpoint: expected/);
    expect(parseConfig(text, 'o.yaml', [], { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).otlp.endpoint).toBe(
      'collector:4317',
    );
  });

  test("an endpoint variable that only gRPC takes, under the file's HTTP protocol: at otlp.protocol", () => {
    const text = 'otlp:\n  enabled: true\n  protocol: http/json\n';
    const e = refusal(text, { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'collector:4317' });
    expect(e.message).toMatch(
      /o\.yaml:3:13: otlp\.protocol: http\/json cannot push to OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: expected/,
    );
    // Over gRPC, the file's protocol, the same variable is a target.
    expect(() =>
      parseConfig('otlp: {enabled: true, protocol: grpc}\n', 'o.yaml', [], {
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'collector:4317',
      }),
    ).not.toThrow();
  });

  test.each([
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http' }, /OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf, http\/json, grpc/],
    [{ OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' }, /OTEL_EXPORTER_OTLP_COMPRESSION must be gzip or none/],
    [{ OTEL_METRIC_EXPORT_INTERVAL: '5s' }, /OTEL_METRIC_EXPORT_INTERVAL must be a positive number of milliseconds/],
    [{ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'deltas' }, /TEMPORALITY_PREFERENCE must be cumulative/],
    [
      { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://' },
      /OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: expected an http:\/\/ or https:\/\/ URL with a host, got "http:\/\/" \(the protocol is grpc, from OTEL_EXPORTER_OTLP_METRICS_PROTOCOL\)/,
    ],
  ])('variables at fault alone (%j): at otlp.enabled, the variable named', (env, reason) => {
    const e = refusal('collection: {timeout: 5s}\notlp:\n  interval: 10s\n  enabled: true\n', env);
    expect(e.issues.map((i) => [i.line, i.column, i.path])).toEqual([[4, 12, 'otlp.enabled']]);
    expect(e.issues[0]?.message).toMatch(reason);
  });

  test('TLS files: from the file at their key, from a variable at otlp.enabled; a readable one passes', () => {
    const ca = path.join(dir, 'ca.pem');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    const text = `otlp:\n  enabled: true\n  tls:\n    ca_file: ${path.join(dir, 'none.pem')}\n`;
    expect(refusal(text, {}).message).toMatch(/o\.yaml:4:14: otlp\.tls\.ca_file: cannot read \S+none\.pem \(ENOENT\)/);
    expect(() => parseConfig(text, 'o.yaml', [], { OTEL_EXPORTER_OTLP_CERTIFICATE: ca })).not.toThrow();
    const viaVar = refusal('otlp: {enabled: true}\n', { OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY: dir });
    expect(viaVar.message).toMatch(
      /o\.yaml:1:17: otlp\.enabled: OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY: cannot read \S+ \(not a regular file\)/,
    );
  });

  test('OTLP off, or no environment given: the variables are not looked at', () => {
    const bad = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http' };
    expect(() => parseConfig('otlp: {enabled: false}\n', 'o.yaml', [], bad)).not.toThrow();
    expect(() => parseConfig('otlp: {enabled: true}\n', 'o.yaml', [], null)).not.toThrow();
    expect(otlpEnvProblems(parseConfig('otlp: {enabled: true}\n').otlp, bad)).toEqual([
      new OtlpEnvError([], 'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf, http/json, grpc, got "http"'),
    ]);
  });

  test('an OTLP interval alone, with a timeout variable longer than it: accepted, the timeout capped', () => {
    expect(() =>
      parseConfig('otlp: {enabled: true, interval: 2s}\n', 'o.yaml', [], { OTEL_EXPORTER_OTLP_TIMEOUT: '30000' }),
    ).not.toThrow();
  });
});
