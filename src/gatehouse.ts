// The engine as a whole: validated settings in, frozen, precomputed policies out. Adapters hold one
// Gatehouse and ask it for decisions, always in this order (src/adapters/requestGate.ts): the client's
// facts through the trusted proxies, the redirect to HTTPS, CORS (preflights never need credentials),
// Fetch Metadata resource isolation, CSRF, then access (authentication and the route's permission
// rule) when auth or permissions are configured; the response gets HSTS, nosniff, CORP and no-store.

import { AccessEngine } from './access/accessEngine.ts';
import type { ApiKeyStore } from './auth/apiKeys/apiKeyStore.ts';
import { createAuthenticator, type AuthMethodHandler } from './auth/authenticator.ts';
import { authMethods } from './auth/authMethods.ts';
import type { IntrospectionSettings } from './auth/introspection.ts';
import type { RevocationCheck } from './auth/jwt/revocation.ts';
import { resolveCorsSettings } from './config/corsSettings.ts';
import { resolveCrossSiteSettings, type CrossSiteSettings } from './config/crossSiteSchema.ts';
import { resolveHttpsSettings, resolveProxySettings, type HttpsSettings, type ProxySettings } from './config/httpsSchema.ts';
import { resolveJwtSettings, type JwtSettingsInput } from './config/jwtSchema.ts';
import { resolvePermissionRoutes } from './config/permissionsSchema.ts';
import { CorsEngine } from './cors/corsEngine.ts';
import type { CorsSettings } from './cors/settings.ts';
import { CsrfPolicy } from './csrf/csrfPolicy.ts';
import { UpgradeOriginCheck } from './csrf/upgradeOrigin.ts';
import { ConfigError, formatConfigIssue, type ConfigIssue } from './errors.ts';
import { ResourceIsolationPolicy } from './fetch-metadata/resourceIsolation.ts';
import { HttpsPolicy } from './https/httpsPolicy.ts';
import { SecurityHeaders } from './https/securityHeaders.ts';
import { ProxyTrust } from './https/trustedProxies.ts';
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
  /** Which proxies' X-Forwarded-* (or Forwarded) headers are believed (docs/https.md). */
  proxy?: ProxySettings;
  /** HSTS and the redirect to HTTPS (docs/https.md). */
  https?: HttpsSettings;
  /** Fetch Metadata resource isolation, CSRF, and the headers of JSON responses (docs/cross-site.md). */
  crossSite?: CrossSiteSettings;
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
  /** The client's address, protocol and host, from the socket or the trusted proxies. */
  readonly proxy: ProxyTrust;
  /** The redirect to HTTPS and the Strict-Transport-Security value. */
  readonly https: HttpsPolicy;
  /** undefined when crossSite.fetchMetadata.enabled is false. */
  readonly fetchMetadata: ResourceIsolationPolicy | undefined;
  /** undefined when crossSite.csrf.enabled is false. */
  readonly csrf: CsrfPolicy | undefined;
  /** HSTS, nosniff, Cross-Origin-Resource-Policy and no-store, per response. */
  readonly securityHeaders: SecurityHeaders;
  /** The Origin check of WebSocket (and other) upgrade requests. */
  readonly upgrades: UpgradeOriginCheck;
  /** The header API keys are read from (lower-case), for telling them from ambient credentials. */
  readonly apiKeyHeader: string;
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
  const proxy = collect(issues, () => resolveProxySettings(options.proxy ?? {}, { nodeEnv }));
  const https = collect(issues, () => resolveHttpsSettings(options.https ?? {}, { nodeEnv }));
  const crossSite = collect(issues, () => resolveCrossSiteSettings(options.crossSite ?? {}, { nodeEnv }));
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
  const warnings = [...cors!.warnings, ...proxy!.warnings, ...https!.warnings, ...crossSite!.warnings];
  for (const warning of warnings) logger.warn({ config: warning }, `Gatehouse config warning: ${formatConfigIssue(warning)}`);
  const corsEngine = new CorsEngine(cors!.value, logger);
  const httpsPolicy = new HttpsPolicy(https!.value, logger);
  const apiKeyHeader = auth?.apiKeys?.headerName?.toLowerCase() ?? 'x-api-key';
  const { fetchMetadata, csrf, headers } = crossSite!.value;
  return Object.freeze({
    cors: corsEngine,
    proxy: new ProxyTrust(proxy!.value),
    https: httpsPolicy,
    fetchMetadata: fetchMetadata.enabled ? new ResourceIsolationPolicy(fetchMetadata, logger) : undefined,
    csrf: csrf.enabled ? new CsrfPolicy(csrf, apiKeyHeader, logger) : undefined,
    securityHeaders: new SecurityHeaders(httpsPolicy.hsts, headers),
    upgrades: new UpgradeOriginCheck(corsEngine, logger),
    apiKeyHeader,
    access,
    logger,
    warnings,
  });
}

export function isGatehouse(value: unknown): value is Gatehouse {
  return typeof value === 'object' && value !== null && (value as Gatehouse).cors instanceof CorsEngine;
}

/** What every adapter accepts: options to build a Gatehouse from, or one to share between adapters. */
export function toGatehouse(options: GatehouseOptions | Gatehouse): Gatehouse {
  return isGatehouse(options) ? options : createGatehouse(options);
}
