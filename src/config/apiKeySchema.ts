// `auth.apiKeys`: the shape (zod, wired into the main schema by config/schema.ts) and the start-up
// resolution: the secret from the file or GATEHOUSE_API_KEY_SECRET, its strength, the defaults. What
// comes out is frozen; the key store never re-checks it.

import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { API_KEY_PREFIX_PATTERN, DEFAULT_API_KEY_PREFIX } from '../auth/apiKeys/keyFormat.ts';
import { API_KEY_SECRET_ENV, apiKeySecretIssues } from '../auth/apiKeys/keyHash.ts';
import { settingIssues } from './zodIssues.ts';

export const DEFAULT_API_KEY_HEADER = 'x-api-key';
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const apiKeySettingsSchema = z.strictObject({
  /** HMAC secret, at least 32 bytes; GATEHOUSE_API_KEY_SECRET overrides it (and keeps it out of files). */
  secret: z.string().optional(),
  prefix: z
    .string()
    .regex(API_KEY_PREFIX_PATTERN, { error: 'must be a lower-case letter, 1 to 9 lower-case letters or digits, and "_" (e.g. "gth_")' })
    .default(DEFAULT_API_KEY_PREFIX),
  /** The header carrying the key, besides `Authorization: Bearer` when acceptBearer is true. */
  headerName: z.string().regex(TOKEN, { error: 'must be an HTTP header name such as "x-api-key"' }).default(DEFAULT_API_KEY_HEADER),
  acceptBearer: z.boolean().default(true),
});

export type ApiKeySettingsInput = z.input<typeof apiKeySettingsSchema>;

export interface ResolvedApiKeySettings {
  readonly secret: string;
  readonly prefix: string;
  /** Lower case, as node:http and the Fetch API's Headers report names. */
  readonly headerName: string;
  readonly acceptBearer: boolean;
}

/** Checks `auth.apiKeys` once at start-up and reports every problem together. */
export function resolveApiKeySettings(
  input: unknown,
  env: Readonly<Record<string, string | undefined>> = process.env,
  setting = 'auth.apiKeys',
): ResolvedApiKeySettings {
  const parsed = apiKeySettingsSchema.safeParse(input ?? {});
  if (!parsed.success) throw new ConfigError(settingIssues(parsed.error, setting, {}, Object.keys(apiKeySettingsSchema.shape)));
  const fromEnv = env[API_KEY_SECRET_ENV];
  const secret = fromEnv !== undefined && fromEnv !== '' ? fromEnv : parsed.data.secret;
  const issues: ConfigIssue[] = apiKeySecretIssues(secret, fromEnv ? `${API_KEY_SECRET_ENV} (${setting}.secret)` : `${setting}.secret`);
  const headerName = parsed.data.headerName.toLowerCase();
  if (headerName === 'authorization') {
    issues.push({
      setting: `${setting}.headerName`,
      value: parsed.data.headerName,
      message: 'would read keys from the Authorization header, which carries bearer tokens',
      hint: 'keep the default "x-api-key" and set acceptBearer: true to also accept "Authorization: Bearer <key>"',
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze({ secret: secret as string, prefix: parsed.data.prefix, headerName, acceptBearer: parsed.data.acceptBearer });
}
