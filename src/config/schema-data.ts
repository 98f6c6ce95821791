/**
 * The config schema as data (config/schema.json's nodes) and the edits made to a file's data before it is checked:
 * node_exporter's flags set their keys, --collector.disable-defaults turns off what nothing states. Split from load.ts,
 * which parses, checks and resolves.
 */
import { collectorParts, type FlagAssignment } from './flags';

export interface SchemaNode {
  $ref?: string;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: unknown[];
  $defs?: Record<string, SchemaNode>;
  default?: unknown;
}

export function resolveRef(root: SchemaNode, s: SchemaNode): SchemaNode {
  if (s.$ref && s.$ref.startsWith('#/$defs/')) {
    const def = root.$defs?.[s.$ref.slice('#/$defs/'.length)];
    if (def) {
      const { $ref: _ref, ...rest } = s;
      return { ...def, ...rest };
    }
  }
  return s;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The schema node for a data path (through $ref, properties, additionalProperties); null where the schema has none. */
function schemaAt(root: SchemaNode, segments: readonly string[]): SchemaNode | null {
  let node: SchemaNode | null = root;
  for (const seg of segments) {
    if (node === null) return null;
    const n: SchemaNode = resolveRef(root, node);
    node = n.properties?.[seg] ?? (typeof n.additionalProperties === 'object' ? n.additionalProperties : null) ?? null;
  }
  return node === null ? null : resolveRef(root, node);
}

/** A flag's text as the key's type: `true`/`false` for a boolean, digits for a number; anything else as given. */
function coerceFlagValue(root: SchemaNode, node: SchemaNode | null, v: string | boolean): unknown {
  if (typeof v !== 'string' || node === null) return v;
  const types = [node, ...(node.anyOf ?? []), ...(node.oneOf ?? [])].map((n) => resolveRef(root, n).type);
  if (types.includes('boolean') && (v === 'true' || v === 'false')) return v === 'true';
  if ((types.includes('integer') || types.includes('number')) && /^-?[0-9]+(\.[0-9]+)?$/.test(v)) return Number(v);
  return v;
}

/**
 * Sets each flag's key in the file's data (a flag overrides its key; later flags override earlier ones). Returns the
 * problems of values that cannot be set (a path outside the rootfs where the key reads under it).
 */
export function applyFlags(
  data: Record<string, unknown>,
  flags: readonly FlagAssignment[],
  root: SchemaNode,
): { flag: string; path: readonly string[]; message: string }[] {
  const problems: { flag: string; path: readonly string[]; message: string }[] = [];
  // Paths under the rootfs last, once --path.rootfs (wherever it stands on the line) is in.
  const ordered = [...flags.filter((a) => a.underRootfs !== true), ...flags.filter((a) => a.underRootfs === true)];
  let rootfs: string | null = null;
  for (const a of ordered) {
    let obj = data;
    for (const seg of a.path.slice(0, -1)) {
      const next = obj[seg];
      if (!isRecord(next)) obj[seg] = {};
      obj = obj[seg] as Record<string, unknown>;
    }
    const last = a.path[a.path.length - 1] as string;
    if (a.underRootfs === true && typeof a.value === 'string') {
      const paths = data['paths'];
      rootfs ??= (isRecord(paths) && typeof paths['rootfs'] === 'string' ? paths['rootfs'] : '/').replace(/\/+$/, '');
      const inside = rootfs === '' || a.value === rootfs || a.value.startsWith(`${rootfs}/`);
      if (!inside)
        problems.push({
          flag: a.flag,
          path: a.path,
          message: `expected a path under the rootfs (${rootfs}): the agent reads it there`,
        });
      obj[last] = inside ? a.value.slice(rootfs.length) || '/' : a.value;
      continue;
    }
    obj[last] = Array.isArray(a.value)
      ? [...(a.value as readonly string[])]
      : coerceFlagValue(root, schemaAt(root, a.path), a.value as string | boolean);
  }
  return problems;
}

/**
 * node_exporter's --collector.disable-defaults (collection.disable_defaults): every collector whose `enabled` neither
 * the file nor a flag states is off, as node_exporter turns off each collector not named on its command line.
 * A collector made of node_exporter's parts (sensors) keeps only the parts stated once any part is stated.
 * process_groups is left alone: process_names says whether it has work.
 */
export function applyDisableDefaults(data: Record<string, unknown>, root: SchemaNode): void {
  if (!isRecord(data['collection']) || data['collection']['disable_defaults'] !== true) return;
  if (!isRecord(data['collectors'])) data['collectors'] = {};
  const all = data['collectors'] as Record<string, unknown>;
  const names = Object.keys(schemaAt(root, ['collectors'])?.properties ?? {});
  for (const name of names) {
    if (name === 'process_groups') continue;
    if (all[name] === undefined) all[name] = {};
    const c = all[name];
    if (!isRecord(c)) continue; // the schema reports it
    if (c['enabled'] === undefined) c['enabled'] = false;
    const parts = collectorParts(name).map((p) => p.part as string);
    if (parts.some((p) => c[p] !== undefined)) for (const p of parts) c[p] ??= false;
  }
}
