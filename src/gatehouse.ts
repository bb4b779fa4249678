// The engine as a whole: validated settings in, frozen, precomputed policies out. Adapters hold one
// Gatehouse and ask it for decisions: CORS first (preflights never need credentials), then access
// (authentication and the route's permission rule) when auth or permissions are configured.

import { AccessEngine } from './access/accessEngine.ts';
import type { ApiKeyStore } from './auth/apiKeys/apiKeyStore.ts';
import { createAuthenticator, type AuthMethodHandler } from './auth/authenticator.ts';
import { authMethods } from './auth/authMethods.ts';
import type { IntrospectionSettings } from './auth/introspection.ts';
import type { RevocationCheck } from './auth/jwt/revocation.ts';
import { resolveCorsSettings } from './config/corsSettings.ts';
import { resolveJwtSettings, type JwtSettingsInput } from './config/jwtSchema.ts';
import { resolvePermissionRoutes } from './config/permissionsSchema.ts';
import { CorsEngine } from './cors/corsEngine.ts';
import type { CorsSettings } from './cors/settings.ts';
import { ConfigError, formatConfigIssue, type ConfigIssue } from './errors.ts';
import { createLogger, type Logger, type LoggerOption } from './logger.ts';

export interface AuthOptions {
  /** The realm in WWW-Authenticate; default `api`. */
  realm?: string;
  jwt?: JwtSettingsInput;
  /** Asked on every JWT, cached or not: a jti deny-list and per-subject cut-offs. */
  revocation?: RevocationCheck;
  /** API keys from a key store (see createApiKeyStore); the key format's prefix and header. */
  apiKeys?: { store: ApiKeyStore; prefix?: string; headerName?: string; acceptBearer?: boolean };
  introspection?: IntrospectionSettings;
  /** Your own methods (sessions, mTLS headers from a proxy), tried after the built-in ones. */
  methods?: AuthMethodHandler[];
}

export interface PermissionRouteOptions {
  methods?: string[];
  path: string;
  rule: string;
}

export interface GatehouseOptions {
  cors?: CorsSettings;
  auth?: AuthOptions;
  /** Per method + path rules, first match wins (docs/permissions.md). */
  permissions?: PermissionRouteOptions[];
  /** The rule of requests no `permissions` entry matches; default `authenticated`. */
  defaultRule?: string;
  /** A pino-compatible logger, or false for none. Default: pino JSON lines on stderr. */
  logger?: LoggerOption;
  /** Defaults to process.env.NODE_ENV. */
  nodeEnv?: string;
}

export interface Gatehouse {
  readonly cors: CorsEngine;
  /** undefined when neither `auth` nor `permissions` is configured: CORS only. */
  readonly access: AccessEngine | undefined;
  readonly logger: Logger;
  /** Start-up warnings, already logged. */
  readonly warnings: readonly ConfigIssue[];
}

/** Runs each resolver, so that one ConfigError lists the problems of every section at once. */
function collect<T>(issues: ConfigIssue[], resolve: () => T): T | undefined {
  try {
    return resolve();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}

/** Validates the settings (throwing a ConfigError listing every problem) and builds the engine. */
export function createGatehouse(options: GatehouseOptions = {}): Gatehouse {
  const logger = createLogger(options.logger);
  const nodeEnv = options.nodeEnv ?? process.env.NODE_ENV;
  const issues: ConfigIssue[] = [];
  const cors = collect(issues, () => resolveCorsSettings(options.cors ?? {}, { nodeEnv }));
  const auth = options.auth;
  const wantsAccess = auth !== undefined || options.permissions !== undefined || options.defaultRule !== undefined;
  const jwt = auth?.jwt === undefined ? undefined : collect(issues, () => resolveJwtSettings(auth.jwt));
  const table = wantsAccess ? collect(issues, () => resolvePermissionRoutes({ permissions: options.permissions, defaultRule: options.defaultRule })) : undefined;
  if (issues.length > 0) throw new ConfigError(issues);

  let access: AccessEngine | undefined;
  if (wantsAccess) {
    const methods = authMethods({
      logger,
      ...(jwt === undefined ? {} : { jwt }),
      ...(auth?.revocation === undefined ? {} : { revocation: auth.revocation }),
      ...(auth?.apiKeys === undefined ? {} : { apiKeys: auth.apiKeys }),
      ...(auth?.introspection === undefined ? {} : { introspection: auth.introspection }),
      ...(auth?.methods === undefined ? {} : { methods: auth.methods }),
    });
    const authenticator = createAuthenticator(methods, { logger, ...(auth?.apiKeys?.headerName ? { apiKeyHeader: auth.apiKeys.headerName.toLowerCase() } : {}) });
    access = new AccessEngine({ authenticator, table: table!, realm: auth?.realm ?? 'api', logger });
  }
  for (const warning of cors!.warnings) logger.warn({ config: warning }, `Gatehouse config warning: ${formatConfigIssue(warning)}`);
  return Object.freeze({ cors: new CorsEngine(cors!.value, logger), access, logger, warnings: cors!.warnings });
}

export function isGatehouse(value: unknown): value is Gatehouse {
  return typeof value === 'object' && value !== null && (value as Gatehouse).cors instanceof CorsEngine;
}

/** What every adapter accepts: options to build a Gatehouse from, or one to share between adapters. */
export function toGatehouse(options: GatehouseOptions | Gatehouse): Gatehouse {
  return isGatehouse(options) ? options : createGatehouse(options);
}
