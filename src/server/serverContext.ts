// Everything the ready server holds, opened in order from a loaded configuration: the database
// (migrated), the server's keys, users, posts, tokens, API keys, the shared revocation list, rate
// limits, and the Gatehouse engine that protects the routes. The CLI's commands open the same context
// (without rate limits or polling) so they act on exactly what the server serves.

import type { Logger } from '../logger.ts';
import type { LoadedConfig } from '../config/load.ts';
import { resolveApiKeySettings } from '../config/apiKeySchema.ts';
import { resolveServerSettings, type ResolvedRateLimits, type ResolvedTokenSettings } from '../config/serverSchema.ts';
import { API_KEY_SECRET_ENV } from '../auth/apiKeys/keyHash.ts';
import { createApiKeyStore, type ApiKeyStore } from '../auth/apiKeys/apiKeyStore.ts';
import type { IntrospectionSettings } from '../auth/introspection.ts';
import { SharedRevocationList } from '../auth/jwt/sharedRevocation.ts';
import { ownIssuerSettings, TokenService } from '../auth/tokens/tokenService.ts';
import { ConfigError } from '../errors.ts';
import { createGatehouse, type Gatehouse, type PermissionRouteOptions } from '../gatehouse.ts';
import { createRateLimitStore, type RateLimitStore } from '../ratelimit/rateLimiter.ts';
import { openDatabase, type Database } from '../store/database.ts';
import { migrateToLatest } from '../store/migrations.ts';
import { createPostStore, type PostStore } from '../store/posts.ts';
import { createUserStore, type UserStore } from '../store/users.ts';
import { loadServerSecrets, type ServerSecrets } from './serverSecrets.ts';
import { sessionMethod } from './sessionCookie.ts';

export const INTROSPECTION_SECRET_ENV = 'GATEHOUSE_INTROSPECTION_CLIENT_SECRET';

/** Routes that must answer without credentials; prepended unless the configuration lists the same path. */
export const BUILT_IN_PERMISSIONS: readonly PermissionRouteOptions[] = [
  { path: '/healthz', rule: 'any' },
  { path: '/readyz', rule: 'any' },
  { path: '/api/token/*', rule: 'any' },
  { path: '/api/session/', rule: 'any' },
];

/** The resource rules when the configuration has no `permissions`: the "authenticated users read, owner or admin writes". */
export const DEFAULT_PERMISSIONS: readonly PermissionRouteOptions[] = [
  { methods: ['GET'], path: '/api/posts/*', rule: 'authenticated' },
  { methods: ['POST', 'PUT', 'PATCH', 'DELETE'], path: '/api/posts/*', rule: 'owner OR admin' },
  { methods: ['GET'], path: '/api/users/me', rule: 'authenticated' },
  { path: '/api/users/*', rule: 'admin' },
  { path: '/api/keys/*', rule: 'admin' },
];

export interface ServerContext {
  readonly config: LoadedConfig;
  readonly logger: Logger;
  readonly database: Database;
  readonly secrets: ServerSecrets;
  readonly users: UserStore;
  readonly posts: PostStore;
  readonly apiKeys: ApiKeyStore;
  readonly revocation: SharedRevocationList;
  readonly tokens: TokenService;
  readonly tokenSettings: ResolvedTokenSettings;
  readonly rateLimitSettings: ResolvedRateLimits;
  /** Undefined for CLI commands, which do not rate-limit. */
  readonly rateLimits: RateLimitStore | undefined;
  readonly gatehouse: Gatehouse;
  /** Names of the migrations applied while opening (none when the database was up to date). */
  readonly migrated: readonly string[];
  close(): Promise<void>;
}

export interface OpenContextOptions {
  readonly logger: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Servers follow revocations and count rate limits; one-shot CLI commands do not. */
  readonly serving?: boolean;
}

export function databaseUrl(config: LoadedConfig, env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.DATABASE_URL || config.database?.url || undefined;
}

export function redisUrl(config: LoadedConfig, env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.REDIS_URL || config.redis?.url || undefined;
}

export async function openServerContext(config: LoadedConfig, options: OpenContextOptions): Promise<ServerContext> {
  const env = options.env ?? process.env;
  const { logger } = options;
  const nodeEnv = env.NODE_ENV;
  const settings = resolveServerSettings({ tokens: config.tokens, rateLimits: config.rateLimits });
  const introspection = introspectionSettings(config, env);
  // Every setting the engine checks is checked before the database is opened: a configuration error
  // must not leave a new, migrated database file behind.
  checkEngineSettings(config, nodeEnv);

  const database = openDatabase(databaseUrl(config, env), {
    setting: env.DATABASE_URL ? 'DATABASE_URL' : 'database.url',
    onConnectionError: (error) => logger.warn({ err: { message: error.message } }, `database: an idle connection was dropped (${error.message}); the next query reconnects`),
  });
  const opened: { close(): Promise<void> }[] = [database];
  const closeAll = async () => {
    for (const part of opened.reverse()) await part.close().catch(() => undefined);
  };
  try {
    const migrated = await migrateToLatest(database.db);
    const secrets = await loadServerSecrets(database.db, { env, logger, nodeEnv });
    const users = createUserStore(database.db);
    const posts = createPostStore(database.db);
    const revocation = new SharedRevocationList({ db: database.db, logger });
    if (options.serving) {
      await revocation.start();
      opened.push({ close: () => revocation.stop() });
    }
    const tokens = new TokenService({ db: database.db, users, settings: settings.tokens, signingKey: secrets.signingKey, revocation, logger });
    if (options.serving) {
      // Expired denials and refresh tokens can no longer matter: drop them hourly so the tables stay small.
      const purge = setInterval(() => {
        Promise.all([revocation.purge(), tokens.purge()]).catch((error: Error) => logger.warn({ err: { message: error.message } }, `purging expired revocations and refresh tokens failed: ${error.message}`));
      }, 3_600_000);
      purge.unref();
      opened.push({ close: async () => clearInterval(purge) });
    }

    const configuredSecret = env[API_KEY_SECRET_ENV] || config.auth?.apiKeys?.secret;
    const apiKeySettings = resolveApiKeySettings({ ...config.auth?.apiKeys, ...(configuredSecret ? {} : { secret: secrets.apiKeySecret }) }, env);
    const apiKeys = createApiKeyStore({ db: database.db, secret: apiKeySettings.secret, prefix: apiKeySettings.prefix, logger });

    const gatehouse = createGatehouse({
      cors: config.cors,
      logger,
      nodeEnv,
      auth: {
        ...(config.auth?.realm === undefined ? {} : { realm: config.auth.realm }),
        jwt: { issuers: [ownIssuerSettings(settings.tokens, secrets.signingKey), ...(config.auth?.jwt?.issuers ?? [])] },
        revocation,
        apiKeys: { store: apiKeys, prefix: apiKeySettings.prefix, headerName: apiKeySettings.headerName, acceptBearer: apiKeySettings.acceptBearer },
        ...(introspection === undefined ? {} : { introspection }),
        // Browser sessions: asked only when a request has neither a Bearer token nor an API key.
        methods: [sessionMethod(tokens, logger)],
      },
      permissions: serverPermissions(config.permissions),
      defaultRule: config.defaultRule ?? 'authenticated',
      ...(config.proxy === undefined ? {} : { proxy: config.proxy }),
      ...(config.https === undefined ? {} : { https: config.https }),
      ...(config.crossSite === undefined ? {} : { crossSite: config.crossSite }),
    });

    let rateLimits: RateLimitStore | undefined;
    if (options.serving) {
      rateLimits = createRateLimitStore({ redisUrl: redisUrl(config, env), logger, ...(config.redis?.keyPrefix === undefined ? {} : { keyPrefix: config.redis.keyPrefix }) });
      opened.push(rateLimits);
    }
    opened.push({ close: () => apiKeys.settled() });

    return {
      config,
      logger,
      database,
      secrets,
      users,
      posts,
      apiKeys,
      revocation,
      tokens,
      tokenSettings: settings.tokens,
      rateLimitSettings: settings.rateLimits,
      rateLimits,
      gatehouse,
      migrated,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The configured table (or the default one), after the built-in routes it does not itself list. */
export function serverPermissions(configured: readonly PermissionRouteOptions[] | undefined): PermissionRouteOptions[] {
  const table = configured ?? DEFAULT_PERMISSIONS;
  const listed = new Set(table.map((entry) => entry.path));
  return [...BUILT_IN_PERMISSIONS.filter((entry) => !listed.has(entry.path)), ...table];
}

function introspectionSettings(config: LoadedConfig, env: Readonly<Record<string, string | undefined>>): IntrospectionSettings | undefined {
  const settings = config.auth?.introspection;
  if (settings === undefined) return undefined;
  const clientSecret = env[INTROSPECTION_SECRET_ENV] || settings.clientSecret;
  if (clientSecret === undefined || clientSecret === '') {
    throw new ConfigError([{ setting: 'auth.introspection.clientSecret', message: 'is missing', hint: `set ${INTROSPECTION_SECRET_ENV} (or auth.introspection.clientSecret)` }]);
  }
  return { ...settings, clientSecret } as IntrospectionSettings;
}

/** Builds (and drops) an engine from the settings alone, throwing the ConfigError that listing them all gives. */
export function checkEngineSettings(config: LoadedConfig, nodeEnv: string | undefined): Gatehouse {
  return createGatehouse({
    cors: config.cors,
    logger: false,
    nodeEnv,
    auth: { ...(config.auth?.jwt === undefined ? {} : { jwt: config.auth.jwt }) },
    permissions: serverPermissions(config.permissions),
    defaultRule: config.defaultRule ?? 'authenticated',
    ...(config.proxy === undefined ? {} : { proxy: config.proxy }),
    ...(config.https === undefined ? {} : { https: config.https }),
    ...(config.crossSite === undefined ? {} : { crossSite: config.crossSite }),
  });
}
