/**
 * The image and name cAdvisor labels a container with (`image`, `name`), from the runtime's own state file on the
 * node, without its API (docs/cgroups.md, Image and name):
 * - containerd (CRI): the task's OCI config.json, annotations `io.kubernetes.cri.image-name`; `name` is the
 *   container id, as cAdvisor's containerd handler gives it.
 * - CRI-O (and podman, same storage layout): the OCI config.json in userdata/, annotations
 *   `io.kubernetes.cri-o.ImageName` and `io.kubernetes.cri-o.Name` (`k8s_<ctr>_<pod>_<ns>_<uid>_<attempt>`).
 * - docker: config.v2.json, `Config.Image` and `Name` (without its leading `/`).
 * Pure: text in, fields out. A file that is not JSON is a ParseError; a missing field is ''.
 */
import type { CgroupRuntime } from './cgroupid';
import { ParseError } from '../../errors';

export interface RuntimeNames {
  /** The image reference the container was created from; '' where the state does not say. */
  readonly image: string;
  /** cAdvisor's `name`: docker's container name, CRI-O's k8s_… name, containerd's container id; '' where unknown. */
  readonly name: string;
}

type Obj = Readonly<Record<string, unknown>>;

function obj(v: unknown): Obj | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function parseRuntimeState(text: string, runtime: CgroupRuntime, id: string, source: string): RuntimeNames {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ParseError(source, `not JSON: ${(err as Error).message}`, err);
  }
  const root = obj(doc);
  if (root === null) throw new ParseError(source, 'not a JSON object');
  if (runtime === 'docker') {
    return { image: str(obj(root['Config'])?.['Image']), name: str(root['Name']).replace(/^\//, '') };
  }
  const ann = obj(root['annotations']) ?? {};
  if (runtime === 'containerd') return { image: str(ann['io.kubernetes.cri.image-name']), name: id };
  return { image: str(ann['io.kubernetes.cri-o.ImageName']), name: str(ann['io.kubernetes.cri-o.Name']) };
}
