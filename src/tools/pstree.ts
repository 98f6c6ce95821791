/** psutil's scripts/pstree.py: `<pid> <name>` lines under `|- ` / `` `_ `` connectors, children in pid order. */
import { PsutilError, type Psutil } from '../index';
import { attempt, printJson, type Tool } from './tool';

function nameOf(ps: Psutil, pid: number): string {
  try {
    return new ps.Process(pid).name();
  } catch (e) {
    if (e instanceof PsutilError) return '?';
    throw e;
  }
}

interface Node {
  pid: number;
  name: string;
  children: Node[];
}

export const pstree: Tool = {
  name: 'pstree',
  summary: 'the process tree, one `pid name` per line',
  json: true,
  run(env) {
    const tree = new Map<number, number[]>();
    for (const p of env.ps.processIter()) {
      const ppid = attempt(() => p.ppid());
      // A process that vanished or denies its ppid is left out, as psutil's script skips it.
      if (ppid === null) continue;
      const kids = tree.get(ppid) ?? [];
      kids.push(p.pid);
      tree.set(ppid, kids);
    }
    // PID 0 is its own parent on some systems.
    const zero = tree.get(0);
    if (zero?.includes(0)) zero.splice(zero.indexOf(0), 1);
    if (tree.size === 0) return 0;
    const root = Math.min(...tree.keys());
    const build = (pid: number): Node => ({
      pid,
      name: nameOf(env.ps, pid),
      children: (tree.get(pid) ?? []).map(build),
    });
    const top = build(root);
    if (env.flags.json) {
      printJson(env, top);
      return 0;
    }
    const stack: Array<{ node: Node; lead: string; indent: string }> = [{ node: top, lead: '', indent: '' }];
    while (stack.length > 0) {
      const { node, lead, indent } = stack.pop() as { node: Node; lead: string; indent: string };
      env.out(`${lead}${node.pid} ${node.name}`);
      const kids = node.children;
      for (let i = kids.length - 1; i >= 0; i--) {
        const last = i === kids.length - 1;
        stack.push({
          node: kids[i] as Node,
          lead: indent + (last ? '`_ ' : '|- '),
          indent: indent + (last ? '  ' : '| '),
        });
      }
    }
    return 0;
  },
};
