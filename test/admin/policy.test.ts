import { parseAdminConfig } from '../../src/admin/config';
import { Policy } from '../../src/admin/policy';
import { BadRequest, parseActionBody, type ActionRequest } from '../../src/admin/requests';
import { parseStrictJson } from '../../src/admin/json';

const cfg = parseAdminConfig({
  policy: [
    {
      groups: ['sleepers', 'python3;root;job.py'],
      signals: ['SIGTERM', 'SIGHUP', 'SIGUSR1'],
      nice: { min: 0, max: 19 },
      ionice_classes: ['best-effort', 'idle'],
      cpu_affinity: true,
      rlimits: { NOFILE: { max: 65536 }, CORE: { max: 'unlimited' } },
    },
    { groups: ['pinned'], users: ['www-data'], cpu_affinity: [0, 1], signals: ['SIGKILL'] },
  ],
});
const policy = new Policy(cfg.policy);

function body(action: Parameters<typeof parseActionBody>[0], json: string, scope: 'process' | 'group' = 'process') {
  return parseActionBody(action, parseStrictJson(json), scope);
}
function req(action: Parameters<typeof parseActionBody>[0], json: string): ActionRequest {
  return body(action, json).request;
}

describe('Policy', () => {
  it('denies by default', () => {
    expect(policy.decide(null, 'root', req('signal', '{"signal":"SIGTERM","createTime":1}')).allowed).toBe(false);
    expect(policy.decide('other', 'root', req('signal', '{"signal":"SIGTERM","createTime":1}')).reason).toMatch(
      /deny by default/,
    );
    expect(new Policy([]).decide('sleepers', 'root', req('nice', '{"value":1,"createTime":1}')).allowed).toBe(false);
  });

  it.each([
    ['signal', '{"signal":"SIGTERM","createTime":1}', true],
    ['signal', '{"signal":"SIGKILL","createTime":1}', false],
    ['nice', '{"value":19,"createTime":1}', true],
    ['nice', '{"value":-1,"createTime":1}', false],
    ['ionice', '{"ioclass":"idle","createTime":1}', true],
    ['ionice', '{"ioclass":"realtime","value":0,"createTime":1}', false],
    ['cpu_affinity', '{"cpus":[0],"createTime":1}', true],
    ['cpu_affinity', '{"cpus":[],"createTime":1}', true],
    ['rlimit', '{"resource":"NOFILE","soft":1024,"hard":65536,"createTime":1}', true],
    ['rlimit', '{"resource":"NOFILE","soft":1024,"hard":65537,"createTime":1}', false],
    ['rlimit', '{"resource":"NOFILE","soft":-1,"hard":-1,"createTime":1}', false],
    ['rlimit', '{"resource":"RLIMIT_CORE","soft":-1,"hard":-1,"createTime":1}', true],
    ['rlimit', '{"resource":"NPROC","soft":1,"hard":1,"createTime":1}', false],
  ] as const)('%s %s on sleepers -> %s', (action, json, allowed) => {
    expect(policy.decide('sleepers', 'root', req(action, json)).allowed).toBe(allowed);
  });

  it('honours user filters and restricted CPU sets', () => {
    const kill = req('signal', '{"signal":"SIGKILL","createTime":1}');
    expect(policy.decide('pinned', 'www-data', kill).allowed).toBe(true);
    expect(policy.decide('pinned', 'root', kill).reason).toMatch(/covers user/);
    expect(policy.decide('pinned', 'www-data', req('cpu_affinity', '{"cpus":[1],"createTime":1}')).allowed).toBe(true);
    expect(policy.decide('pinned', 'www-data', req('cpu_affinity', '{"cpus":[1,2],"createTime":1}')).reason).toMatch(
      /CPUs 2/,
    );
    expect(policy.decide('pinned', 'www-data', req('cpu_affinity', '{"cpus":[],"createTime":1}')).allowed).toBe(false);
  });

  it('summarizes what a target may receive', () => {
    const a = policy.allowed('sleepers', 'root');
    expect(a.signals).toEqual(['SIGTERM', 'SIGHUP', 'SIGUSR1']);
    expect(a.nice).toEqual({ min: 0, max: 19 });
    expect(policy.allowed('nobody', 'root').signals).toEqual([]);
  });
});

describe('parseActionBody', () => {
  it.each([
    ['signal', '{"signal":9,"createTime":1}', /signal must be a name/],
    ['signal', '{"signal":"9","createTime":1}', /not allowed/],
    ['signal', '{"signal":"constructor","createTime":1}', /not allowed/],
    ['signal', '{"signal":"toString","createTime":1}', /not allowed/],
    ['signal', '{"signal":"SIGKIL","createTime":1}', /not allowed/],
    ['signal', '{"signal":"SIGRTMIN+1","createTime":1}', /not allowed/],
    ['signal', '{"signal":"sigterm","createTime":1}', /not allowed/],
    ['signal', '{"signal":9.5,"createTime":1}', /signal must be a name/],
    ['signal', '{"signal":0,"createTime":1}', /signal must be a name/],
    ['signal', '{"signal":"SIGTERM"}', /createTime must be/],
    ['signal', '{"signal":"SIGTERM","createTime":"1"}', /createTime must be/],
    ['signal', '{"signal":"SIGTERM","createTime":1,"pid":5}', /unknown field "pid"/],
    ['signal', '{"signal":"SIGTERM","createTime":1,"dryRun":"yes"}', /dryRun/],
    ['nice', '{"value":20,"createTime":1}', /value must be an integer in -20..19/],
    ['nice', '{"value":1.5,"createTime":1}', /value/],
    ['nice', '{"value":"1","createTime":1}', /value/],
    ['ionice', '{"ioclass":2,"createTime":1}', /ioclass must be a name/],
    ['ionice', '{"ioclass":"idle","value":3,"createTime":1}', /cannot be given/],
    ['ionice', '{"ioclass":"best-effort","value":8,"createTime":1}', /0..7/],
    ['cpu_affinity', '{"cpus":"0-3","createTime":1}', /cpus must be a list/],
    ['cpu_affinity', '{"cpus":[0,0],"createTime":1}', /repeats/],
    ['cpu_affinity', '{"cpus":[-1],"createTime":1}', /cpus\[0\]/],
    ['rlimit', '{"resource":"FOO","soft":1,"hard":1,"createTime":1}', /not an rlimit/],
    ['rlimit', '{"resource":"NOFILE","soft":2,"hard":1,"createTime":1}', /must not exceed/],
    ['rlimit', '{"resource":"NOFILE","soft":-1,"hard":1,"createTime":1}', /must not exceed/],
    ['rlimit', '{"resource":"NOFILE","soft":-2,"hard":1,"createTime":1}', /soft must be/],
    ['rlimit', '{"resource":"NOFILE","soft":1,"hard":1e300,"createTime":1}', /hard must be/],
  ] as const)('%s %s -> 400', (action, json, msg) => {
    expect(() => body(action, json)).toThrow(BadRequest);
    expect(() => body(action, json)).toThrow(msg);
  });

  it('defaults ionice levels as psutil does and refuses createTime on group bodies', () => {
    expect(req('ionice', '{"ioclass":"best-effort","createTime":1}')).toEqual({
      action: 'ionice',
      ioclass: 'best-effort',
      value: 4,
    });
    expect(body('signal', '{"signal":"SIGTERM","dryRun":true}', 'group')).toMatchObject({
      createTime: null,
      dryRun: true,
    });
    expect(() => body('signal', '{"signal":"SIGTERM","createTime":1}', 'group')).toThrow(/unknown field "createTime"/);
    expect(() => body('signal', '[]')).toThrow(/JSON object/);
  });
});
