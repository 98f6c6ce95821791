import { parseOsRelease } from '../../../../src/probes/linux/parse/osrelease';
import { ParseError } from '../../../../src/probes/errors';

describe('parseOsRelease', () => {
  test('Debian 12', () => {
    const text = [
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
      'NAME="Debian GNU/Linux"',
      'VERSION_ID="12"',
      'VERSION="12 (bookworm)"',
      'VERSION_CODENAME=bookworm',
      'ID=debian',
      'HOME_URL="https://www.debian.org/"',
      '',
    ].join('\n');
    expect(parseOsRelease(text)).toEqual({
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
      NAME: 'Debian GNU/Linux',
      VERSION_ID: '12',
      VERSION: '12 (bookworm)',
      VERSION_CODENAME: 'bookworm',
      ID: 'debian',
      HOME_URL: 'https://www.debian.org/',
    });
  });

  test('shell quoting: escapes in double quotes, none in single quotes, comments, blank lines', () => {
    const r = parseOsRelease('# comment\n\nA="x \\"y\\" \\$z \\\\"\nB=\'a\\b\'\n  C=plain  \n');
    expect(r).toEqual({ A: 'x "y" $z \\', B: 'a\\b', C: 'plain' });
  });

  test('malformed lines are skipped as systemd skips them', () => {
    expect(parseOsRelease('NO_EQUALS\n=x\n1A=b\nD=two words\nE=ok\n')).toEqual({ E: 'ok' });
  });

  test('a NUL byte is a ParseError naming the file', () => {
    expect(() => parseOsRelease(Buffer.from('ID=x\0\n'), '/etc/os-release')).toThrow(ParseError);
  });

  test('the result is frozen', () => {
    expect(Object.isFrozen(parseOsRelease('ID=x\n'))).toBe(true);
  });
});
