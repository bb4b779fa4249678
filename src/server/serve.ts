// `gatehouse serve`: opens the server context (database migrated, keys, revocations, rate limits),
// then serves either the ready API (the Fastify application, after seeding an empty database) or, with
// `upstream`, the gateway in front of another API. Either may terminate TLS, with a plain-HTTP
// listener that redirects to HTTPS. close() stops accepting, lets requests in flight finish (up to
// server.shutdownGraceMs), then closes the database and Redis.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redirectToHttps } from '../adapters/node-http.ts';
import { resolveUpstreamSettings } from '../config/gatewaySchema.ts';
import { ConfigError } from '../errors.ts';
import { listenGateway } from '../gateway/listenGateway.ts';
import { PrincipalLimits } from '../ratelimit/principalLimits.ts';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { LoadedConfig } from '../config/load.ts';
import type { Gatehouse } from '../gatehouse.ts';
import { createLogger, type Logger, type LoggerOption } from '../logger.ts';
import type { User } from '../store/users.ts';
import { ensureDevCertificate, type DevCertificate } from '../https/devCertificate.ts';
import { loadTlsFiles, type TlsFiles } from '../https/tlsFiles.ts';
import { watchCertificate } from '../https/tlsCertificateWatcher.ts';
import { fastifyTlsOptions, secureContextOptions } from '../https/tlsServerOptions.ts';
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
  /** Routes of your own, added to the Fastify application before it listens (behind the same protection). */
  routes?: (app: FastifyInstance, context: ServerContext) => void | Promise<void>;
  /** A plain-HTTP port that redirects to HTTPS (301 for GET/HEAD, 308 otherwise; https.redirectExempt kept). */
  httpRedirectPort?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly gatehouse: Gatehouse;
  readonly context: ServerContext;
  /** The Fastify application; undefined in gateway mode. */
  readonly app: FastifyInstance | undefined;
  /** The plain-HTTP listener that redirects to HTTPS, when one was asked for. */
  readonly redirectUrl: string | undefined;
  /** Gateway mode: the upstream's origin. */
  readonly upstream: string | undefined;
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

/** The listening part of a mode: where it listens, and how it stops. */
interface Listening {
  readonly server: Server;
  readonly app: FastifyInstance | undefined;
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const config = options.config;
  // The default is a pino logger, which Fastify can log through as well (it needs child loggers).
  const logger = createLogger(options.logger, config.log?.level) as Logger & Partial<FastifyBaseLogger>;
  // Gateway mode's setting is checked before anything opens, so a bad URL is a plain config error.
  const upstream = config.upstream === undefined ? undefined : resolveUpstreamSettings(config.upstream);
  const context = await openServerContext(config, { logger, env, serving: true });
  const state = { closing: false };
  const host = options.host ?? config.server?.host ?? '127.0.0.1';
  const port = options.port ?? config.server?.port ?? 8000;
  const graceMs = config.server?.shutdownGraceMs ?? 10_000;
  let seeded: SeedResult | undefined;
  let devCertificate: DevCertificate | undefined;
  let listening: Listening | undefined;
  let redirect: Server | undefined;
  try {
    let tlsFiles: TlsFiles | undefined;
    if (options.tls !== undefined && 'dev' in options.tls) {
      devCertificate = await ensureDevCertificate(...(options.tls.dir === undefined ? [] : [options.tls.dir]));
      tlsFiles = { certFile: devCertificate.cert, keyFile: devCertificate.key };
    } else tlsFiles = options.tls;
    const pair = tlsFiles === undefined ? undefined : loadTlsFiles(tlsFiles);
    if (upstream !== undefined) {
      const limits = context.rateLimits === undefined ? undefined : new PrincipalLimits(context.rateLimits, context.rateLimitSettings, logger);
      const gateway = await listenGateway({ gatehouse: context.gatehouse, upstream, host, port, shutdownGraceMs: graceMs, ...(limits === undefined ? {} : { limits }), ...(pair === undefined ? {} : { tls: secureContextOptions(pair) }) });
      listening = { server: gateway.server, app: undefined, close: () => gateway.close() };
    } else {
      if (config.server?.seedDemoData !== false) seeded = await seedDemoData(context, env);
      const app = await buildApp(context, {
        // Fastify needs a real pino (child loggers); a plain Logger still gets Gatehouse's lines.
        ...(typeof (logger as FastifyBaseLogger).child === 'function' ? { loggerInstance: logger as FastifyBaseLogger } : {}),
        ...(config.server?.bodyLimit === undefined ? {} : { bodyLimit: config.server.bodyLimit }),
        state,
        ...(pair === undefined ? {} : fastifyTlsOptions(pair)),
      });
      await options.routes?.(app, context);
      if (pair === undefined) {
        // A client that never finishes its headers must not hold a socket forever (HTTP/1.1; Fastify's
        // HTTP/2 server has its own session timeout).
        app.server.headersTimeout = 10_000;
        app.server.requestTimeout = 30_000;
      }
      // node's HTTP/2 server has no closeAllConnections: keep its sockets to cut them after the grace period.
      const sockets = new Set<import('node:net').Socket>();
      app.server.on('secureConnection', (socket: import('node:net').Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      await app.listen({ port, host });
      listening = {
        server: app.server as unknown as Server,
        app,
        close: async () => {
          const force = setTimeout(() => {
            app.server.closeAllConnections?.();
            for (const socket of sockets) socket.destroy();
          }, graceMs);
          force.unref();
          await app.close();
          clearTimeout(force);
        },
      };
    }
    if (tlsFiles !== undefined) {
      // A renewed certificate on disk is used for new connections; open ones keep theirs.
      const stop = watchCertificate(listening.server as unknown as Parameters<typeof watchCertificate>[0], tlsFiles, { logger });
      const inner = listening;
      listening = { ...inner, close: async () => (stop(), inner.close()) };
    }
    const redirectPort = options.httpRedirectPort ?? config.server?.httpRedirectPort;
    if (redirectPort !== undefined) {
      if (tlsFiles === undefined) throw new ConfigError([{ setting: 'server.httpRedirectPort', value: redirectPort, message: 'redirects to HTTPS, but this server does not serve HTTPS', hint: 'add --tls-cert and --tls-key (or --https-dev), or remove it' }]);
      redirect = createServer(redirectToHttps(context.gatehouse));
      redirect.headersTimeout = 10_000;
      redirect.requestTimeout = 10_000;
      await new Promise<void>((resolve, reject) => {
        redirect!.once('error', reject);
        redirect!.listen(redirectPort, host, () => resolve());
      });
    }
  } catch (error) {
    await listening?.close().catch(() => undefined);
    redirect?.close();
    await context.close();
    throw error;
  }
  const address = listening.server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const redirectAddress = redirect?.address() as AddressInfo | undefined;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`,
    redirectUrl: redirectAddress === undefined ? undefined : `http://${shownHost}:${redirectAddress.port}`,
    upstream: upstream?.origin,
    gatehouse: context.gatehouse,
    context,
    app: listening.app,
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
        if (redirect !== undefined) {
          const stopped = new Promise<void>((resolve) => redirect!.close(() => resolve()));
          redirect.closeAllConnections();
          await stopped;
        }
        await listening.close();
        await context.close();
      })();
      return closing;
    },
  };
}
