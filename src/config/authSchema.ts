// `auth` in the configuration file: which authentication methods are on. The parts are checked by
// their own resolvers (jwtSchema.ts, apiKeySchema.ts); introspection is small enough to live here.

import { z } from 'zod';
import { apiKeySettingsSchema } from './apiKeySchema.ts';
import { jwtSettingsSchema } from './jwtSchema.ts';

export const introspectionSettingsSchema = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of an RFC 7662 introspection endpoint' }),
  clientId: z.string().min(1),
  /** GATEHOUSE_INTROSPECTION_CLIENT_SECRET overrides it, to keep it out of files. */
  clientSecret: z.string().optional(),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
  cacheMaxSeconds: z.number().int().min(0).optional(),
  negativeCacheSeconds: z.number().int().min(0).optional(),
  rolesClaim: z.string().min(1).optional(),
});

export const authSettingsSchema = z.strictObject({
  /** The realm in WWW-Authenticate (RFC 6750 §3); default `api`. */
  realm: z.string().min(1).optional(),
  jwt: jwtSettingsSchema.optional(),
  apiKeys: apiKeySettingsSchema.optional(),
  introspection: introspectionSettingsSchema.optional(),
});

export type AuthSettingsInput = z.input<typeof authSettingsSchema>;
