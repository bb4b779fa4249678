// `gatehouse serve`: opens the server context (database migrated, keys, revocations, rate limits),
// seeds an empty database, and serves the Fastify application until close(), which stops accepting,
// lets requests in flight finish (up to server.shutdownGraceMs), then closes the database and Redis.

import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { LoadedConfig } from '../config/load.ts';
import type { Gatehouse } from '../gatehouse.ts';
import type { Logger, LoggerOption } from '../logger.ts';
import type { User } from '../store/users.ts';
import { ensureDevCertificate, type DevCertificate } from '../https/devCertificate.ts';
import { loadTlsFiles, type TlsFiles } from '../https/tlsFiles.ts';
import { watchCertificate } from '../https/tlsCertificateWatcher.ts';
import { fastifyTlsOptions } from '../https/tlsServerOptions.ts';
import { buildApp } from './app.ts';
import { seedDemoData, type SeedResult } from './seed.ts';
import { openServerContext, type ServerContext } from './serverContext.ts';

export interface ServeOptions {
  config: LoadedConfig;
  port?: number;
  host?: string;
  /** A pino logger (Fastify logs through it too), false for none; default pino JSON on stderr. */
  logger?: LoggerOption;
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * HTTPS (HTTP/2 with HTTP/1.1 through ALPN): certificate files, re-read when renewed on disk, or
   * `dev` for a development CA and a localhost certificate kept between runs (docs/https.md).
   */
  tls?: TlsFiles | { dev: true; dir?: string };
}

export interface RunningServer {
  readonly url: string;
  readonly gatehouse: Gatehouse;
  readonly context: ServerContext;
  readonly app: FastifyInstance;
  /** The demo data seeded at this start, if the database was empty. */
  readonly seeded: SeedResult | undefined;
  /** Back-compat with the key store the earlier serve exposed. */
  readonly apiKeys: ServerContext['apiKeys'];
  /** With `tls: { dev: true }`: the development CA and certificate files. */
  readonly devCertificate: DevCertificate | undefined;
  /** A development access token for the first admin (never under NODE_ENV=production). */
  devToken(lifetimeSeconds?: number): Promise<{ token: string; user: User } | undefined>;
  close(): Promise<void>;
}

function serverLogger(option: LoggerOption, level: string | undefined): Logger & Partial<FastifyBaseLogger> {
  if (option === false) return pino({ level: 'silent' });
  if (option !== undefined) return option as Logger & Partial<FastifyBaseLogger>;
  return pino({ level: level ?? process.env.LOG_LEVEL ?? 'info', base: { name: 'gatehouse' } }, pino.destination({ fd: 2, sync: true }));
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const logger = serverLogger(options.logger, options.config.log?.level);
  const context = await openServerContext(options.config, { logger, env, serving: true });
  const state = { closing: false };
  let app: FastifyInstance;
  let seeded: SeedResult | undefined;
  let devCertificate: DevCertificate | undefined;
  try {
    let tlsFiles: TlsFiles | undefined;
    if (options.tls !== undefined && 'dev' in options.tls) {
      devCertificate = await ensureDevCertificate(...(options.tls.dir === undefined ? [] : [options.tls.dir]));
      tlsFiles = { certFile: devCertificate.cert, keyFile: devCertificate.key };
    } else tlsFiles = options.tls;
    if (options.config.server?.seedDemoData !== false) seeded = await seedDemoData(context, env);
    app = await buildApp(context, {
      // Fastify needs a real pino (child loggers); a plain Logger still gets Gatehouse's lines.
      ...(typeof (logger as FastifyBaseLogger).child === 'function' ? { loggerInstance: logger as FastifyBaseLogger } : {}),
      ...(options.config.server?.bodyLimit === undefined ? {} : { bodyLimit: options.config.server.bodyLimit }),
      state,
      ...(tlsFiles === undefined ? {} : fastifyTlsOptions(loadTlsFiles(tlsFiles))),
    });
    if (tlsFiles !== undefined) {
      // A renewed certificate on disk is used for new connections; open ones keep theirs.
      const stop = watchCertificate(app.server as unknown as Parameters<typeof watchCertificate>[0], tlsFiles, { logger });
      app.addHook('onClose', async () => stop());
    } else {
      // A client that never finishes its headers must not hold a socket forever (HTTP/1.1; Fastify's
      // HTTP/2 server has its own session timeout).
      app.server.headersTimeout = 10_000;
      app.server.requestTimeout = 30_000;
    }
    await app.listen({ port: options.port ?? options.config.server?.port ?? 8000, host: options.host ?? options.config.server?.host ?? '127.0.0.1' });
  } catch (error) {
    await context.close();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const graceMs = options.config.server?.shutdownGraceMs ?? 10_000;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
    gatehouse: context.gatehouse,
    context,
    app,
    seeded,
    devCertificate,
    apiKeys: context.apiKeys,
    async devToken(lifetimeSeconds = 3600) {
      if (env.NODE_ENV === 'production') return undefined;
      const admin = seeded?.admin ?? (await context.users.list({ limit: 100 })).users.find((u) => u.isAdmin && u.isActive);
      if (admin === undefined) return undefined;
      return { token: (await context.tokens.accessToken(admin, lifetimeSeconds)).token, user: admin };
    },
    close() {
      closing ??= (async () => {
        state.closing = true;
        const force = setTimeout(() => app.server.closeAllConnections?.(), graceMs);
        force.unref();
        await app.close();
        clearTimeout(force);
        await context.close();
      })();
      return closing;
    },
  };
}
