/**
 * The command line's fast path: a well-formed command line is read with node:util's parseArgs (commander stays
 * unloaded in the running agent) and must give exactly what commander gives; anything else falls back to commander.
 */
import { program, quickFlags } from '../src/cli';

function viaCommander(argv: string[]): Record<string, unknown> {
  const out = { stdout: (): void => undefined, stderr: (): void => undefined };
  return program(out, '0.0.0').parse(argv, { from: 'user' }).opts();
}

describe('quickFlags', () => {
  test.each([
    [[]],
    [['--config.file=a.yaml']],
    [['--config.file', 'a.yaml', '--web.listen-address=127.0.0.1:9', '--log.level=warn']],
    [['--path.procfs=/host/proc', '--path.sysfs', '/host/sys', '--path.rootfs=/host/root']],
    [['--once', '--config.file=']],
    [['--check-config', '--config.file=x.yaml', '--config.file=y.yaml']],
    [['--web.listen-address=[::1]:9464', '--once', '--once']],
  ])('%j reads as commander reads it', (argv) => {
    expect(quickFlags(argv)).toEqual(viaCommander(argv));
  });

  test.each([
    [['--help']],
    [['-h']],
    [['--version']],
    [['--web.listen-adress=:1']],
    [['--config.file']],
    [['extra']],
    [['--once=yes']],
    [['--config.file', 'a', '--', 'b']],
  ])('%j is left to commander', (argv) => {
    expect(quickFlags(argv)).toBeNull();
  });
});
