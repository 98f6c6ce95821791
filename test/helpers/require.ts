/**
 * The one path for a test that needs something of the machine: a Debian package's tool (free, ip, ss, promtool),
 * tzdata, root, the initial PID namespace. Where it is there, the test runs. Where it is not, the test is skipped with
 * the reason in its title, `[skipped: <reason>] <name>`, so that a green run shows what it did not check. A run that
 * demands everything (REQUIRE_ORACLE=1, which .ci/run sets after installing the packages) turns the absence into a
 * failing test instead, `[required: <reason>] <name>`. .ci/run then fails on any skip that test/known-skips.txt does
 * not list (helm, which Debian does not package; the peers' fixtures where they are absent and not required).
 * Skip reason: the machine lacks the tool, package, privilege or namespace the test compares with (named in the title).
 * Plan: .ci/run installs every such package and demands them all, so CI skips only what known-skips.txt lists, each
 * line with its own reason and plan; a user's machine shows the skip rather than a false pass.
 */
import { spawnSync } from 'node:child_process';

/** Whether this run demands every conditional test (set by .ci/run, as for the psutil oracle). */
export const REQUIRED = process.env['REQUIRE_ORACLE'] === '1';

type TestFn = (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;
type DescribeFn = (name: string, fn: () => void) => void;

export interface Conditional {
  /** Whether the condition holds here. */
  readonly have: boolean;
  /** test(): runs where `have`; else a visible skip, or a failure where demanded. */
  readonly test: TestFn;
  /** describe(): the same for a whole block. */
  readonly describe: DescribeFn;
}

export interface RequireOptions {
  /**
   * Whether a demanding run (REQUIRE_ORACLE=1) fails without the condition (default: yes). Only for what CI cannot
   * have (helm, which Debian does not package): such a skip must be listed in test/known-skips.txt.
   */
  demand?: boolean;
}

/**
 * A test or describe that runs where `have` holds. `reason` says what is missing and how to get it, e.g.
 * `requireOr(hasFree, 'no free/vmstat (apt-get install procps)')`.
 */
export function requireOr(have: boolean, reason: string, opts: RequireOptions = {}): Conditional {
  if (have) {
    return {
      have,
      test: (name, fn, timeout) => test(name, fn, timeout),
      describe: (name, fn) => describe(name, fn),
    };
  }
  if (opts.demand ?? REQUIRED) {
    const fail = (): never => {
      throw new Error(`this run requires every conditional test (REQUIRE_ORACLE=1), but: ${reason}`);
    };
    return {
      have,
      test: (name) => test(`[required: ${reason}] ${name}`, fail),
      describe: (name) => describe(`[required: ${reason}] ${name}`, () => test('is runnable here', fail)),
    };
  }
  // Skip reason: the machine lacks what the test compares with (a Debian tool, root, tzdata, ...), named in the title.
  // Plan: .ci/run installs every such package and sets REQUIRE_ORACLE=1, so in CI this branch is never taken (the
  // absence fails above instead); the only skips CI accepts are those listed in test/known-skips.txt (helm, which
  // Debian does not package: the chart is validated by chartcheck there instead).
  return {
    have,
    // eslint-disable-next-line jest/no-disabled-tests -- the skip of a missing requirement, its reason in the title
    test: (name, fn, timeout) => test.skip(`[skipped: ${reason}] ${name}`, fn, timeout),
    // eslint-disable-next-line jest/no-disabled-tests -- the skip of a missing requirement, its reason in the title
    describe: (name, fn) => describe.skip(`[skipped: ${reason}] ${name}`, fn),
  };
}

/** Whether a command is on PATH (`command -v`). */
export function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

/** Whether this process runs as root (setpriv to other users, new PID namespaces, ns_last_pid). */
export const IS_ROOT = process.getuid?.() === 0;
