// Gatehouse's public API. Adapters have their own entry points: gatehouse/node, gatehouse/fetch,
// gatehouse/express, gatehouse/fastify, gatehouse/koa, gatehouse/hono.

export { createGatehouse, type Gatehouse, type GatehouseOptions } from './gatehouse.ts';
export type { CorsSettings, CorsPathPolicy, CorsPathSettings, CorsHookRequest, IsRequestAllowed } from './cors/settings.ts';
export type { CorsDecision, CorsReason, CorsRequest } from './cors/corsEngine.ts';
export { loadConfig, type LoadedConfig, type LoadOptions } from './config/load.ts';
export { corsSettingsFromDjango, corsSettingsFromEnv } from './config/djangoSettings.ts';
export { ConfigError, GatehouseError, formatConfigIssue, type ConfigIssue } from './errors.ts';
export { AuthenticationError, type AuthFailureReason, type BearerErrorCode } from './auth/authErrors.ts';
export type { Principal, PrincipalKind, AuthMethod } from './auth/principal.ts';
export { PROBLEM_CONTENT_TYPE, problem, type Problem } from './problem.ts';
export type { AuthOptions, PermissionRouteOptions } from './gatehouse.ts';
export type { AuthMethodHandler, AuthRequestContext } from './auth/authenticator.ts';
export type { PresentedCredentials } from './auth/credentials.ts';
export { principal } from './auth/principal.ts';
export { createApiKeyStore, type ApiKeyStore, type CreatedApiKey } from './auth/apiKeys/apiKeyStore.ts';
export { InMemoryRevocationList, type RevocationCheck } from './auth/jwt/revocation.ts';
export { openDatabase, type Database } from './store/database.ts';
export { migrateToLatest } from './store/migrations.ts';
export type { ProxySettings, HttpsSettings } from './config/httpsSchema.ts';
export type { CrossSiteSettings } from './config/crossSiteSchema.ts';
export { httpsSettingsFromEnv, httpsSettingsFromDjango } from './config/httpsSchema.ts';
export { crossSiteSettingsFromEnv, crossSiteSettingsFromDjango } from './config/crossSiteSchema.ts';
export { setCookieHeader, clearCookieHeader, type CookieOptions } from './https/setCookie.ts';
export { clientOf, type ResolvedClient, type RequestFacts } from './https/requestFacts.ts';
export type { EngineAnswer } from './https/engineAnswer.ts';
