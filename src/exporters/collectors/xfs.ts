/**
 * xfs: node_xfs_*_total{device} from /sys/fs/xfs/<device>/stats/stats per mounted XFS filesystem, node_exporter's 39
 * counter families (extent allocation, allocation and block map B-trees, block mapping, directory, inode and vnode
 * operations, read and write calls). Silent without XFS. OTLP: none in the semantic conventions.
 */
import type { XfsDevice, XfsStats } from '../../index';
import { defineCollector, fam, families } from '../catalog';

type Field = { [L in keyof XfsStats]: readonly [L, keyof XfsStats[L]] }[keyof XfsStats];

/** node_exporter's family suffix, its HELP and the statistic it reads. */
const FAMILIES: ReadonlyArray<readonly [string, string, Field]> = [
  [
    'extent_allocation_extents_allocated_total',
    'Number of extents allocated for a filesystem.',
    ['extent_alloc', 'extentsAllocated'],
  ],
  [
    'extent_allocation_blocks_allocated_total',
    'Number of blocks allocated for a filesystem.',
    ['extent_alloc', 'blocksAllocated'],
  ],
  [
    'extent_allocation_extents_freed_total',
    'Number of extents freed for a filesystem.',
    ['extent_alloc', 'extentsFreed'],
  ],
  ['extent_allocation_blocks_freed_total', 'Number of blocks freed for a filesystem.', ['extent_alloc', 'blocksFreed']],
  ['allocation_btree_lookups_total', 'Number of allocation B-tree lookups for a filesystem.', ['abt', 'lookups']],
  ['allocation_btree_compares_total', 'Number of allocation B-tree compares for a filesystem.', ['abt', 'compares']],
  [
    'allocation_btree_records_inserted_total',
    'Number of allocation B-tree records inserted for a filesystem.',
    ['abt', 'recordsInserted'],
  ],
  [
    'allocation_btree_records_deleted_total',
    'Number of allocation B-tree records deleted for a filesystem.',
    ['abt', 'recordsDeleted'],
  ],
  ['block_mapping_reads_total', 'Number of block map for read operations for a filesystem.', ['blk_map', 'reads']],
  ['block_mapping_writes_total', 'Number of block map for write operations for a filesystem.', ['blk_map', 'writes']],
  ['block_mapping_unmaps_total', 'Number of block unmaps (deletes) for a filesystem.', ['blk_map', 'unmaps']],
  [
    'block_mapping_extent_list_insertions_total',
    'Number of extent list insertions for a filesystem.',
    ['blk_map', 'extentListInsertions'],
  ],
  [
    'block_mapping_extent_list_deletions_total',
    'Number of extent list deletions for a filesystem.',
    ['blk_map', 'extentListDeletions'],
  ],
  [
    'block_mapping_extent_list_lookups_total',
    'Number of extent list lookups for a filesystem.',
    ['blk_map', 'extentListLookups'],
  ],
  [
    'block_mapping_extent_list_compares_total',
    'Number of extent list compares for a filesystem.',
    ['blk_map', 'extentListCompares'],
  ],
  ['block_map_btree_lookups_total', 'Number of block map B-tree lookups for a filesystem.', ['bmbt', 'lookups']],
  ['block_map_btree_compares_total', 'Number of block map B-tree compares for a filesystem.', ['bmbt', 'compares']],
  [
    'block_map_btree_records_inserted_total',
    'Number of block map B-tree records inserted for a filesystem.',
    ['bmbt', 'recordsInserted'],
  ],
  [
    'block_map_btree_records_deleted_total',
    'Number of block map B-tree records deleted for a filesystem.',
    ['bmbt', 'recordsDeleted'],
  ],
  [
    'directory_operation_lookup_total',
    'Number of file name directory lookups which miss the operating systems directory name lookup cache.',
    ['dir', 'lookup'],
  ],
  [
    'directory_operation_create_total',
    'Number of times a new directory entry was created for a filesystem.',
    ['dir', 'create'],
  ],
  // node_exporter's HELP says "created" for remove as well.
  [
    'directory_operation_remove_total',
    'Number of times an existing directory entry was created for a filesystem.',
    ['dir', 'remove'],
  ],
  [
    'directory_operation_getdents_total',
    'Number of times the directory getdents operation was performed for a filesystem.',
    ['dir', 'getdents'],
  ],
  [
    'inode_operation_attempts_total',
    'Number of times the OS looked for an XFS inode in the inode cache.',
    ['ig', 'attempts'],
  ],
  [
    'inode_operation_found_total',
    'Number of times the OS looked for and found an XFS inode in the inode cache.',
    ['ig', 'found'],
  ],
  [
    'inode_operation_recycled_total',
    'Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled.',
    ['ig', 'recycle'],
  ],
  [
    'inode_operation_missed_total',
    'Number of times the OS looked for an XFS inode in the cache, but did not find it.',
    ['ig', 'missed'],
  ],
  [
    'inode_operation_duplicates_total',
    'Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been added by another process.',
    ['ig', 'duplicate'],
  ],
  [
    'inode_operation_reclaims_total',
    'Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose.',
    ['ig', 'reclaims'],
  ],
  [
    'inode_operation_attribute_changes_total',
    'Number of times the OS explicitly changed the attributes of an XFS inode.',
    ['ig', 'attributeChange'],
  ],
  ['read_calls_total', 'Number of read(2) system calls made to files in a filesystem.', ['rw', 'read']],
  ['write_calls_total', 'Number of write(2) system calls made to files in a filesystem.', ['rw', 'write']],
  ['vnode_active_total', 'Number of vnodes not on free lists for a filesystem.', ['vnodes', 'active']],
  ['vnode_allocate_total', 'Number of times vn_alloc called for a filesystem.', ['vnodes', 'allocate']],
  ['vnode_get_total', 'Number of times vn_get called for a filesystem.', ['vnodes', 'get']],
  ['vnode_hold_total', 'Number of times vn_hold called for a filesystem.', ['vnodes', 'hold']],
  ['vnode_release_total', 'Number of times vn_rele called for a filesystem.', ['vnodes', 'release']],
  ['vnode_reclaim_total', 'Number of times vn_reclaim called for a filesystem.', ['vnodes', 'reclaim']],
  ['vnode_remove_total', 'Number of times vn_remove called for a filesystem.', ['vnodes', 'remove']],
];

export function xfsFamilies(d: readonly XfsDevice[]) {
  return families(
    ...FAMILIES.map(([suffix, help, [line, field]]) => {
      const f = fam(`node_xfs_${suffix}`, 'counter', help, ['device']);
      for (const x of d)
        f.add({ device: x.device }, (x.stats[line] as Readonly<Record<string, number>>)[field as string] ?? 0);
      return f;
    }),
  );
}

export const xfsCollector = defineCollector<readonly XfsDevice[], null>({
  name: 'xfs',
  help: 'XFS per-filesystem statistics from /sys/fs/xfs/<device>/stats/stats.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.xfsDevices(),
  prometheus: (d) => xfsFamilies(d),
  otlp: () => [],
});
