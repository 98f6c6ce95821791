/** The bcache collector's mapping on our bcache tree (test/fixtures/parse/bcache) and its priorityStats option. */
import { bcacheCollector, bcacheFamilies } from '../../../src/exporters/collectors/bcache';
import { createPsutil } from '../../../src/index';
import { own } from '../../helpers/fixtures';

const p = createPsutil({ sysfs: own('parse', 'bcache', 'sys') });
const UUID = '5f2c6e0a-91b4-4c1e-b7d3-0a8e44c2d913';

describe('bcache', () => {
  test('option: priorityStats off unless set, as node_exporter', () => {
    expect(bcacheCollector.options({})).toEqual({ priorityStats: false });
    expect(bcacheCollector.options({ priorityStats: true })).toEqual({ priorityStats: true });
  });

  test('labels per level; microseconds file times 1e-9 as node_exporter; negative controller terms kept', () => {
    const fams = bcacheFamilies(p.bcacheSets());
    const one = (name: string) => fams.find((f) => f.name === `node_bcache_${name}`)?.series;
    expect(one('btree_read_average_duration_seconds')).toEqual([{ labels: { uuid: UUID }, value: 2480 * 1e-9 }]);
    expect(one('writeback_rate_proportional_term')).toEqual([
      { labels: { uuid: UUID, backing_device: 'bdev0' }, value: -12588 },
    ]);
    expect(one('cache_hits_total')).toEqual([{ labels: { uuid: UUID, backing_device: 'bdev0' }, value: 21 }]);
    expect(one('written_bytes_total')).toEqual([
      { labels: { uuid: UUID, cache_device: 'cache0' }, value: 10 * 2 ** 30 },
    ]);
    expect(fams.filter((f) => f.name.startsWith('node_bcache_priority_stats_'))).toEqual([]);
    expect(fams).toHaveLength(26);
  });

  test('priorityStats: the two percentages per cache device', () => {
    const fams = bcacheFamilies(p.bcacheSets({ priorityStats: true }));
    expect(fams).toHaveLength(28);
    expect(fams.find((f) => f.name === 'node_bcache_priority_stats_unused_percent')?.series).toEqual([
      { labels: { uuid: UUID, cache_device: 'cache0' }, value: 37 },
    ]);
  });

  test('no bcache: no families', () => {
    expect(bcacheFamilies([])).toEqual([]);
  });
});
