/**
 * Shared by the generated-input tests: a seeded random generator, and the config schema's regexp defaults.
 */
import { configSchema } from '../../src/config/load';

/** A deterministic generator (mulberry32), so that a failure can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every string default of a schema node that is a `#/$defs/regexp` (directly or in an anyOf). */
export function schemaRegexpDefaults(): string[] {
  const defaults: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n !== null && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      const refs = [o['$ref'], ...((o['anyOf'] as { $ref?: unknown }[] | undefined) ?? []).map((b) => b.$ref)];
      if (refs.includes('#/$defs/regexp') && typeof o['default'] === 'string') defaults.push(o['default']);
      Object.values(o).forEach(walk);
    }
  };
  walk(configSchema());
  return defaults;
}
