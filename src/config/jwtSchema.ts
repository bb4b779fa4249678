// Start-up validation of `auth.jwt`: the trusted issuers, each with its own key source and algorithm
// allowlist. Every problem names the setting, the value and the fix, and all are reported at once.
// What comes out is resolved: parsed keys, decoded secrets, defaults applied. The verifier never
// validates configuration at request time.

import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { closest } from '../text/editDistance.ts';
import { settingIssues as zodIssues } from './zodIssues.ts';

/** RFC 7518 §3.2 HMAC algorithms, and the shortest secret each accepts (the hash size, §3.2). */
export const SECRET_ALGORITHMS = { HS256: 32, HS384: 48, HS512: 64 } as const;

/** The public-key algorithms jose verifies on Node 20 (ML-DSA needs a newer WebCrypto). */
export const PUBLIC_KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

export type SecretAlgorithm = keyof typeof SECRET_ALGORITHMS;
export type PublicKeyAlgorithm = (typeof PUBLIC_KEY_ALGORITHMS)[number];
export type JwtAlgorithm = SecretAlgorithm | PublicKeyAlgorithm;

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
export const DEFAULT_ROLES_CLAIM = 'roles';
export const DEFAULT_JWKS_CACHE_MAX_AGE_SECONDS = 600;
export const DEFAULT_JWKS_COOLDOWN_SECONDS = 30;

const seconds = z.number().int().min(0);
const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'must be a string or a non-empty list of strings' });

export const jwtIssuerSchema = z.strictObject({
  issuer: z.string().min(1),
  audience: stringOrList.optional(),
  algorithms: z.array(z.string(), { error: (issue) => (issue.input === undefined ? 'is required: list the algorithms this issuer signs with, e.g. ["RS256"]' : 'must be a list of algorithm names') }),
  secret: z.string().optional(),
  publicKey: z.union([z.string(), z.record(z.string(), z.unknown())], { error: 'must be a PEM string or a JWK object' }).optional(),
  jwksUrl: z.string().optional(),
  clockToleranceSeconds: seconds.optional(),
  maxTokenAgeSeconds: seconds.min(1).optional(),
  requiredClaims: z.array(z.string().min(1)).optional(),
  requiredClaimValues: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).optional(),
  requireAccessTokenType: z.boolean().optional(),
  scopesClaim: z.string().min(1).optional(),
  rolesClaim: z.string().min(1).optional(),
  jwksCacheMaxAgeSeconds: seconds.min(1).optional(),
  jwksCooldownSeconds: seconds.optional(),
});

export const jwtSettingsSchema = z.strictObject({
  issuers: z.array(jwtIssuerSchema).min(1, { error: 'must list at least one trusted issuer' }),
});

export type JwtIssuerInput = z.infer<typeof jwtIssuerSchema>;
export type JwtSettingsInput = z.infer<typeof jwtSettingsSchema>;

export type JwtKeySource =
  | { readonly kind: 'secret'; readonly secret: Uint8Array }
  | { readonly kind: 'public-key'; readonly key: KeyObject }
  | { readonly kind: 'jwks'; readonly url: URL; readonly cacheMaxAgeSeconds: number; readonly cooldownSeconds: number };

export interface ResolvedJwtIssuer {
  readonly issuer: string;
  readonly audience: readonly string[] | undefined;
  readonly algorithms: readonly JwtAlgorithm[];
  readonly keySource: JwtKeySource;
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds: number | undefined;
  readonly requiredClaims: readonly string[];
  /** Claims that must hold exactly these values, e.g. simplejwt's `token_type: access`. */
  readonly requiredClaimValues: Readonly<Record<string, string | number | boolean>>;
  readonly requireAccessTokenType: boolean;
  /** undefined: `scope` (space-separated, RFC 8693 §4.2) or else `scp` (a list). */
  readonly scopesClaim: string | undefined;
  readonly rolesClaim: string;
}

export interface ResolvedJwtSettings {
  /** By exact `iss` value (RFC 7519 §4.1.1: a case-sensitive string). */
  readonly issuers: ReadonlyMap<string, ResolvedJwtIssuer>;
}

/** The djangorestframework-simplejwt name of each setting, for messages a Django user recognises. */
export const SIMPLE_JWT_NAMES: Readonly<Record<string, string>> = {
  issuer: 'SIMPLE_JWT["ISSUER"]',
  audience: 'SIMPLE_JWT["AUDIENCE"]',
  algorithms: 'SIMPLE_JWT["ALGORITHM"]',
  secret: 'SIMPLE_JWT["SIGNING_KEY"]',
  publicKey: 'SIMPLE_JWT["VERIFYING_KEY"]',
  jwksUrl: 'SIMPLE_JWT["JWK_URL"]',
  clockToleranceSeconds: 'SIMPLE_JWT["LEEWAY"]',
};

const ISSUER_KEYS = Object.keys(jwtIssuerSchema.shape);
const ALL_ALGORITHMS: readonly string[] = [...Object.keys(SECRET_ALGORITHMS), ...PUBLIC_KEY_ALGORITHMS];

export function resolveJwtSettings(input: unknown, context: { readonly prefix?: string } = {}): ResolvedJwtSettings {
  const prefix = context.prefix ?? 'auth.jwt';
  const parsed = jwtSettingsSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(zodIssues(parsed.error, prefix, SIMPLE_JWT_NAMES).map(betterKeyHint));
  const issues: ConfigIssue[] = [];
  const issuers = new Map<string, ResolvedJwtIssuer>();
  const firstIndex = new Map<string, number>();
  parsed.data.issuers.forEach((entry, i) => {
    const at = `${prefix}.issuers[${i}]`;
    const resolved = resolveIssuer(entry, at, issues);
    const earlier = firstIndex.get(entry.issuer);
    if (earlier !== undefined) {
      issues.push({ setting: `${at}.issuer`, djangoName: SIMPLE_JWT_NAMES.issuer, value: entry.issuer, message: `is already configured by ${prefix}.issuers[${earlier}]`, hint: 'merge the two entries: one issuer has one key source and one algorithm list' });
      return;
    }
    firstIndex.set(entry.issuer, i);
    if (resolved !== undefined) issuers.set(entry.issuer, resolved);
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze({ issuers });
}

function resolveIssuer(entry: JwtIssuerInput, at: string, issues: ConfigIssue[]): ResolvedJwtIssuer | undefined {
  const issue = (key: string, value: unknown, message: string, hint?: string) =>
    issues.push({ setting: `${at}.${key}`, ...djangoName(key), value, message, ...(hint ? { hint } : {}) });
  const before = issues.length;

  const algorithms: JwtAlgorithm[] = [];
  if (entry.algorithms.length === 0) issue('algorithms', [], 'must list at least one algorithm: an empty allowlist would accept none, or (in some libraries) any', 'list what the issuer signs with, e.g. ["RS256"]');
  entry.algorithms.forEach((alg, j) => {
    if (alg.toLowerCase() === 'none') {
      // RFC 8725 §3.1/§3.2: unsecured tokens are never acceptable as credentials.
      issue(`algorithms[${j}]`, alg, 'is refused: "none" means unsigned tokens, which anyone can forge', 'remove it and list a signing algorithm such as "RS256"');
    } else if (!ALL_ALGORITHMS.includes(alg)) {
      const suggestion = closest(alg, ALL_ALGORITHMS, 2);
      issue(`algorithms[${j}]`, alg, `is not a supported JWS algorithm (${ALL_ALGORITHMS.join(', ')})`, suggestion ? `did you mean "${suggestion}"?` : undefined);
    } else if (!algorithms.includes(alg as JwtAlgorithm)) algorithms.push(alg as JwtAlgorithm);
  });
  const secretAlgs = algorithms.filter((a): a is SecretAlgorithm => a in SECRET_ALGORITHMS);
  const publicAlgs = algorithms.filter((a): a is PublicKeyAlgorithm => !(a in SECRET_ALGORITHMS));
  if (secretAlgs.length > 0 && publicAlgs.length > 0) {
    // RFC 8725 §2.1: one issuer mixing HMAC and public-key algorithms invites algorithm confusion.
    issue('algorithms', entry.algorithms, 'mixes HMAC (HS*) and public-key algorithms: a public key could then be misused as an HMAC secret', 'configure the secret and the public key as two issuers, or keep one family');
  }

  const sources = (['secret', 'publicKey', 'jwksUrl'] as const).filter((key) => entry[key] !== undefined);
  if (sources.length !== 1) {
    issues.push({
      setting: at,
      value: sources.length === 0 ? undefined : sources,
      message: sources.length === 0 ? 'has no key source' : `has ${sources.length} key sources (${sources.join(', ')})`,
      hint: 'set exactly one of secret (HS*), publicKey (PEM or JWK) or jwksUrl',
    });
  }

  let keySource: JwtKeySource | undefined;
  if (entry.secret !== undefined && sources.length === 1) {
    if (publicAlgs.length > 0) issue('secret', '<hidden>', `cannot verify ${publicAlgs.join(', ')}: a shared secret only verifies HS256/HS384/HS512`, 'set publicKey or jwksUrl for public-key algorithms');
    keySource = resolveSecret(entry.secret, secretAlgs, issue);
  } else if (entry.publicKey !== undefined && sources.length === 1) {
    if (secretAlgs.length > 0) issue('publicKey', describeKey(entry.publicKey), `cannot verify ${secretAlgs.join(', ')}: HMAC needs a shared secret, and using a public key as one is the classic algorithm-confusion attack`, 'list public-key algorithms such as "RS256", or use secret');
    keySource = resolvePublicKey(entry.publicKey, publicAlgs, issue);
  } else if (entry.jwksUrl !== undefined && sources.length === 1) {
    if (secretAlgs.length > 0) issue('jwksUrl', entry.jwksUrl, `cannot serve ${secretAlgs.join(', ')}: a JWKS publishes public keys only`, 'list public-key algorithms such as "RS256", or use secret');
    const url = resolveJwksUrl(entry.jwksUrl, issue);
    if (url !== undefined) {
      keySource = {
        kind: 'jwks',
        url,
        cacheMaxAgeSeconds: entry.jwksCacheMaxAgeSeconds ?? DEFAULT_JWKS_CACHE_MAX_AGE_SECONDS,
        cooldownSeconds: entry.jwksCooldownSeconds ?? DEFAULT_JWKS_COOLDOWN_SECONDS,
      };
    }
  }

  if (issues.length > before || keySource === undefined) return undefined;
  return Object.freeze({
    issuer: entry.issuer,
    audience: entry.audience === undefined ? undefined : typeof entry.audience === 'string' ? [entry.audience] : [...entry.audience],
    algorithms,
    keySource,
    clockToleranceSeconds: entry.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    maxTokenAgeSeconds: entry.maxTokenAgeSeconds,
    requiredClaims: [...new Set(entry.requiredClaims ?? [])],
    requiredClaimValues: Object.freeze({ ...(entry.requiredClaimValues ?? {}) }),
    requireAccessTokenType: entry.requireAccessTokenType ?? false,
    scopesClaim: entry.scopesClaim,
    rolesClaim: entry.rolesClaim ?? DEFAULT_ROLES_CLAIM,
  });
}

function djangoName(key: string): { djangoName?: string } {
  const name = SIMPLE_JWT_NAMES[key.replace(/\[\d+\]$/, '')];
  return name === undefined ? {} : { djangoName: name };
}

type IssueSink = (key: string, value: unknown, message: string, hint?: string) => void;

function resolveSecret(secret: string, algorithms: readonly SecretAlgorithm[], issue: IssueSink): JwtKeySource | undefined {
  if (/-----BEGIN [A-Z ]*KEY-----/.test(secret)) {
    issue('secret', '<a PEM key>', 'holds a PEM key, not a shared secret: verifying HS* with a public key lets anyone who has the key forge tokens', 'put the PEM in publicKey and list "RS256"/"ES256"/"EdDSA" in algorithms');
    return undefined;
  }
  const bytes = new TextEncoder().encode(secret);
  // RFC 7518 §3.2: a key of the same size as the hash output (or larger) MUST be used.
  const needed = Math.max(SECRET_ALGORITHMS.HS256, ...algorithms.map((a) => SECRET_ALGORITHMS[a]));
  if (bytes.length < needed) {
    issue('secret', `<${bytes.length} bytes>`, `is too short for ${algorithms.join(', ') || 'HMAC'}: ${needed} bytes at least (RFC 7518 §3.2)`, `generate one with: node -e "console.log(require('crypto').randomBytes(${needed}).toString('base64url'))"`);
    return undefined;
  }
  return { kind: 'secret', secret: bytes };
}

/** Which algorithms a public key of this type can verify. */
function algorithmsForKey(key: KeyObject): readonly PublicKeyAlgorithm[] {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec':
      return curve === 'prime256v1' ? ['ES256'] : curve === 'secp384r1' ? ['ES384'] : curve === 'secp521r1' ? ['ES512'] : [];
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return [];
  }
}

function resolvePublicKey(material: string | Record<string, unknown>, algorithms: readonly PublicKeyAlgorithm[], issue: IssueSink): JwtKeySource | undefined {
  const shown = describeKey(material);
  const isPrivate = typeof material === 'string' ? /PRIVATE KEY-----/.test(material) : 'd' in material || material.kty === 'oct';
  if (isPrivate) {
    issue('publicKey', shown, 'holds a private or symmetric key: the verifier needs only the public key, and a leaked config must not leak the signing key', 'export the public half (openssl pkey -pubout) and configure that');
    return undefined;
  }
  let key: KeyObject;
  try {
    key = typeof material === 'string' ? createPublicKey(material) : createPublicKey({ key: material as JsonWebKey, format: 'jwk' });
  } catch (error) {
    issue('publicKey', shown, `is not a readable public key: ${(error as Error).message}`, 'paste a PEM "-----BEGIN PUBLIC KEY-----" block or a public JWK object');
    return undefined;
  }
  const fits = algorithmsForKey(key);
  const misfits = algorithms.filter((a) => !fits.includes(a));
  if (misfits.length > 0) {
    issue('publicKey', shown, `is a ${key.asymmetricKeyType} key${key.asymmetricKeyDetails?.namedCurve ? ` on ${key.asymmetricKeyDetails.namedCurve}` : ''}, which cannot verify ${misfits.join(', ')}`, fits.length > 0 ? `list only ${fits.join(', ')} in algorithms` : 'use an RSA, EC (P-256/384/521) or Ed25519 key');
    return undefined;
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && bits < 2048) {
    // RFC 7518 §3.3: RSA keys of 2048 bits or larger MUST be used.
    issue('publicKey', shown, `is a ${bits}-bit RSA key; 2048 bits at least (RFC 7518 §3.3)`, 'rotate to a 2048-bit (or larger) key');
    return undefined;
  }
  if (typeof material !== 'string' && typeof material.alg === 'string' && algorithms.some((a) => a !== material.alg)) {
    issue('algorithms', algorithms, `includes algorithms other than the key's own "alg" (${material.alg})`, `list only "${material.alg}"`);
    return undefined;
  }
  return { kind: 'public-key', key };
}

function resolveJwksUrl(source: string, issue: IssueSink): URL | undefined {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    issue('jwksUrl', source, 'is not an absolute URL', 'write e.g. "https://auth.example.com/.well-known/jwks.json"');
    return undefined;
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  issue(
    'jwksUrl',
    source,
    url.protocol === 'http:' ? 'uses plain http: anyone on the network path could substitute their own keys' : `uses ${url.protocol}, not https:`,
    url.protocol === 'http:' ? `use "https://${url.host}${url.pathname}${url.search}" (plain http is allowed only for 127.0.0.0/8, ::1 and localhost, for development)` : 'serve the key set over https',
  );
  return undefined;
}

function isLoopback(hostname: string): boolean {
  // WHATWG URL has already normalised IPv4 forms (127.1 → 127.0.0.1) and brackets IPv6 hosts.
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** A safe description of key material for messages: never the key itself. */
function describeKey(material: string | Record<string, unknown>): string {
  if (typeof material !== 'string') return `<JWK kty=${String(material.kty)}${material.kid === undefined ? '' : ` kid=${String(material.kid)}`}>`;
  const label = /-----BEGIN ([A-Z ]+)-----/.exec(material)?.[1];
  return label ? `<PEM ${label}>` : `<${material.length} characters>`;
}

/** zodIssues suggests CORS keys for a misspelt key; here the candidates are the issuer settings. */
function betterKeyHint(issue: ConfigIssue): ConfigIssue {
  if (issue.message !== 'is not a Gatehouse setting') return issue;
  const key = issue.setting.split('.').at(-1) ?? '';
  const { hint: _ignored, ...rest } = issue;
  const suggestion = closest(key, [...ISSUER_KEYS, 'issuers']) ?? Object.entries(SIMPLE_JWT_NAMES).find(([, name]) => name.includes(`"${key}"`))?.[0];
  return suggestion === undefined ? rest : { ...rest, hint: `did you mean "${suggestion}"?` };
}
