import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { COLLECTOR_NAMES } from '../../../src/exporters/collectors/names';
import { REPO } from '../../helpers/fixtures';

/** Runs `body` in a fresh node with the TypeScript sources loadable; its last console.log line, parsed. */
function inFreshNode(body: string): unknown {
  const script = `
    require(${JSON.stringify(path.join(REPO, 'test', 'helpers', 'ts-require.js'))});
    const path = require('node:path');
    const dir = ${JSON.stringify(path.join(REPO, 'src', 'exporters', 'collectors') + path.sep)};
    const loaded = () => Object.keys(require.cache).filter((k) => k.startsWith(dir)).map((k) => path.basename(k)).sort();
    const { COLLECTORS } = require(dir + 'index.ts');
    ${body}
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000, cwd: REPO });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null');
}

test('a collector module loads when the registry is asked for it, not before', () => {
  const out = inFreshNode(`
    const atStart = loaded();
    const keys = [...COLLECTORS.keys()];
    const afterKeys = loaded();
    const pg = COLLECTORS.get('process_groups');
    console.log(JSON.stringify({ atStart, keys, afterKeys, name: pg.name, has: COLLECTORS.has('cpu'),
      unknown: COLLECTORS.get('nope') ?? null, size: COLLECTORS.size, after: loaded() }));
  `);
  expect(out).toEqual({
    atStart: ['index.ts', 'names.ts'],
    keys: COLLECTOR_NAMES,
    afterKeys: ['index.ts', 'names.ts'],
    name: 'process_groups',
    has: true,
    unknown: null,
    size: COLLECTOR_NAMES.length,
    after: ['index.ts', 'names.ts', 'process_groups.ts'],
  });
});

test('iterating the registry gives every collector under its own name, in the order of names.ts', () => {
  const out = inFreshNode(`
    console.log(JSON.stringify([...COLLECTORS].map(([k, d]) => [k, d.name])));
  `);
  expect(out).toEqual(COLLECTOR_NAMES.map((n) => [n, n]));
});
