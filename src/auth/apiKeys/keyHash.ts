// Only an HMAC of each key is stored. With a server secret (not a plain SHA-256), a copy of the
// database alone does not let anyone test guesses offline, and the hash is deterministic, so a key is
// found by one indexed lookup. A slow password hash is pointless here: keys carry ~190 random bits.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError, type ConfigIssue } from '../../errors.ts';

export const API_KEY_SECRET_SETTING = 'auth.apiKeys.secret';
export const API_KEY_SECRET_ENV = 'GATEHOUSE_API_KEY_SECRET';
/** RFC 2104 §3: a key shorter than the hash output (32 bytes for SHA-256) weakens the HMAC. */
export const MIN_API_KEY_SECRET_BYTES = 32;
const SECRET_HINT = `generate one with \`openssl rand -base64 48\` and set it in ${API_KEY_SECRET_SETTING} or the ${API_KEY_SECRET_ENV} environment variable`;

export interface ApiKeyHasher {
  /** HMAC-SHA-256 of the whole key, hex. */
  hash(key: string): string;
  /** Compares a stored hash with the key's in constant time. */
  matches(storedHash: string, key: string): boolean;
}

/** What is wrong with a secret; never repeats the secret itself. */
export function apiKeySecretIssues(secret: unknown, setting: string = API_KEY_SECRET_SETTING): ConfigIssue[] {
  if (secret === undefined || secret === '') {
    return [{ setting, message: 'is required to store and check API keys', hint: SECRET_HINT }];
  }
  if (typeof secret !== 'string') return [{ setting, message: 'must be text', hint: SECRET_HINT }];
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_API_KEY_SECRET_BYTES) {
    return [{ setting, value: `(${bytes} bytes, not shown)`, message: `is too weak: it has ${bytes} bytes and at least ${MIN_API_KEY_SECRET_BYTES} are needed`, hint: SECRET_HINT }];
  }
  return [];
}

export function createApiKeyHasher(secret: string): ApiKeyHasher {
  const issues = apiKeySecretIssues(secret);
  if (issues.length > 0) throw new ConfigError(issues);
  const secretBytes = Buffer.from(secret, 'utf8');
  const hash = (key: string): string => createHmac('sha256', secretBytes).update(key, 'utf8').digest('hex');
  return {
    hash,
    matches(storedHash, key) {
      const stored = Buffer.from(storedHash, 'hex');
      const computed = Buffer.from(hash(key), 'hex');
      return stored.length === computed.length && timingSafeEqual(stored, computed);
    },
  };
}
