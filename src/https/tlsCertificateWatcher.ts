// Picks up a renewed certificate without a restart: new handshakes get the new pair through
// setSecureContext(), connections already open keep the one they negotiated.
//
// Why polling and not fs.watch: renewals replace files in ways inotify-style watchers miss or
// misreport. certbot repoints symlinks in live/, Kubernetes swaps a `..data` symlink over a secret
// volume, editors and `mv` replace the inode a watch was on, and bind mounts or network filesystems may
// deliver no events at all (node's docs call fs.watch "not 100% consistent across platforms").
// Reading two files of a few KB every few seconds costs nothing and sees every one of those cases, and
// a renewal (done days before expiry) does not need sub-second reaction.
//
// Debounce: a renewal may write the certificate and the key one after the other. A change is applied
// only once both files have read the same on two polls in a row; a pair that is still broken then
// (key from one issuance, certificate from another, expired, not PEM…) is refused with the reasons
// logged, the previous certificate stays in use, and the next change is tried again.

import { createHash } from 'node:crypto';
import type { X509Certificate } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';
import { ConfigError, formatConfigIssue } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { checkTlsFiles, describeCertificate, readTlsFileContents, readTlsFileContentsSync, TLS_FLAG_NAMES, type TlsFileContents, type TlsFiles, type TlsSettingNames } from './tlsFiles.ts';
import { secureContextOptions } from './tlsServerOptions.ts';

/** tls.Server, https.Server and http2.Http2SecureServer (fastify.server under `http2: true, https`) all fit. */
export interface SecureContextServer {
  setSecureContext(options: SecureContextOptions): void;
}

export type CertificateChange =
  | { readonly applied: true; readonly certificate: X509Certificate }
  | { readonly applied: false; readonly error: ConfigError };

export interface CertificateWatchOptions {
  readonly logger: Logger;
  /** How often both files are read; a change is applied after it has been seen on two polls. Default 5000. */
  readonly intervalMs?: number;
  readonly settingNames?: TlsSettingNames;
  /** Told after each change is applied or refused (tests, metrics). */
  readonly onChange?: (change: CertificateChange) => void;
}

export const DEFAULT_CERTIFICATE_POLL_MS = 5_000;

/**
 * Watches the files the server was started with. Call it right after creating the server from
 * `loadTlsFiles(files)`: the files as they are now count as the pair in use. Returns `stop`.
 */
export function watchCertificate(server: SecureContextServer, files: TlsFiles, options: CertificateWatchOptions): () => void {
  const { logger } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_CERTIFICATE_POLL_MS;
  const settingNames = options.settingNames ?? TLS_FLAG_NAMES;
  const fields = { certFile: files.certFile, keyFile: files.keyFile, ...(files.caFile === undefined ? {} : { caFile: files.caFile }) };
  let tried = signatureOf(readTlsFileContentsSync(files, settingNames)); // the contents last applied or refused
  let pending: string | undefined; // contents seen once, waiting for a second identical poll
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const poll = async (): Promise<void> => {
    const contents = await readTlsFileContents(files, settingNames);
    if (stopped) return;
    const signature = signatureOf(contents);
    if (signature === tried) {
      pending = undefined;
      return;
    }
    if (signature !== pending) {
      pending = signature;
      return;
    }
    pending = undefined;
    tried = signature;
    let change: CertificateChange;
    try {
      const pair = checkTlsFiles(files, contents, { settingNames });
      server.setSecureContext(secureContextOptions(pair));
      change = { applied: true, certificate: pair.certificate };
      logger.info({ ...fields, certificate: describeCertificate(pair.certificate) }, 'TLS certificate reloaded: new connections get it, open connections keep theirs');
    } catch (error) {
      const refusal = error instanceof ConfigError ? error : new ConfigError([{ setting: settingNames.cert, value: files.certFile, message: `cannot be used: ${(error as Error).message}` }]);
      change = { applied: false, error: refusal };
      logger.error({ ...fields, problems: refusal.issues.map(formatConfigIssue) }, 'TLS certificate change refused: still serving the previous certificate');
    }
    options.onChange?.(change);
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      poll()
        .catch((error: unknown) => logger.error({ ...fields, err: error }, 'TLS certificate watcher failed to poll; trying again'))
        .finally(schedule);
    }, intervalMs);
    // The watcher alone must not keep the process alive once the server has closed.
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** A digest of what the files hold (or why they could not be read), to tell one poll from the next. */
function signatureOf(contents: TlsFileContents): string {
  const hash = createHash('sha256');
  for (const part of [contents.cert, contents.key, contents.ca]) {
    hash.update(part === undefined ? 'none' : Buffer.isBuffer(part) ? part : `unreadable:${part.message}`);
    hash.update('\0');
  }
  return hash.digest('hex');
}
