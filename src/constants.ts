/**
 * The library's constants without the library: the same values src/index.ts exports, from a leaf module (no I/O, no
 * state, no koffi). The agent's main thread serves /metrics and never reads /proc itself (the collection worker does),
 * so it takes its constants from here rather than loading the whole surface and building the default instance.
 */
export * from './probes/constants';
