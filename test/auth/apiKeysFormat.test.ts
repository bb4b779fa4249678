// The key format: generated keys parse back, any single-character change is refused by shape or
// checksum alone, and parseApiKey never throws, whatever it is given.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AuthenticationError } from '../../src/auth/authErrors.ts';
import { createApiKeyStore } from '../../src/auth/apiKeys/apiKeyStore.ts';
import {
  API_KEY_BODY_LENGTH,
  apiKeyChecksum,
  DEFAULT_API_KEY_PREFIX,
  generateApiKey,
  parseApiKey,
  randomBase62,
} from '../../src/auth/apiKeys/keyFormat.ts';
import { captureLogger } from '../helpers/captureLogger.ts';
import { throwingDatabase } from '../helpers/throwingDatabase.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET = 'test-secret-0123456789-0123456789-abcdef';
const KEY = generateApiKey();

/** An independent base62 of a CRC32 value, to check the checksum against published CRC32 values. */
function base62(value: number): string {
  let out = '';
  for (let i = 0; i < 6; i++, value = Math.floor(value / 62)) out = BASE62[value % 62] + out;
  return out;
}

function replaceAt(text: string, index: number, char: string): string {
  return text.slice(0, index) + char + text.slice(index + 1);
}

describe('generated keys', () => {
  const cases: { prefix: string }[] = [{ prefix: 'gth_' }, { prefix: 'ab_' }, { prefix: 'acme2024x_' }, { prefix: 'abcdefghij_' }];
  for (const { prefix } of cases) {
    test(`prefix ${prefix}: the key parses back with its display prefix`, () => {
      const key = generateApiKey(prefix);
      assert.match(key, new RegExp(`^${prefix}[0-9A-Za-z]{${API_KEY_BODY_LENGTH + 6}}$`));
      const parsed = parseApiKey(key, prefix);
      assert.ok(parsed.ok);
      assert.equal(parsed.displayPrefix, key.slice(0, prefix.length + 6));
    });
  }

  test('the default prefix is gth_', () => assert.ok(KEY.startsWith('gth_') && DEFAULT_API_KEY_PREFIX === 'gth_'));

  test('two keys are never the same (1000 draws)', () => {
    assert.equal(new Set(Array.from({ length: 1000 }, () => generateApiKey())).size, 1000);
  });

  const badPrefixes = [
    { prefix: 'GTH_', why: 'upper case' },
    { prefix: 'g_', why: 'one character before _' },
    { prefix: 'gth', why: 'no underscore' },
    { prefix: '1ab_', why: 'starts with a digit' },
    { prefix: 'abcdefghijk_', why: 'eleven characters before _' },
    { prefix: 'gt-h_', why: 'a dash' },
  ];
  for (const { prefix, why } of badPrefixes) {
    test(`prefix ${JSON.stringify(prefix)} is refused (${why})`, () => assert.throws(() => generateApiKey(prefix), TypeError));
  }
});

describe('checksum', () => {
  test('is CRC32 in base62: the published check value of "123456789" is 0xCBF43926', () => {
    assert.equal(apiKeyChecksum('123456789'), base62(0xcbf43926));
  });
  test('is stable: keys already issued keep parsing (format regression guard)', () => {
    assert.equal(apiKeyChecksum(`gth_${'0'.repeat(32)}`), '45FXsh');
  });
  test('randomBase62 is unbiased: "0"-"7" are not likelier than the rest (byte % 62 would make them 25% likelier)', () => {
    const counts = new Map<string, number>();
    for (const c of randomBase62(248_000)) counts.set(c, (counts.get(c) ?? 0) + 1);
    assert.equal(counts.size, 62);
    const mean = (chars: string) => [...chars].reduce((sum, c) => sum + counts.get(c)!, 0) / chars.length;
    const ratio = mean(BASE62.slice(0, 8)) / mean(BASE62.slice(8));
    assert.ok(Math.abs(ratio - 1) < 0.05, `ratio ${ratio}`);
  });
});

describe('parseApiKey refuses', () => {
  const head = KEY.slice(0, -6);
  const rows: { name: string; input: unknown; reason: 'api-key-malformed' | 'api-key-checksum' }[] = [
    { name: 'undefined', input: undefined, reason: 'api-key-malformed' },
    { name: 'null', input: null, reason: 'api-key-malformed' },
    { name: 'a number', input: 42, reason: 'api-key-malformed' },
    { name: 'an object', input: { key: KEY }, reason: 'api-key-malformed' },
    { name: 'the empty string', input: '', reason: 'api-key-malformed' },
    { name: 'the prefix alone', input: 'gth_', reason: 'api-key-malformed' },
    { name: 'a truncated key (last character lost)', input: KEY.slice(0, -1), reason: 'api-key-malformed' },
    { name: 'a key with a character appended', input: `${KEY}a`, reason: 'api-key-malformed' },
    { name: 'a key with a trailing newline', input: `${KEY}\n`, reason: 'api-key-malformed' },
    { name: 'a key with a leading space', input: ` ${KEY.slice(1)}`, reason: 'api-key-malformed' },
    { name: 'another prefix of the same length', input: `ghp_${KEY.slice(4)}`, reason: 'api-key-malformed' },
    { name: 'the prefix in upper case', input: `GTH_${KEY.slice(4)}`, reason: 'api-key-malformed' },
    { name: 'a dash in the body', input: replaceAt(KEY, 10, '-'), reason: 'api-key-malformed' },
    { name: 'an underscore in the body', input: replaceAt(KEY, 10, '_'), reason: 'api-key-malformed' },
    { name: 'a non-ASCII letter in the body', input: replaceAt(KEY, 10, 'é'), reason: 'api-key-malformed' },
    { name: 'a JWT', input: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ', reason: 'api-key-malformed' },
    { name: 'a body character changed (typo)', input: replaceAt(KEY, 12, KEY[12] === 'x' ? 'y' : 'x'), reason: 'api-key-checksum' },
    { name: 'two adjacent body characters swapped', input: swapAdjacentDistinct(KEY, 5), reason: 'api-key-checksum' },
    { name: 'a checksum character changed', input: replaceAt(KEY, KEY.length - 1, KEY.at(-1) === '0' ? '1' : '0'), reason: 'api-key-checksum' },
    { name: 'a body character changed in case', input: caseFlipped(KEY), reason: 'api-key-checksum' },
    { name: 'a valid body with another key\'s checksum', input: head + generateApiKey().slice(-6), reason: 'api-key-checksum' },
  ];
  for (const row of rows) {
    test(`${row.name}: ${row.reason}`, () => {
      const parsed = parseApiKey(row.input);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.equal(parsed.reason, row.reason);
    });
  }

  test('messages never repeat the presented key', () => {
    for (const row of rows) {
      const parsed = parseApiKey(row.input);
      if (!parsed.ok && typeof row.input === 'string' && row.input.length > 8) assert.ok(!parsed.message.includes(row.input.slice(4, 20)));
    }
  });

  test('every substitution by another base62 character, at every position, is refused', () => {
    let refused = 0;
    for (let i = 0; i < KEY.length; i++) {
      for (const c of BASE62) {
        if (c === KEY[i]) continue;
        const parsed = parseApiKey(replaceAt(KEY, i, c));
        assert.equal(parsed.ok, false, `position ${i} → ${c}`);
        if (!parsed.ok) assert.equal(parsed.reason, i < 4 ? 'api-key-malformed' : 'api-key-checksum');
        refused++;
      }
    }
    // 61 alternatives per base62 position, 62 at the "_" of the prefix.
    assert.equal(refused, KEY.length * 61 + 1);
  });
});

describe('parseApiKey properties', () => {
  test('never throws, on any value', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const parsed = parseApiKey(value);
        assert.equal(parsed.ok, false);
      }),
      { numRuns: 2000 },
    );
  });

  test('never throws on any text, including unicode and key-shaped text', () => {
    const keyShaped = fc.string({ unit: fc.constantFrom(...BASE62), minLength: 38, maxLength: 38 }).map((s) => `gth_${s}`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), keyShaped, fc.string({ unit: 'grapheme-composite' })), (text) => {
        const parsed = parseApiKey(text);
        if (parsed.ok) assert.equal(apiKeyChecksum(text.slice(0, -6)), text.slice(-6));
      }),
      { numRuns: 1000 },
    );
  });

  test('a key with any single character changed to anything else is refused', () => {
    fc.assert(
      fc.property(fc.nat({ max: KEY.length - 1 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), (index, char) => {
        fc.pre(char !== KEY[index]);
        assert.equal(parseApiKey(replaceAt(KEY, index, char)).ok, false);
      }),
      { numRuns: 3000 },
    );
  });

  test('a fresh key with a character deleted or inserted is refused', () => {
    fc.assert(
      fc.property(fc.nat({ max: KEY.length - 1 }), fc.constantFrom(...BASE62), fc.boolean(), (index, char, insert) => {
        const changed = insert ? KEY.slice(0, index) + char + KEY.slice(index) : KEY.slice(0, index) + KEY.slice(index + 1);
        assert.equal(parseApiKey(changed).ok, false);
      }),
    );
  });
});

describe('authenticate refuses bad keys without a database call', () => {
  const rows = [
    { name: 'a typo in the body', key: replaceAt(KEY, 9, KEY[9] === 'Q' ? 'R' : 'Q'), reason: 'api-key-checksum' },
    { name: 'a truncated key', key: KEY.slice(0, 30), reason: 'api-key-malformed' },
    { name: 'a key of another prefix', key: generateApiKey('acme_'), reason: 'api-key-malformed' },
    { name: 'garbage', key: 'not a key at all', reason: 'api-key-malformed' },
  ] as const;
  for (const row of rows) {
    test(`${row.name}: ${row.reason}, database untouched`, async () => {
      const { db, calls } = throwingDatabase();
      const store = createApiKeyStore({ db, secret: SECRET, logger: captureLogger() });
      await assert.rejects(store.authenticate(row.key, '127.0.0.1'), (e: unknown) => e instanceof AuthenticationError && e.reason === row.reason && e.status === 401);
      assert.equal(calls(), 0);
    });
  }

  test('control: a well-formed key does reach the (throwing) database', async () => {
    const { db, calls } = throwingDatabase();
    const logger = captureLogger();
    const store = createApiKeyStore({ db, secret: SECRET, logger });
    await assert.rejects(store.authenticate(KEY, '127.0.0.1'), (e: unknown) => e instanceof AuthenticationError && e.reason === 'key-source-unavailable' && e.status === 503);
    assert.equal(calls(), 1);
    assert.ok(!JSON.stringify(logger.entries).includes(KEY), 'the log must not contain the key');
  });
});

function swapAdjacentDistinct(key: string, from: number): string {
  let i = from;
  while (key[i] === key[i + 1]) i++;
  return key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
}

function caseFlipped(key: string): string {
  const i = [...key].findIndex((c, j) => j >= 4 && j < key.length - 6 && /[A-Za-z]/.test(c));
  const c = key[i]!;
  return replaceAt(key, i, c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
}
