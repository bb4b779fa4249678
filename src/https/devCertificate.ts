// `gatehouse serve --https-dev`: a development CA, made once and kept, and a certificate for
// localhost, 127.0.0.1 and ::1 signed by it. Trust the CA once (browser, curl, NODE_EXTRA_CA_CERTS)
// and every later run, and every project on the machine, is trusted too.
//
// Where: one directory per user, not per project ($XDG_DATA_HOME/gatehouse/dev-tls, see
// defaultDevCertificateDir). A CA key inside a project could be committed and published, and a CA per
// project would have to be trusted again for each one.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir, hostname, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, GatehouseError } from '../errors.ts';
import { createCaCertificate, DEV_CERTIFICATE_NAMES, issueServerCertificate, requireOpenssl, writePrivateKey } from './devCertificateOpenssl.ts';

/** The CA lives long so it is trusted once; the server certificate stays within the 825 days macOS and iOS accept. */
export const DEV_CA_DAYS = 3650;
export const DEV_CERTIFICATE_DAYS = 825;
/** Files are made again when they expire within this many days. */
export const DEV_RENEW_WITHIN_DAYS = 30;

const DAY_MS = 86_400_000;
const FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'localhost.crt', key: 'localhost.key' } as const;

export interface DevCertificateOptions {
  /** Reuse the files only while both certificates stay valid for more than this many days (30). */
  readonly minValidDays?: number;
  /** The openssl command (`openssl` from PATH). Only run when something has to be created. */
  readonly openssl?: string;
  /** How errors name the setting (`--https-dev`). */
  readonly setting?: string;
}

export interface DevCertificate {
  readonly dir: string;
  /** The CA certificate to trust (PEM). */
  readonly caCert: string;
  /** The server certificate (PEM) and its key (PEM, 0600), for loadTlsFiles. */
  readonly cert: string;
  readonly key: string;
  /** created: a new CA (trust it); renewed: a new server certificate from the same CA; reused: nothing new. */
  readonly action: 'created' | 'renewed' | 'reused';
  /** SHA-256 fingerprint of the CA, to compare with what a trust store shows. */
  readonly caFingerprint256: string;
  readonly validTo: Date;
}

/** The per-user directory: $XDG_DATA_HOME (or ~/.local/share), ~/Library/Application Support, %LOCALAPPDATA%. */
export function defaultDevCertificateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'gatehouse', 'dev-tls');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'gatehouse', 'dev-tls');
  // XDG Base Directory: a relative $XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'share'), 'gatehouse', 'dev-tls');
}

/** Makes (or reuses) the development CA and server certificate in `dir`, and returns their paths. */
export async function ensureDevCertificate(dir: string = defaultDevCertificateDir(), options: DevCertificateOptions = {}): Promise<DevCertificate> {
  const root = resolve(dir);
  const minValidMs = (options.minValidDays ?? DEV_RENEW_WITHIN_DAYS) * DAY_MS;
  const setting = options.setting ?? '--https-dev';
  const paths = { caCert: join(root, FILES.caCert), caKey: join(root, FILES.caKey), cert: join(root, FILES.cert), key: join(root, FILES.key) };

  const found = await inspect(paths, minValidMs, setting);
  if (found.ca !== undefined && found.server !== undefined) return result(root, paths, 'reused', found.ca, found.server);

  await requireOpenssl(options.openssl, setting);
  await mkdir(root, { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError([{ setting, value: root, message: `cannot create the directory for the development certificate: ${error.code ?? error.message}`, hint: 'set XDG_DATA_HOME to a directory this user can write' }]);
  });
  return withLock(root, async () => {
    // Another gatehouse may have made the files while this one waited for the lock.
    const again = await inspect(paths, minValidMs, setting);
    if (again.ca !== undefined && again.server !== undefined) return result(root, paths, 'reused', again.ca, again.server);
    const work = await mkdtemp(join(root, '.new-')); // 0700, same filesystem: rename is atomic
    try {
      const fresh = { caCert: join(work, FILES.caCert), caKey: join(work, FILES.caKey), cert: join(work, FILES.cert), key: join(work, FILES.key) };
      let ca = again.ca;
      if (ca === undefined) {
        await writePrivateKey(fresh.caKey);
        await createCaCertificate({ openssl: options.openssl, workDir: work, keyFile: fresh.caKey, certFile: fresh.caCert, days: DEV_CA_DAYS, commonName: caCommonName() });
        ca = new X509Certificate(await readFile(fresh.caCert));
      }
      const caFiles = again.ca === undefined ? fresh : paths;
      // The server certificate must not outlive its CA.
      const days = Math.max(1, Math.min(DEV_CERTIFICATE_DAYS, Math.floor((Date.parse(ca.validTo) - Date.now()) / DAY_MS)));
      await writePrivateKey(fresh.key);
      await issueServerCertificate({ openssl: options.openssl, workDir: work, caCertFile: caFiles.caCert, caKeyFile: caFiles.caKey, keyFile: fresh.key, certFile: fresh.cert, days });
      const server = new X509Certificate(await readFile(fresh.cert));
      // Keys before certificates, so a reader never finds a certificate without its key.
      if (again.ca === undefined) {
        await rename(fresh.caKey, paths.caKey);
        await rename(fresh.caCert, paths.caCert);
      }
      await rename(fresh.key, paths.key);
      await rename(fresh.cert, paths.cert);
      return result(root, paths, again.ca === undefined ? 'created' : 'renewed', ca, server);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
}

/** What to print at start: where the CA is and how to make a client trust it. */
export function devCertificateInstructions(dev: DevCertificate, url: string): string[] {
  const quoted = /^[\w./:@-]+$/.test(dev.caCert) ? dev.caCert : `'${dev.caCert.replace(/'/g, `'\\''`)}'`;
  return [
    `HTTPS with the Gatehouse development CA (${dev.action === 'created' ? 'new: trust it once' : dev.action === 'renewed' ? 'server certificate renewed, same CA' : 'reused'}):`,
    `  CA certificate: ${dev.caCert}`,
    `  CA SHA-256:     ${dev.caFingerprint256}`,
    `  curl:           curl --cacert ${quoted} ${url}`,
    `  Node clients:   NODE_EXTRA_CA_CERTS=${quoted}`,
    `  browsers:       import ${dev.caCert} as a certificate authority (see docs/https.md)`,
  ];
}

interface Inspection {
  /** The CA when it is usable: certificate and key match, valid long enough. */
  readonly ca: X509Certificate | undefined;
  /** The server certificate when it is usable with that CA. */
  readonly server: X509Certificate | undefined;
}

async function inspect(paths: Record<keyof typeof FILES, string>, minValidMs: number, setting: string): Promise<Inspection> {
  const ca = await usablePair(paths.caCert, paths.caKey, minValidMs, setting);
  if (ca === undefined || !ca.ca) return { ca: undefined, server: undefined };
  const server = await usablePair(paths.cert, paths.key, minValidMs, setting);
  const fits = server !== undefined
    && server.checkIssued(ca) && server.verify(ca.publicKey)
    && DEV_CERTIFICATE_NAMES.dns.every((name) => server.checkHost(name) !== undefined)
    && DEV_CERTIFICATE_NAMES.ip.every((ip) => server.checkIP(ip) !== undefined);
  return { ca, server: fits ? server : undefined };
}

/** The certificate, when it and its key can be read, match, and stay valid for minValidMs. */
async function usablePair(certFile: string, keyFile: string, minValidMs: number, setting: string): Promise<X509Certificate | undefined> {
  let certificate: X509Certificate;
  let keyText: Buffer;
  try {
    certificate = new X509Certificate(await readFile(certFile));
    keyText = await readFile(keyFile);
  } catch {
    return undefined; // missing or unreadable: made again
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(keyText))) return undefined;
  } catch {
    return undefined;
  }
  const now = Date.now();
  if (Date.parse(certificate.validFrom) > now || Date.parse(certificate.validTo) - now <= minValidMs) return undefined;
  await refuseSharedKey(keyFile, setting); // only a key that would be used again
  return certificate;
}

/** A key others can read may have been copied: say so instead of using it (POSIX permissions only). */
async function refuseSharedKey(keyFile: string, setting: string): Promise<void> {
  if (process.platform === 'win32') return;
  const { mode } = await stat(keyFile);
  if ((mode & 0o077) === 0) return;
  throw new ConfigError([{
    setting,
    value: keyFile,
    message: `the development key is readable by other users (mode ${(mode & 0o777).toString(8)})`,
    hint: `chmod 600 ${keyFile}; or, if someone may have copied it, delete the directory to make a new CA (and trust the new one)`,
  }]);
}

function result(dir: string, paths: Record<keyof typeof FILES, string>, action: DevCertificate['action'], ca: X509Certificate, server: X509Certificate): DevCertificate {
  return { dir, caCert: paths.caCert, cert: paths.cert, key: paths.key, action, caFingerprint256: ca.fingerprint256, validTo: new Date(server.validTo) };
}

/** Names the CA after its user and machine, so it can be told apart in a trust store. */
function caCommonName(): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return `Gatehouse development CA ${user}@${hostname()}`;
}

const LOCK_STALE_MS = 60_000;
const LOCK_WAIT_MS = 30_000;

/** One creator at a time per directory: two servers started together must not mix their files. */
async function withLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock); // atomic: fails with EEXIST while another process holds it
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (held > LOCK_STALE_MS) {
        // Left by a process killed while creating (creation takes well under a second).
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new GatehouseError('dev-certificate-locked', `another process is creating the development certificate in ${dir} (lock ${lock}); if none is, delete the lock`);
      await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
