// One issuer's JSON Web Key Set (RFC 7517 §5), fetched from its jwksUrl and kept for maxAge. A token
// whose `kid` is unknown triggers one refetch (the issuer may have rotated its keys), at most once per
// cool-down, so a stream of forged kids cannot make Gatehouse hammer the issuer. When the host is down
// or answers garbage, the last good key set keeps being served (stale-if-error) and a warning is logged.

import { createLocalJWKSet, errors, type JWSHeaderParameters, type FlattenedJWSInput, type JSONWebKeySet } from 'jose';
import type { Logger } from '../../logger.ts';
import { AuthenticationError } from '../authErrors.ts';

export interface JwksCacheOptions {
  readonly url: URL;
  readonly maxAgeSeconds: number;
  readonly cooldownSeconds: number;
  /** Per fetch; default 5000. */
  readonly timeoutMs?: number;
  /** Largest accepted answer; default 1 MB (real key sets are a few KB). */
  readonly maxBytes?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;
type VerificationKey = Awaited<ReturnType<LocalKeySet>>;

export interface JwksCache {
  /** A jose key resolver: the key for this token's `alg`/`kid`, or an AuthenticationError. */
  getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<VerificationKey>;
}

// Private JWK members (RFC 7518 §6.2.2, §6.3.2, §6.4.1): a key set that carries them leaks signing keys.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const { url, logger } = options;
  const now = options.now ?? Date.now;
  const maxAge = options.maxAgeSeconds * 1000;
  const cooldown = options.cooldownSeconds * 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 1_000_000;

  let current: { readonly keys: LocalKeySet; readonly fetchedAt: number } | undefined;
  let lastAttemptAt = -Infinity;
  let lastError: string | undefined;
  let inFlight: Promise<LocalKeySet | undefined> | undefined;

  /** Fetches once for every concurrent caller; resolves to the newest usable set (maybe stale). */
  function refresh(): Promise<LocalKeySet | undefined> {
    inFlight ??= (async () => {
      lastAttemptAt = now();
      try {
        const keys = await download();
        current = { keys, fetchedAt: now() };
        lastError = undefined;
      } catch (error) {
        lastError = (error as Error).message;
        if (current !== undefined) {
          logger?.warn({ jwks: { url: url.href, error: lastError, ageSeconds: Math.round((now() - current.fetchedAt) / 1000) } }, `JWKS refresh failed; serving the last good key set: ${lastError}`);
        } else {
          logger?.error({ jwks: { url: url.href, error: lastError } }, `JWKS fetch failed and no key set is cached: ${lastError}`);
        }
      } finally {
        inFlight = undefined;
      }
      return current?.keys;
    })();
    return inFlight;
  }

  async function keySet(): Promise<LocalKeySet> {
    const at = now();
    if (current !== undefined && at - current.fetchedAt < maxAge) return current.keys;
    // After a failed attempt, wait out the cool-down before asking again (stale or nothing meanwhile).
    const resting = inFlight === undefined && at - lastAttemptAt < cooldown;
    const keys = resting ? current?.keys : await refresh();
    if (keys === undefined) throw unavailable();
    return keys;
  }

  function unavailable(): AuthenticationError {
    return new AuthenticationError('key-source-unavailable', `no key set from ${url.href}: ${lastError ?? 'not fetched yet'}`);
  }

  async function download(): Promise<LocalKeySet> {
    let response: Response;
    try {
      // No redirects (as jose's own remote set): a redirect could move key retrieval off https.
      response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/jwk-set+json, application/json' } });
    } catch (error) {
      throw new Error(`${url.host} unreachable: ${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : causeMessage(error)}`);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`${url.host} answered HTTP ${response.status}`);
    }
    const text = await readLimited(response, maxBytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${url.host} answered something that is not JSON`);
    }
    const keys = (json as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null && typeof (k as { kty?: unknown }).kty === 'string')) {
      throw new Error(`${url.host} answered JSON that is not a key set ({"keys": [{"kty": ...}, ...]})`);
    }
    if (keys.some((k) => PRIVATE_MEMBERS.some((m) => m in k))) throw new Error(`${url.host} publishes private or symmetric key material; refusing the key set`);
    try {
      return createLocalJWKSet(json as JSONWebKeySet);
    } catch (error) {
      throw new Error(`${url.host} answered an invalid key set: ${(error as Error).message}`);
    }
  }

  return {
    async getKey(header, token) {
      const keys = await keySet();
      try {
        return await keys(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      }
      // An unknown kid: the issuer may have rotated. Ask again, unless we asked within the cool-down.
      const kid = typeof header.kid === 'string' ? `"${header.kid.slice(0, 64)}"` : '(none)';
      if (inFlight === undefined && now() - lastAttemptAt < cooldown) {
        if (lastError !== undefined) throw unavailable();
        throw new AuthenticationError('key-unknown', `no key with kid ${kid} and alg ${String(header.alg)} in ${url.href} (refetched within the last ${options.cooldownSeconds}s)`);
      }
      const fresh = await refresh();
      if (lastError !== undefined || fresh === undefined) throw unavailable();
      try {
        return await fresh(header, token);
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey) throw new AuthenticationError('key-unknown', `no key with kid ${kid} and alg ${String(header.alg)} in ${url.href}`);
        throw error;
      }
    },
  };
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`answer of ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`answer is over the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new Error('answer is not UTF-8');
  }
}

function causeMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
