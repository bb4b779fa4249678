// Bearer JWT verification (RFC 7519, RFC 8725 best practices, RFC 9068 access tokens). The unverified
// `iss` only chooses which configured issuer to verify against; everything else (signature with THAT
// issuer's keys and algorithms, exp, nbf, aud, age, type, required claims) is checked by jose. Verified
// tokens are cached by a hash of the token until they expire; revocation is asked on every call.

import * as nodeCrypto from 'node:crypto';
import { decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { ResolvedJwtIssuer, ResolvedJwtSettings } from '../../config/jwtSchema.ts';
import { createLogger, type Logger } from '../../logger.ts';
import { AuthenticationError } from '../authErrors.ts';
import type { Principal } from '../principal.ts';
import { createJwksCache, type JwksCache } from './jwksCache.ts';
import type { RevocationCheck, RevocationQuery } from './revocation.ts';

export interface JwtVerifierOptions {
  readonly revocation?: RevocationCheck;
  readonly logger?: Logger;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
  /** Verified tokens kept in memory; default 10000, 0 turns the cache off. */
  readonly cacheSize?: number;
  /** Per JWKS fetch; default 5000. */
  readonly jwksTimeoutMs?: number;
}

export interface JwtVerifierStats {
  /** Calls into jose's signature and claims verification. */
  readonly signatureChecks: number;
  /** Calls answered from the verification cache (revocation still asked). */
  readonly cacheHits: number;
}

export interface JwtVerifier {
  verify(token: string): Promise<Principal>;
  readonly stats: JwtVerifierStats;
}

/** A verified token, as cached: everything needed to build a fresh Principal per call. */
interface Verified {
  readonly fields: Omit<Principal, 'scopes' | 'roles'>;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  /** What the revocation list is asked on every call, built once. */
  readonly revocationQuery: RevocationQuery;
  /** Milliseconds: from then on jose would refuse the token (exp, or maxTokenAge). */
  readonly validUntil: number;
}

// Far above any real access token, far below what would make hashing or parsing a cost.
const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * The cache key of a token: its SHA-256, so the cache keeps no bearer token. crypto.hash (Node
 * 20.12+) does it in one call, without the Hash object createHash makes on every request.
 */
const cacheKeyOf: (token: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (token) => nodeCrypto.hash('sha256', token, 'base64url')
    : (token) => nodeCrypto.createHash('sha256').update(token).digest('base64url');

export function createJwtVerifier(settings: ResolvedJwtSettings, options: JwtVerifierOptions = {}): JwtVerifier {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger(undefined);
  const cacheSize = options.cacheSize ?? 10_000;
  const cache = new Map<string, Verified>();
  const inFlight = new Map<string, Promise<Verified>>();
  const stats = { signatureChecks: 0, cacheHits: 0 };
  const jwksCaches = new Map<string, JwksCache>();
  // jose imports a secret given as bytes (or as a KeyObject) into WebCrypto again on every
  // verification; a CryptoKey is used as it is. One per issuer and algorithm: an HMAC key carries its hash.
  const hmacKeys = new Map<string, Promise<nodeCrypto.webcrypto.CryptoKey>>();
  const hmacKey = (issuer: string, secret: Uint8Array, alg: string): Promise<nodeCrypto.webcrypto.CryptoKey> => {
    const id = `${issuer}\u0000${alg}`;
    let key = hmacKeys.get(id);
    if (key === undefined) {
      // alg is one of this issuer's HS256/HS384/HS512: jose checked the allowlist before asking.
      key = nodeCrypto.webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['verify']);
      hmacKeys.set(id, key);
    }
    return key;
  };
  for (const config of settings.issuers.values()) {
    const source = config.keySource;
    if (source.kind !== 'jwks') continue;
    jwksCaches.set(
      config.issuer,
      createJwksCache({ url: source.url, maxAgeSeconds: source.cacheMaxAgeSeconds, cooldownSeconds: source.cooldownSeconds, now, logger, ...(options.jwksTimeoutMs ? { timeoutMs: options.jwksTimeoutMs } : {}) }),
    );
  }

  async function check(token: string): Promise<Verified> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch (error) {
      throw new AuthenticationError('token-malformed', `not a compact JWS JWT: ${(error as Error).message}`);
    }
    if (typeof unverified.iss !== 'string') throw new AuthenticationError('issuer-unknown', 'the token has no "iss" claim, so no configured issuer can vouch for it');
    const config = settings.issuers.get(unverified.iss);
    if (config === undefined) throw new AuthenticationError('issuer-unknown', `"${unverified.iss.slice(0, 200)}" is not a configured issuer`);

    const verifyOptions: JWTVerifyOptions = {
      // RFC 8725 §3.1: only this issuer's algorithms, so neither `none` nor HS-with-a-public-key passes.
      algorithms: [...config.algorithms],
      issuer: config.issuer,
      audience: config.audience === undefined ? undefined : [...config.audience],
      clockTolerance: config.clockToleranceSeconds,
      maxTokenAge: config.maxTokenAgeSeconds,
      // Tokens without exp would be valid forever; RFC 9068 §2.2 makes it REQUIRED for access tokens.
      requiredClaims: ['exp', ...config.requiredClaims],
      // RFC 9068 §4: "at+jwt" keeps ID tokens and other JWTs from being replayed as access tokens.
      typ: config.requireAccessTokenType ? 'at+jwt' : undefined,
      currentDate: new Date(now()),
    };
    stats.signatureChecks++;
    const payload = await verifySignedToken(token, config, verifyOptions);
    return verified(payload, config);
  }

  async function verifySignedToken(token: string, config: ResolvedJwtIssuer, verifyOptions: JWTVerifyOptions): Promise<JWTPayload> {
    const source = config.keySource;
    try {
      if (source.kind === 'secret') return (await jwtVerify(token, (header) => hmacKey(config.issuer, source.secret, header.alg!), verifyOptions)).payload;
      if (source.kind === 'public-key') return (await jwtVerify(token, source.key, verifyOptions)).payload;
      return (await jwtVerify(token, jwksCaches.get(config.issuer)!.getKey, verifyOptions)).payload;
    } catch (error) {
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw authFailure(error, logger);
      // Several keys fit (no kid, or a reused kid): the token is good if one of them verifies it.
      for await (const key of error) {
        try {
          return (await jwtVerify(token, key, verifyOptions)).payload;
        } catch (inner) {
          if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw authFailure(inner, logger);
        }
      }
      throw new AuthenticationError('signature-invalid', 'no key of the issuer\'s key set verifies the signature');
    }
  }

  return {
    get stats() {
      return { ...stats };
    },
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        throw new AuthenticationError('token-malformed', `a JWT is a string of 1 to ${MAX_TOKEN_LENGTH} characters`);
      }
      const key = cacheKeyOf(token);
      let entry = cache.get(key);
      if (entry !== undefined && now() >= entry.validUntil) {
        cache.delete(key);
        entry = undefined;
      }
      if (entry !== undefined) {
        stats.cacheHits++;
        cache.delete(key); // re-insert: Map order is then least recently used first
        cache.set(key, entry);
      } else {
        let pending = inFlight.get(key);
        if (pending === undefined) {
          pending = check(token).finally(() => inFlight.delete(key));
          inFlight.set(key, pending);
        }
        entry = await pending;
        if (cacheSize > 0) {
          if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
          cache.set(key, entry);
        }
      }
      const { fields } = entry;
      // Asked on every call: a cached signature check must never outlive a revocation. A list that
      // answers at once (the in-memory one) costs no extra turn of the event loop.
      if (options.revocation !== undefined) {
        const answer = options.revocation.isRevoked(entry.revocationQuery);
        if (answer === true || (answer !== false && (await answer))) {
          throw new AuthenticationError('token-revoked', `the token${fields.credentialId === undefined ? '' : ` (jti "${fields.credentialId}")`} of "${fields.subject}" has been revoked`);
        }
      }
      // A fresh Principal per call: its Sets are mutable at run time and must not leak into the cache.
      return Object.freeze({ ...fields, scopes: new Set(entry.scopes), roles: new Set(entry.roles) });
    },
  };
}

function verified(payload: JWTPayload, config: ResolvedJwtIssuer): Verified {
  for (const [claim, expected] of Object.entries(config.requiredClaimValues)) {
    // simplejwt signs refresh tokens with the same key as access tokens; only `token_type` tells them apart.
    if (payload[claim] !== expected) {
      throw new AuthenticationError('claim-value-mismatch', `the "${claim}" claim must be ${JSON.stringify(expected)}`);
    }
  }
  const { sub, client_id: clientId } = payload;
  if (sub !== undefined && typeof sub !== 'string') throw new AuthenticationError('token-malformed', 'the "sub" claim must be a string');
  let subject: string;
  let kind: Principal['kind'];
  if (typeof sub === 'string' && sub !== '') {
    subject = sub;
    kind = 'user';
  } else if (sub === undefined && typeof clientId === 'string' && clientId !== '') {
    // A client-credentials token: no resource owner, the client acts for itself (RFC 6749 §4.4).
    subject = clientId;
    kind = 'client';
  } else {
    throw new AuthenticationError('claim-missing', 'the token has no "sub" (nor, for a client-credentials token, "client_id")');
  }
  const scopes = config.scopesClaim === undefined ? (listClaim(payload, 'scope') ?? listClaim(payload, 'scp')) : listClaim(payload, config.scopesClaim);
  const roles = listClaim(payload, config.rolesClaim);
  const exp = payload.exp!; // required above, and jose checked it is a number
  const tolerance = config.clockToleranceSeconds;
  // The same bounds jose applies: exp (refused when exp <= now - tolerance) and maxTokenAge.
  let validUntil = (exp + tolerance) * 1000;
  if (config.maxTokenAgeSeconds !== undefined) validUntil = Math.min(validUntil, (payload.iat! + config.maxTokenAgeSeconds + tolerance + 1) * 1000);
  const jti = typeof payload.jti === 'string' ? payload.jti : undefined;
  const issuedAt = typeof payload.iat === 'number' ? payload.iat : undefined;
  return {
    // The same fields principal() would set, already frozen: each call spreads them into its own.
    fields: Object.freeze({
      subject,
      kind,
      claims: deepFreeze(payload) as Readonly<Record<string, unknown>>,
      method: 'jwt',
      issuer: config.issuer,
      ...(jti === undefined ? {} : { credentialId: jti }),
      expiresAt: exp,
    }),
    scopes: Object.freeze(scopes ?? []),
    roles: Object.freeze(roles ?? []),
    revocationQuery: Object.freeze({ subject, issuer: config.issuer, ...(jti === undefined ? {} : { jti }), ...(issuedAt === undefined ? {} : { issuedAt }) }),
    validUntil,
  };
}

/**
 * A claim holding a list: a space-separated string (RFC 6749 §3.3, as `scope`) or an array of strings
 * (as `scp`, `roles`). A name with dots that is not itself a claim is a path (`realm_access.roles`).
 */
function listClaim(payload: JWTPayload, name: string): string[] | undefined {
  let value: unknown = payload[name];
  if (!Object.hasOwn(payload, name) && name.includes('.')) {
    value = name.split('.').reduce<unknown>((at, part) => (typeof at === 'object' && at !== null && Object.hasOwn(at, part) ? (at as Record<string, unknown>)[part] : undefined), payload);
  }
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new AuthenticationError('token-malformed', `the "${name}" claim must be a space-separated string or a list of strings`);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/** jose's failures, as the AuthenticationError reasons docs/auth.md explains. */
function authFailure(error: unknown, logger: Logger): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  const message = (error as Error).message;
  if (error instanceof errors.JWTExpired) {
    return error.claim === 'iat' ? new AuthenticationError('token-too-old', `issued longer ago than maxTokenAgeSeconds allows (${message})`) : new AuthenticationError('token-expired', message);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new AuthenticationError('claim-missing', `the token has no "${error.claim}" claim`);
    if (error.reason === 'invalid') return new AuthenticationError('token-malformed', message);
    switch (error.claim) {
      case 'nbf':
      case 'iat':
        return new AuthenticationError('token-not-yet-valid', message);
      case 'aud':
        return new AuthenticationError('audience-mismatch', 'the "aud" claim names none of the configured audiences');
      case 'typ':
        return new AuthenticationError('token-wrong-type', 'the "typ" header is not "at+jwt" (RFC 9068 §4)');
      case 'iss':
        return new AuthenticationError('issuer-unknown', message);
      default:
        return new AuthenticationError('token-malformed', message);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return new AuthenticationError('algorithm-not-allowed', `the "alg" header is not in this issuer's algorithms (${message})`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('signature-invalid', 'the signature does not verify with the issuer\'s key');
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthenticationError('key-unknown', message);
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return new AuthenticationError('key-source-unavailable', message);
  if (error instanceof errors.JOSEError) return new AuthenticationError('token-malformed', message);
  // jose throws TypeError when a key cannot serve the token's alg (wrong type, RSA under 2048 bits).
  if (error instanceof TypeError) return new AuthenticationError('key-unknown', `no usable key for this token: ${message}`);
  logger.error({ err: error }, 'unexpected failure while verifying a JWT');
  return new AuthenticationError('token-malformed', `unexpected verification failure: ${message}`);
}
