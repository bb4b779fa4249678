// Reads the certificate and key `gatehouse serve --tls-cert/--tls-key` names, and refuses a pair TLS
// clients would reject anyway, with the setting to fix: missing or unreadable file, not PEM, encrypted
// key, key not matching the certificate, outside its validity period, chain out of order.

import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { parseCertificates, parsePrivateKey } from './tlsPem.ts';

export interface TlsFiles {
  /** PEM: the server certificate first, then any intermediates (Let's Encrypt's fullchain.pem). */
  readonly certFile: string;
  /** PEM private key (PKCS#8, SEC1 or PKCS#1), unencrypted. */
  readonly keyFile: string;
  /** PEM intermediates sent after the certificate, when certFile holds the certificate alone. */
  readonly caFile?: string | undefined;
}

/** The names errors use for the three files: command-line flags by default, or config paths. */
export interface TlsSettingNames {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export const TLS_FLAG_NAMES: TlsSettingNames = { cert: '--tls-cert', key: '--tls-key', ca: '--tls-ca' };

export interface TlsCheckOptions {
  readonly settingNames?: TlsSettingNames;
  /** The clock the validity period is checked against. */
  readonly now?: Date;
}

/** A checked pair, ready for `tls.createSecureContext` (see tlsServerOptions.ts). */
export interface TlsPair {
  /** The private key as PKCS#8 PEM. */
  readonly key: Buffer;
  /** The certificate then its intermediates, as PEM. */
  readonly cert: Buffer;
  /** The server certificate (the first of the chain), for logs: serial, subject, validTo. */
  readonly certificate: X509Certificate;
}

/** The raw bytes of the files, or why one could not be read. */
export type TlsFileContents = { readonly [K in keyof TlsSettingNames]?: Buffer | ConfigIssue };

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/** Reads and checks the pair at start-up; throws a ConfigError listing every problem found. */
export function loadTlsFiles(files: TlsFiles, options: TlsCheckOptions = {}): TlsPair {
  return checkTlsFiles(files, readTlsFileContentsSync(files, options.settingNames), options);
}

/** The same as loadTlsFiles without blocking the event loop (used by the certificate watcher). */
export async function readTlsFiles(files: TlsFiles, options: TlsCheckOptions = {}): Promise<TlsPair> {
  return checkTlsFiles(files, await readTlsFileContents(files, options.settingNames), options);
}

export function readTlsFileContentsSync(files: TlsFiles, settingNames: TlsSettingNames = TLS_FLAG_NAMES): TlsFileContents {
  const read = (setting: string, file: string): Buffer | ConfigIssue => {
    try {
      return readFileSync(file);
    } catch (error) {
      return unreadable(setting, file, error);
    }
  };
  return {
    cert: read(settingNames.cert, files.certFile),
    key: read(settingNames.key, files.keyFile),
    ...(files.caFile === undefined ? {} : { ca: read(settingNames.ca, files.caFile) }),
  };
}

export async function readTlsFileContents(files: TlsFiles, settingNames: TlsSettingNames = TLS_FLAG_NAMES): Promise<TlsFileContents> {
  const read = (setting: string, file: string): Promise<Buffer | ConfigIssue> => readFile(file).catch((error: unknown) => unreadable(setting, file, error));
  const [cert, key, ca] = await Promise.all([
    read(settingNames.cert, files.certFile),
    read(settingNames.key, files.keyFile),
    files.caFile === undefined ? undefined : read(settingNames.ca, files.caFile),
  ]);
  return { cert, key, ...(ca === undefined ? {} : { ca }) };
}

/** Checks file contents already read; throws a ConfigError listing every problem found. */
export function checkTlsFiles(files: TlsFiles, contents: TlsFileContents, options: TlsCheckOptions = {}): TlsPair {
  const names = options.settingNames ?? TLS_FLAG_NAMES;
  const now = options.now ?? new Date();
  const issues: ConfigIssue[] = [];
  const parse = <T>(content: Buffer | ConfigIssue | undefined, parser: (text: string) => T | ConfigIssue): T | undefined => {
    if (content === undefined) return undefined;
    const result = Buffer.isBuffer(content) ? parser(content.toString('latin1')) : content;
    if (isIssue(result)) {
      issues.push(result);
      return undefined;
    }
    return result;
  };
  const certs = parse(contents.cert, (text) => parseCertificates(names.cert, files.certFile, text, names));
  const intermediates = parse(contents.ca, (text) => parseCertificates(names.ca, files.caFile ?? '', text, names)) ?? [];
  const key = parse(contents.key, (text) => parsePrivateKey(names.key, files.keyFile, text, names));
  const leaf = certs?.[0];

  if (certs !== undefined && leaf !== undefined) {
    const chain = [...certs, ...intermediates];
    chain.forEach((certificate, i) => {
      const where = placeOf(i, certs.length, files, names);
      const period = validityProblem(certificate, now);
      if (period !== undefined) issues.push({ setting: where.setting, value: where.value, message: `${where.what} (${describeCertificate(certificate)}) ${period}`, hint: i === 0 ? 'renew it, or check the system clock' : 'use the current intermediate from the issuer' });
      // RFC 8446 §4.4.2: the sender's certificate comes first, each following one certifying the one
      // before it; many clients do not reorder a chain sent out of order.
      const issuer = chain[i + 1];
      if (issuer !== undefined && !(certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey))) {
        issues.push({ setting: where.setting, value: where.value, message: `the chain is broken or out of order: ${describeCertificate(issuer)} did not issue ${describeCertificate(certificate)}`, hint: 'put the server certificate first, then the intermediate that issued it, and so on' });
      }
    });
    const usages = leaf.keyUsage; // node names the extended key usage list so
    if (usages !== undefined && !usages.includes(SERVER_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
      issues.push({ setting: names.cert, value: files.certFile, message: `the certificate (${describeCertificate(leaf)}) is not for TLS servers: its extended key usage lacks serverAuth`, hint: 'use a certificate issued for a web server' });
    }
    if (key !== undefined && !leaf.checkPrivateKey(key)) {
      issues.push({ setting: names.key, value: files.keyFile, message: `the key does not belong to the certificate in ${names.cert} (${describeCertificate(leaf)})`, hint: `use the key issued with that certificate; a renewal writes both files` });
    }
  }
  if (issues.length > 0 || certs === undefined || leaf === undefined || key === undefined) throw new ConfigError(issues);
  const pair = {
    key: Buffer.from(key.export({ type: 'pkcs8', format: 'pem' })),
    cert: Buffer.from([...certs, ...intermediates].map((c) => c.toString()).join('')),
    certificate: leaf,
  };
  try {
    // OpenSSL's own checks (its default security level refuses, say, a 512-bit RSA key) fail here, at
    // start-up or before a reload, rather than at the first handshake.
    createSecureContext({ key: pair.key, cert: pair.cert });
  } catch (error) {
    throw new ConfigError([{ setting: names.cert, value: files.certFile, message: `OpenSSL refuses the pair: ${(error as Error).message}`, hint: 'use an EC P-256 key or an RSA key of 2048 bits or more' }]);
  }
  return pair;
}

/** One line naming a certificate in logs and errors: serial, subject and expiry. */
export function describeCertificate(certificate: X509Certificate): string {
  const subject = certificate.subject.split('\n').find((line) => line.startsWith('CN=')) ?? certificate.subject.replace(/\n/g, ', ');
  return `serial ${certificate.serialNumber}, ${subject}, valid until ${new Date(certificate.validTo).toISOString()}`;
}

/** Where the i-th certificate of the chain came from, for the issue naming it. */
function placeOf(i: number, inCertFile: number, files: TlsFiles, names: TlsSettingNames): { setting: string; value: string | undefined; what: string } {
  if (i === 0) return { setting: names.cert, value: files.certFile, what: 'the certificate' };
  if (i < inCertFile) return { setting: names.cert, value: files.certFile, what: `certificate ${i + 1} in the file` };
  return { setting: names.ca, value: files.caFile, what: `certificate ${i - inCertFile + 1} in the file` };
}

function validityProblem(certificate: X509Certificate, now: Date): string | undefined {
  // RFC 5280 §4.1.2.5: valid from notBefore to notAfter, both inclusive.
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  if (now < from) return `is not valid before ${from.toISOString()}`;
  if (now > to) return `expired on ${to.toISOString()}`;
  return undefined;
}

function unreadable(setting: string, file: string, error: unknown): ConfigIssue {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { setting, value: file, message: 'does not exist', hint: 'check the path (relative paths start from the working directory)' };
  if (code === 'EACCES' || code === 'EPERM') return { setting, value: file, message: 'cannot be read by this user (permission denied)', hint: "let the server's user read it (chgrp plus chmod 640), keeping others out" };
  if (code === 'EISDIR') return { setting, value: file, message: 'is a directory, not a file' };
  return { setting, value: file, message: `cannot be read: ${code ?? (error as Error).message}` };
}

function isIssue(value: unknown): value is ConfigIssue {
  return typeof value === 'object' && value !== null && 'setting' in value && 'message' in value;
}
