// The one zod schema of Gatehouse's configuration: types and shapes. Meaning (is this origin valid,
// is this combination safe) is checked by the resolvers next to it, which report every problem at once.

import { z } from 'zod';
import type { ConfigIssue } from '../errors.ts';
import { settingIssues } from './zodIssues.ts';
import { authSettingsSchema } from './authSchema.ts';
import { permissionRouteSchema } from './permissionsSchema.ts';
import { crossSiteSettingsSchema, csrfSettingsSchema, fetchMetadataSettingsSchema, responseHeaderSettingsSchema } from './crossSiteSchema.ts';
import { hstsSettingsSchema, httpsSettingsSchema, proxySettingsSchema } from './httpsSchema.ts';
import { upstreamObjectSchema, upstreamSettingsSchema } from './gatewaySchema.ts';
import { rateLimitSettingsSchema, redisSettingsSchema, serverExtraShape, tokenSettingsSchema } from './serverSchema.ts';

const stringList = z.array(z.string());

const corsPathSettingsShape = {
  allowedOrigins: stringList.optional(),
  allowedOriginRegexes: stringList.optional(),
  allowedOriginPatterns: stringList.optional(),
  allowAllOrigins: z.boolean().optional(),
  allowMethods: stringList.optional(),
  allowHeaders: stringList.optional(),
  exposeHeaders: stringList.optional(),
  preflightMaxAge: z.number().int().min(0).optional(),
  allowCredentials: z.boolean().optional(),
  allowPrivateNetwork: z.boolean().optional(),
  strict: z.boolean().optional(),
  debugHeader: z.boolean().optional(),
  publicData: z.boolean().optional(),
};

export const corsPathPolicySchema = z.strictObject({ path: z.string(), ...corsPathSettingsShape });

export const corsSettingsSchema = z.strictObject({
  ...corsPathSettingsShape,
  urlsRegex: z.string().optional(),
  paths: z.array(corsPathPolicySchema).optional(),
});

export const serverSettingsSchema = z.strictObject({
  host: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  ...serverExtraShape,
});

export const logSettingsSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

export const databaseSettingsSchema = z.strictObject({
  /** `sqlite:./gatehouse.db` (default), `sqlite::memory:` or `postgres://…`; DATABASE_URL overrides it. */
  url: z.string().min(1).optional(),
});

export const gatehouseConfigSchema = z.strictObject({
  cors: corsSettingsSchema.optional(),
  auth: authSettingsSchema.optional(),
  /** Per method + path rules (docs/permissions.md); checked by resolvePermissionRoutes. */
  permissions: z.array(permissionRouteSchema).optional(),
  defaultRule: z.string().optional(),
  /** Whose X-Forwarded-* / Forwarded headers are believed (docs/https.md). */
  proxy: proxySettingsSchema.optional(),
  /** HSTS and the redirect to HTTPS (docs/https.md). */
  https: httpsSettingsSchema.optional(),
  /** Fetch Metadata, CSRF, the headers of JSON responses (docs/cross-site.md). */
  crossSite: crossSiteSettingsSchema.optional(),
  database: databaseSettingsSchema.optional(),
  /** The ready server's access and refresh tokens (simplejwt's settings). */
  tokens: tokenSettingsSchema.optional(),
  /** The ready server's rate limits (DRF's throttle rates). */
  rateLimits: rateLimitSettingsSchema.optional(),
  redis: redisSettingsSchema.optional(),
  /** Gateway mode: forward what Gatehouse lets through to this API (docs/gateway.md). */
  upstream: upstreamSettingsSchema.optional(),
  server: serverSettingsSchema.optional(),
  log: logSettingsSchema.optional(),
});

export type GatehouseConfigInput = z.infer<typeof gatehouseConfigSchema>;

const KNOWN_KEYS = [
  ...Object.keys(corsSettingsSchema.shape),
  ...Object.keys(gatehouseConfigSchema.shape),
  ...Object.keys(serverSettingsSchema.shape),
  ...Object.keys(authSettingsSchema.shape),
  ...Object.keys(proxySettingsSchema.shape),
  ...Object.keys(httpsSettingsSchema.shape),
  ...Object.keys(hstsSettingsSchema.shape),
  ...Object.keys(crossSiteSettingsSchema.shape),
  ...Object.keys(fetchMetadataSettingsSchema.shape),
  ...Object.keys(csrfSettingsSchema.shape),
  ...Object.keys(responseHeaderSettingsSchema.shape),
  ...Object.keys(tokenSettingsSchema.shape),
  ...Object.keys(rateLimitSettingsSchema.shape),
  ...Object.keys(upstreamObjectSchema.shape),
  'prefix',
  'path',
  'methods',
  'rule',
];

/** Turns zod's issues into ConfigIssues, with a "did you mean" among every Gatehouse setting name. */
export function zodIssues(error: z.ZodError, prefix: string, djangoNames: Readonly<Record<string, string>> = {}): ConfigIssue[] {
  return settingIssues(error, prefix, djangoNames, KNOWN_KEYS);
}
