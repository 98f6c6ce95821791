/**
 * A throwaway PKI made with the openssl command in a temp dir: two CAs, server certificates for 127.0.0.1, client
 * certificates with a DNS SAN. For the tests of TLS listeners (the web config file); every key is P-256.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onPath } from './require';

export const HAVE_OPENSSL = onPath('openssl');

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A self-signed CA `name`.crt/.key. */
export function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-subj',
    `/CN=${name}`,
    '-days',
    '2',
  ]);
}

/** A leaf `name`.crt/.key signed by `ca`, its subjectAltName as openssl writes it (`IP:127.0.0.1`, `DNS:x`). */
export function makeLeaf(dir: string, name: string, ca: string, san: string, eku: 'serverAuth' | 'clientAuth'): void {
  fs.writeFileSync(path.join(dir, `${name}.ext`), `extendedKeyUsage=${eku}\nsubjectAltName=${san}\n`);
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

/**
 * The set the web config tests use: CAs `ca` and `otherca`; servers `server` and `server2` (both for 127.0.0.1,
 * signed by ca: a rotation swaps one for the other); clients `client` (ca, DNS:prom.example), `client2` (ca,
 * DNS:other.example) and `foreign` (otherca, DNS:prom.example).
 */
export function makePki(dir: string): void {
  makeCa(dir, 'ca');
  makeCa(dir, 'otherca');
  makeLeaf(dir, 'server', 'ca', 'IP:127.0.0.1', 'serverAuth');
  makeLeaf(dir, 'server2', 'ca', 'IP:127.0.0.1', 'serverAuth');
  makeLeaf(dir, 'client', 'ca', 'DNS:prom.example', 'clientAuth');
  makeLeaf(dir, 'client2', 'ca', 'DNS:other.example', 'clientAuth');
  makeLeaf(dir, 'foreign', 'otherca', 'DNS:prom.example', 'clientAuth');
}
