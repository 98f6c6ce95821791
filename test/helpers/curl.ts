/** curl as a test's HTTP(S) client: run asynchronously (the server under test may answer from the test's process). */
import { execFile } from 'node:child_process';

export interface CurlResult {
  code: number;
  status: number;
  headers: string;
  body: string;
}

/** curl (async: the server answers from this process) with its exit code, status, headers and body. */
export function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['-sS', '--max-time', '10', '-D', '-', '-o', '-', '-w', '\n%{http_code}', ...args],
      { encoding: 'utf8', timeout: 20000 },
      (err, stdout) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        const cut = stdout.lastIndexOf('\n');
        const status = Number(stdout.slice(cut + 1));
        const head = stdout.slice(0, cut);
        const sep = head.indexOf('\r\n\r\n');
        resolve({
          code,
          status,
          headers: sep < 0 ? head : head.slice(0, sep),
          body: sep < 0 ? '' : head.slice(sep + 4),
        });
      },
    );
  });
}
