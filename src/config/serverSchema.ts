// The ready server's own sections: `tokens` (simplejwt's settings), `rateLimits` (DRF's throttle
// rates), `redis`, and the server's extra `server` keys. Shapes here; `resolveServerSettings` checks
// meaning once at start-up and hands out frozen values with durations in seconds.

import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { parseRate, type Rate } from '../ratelimit/rate.ts';

const duration = z.union([z.number().int().min(1), z.string().min(1)], { error: 'must be a number of seconds or a duration such as "5m", "1h", "1d"' });
const rate = z.union([z.string().min(1), z.literal(false)], { error: 'must be a rate such as "100/minute", or false to turn the limit off' });

export const tokenSettingsSchema = z.strictObject({
  /** simplejwt ACCESS_TOKEN_LIFETIME; default 5 minutes. */
  accessTokenLifetime: duration.optional(),
  /** simplejwt REFRESH_TOKEN_LIFETIME; default 1 day. */
  refreshTokenLifetime: duration.optional(),
  /** How long a cookie session (POST /api/session/) lasts; default 12 hours. */
  sessionLifetime: duration.optional(),
  /** simplejwt ROTATE_REFRESH_TOKENS; default true (simplejwt's is false). */
  rotateRefreshTokens: z.boolean().optional(),
  /** simplejwt ISSUER; default `gatehouse`. */
  issuer: z.string().min(1).optional(),
  /** simplejwt AUDIENCE; default none. */
  audience: z.string().min(1).optional(),
  /** simplejwt ALGORITHM: the HMAC algorithms, keyed with the server's signing key. */
  algorithm: z.enum(['HS256', 'HS384', 'HS512']).optional(),
});

export const rateLimitOverrideSchema = z.strictObject({
  /** Matches a Principal by any of these; every key given must match. */
  subject: z.string().min(1).optional(),
  kind: z.enum(['user', 'api-key', 'client']).optional(),
  role: z.string().min(1).optional(),
  scope: z.string().min(1).optional(),
  rate,
});

export const rateLimitSettingsSchema = z.strictObject({
  /** DRF's AnonRateThrottle: requests without credentials, per client IP. Default 100/minute. */
  anon: rate.optional(),
  /** DRF's UserRateThrottle: per Principal (user, API key, client). Default 1000/minute. */
  user: rate.optional(),
  /** POST /api/token/ per username + IP: guesses at one account. Default 5/minute. */
  login: rate.optional(),
  /** POST /api/token/ per IP, whatever the username: one address trying many accounts. Default 30/minute. */
  loginPerIp: rate.optional(),
  /** Per-principal rates instead of `user`; the first entry that matches applies. */
  overrides: z.array(rateLimitOverrideSchema).optional(),
});

export const redisSettingsSchema = z.strictObject({
  /** `redis://127.0.0.1:6379`; REDIS_URL overrides it. Without it, rate limits are per process. */
  url: z.string().min(1).optional(),
  /** Namespaces the keys, so deployments can share one Redis; default `gatehouse`. */
  keyPrefix: z.string().regex(/^[\w.:-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, and . : _ -' }).optional(),
});

/** Keys the ready server adds to `server` (host and port are in schema.ts). */
export const serverExtraShape = {
  /** Largest request body, bytes; default 1 MiB. */
  bodyLimit: z.number().int().min(1).max(1024 ** 3).optional(),
  /** Create a demo admin and a few posts when the database has no user; default true. */
  seedDemoData: z.boolean().optional(),
  /** With TLS: a plain-HTTP port whose listener redirects to HTTPS (--redirect-http). */
  httpRedirectPort: z.number().int().min(0).max(65535).optional(),
  /** Milliseconds to finish requests in flight on SIGTERM before closing their connections; default 10000. */
  shutdownGraceMs: z.number().int().min(0).optional(),
};

export type TokenSettingsInput = z.infer<typeof tokenSettingsSchema>;
export type RateLimitSettingsInput = z.infer<typeof rateLimitSettingsSchema>;

export interface ResolvedTokenSettings {
  readonly accessTokenLifetimeSeconds: number;
  readonly refreshTokenLifetimeSeconds: number;
  readonly sessionLifetimeSeconds: number;
  readonly rotateRefreshTokens: boolean;
  readonly issuer: string;
  readonly audience: string | undefined;
  readonly algorithm: 'HS256' | 'HS384' | 'HS512';
}

export interface RateLimitOverride {
  readonly subject?: string;
  readonly kind?: 'user' | 'api-key' | 'client';
  readonly role?: string;
  readonly scope?: string;
  readonly rate: Rate | undefined;
}

export interface ResolvedRateLimits {
  readonly anon: Rate | undefined;
  readonly user: Rate | undefined;
  readonly login: Rate | undefined;
  readonly loginPerIp: Rate | undefined;
  readonly overrides: readonly RateLimitOverride[];
}

export const SIMPLE_JWT_TOKEN_NAMES: Readonly<Record<string, string>> = {
  accessTokenLifetime: 'SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]',
  refreshTokenLifetime: 'SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]',
  rotateRefreshTokens: 'SIMPLE_JWT["ROTATE_REFRESH_TOKENS"]',
  issuer: 'SIMPLE_JWT["ISSUER"]',
  audience: 'SIMPLE_JWT["AUDIENCE"]',
  algorithm: 'SIMPLE_JWT["ALGORITHM"]',
};

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `90`, `"90s"`, `"5m"`, `"12h"`, `"1d"`, `"2w"` → seconds; a message when unreadable. */
export function parseDuration(value: number | string): number | string {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d{1,9})\s*([smhdw])\s*$/i.exec(value);
  if (match === null) return 'must be a number of seconds or a duration such as "90s", "5m", "12h", "1d" or "2w"';
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]!.toLowerCase()]!;
  return seconds >= 1 ? seconds : 'must be at least 1 second';
}

export const DEFAULT_RATES = { anon: '100/minute', user: '1000/minute', login: '5/minute', loginPerIp: '30/minute' } as const;

export function resolveServerSettings(input: { tokens?: TokenSettingsInput | undefined; rateLimits?: RateLimitSettingsInput | undefined }): {
  tokens: ResolvedTokenSettings;
  rateLimits: ResolvedRateLimits;
} {
  const issues: ConfigIssue[] = [];
  const tokens = input.tokens ?? {};
  const seconds = (key: 'accessTokenLifetime' | 'refreshTokenLifetime' | 'sessionLifetime', fallback: number): number => {
    const value = tokens[key];
    if (value === undefined) return fallback;
    const parsed = parseDuration(value);
    if (typeof parsed === 'string') {
      issues.push({ setting: `tokens.${key}`, djangoName: SIMPLE_JWT_TOKEN_NAMES[key], value, message: parsed });
      return fallback;
    }
    return parsed;
  };
  const access = seconds('accessTokenLifetime', 300);
  const refresh = seconds('refreshTokenLifetime', 86_400);
  const session = seconds('sessionLifetime', 12 * 3600);
  if (refresh <= access) {
    issues.push({ setting: 'tokens.refreshTokenLifetime', djangoName: SIMPLE_JWT_TOKEN_NAMES.refreshTokenLifetime, value: tokens.refreshTokenLifetime ?? refresh, message: `must be longer than tokens.accessTokenLifetime (${access} s)`, hint: 'a refresh token outlives the access tokens it renews' });
  }
  const rates = input.rateLimits ?? {};
  const rateOf = (setting: string, value: string | false | undefined, fallback: string | undefined): Rate | undefined => {
    const written = value === undefined ? fallback : value;
    if (written === false || written === undefined) return undefined;
    const parsed = parseRate(written);
    if (typeof parsed === 'string') {
      issues.push({ setting, value: written, message: parsed });
      return undefined;
    }
    return parsed;
  };
  const rateLimits: ResolvedRateLimits = {
    anon: rateOf('rateLimits.anon', rates.anon, DEFAULT_RATES.anon),
    user: rateOf('rateLimits.user', rates.user, DEFAULT_RATES.user),
    login: rateOf('rateLimits.login', rates.login, DEFAULT_RATES.login),
    loginPerIp: rateOf('rateLimits.loginPerIp', rates.loginPerIp, DEFAULT_RATES.loginPerIp),
    overrides: (rates.overrides ?? []).map((entry, i) => {
      if (entry.subject === undefined && entry.kind === undefined && entry.role === undefined && entry.scope === undefined) {
        issues.push({ setting: `rateLimits.overrides[${i}]`, message: 'matches every Principal', hint: 'give subject, kind, role or scope, or set rateLimits.user instead' });
      }
      const { rate: written, ...match } = entry;
      return Object.freeze({ ...match, rate: rateOf(`rateLimits.overrides[${i}].rate`, written, undefined) });
    }),
  };
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze({
    tokens: Object.freeze({
      accessTokenLifetimeSeconds: access,
      refreshTokenLifetimeSeconds: refresh,
      sessionLifetimeSeconds: session,
      rotateRefreshTokens: tokens.rotateRefreshTokens ?? true,
      issuer: tokens.issuer ?? 'gatehouse',
      audience: tokens.audience,
      algorithm: tokens.algorithm ?? 'HS256',
    }),
    rateLimits: Object.freeze(rateLimits),
  });
}
