/**
 * The exposition: everything the agent knows about Prometheus's text formats, in one folder that imports nothing from
 * the rest of the agent but the catalog's Family shape and the logger.
 * - render.ts: families -> text 0.0.4 blocks, and blocks -> text 0.0.4 or OpenMetrics 1.0.0 expositions;
 * - limits.ts: the label-value and series caps, and well-formed UTF-8;
 * - parse.ts: text 0.0.4 -> families (the textfile collector's parser);
 * - types.ts: the blocks and counts that cross from the worker to the main thread.
 * - wire.ts: how the blocks cross (imported by worker.ts only).
 */
export * from './limits';
export * from './parse';
export * from './render';
export type * from './types';
