import {
  AdminConfigError,
  adminSecurityProblems,
  issueSegments,
  parseAdminConfig,
  parseDuration,
  parseListenAddress,
} from '../../src/admin/config';

describe('parseAdminConfig', () => {
  it('defaults to disabled on 127.0.0.1:9465 with no policy', () => {
    const c = parseAdminConfig(undefined);
    expect(c.enabled).toBe(false);
    expect(c.listen).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9465, loopback: true });
    expect(c.policy).toEqual([]);
    expect(adminSecurityProblems(c)).toEqual([]);
  });

  it('reads the issue example', () => {
    const c = parseAdminConfig({
      enabled: true,
      listen_address: '127.0.0.1:9465',
      token_file: '/etc/psutil-exporter/admin.token',
      audit_log: '/var/log/psutil-exporter/admin.jsonl',
      policy: [
        {
          groups: ['sleepers', 'python3;root;job.py'],
          signals: ['SIGTERM', 'SIGHUP', 'SIGUSR1'],
          nice: { min: 0, max: 19 },
          ionice_classes: ['best-effort', 'idle'],
          cpu_affinity: true,
          rlimits: { NOFILE: { max: 65536 } },
        },
      ],
    });
    expect(c.enabled).toBe(true);
    const r = c.policy[0]!;
    expect(r.groups).toEqual(['sleepers', 'python3;root;job.py']);
    expect(r.signals).toEqual(['SIGTERM', 'SIGHUP', 'SIGUSR1']);
    expect(r.nice).toEqual({ min: 0, max: 19 });
    expect(r.cpuAffinity).toBe(true);
    expect(r.rlimits.get('NOFILE')).toEqual({ min: null, max: 65536 });
    expect(adminSecurityProblems(c)).toEqual([]);
  });

  it('lists every problem with its key path', () => {
    let err: unknown;
    try {
      parseAdminConfig({
        enabled: 'yes',
        listen_address: 'example.com:9465',
        token_file: 'relative/path',
        bogus: 1,
        rate_limit: { global: { interval: 'fast', burst: 0 } },
        policy: [
          {
            signals: ['SIGKIL', 9, 'SIGRTMIN'],
            nice: { min: 5, max: 1 },
            ionice_classes: ['rt'],
            cpu_affinity: 'all',
            rlimits: { FOO: { max: 1 }, NOFILE: {} },
          },
        ],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdminConfigError);
    const paths = (err as AdminConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'admin.enabled',
        'admin.listen_address',
        'admin.token_file',
        'admin.bogus',
        'admin.rate_limit.global.interval',
        'admin.rate_limit.global.burst',
        'admin.policy[0].groups',
        'admin.policy[0].signals[0]',
        'admin.policy[0].signals[1]',
        'admin.policy[0].signals[2]',
        'admin.policy[0].nice',
        'admin.policy[0].ionice_classes[0]',
        'admin.policy[0].cpu_affinity',
        'admin.policy[0].rlimits.FOO',
        'admin.policy[0].rlimits.NOFILE.max',
      ]),
    );
  });

  it('normalizes RLIMIT_ names and accepts unlimited', () => {
    const c = parseAdminConfig({
      policy: [{ groups: ['g'], rlimits: { RLIMIT_CORE: { max: 'unlimited' }, NOFILE: { min: 1024, max: 4096 } } }],
    });
    expect(c.policy[0]!.rlimits.get('CORE')).toEqual({ min: null, max: -1 });
    expect(c.policy[0]!.rlimits.get('NOFILE')).toEqual({ min: 1024, max: 4096 });
  });
});

describe('startup safety ([SECURITY])', () => {
  it('refuses admin enabled without authentication', () => {
    const p = adminSecurityProblems(parseAdminConfig({ enabled: true }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^\[SECURITY\] .*no authentication/);
  });

  it.each(['0.0.0.0:9465', ':9465', '10.1.2.3:9465', '[::]:9465'])('refuses %s without mutual TLS', (addr) => {
    const p = adminSecurityProblems(parseAdminConfig({ enabled: true, listen_address: addr, token_file: '/t' }));
    expect(p.join('\n')).toMatch(/^\[SECURITY\] admin.listen_address .* requires mutual TLS/);
  });

  it('refuses TLS without a client CA on a non-loopback address', () => {
    const p = adminSecurityProblems(
      parseAdminConfig({
        enabled: true,
        listen_address: '0.0.0.0:9465',
        token_file: '/t',
        tls_server_config: { cert_file: '/c', key_file: '/k' },
      }),
    );
    expect(p).toHaveLength(1);
  });

  it('accepts mutual TLS on any address, and loopback or unix sockets with a token', () => {
    expect(
      adminSecurityProblems(
        parseAdminConfig({
          enabled: true,
          listen_address: '0.0.0.0:9465',
          tls_server_config: {
            cert_file: '/c',
            key_file: '/k',
            client_ca_file: '/ca',
            client_allowed_sans: ['ops.example'],
          },
        }),
      ),
    ).toEqual([]);
    expect(
      adminSecurityProblems(parseAdminConfig({ enabled: true, listen_address: '[::1]:9465', token_file: '/t' })),
    ).toEqual([]);
    expect(
      adminSecurityProblems(parseAdminConfig({ enabled: true, listen_address: 'unix:/run/a.sock', token_file: '/t' })),
    ).toEqual([]);
  });
});

describe('parseListenAddress / parseDuration', () => {
  it.each([
    ['127.0.0.1:9465', { kind: 'tcp', host: '127.0.0.1', port: 9465, loopback: true }],
    ['localhost:1', { kind: 'tcp', host: '127.0.0.1', port: 1, loopback: true }],
    ['[::1]:9465', { kind: 'tcp', host: '::1', port: 9465, loopback: true }],
    ['127.8.9.10:80', { kind: 'tcp', host: '127.8.9.10', port: 80, loopback: true }],
    ['0.0.0.0:9465', { kind: 'tcp', host: '0.0.0.0', port: 9465, loopback: false }],
    ['unix:/run/x/admin.sock', { kind: 'unix', path: '/run/x/admin.sock' }],
  ])('%s', (s, want) => {
    expect(parseListenAddress(s)).toEqual(want);
  });

  it.each(['example.com:1', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', 'unix:relative', '[127.0.0.1]:80'])(
    'refuses %s',
    (s) => {
      expect(typeof parseListenAddress(s)).toBe('string');
    },
  );

  it('parses Go durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('5')).toBeNull();
    expect(parseDuration('-1s')).toBeNull();
  });
});

describe('issueSegments', () => {
  it('splits key paths for YAML lookups', () => {
    expect(issueSegments('admin.policy[0].signals[12]')).toEqual(['admin', 'policy', '0', 'signals', '12']);
    expect(issueSegments('admin.rate_limit.global.burst')).toEqual(['admin', 'rate_limit', 'global', 'burst']);
  });
});
