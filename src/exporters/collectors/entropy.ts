/**
 * entropy: node_entropy_available_bits and node_entropy_pool_size_bits from /proc/sys/kernel/random/{entropy_avail,poolsize}.
 * OTLP: none in the semantic conventions.
 */
import type { RandomEntropy } from '../../index';
import { defineCollector, fam, families } from '../catalog';

export function entropyFamilies(d: RandomEntropy) {
  return families(
    fam('node_entropy_available_bits', 'gauge', 'Bits of available entropy.').set(d.availableBits),
    fam('node_entropy_pool_size_bits', 'gauge', 'Bits of entropy pool.').set(d.poolSizeBits),
  );
}

export const entropyCollector = defineCollector<RandomEntropy, null>({
  name: 'entropy',
  help: 'Available entropy and pool size of the kernel random number generator.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.randomEntropy(),
  prometheus: (d) => entropyFamilies(d),
  otlp: () => [],
});
