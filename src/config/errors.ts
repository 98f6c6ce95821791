/**
 * The config's error type and the listen-address parser, apart from the loader (load.ts) so that the agent's main
 * thread can use them without loading ajv, yaml and re2js: the running agent checks its file in a short-lived thread
 * (offthread.ts) and rebuilds the ConfigError it sends back.
 */

export interface ConfigIssue {
  /** 1-based line in the file (0 when the problem has no place in it). */
  readonly line: number;
  readonly column: number;
  /** Where in the document: `collectors.filesystem.stat_timeout`, `process_names[2].cmdline[0]`. */
  readonly path: string;
  readonly message: string;
  /** Set when a command-line flag gave the value (the issue is about the flag, not a place in the file). */
  readonly flag?: string;
}

/**
 * At most this many problems are reported for one file: a file with 100k unknown keys is refused as fast as one with
 * ten, and its report stays readable (the rest are counted, not listed).
 */
export const MAX_REPORTED_ISSUES = 100;

export class ConfigError extends Error {
  readonly code = 'PSUTIL_EXPORTER_CONFIG';
  readonly file: string;
  readonly issues: readonly ConfigIssue[];
  /** Problems found beyond MAX_REPORTED_ISSUES, counted but not listed. */
  readonly omitted: number;

  constructor(file: string, issues: readonly ConfigIssue[], omitted = 0) {
    const total = issues.length + omitted;
    super(`${file}: ${total} problem${total === 1 ? '' : 's'}\n` + formatIssues(file, issues, omitted));
    this.file = file;
    this.issues = issues;
    this.omitted = omitted;
  }
}

export function formatIssues(file: string, issues: readonly ConfigIssue[], omitted = 0): string {
  const lines = issues.map((i) =>
    i.flag !== undefined
      ? `command line: ${i.flag}: ${i.path ? i.path + ': ' : ''}${i.message}`
      : `${file}:${i.line}:${i.column}: ${i.path ? i.path + ': ' : ''}${i.message}`,
  );
  if (omitted > 0)
    lines.push(
      `${file}: ${omitted} more problem${omitted === 1 ? '' : 's'} not shown (the first ${issues.length} are listed)`,
    );
  return lines.join('\n');
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` (all interfaces, as Go listens). */
export function parseListenAddress(addr: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.%a-zA-Z]+)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(addr);
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  // One of the two groups matched; an empty host (`:PORT`) means all interfaces.
  const host = m[1] ?? (m[2] || '0.0.0.0');
  return { host, port };
}
