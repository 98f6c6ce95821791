/**
 * A small Dockerfile and .dockerignore reader for the deployment tests (no Docker engine here: the image cannot be
 * built, so its recipe is checked as text and its runtime layout is rebuilt from the repo).
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  readonly args: string;
  /** 1-based line of the keyword. */
  readonly line: number;
}

export interface Stage {
  readonly from: string;
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

/** Instructions in order: comments and blank lines dropped, `\` continuations joined (comment lines inside too). */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] ?? '';
    if (/^\s*(#|$)/.test(first)) continue;
    const start = i + 1;
    let body = first;
    while (/\\\s*$/.test(body) && i + 1 < lines.length) {
      body = body.replace(/\\\s*$/, ' ');
      i++;
      const next = lines[i] ?? '';
      // Docker drops comment lines inside a continued instruction.
      if (!/^\s*#/.test(next)) body += next;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(body);
    if (!m) throw new Error(`Dockerfile line ${start}: cannot parse ${JSON.stringify(first)}`);
    out.push({ keyword: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').replace(/\s+/g, ' ').trim(), line: start });
  }
  return out;
}

/** Global ARG defaults (before the first FROM) substituted into the FROM lines, then the stages. */
export function stages(instructions: readonly Instruction[]): Stage[] {
  const args = new Map<string, string>();
  const out: { from: string; name: string | null; instructions: Instruction[] }[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot parse FROM ${ins.args}`);
      const from = (m[1] ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (_s, a: string | undefined, b: string | undefined) => args.get(a ?? b ?? '') ?? '');
      out.push({ from, name: m[2] ?? null, instructions: [] });
    } else if (out.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before the first FROM`);
      const [k, v] = ins.args.split('=', 2);
      if (k !== undefined && v !== undefined) args.set(k.trim(), v.trim());
    } else {
      out[out.length - 1]?.instructions.push(ins);
    }
  }
  return out;
}

/** The exec (JSON array) form of ENTRYPOINT/CMD; the shell form is refused (signals would go to sh, not node). */
export function execForm(ins: Instruction): string[] {
  const v: unknown = JSON.parse(ins.args);
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) {
    throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} is not in exec form`);
  }
  return v;
}

export interface Copy {
  readonly from: string | null;
  readonly sources: readonly string[];
  readonly dest: string;
  readonly line: number;
}

export function parseCopy(ins: Instruction): Copy {
  const words = ins.args.startsWith('[') ? execForm(ins) : ins.args.split(' ');
  let from: string | null = null;
  const rest: string[] = [];
  for (const w of words) {
    const f = /^--from=(.+)$/.exec(w);
    if (f) from = f[1] ?? null;
    else if (!w.startsWith('--')) rest.push(w);
  }
  const dest = rest.pop();
  if (dest === undefined || rest.length === 0) throw new Error(`Dockerfile line ${ins.line}: COPY needs a source and a destination`);
  return { from, sources: rest, dest, line: ins.line };
}

/**
 * Whether .dockerignore leaves `rel` (a context-relative path) out of the build context: Docker matches each pattern
 * against the path and every ancestor directory (Go filepath.Match, plus `**`); a later `!pattern` re-includes.
 */
export function dockerIgnored(patterns: readonly string[], rel: string): boolean {
  const parts = rel.split('/').filter(Boolean);
  const candidates = parts.map((_p, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const neg = raw.startsWith('!');
    const pat = (neg ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const re = globRegExp(pat);
    if (candidates.some((c) => re.test(c))) ignored = !neg;
  }
  return ignored;
}

export function dockerignorePatterns(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

function globRegExp(pat: string): RegExp {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i] as string;
    if (c === '*' && pat[i + 1] === '*') {
      re += '.*';
      i++;
      if (pat[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
