/**
 * The data one pass of the cgroups collector (cgroups.ts) hands its renderers: the Prometheus families there and the
 * OTLP container resources (otlp-containers.ts). Apart from the collector so that the OTLP mapping needs no import of
 * it (the collector imports the mapping).
 */
import type { CgroupStats } from '../../probes/cgroups';

export const LABELS = ['id', 'container', 'pod', 'namespace', 'container_id', 'systemd_unit', 'image', 'name'] as const;

/** id, container, pod, namespace, container_id, systemd_unit, image, name. */
export type CgroupLabels = Readonly<Record<(typeof LABELS)[number], string>>;

export interface CgroupRow {
  readonly labels: CgroupLabels;
  /** 1 or 2 where the memory controller's files were found; null without. */
  readonly memoryVersion: 1 | 2 | null;
  readonly stats: Omit<CgroupStats, 'dirs'>;
}

export interface CgroupsData {
  readonly rows: readonly CgroupRow[];
  /** Block device names (as /proc/diskstats) by "major:minor"; '' where unknown. */
  readonly devices: Readonly<Record<string, string>>;
  /** Cgroups left out by max_cgroups, summed over the passes. */
  readonly droppedTotal: number;
}
