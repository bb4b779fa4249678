// The API key format, modelled on GitHub's tokens (github.blog, "Behind GitHub's new authentication
// token formats", 2021):
//
//   gth_ 4hY0pQ...(32 base62)... Kc81Zq
//   ^^^^ ^^^^^^^^^^^^^^^^^^^^^^^ ^^^^^^
//   prefix   random body          CRC32 of prefix+body, base62, 6 characters
//
// The prefix lets secret scanners (GitHub's push protection, gitleaks, trufflehog) find leaked keys
// with few false positives; the checksum lets us refuse a mistyped or truncated key without touching
// the database. Parsing is pure, bounded and never throws, whatever it is given.

import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const DEFAULT_API_KEY_PREFIX = 'gth_';
/** A lower-case word of 2 to 10 characters and an underscore: `gth_`, `acme_`, `ci2_`. */
export const API_KEY_PREFIX_PATTERN = /^[a-z][a-z0-9]{1,9}_$/;
/** 32 base62 characters: log2(62) * 32 ≈ 190 bits of entropy. */
export const API_KEY_BODY_LENGTH = 32;
export const API_KEY_CHECKSUM_LENGTH = 6;
/** How much of the body `displayPrefix` shows: enough to tell keys apart, far too little to guess one. */
const DISPLAY_BODY_CHARS = 6;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE62_ONLY = /^[0-9A-Za-z]*$/;
/** 62 * 4: bytes at or above it are thrown away so that `byte % 62` is uniform. */
const UNBIASED_LIMIT = 248;

export type ApiKeyFormatFailure = 'api-key-malformed' | 'api-key-checksum';

export type ParsedApiKey =
  | { readonly ok: true; readonly key: string; readonly prefix: string; readonly displayPrefix: string }
  | { readonly ok: false; readonly reason: ApiKeyFormatFailure; readonly message: string };

export function isValidApiKeyPrefix(prefix: string): boolean {
  return API_KEY_PREFIX_PATTERN.test(prefix);
}

/** A new key: the configured prefix, a random body from crypto.randomBytes, its checksum. */
export function generateApiKey(prefix: string = DEFAULT_API_KEY_PREFIX): string {
  if (!isValidApiKeyPrefix(prefix)) throw new TypeError(`API key prefix ${JSON.stringify(prefix)} must match ${API_KEY_PREFIX_PATTERN}`);
  const head = prefix + randomBase62(API_KEY_BODY_LENGTH);
  return head + apiKeyChecksum(head);
}

/** Uniformly random base62 text (rejection sampling: no character is likelier than another). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length - out.length + 8)) {
      if (byte < UNBIASED_LIMIT && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** CRC32 of prefix + body, in base62, left-padded to 6 characters (62^6 > 2^32, so it always fits). */
export function apiKeyChecksum(prefixAndBody: string): string {
  let value = crc32(prefixAndBody);
  let out = '';
  for (let i = 0; i < API_KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** What a key starts with in lists and logs (`gth_4hY0pQ`): never the whole key. */
export function apiKeyDisplayPrefix(key: string, prefix: string = DEFAULT_API_KEY_PREFIX): string {
  return key.slice(0, prefix.length + DISPLAY_BODY_CHARS);
}

/**
 * Checks the shape and checksum of a presented key, with no database and no secret. Messages never
 * repeat the input: it may be someone's real key with a typo.
 */
export function parseApiKey(text: unknown, prefix: string = DEFAULT_API_KEY_PREFIX): ParsedApiKey {
  if (typeof text !== 'string') return malformed('is not text');
  if (text.length !== prefix.length + API_KEY_BODY_LENGTH + API_KEY_CHECKSUM_LENGTH) {
    return malformed(`is ${text.length} characters long; a ${prefix} key has ${prefix.length + API_KEY_BODY_LENGTH + API_KEY_CHECKSUM_LENGTH}`);
  }
  if (!text.startsWith(prefix)) return malformed(`does not start with "${prefix}"`);
  const rest = text.slice(prefix.length);
  if (!BASE62_ONLY.test(rest)) return malformed(`has a character other than A-Z, a-z, 0-9 after "${prefix}"`);
  const head = text.slice(0, text.length - API_KEY_CHECKSUM_LENGTH);
  if (apiKeyChecksum(head) !== text.slice(head.length)) {
    return { ok: false, reason: 'api-key-checksum', message: 'checksum does not match: the key was mistyped, truncated or altered' };
  }
  return { ok: true, key: text, prefix, displayPrefix: apiKeyDisplayPrefix(text, prefix) };
}

function malformed(message: string): ParsedApiKey {
  return { ok: false, reason: 'api-key-malformed', message };
}
