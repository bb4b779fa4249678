// Creates the development CA and server certificates with the system `openssl` command, since Node
// cannot write X.509 certificates itself and no certificate library is a dependency. Keys are made by
// Node (EC P-256) and written 0600 before openssl reads them; openssl only signs. Every call passes its
// own configuration file, so neither /etc/ssl/openssl.cnf nor $OPENSSL_CONF changes what is issued.

import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, GatehouseError } from '../errors.ts';

/** The names every development certificate is for, and the only ones the development CA may sign. */
export const DEV_CERTIFICATE_NAMES = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] } as const;

export interface CertificateNames {
  readonly dns: readonly string[];
  readonly ip: readonly string[];
}

export interface OpensslRun {
  /** The openssl command; `openssl` from PATH by default. */
  readonly openssl?: string | undefined;
  /** A private (0700) scratch directory for configuration files and the signing request. */
  readonly workDir: string;
}

/** Throws a ConfigError naming `setting` when the openssl command cannot be run; returns its version. */
export async function requireOpenssl(openssl = 'openssl', setting = '--https-dev'): Promise<string> {
  try {
    return (await run(openssl, ['version'])).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? `the "${openssl}" command was not found` : `"${openssl} version" failed: ${(error as Error).message}`;
    throw new ConfigError([{ setting, message: `needs OpenSSL to create the development certificate, but ${reason}`, hint: 'install it (Debian/Ubuntu: apt-get install openssl), or pass your own certificate with --tls-cert and --tls-key' }]);
  }
}

/** Writes a new EC P-256 private key as PKCS#8 PEM, readable by the owner only. */
export async function writePrivateKey(file: string): Promise<void> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // flag wx: never write a key through a file (or symlink) that is already there.
  await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
}

/** RFC 5280 §4.1.2.2: a positive serial of at most 20 octets, unpredictable; 16 random octets here. */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40; // positive, and always 16 octets long
  return bytes.toString('hex').toUpperCase();
}

export interface CaRequest extends OpensslRun {
  readonly keyFile: string;
  readonly certFile: string;
  readonly commonName: string;
  readonly days: number;
}

/** A self-signed CA that may only sign certificates for DEV_CERTIFICATE_NAMES. */
export async function createCaCertificate(request: CaRequest): Promise<void> {
  const config = join(request.workDir, 'ca.cnf');
  await writeFile(config, [
    '[req]',
    'distinguished_name = subject',
    'prompt = no',
    '[subject]',
    'O = Gatehouse development CA',
    `CN = ${configValue(request.commonName)}`,
    '[ca]',
    // RFC 5280 §4.2.1.9: a CA that may sign end-entity certificates only (pathlen 0).
    'basicConstraints = critical, CA:TRUE, pathlen:0',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    // RFC 5280 §4.2.1.10: whoever copies this CA key can still only impersonate localhost and
    // loopback addresses to the browsers that trust it, not other sites. DNS:localhost also permits
    // names under it (app.localhost).
    `nameConstraints = critical, ${[...DEV_CERTIFICATE_NAMES.dns.map((n) => `permitted;DNS:${n}`), 'permitted;IP:127.0.0.0/255.0.0.0', 'permitted;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'].join(', ')}`,
    '',
  ].join('\n'));
  await run(request.openssl ?? 'openssl', [
    'req', '-new', '-x509', '-config', config, '-extensions', 'ca', '-key', request.keyFile,
    '-sha256', '-days', String(request.days), '-set_serial', `0x${randomSerial()}`, '-out', request.certFile,
  ]);
}

export interface ServerCertificateRequest extends OpensslRun {
  readonly caCertFile: string;
  readonly caKeyFile: string;
  readonly keyFile: string;
  readonly certFile: string;
  readonly days: number;
  readonly names?: CertificateNames;
  /** Hex; random by default. */
  readonly serial?: string;
}

/** A certificate for a TLS server, signed by the CA. */
export async function issueServerCertificate(request: ServerCertificateRequest): Promise<void> {
  const names = request.names ?? DEV_CERTIFICATE_NAMES;
  const openssl = request.openssl ?? 'openssl';
  const config = join(request.workDir, 'server.cnf');
  const csr = join(request.workDir, 'server.csr');
  const altNames = [...names.dns.map((n) => `DNS:${n}`), ...names.ip.map((ip) => `IP:${ip}`)].join(', ');
  await writeFile(config, [
    '[req]',
    'distinguished_name = subject',
    'prompt = no',
    '[subject]',
    `CN = ${configValue(names.dns[0] ?? names.ip[0] ?? 'localhost')}`,
    '[server]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    // RFC 6125 §6.4.4 / CA/B Forum: clients match the host against subjectAltName, not the CN.
    `subjectAltName = ${altNames}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
    '',
  ].join('\n'));
  await run(openssl, ['req', '-new', '-config', config, '-key', request.keyFile, '-out', csr]);
  await run(openssl, [
    'x509', '-req', '-in', csr, '-CA', request.caCertFile, '-CAkey', request.caKeyFile,
    '-set_serial', `0x${request.serial ?? randomSerial()}`, '-days', String(request.days), '-sha256',
    '-extfile', config, '-extensions', 'server', '-out', request.certFile,
  ]);
}

/** An openssl configuration value: `$` would expand a variable, `#` start a comment, `\` escape. */
function configValue(text: string): string {
  return text.replace(/[^A-Za-z0-9 ._@()-]/g, '_').slice(0, 64);
}

function run(openssl: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(openssl, args, { timeout: 20_000, windowsHide: true }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(error);
      reject(new GatehouseError('openssl-failed', `${openssl} ${args[0]} failed: ${stderr.trim() || error.message}`));
    });
  });
}
