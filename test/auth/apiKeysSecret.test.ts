// The HMAC secret and `auth.apiKeys` settings: weak or missing secrets stop the start with the
// setting's name and the fix, and never echo the secret; only keyed hashes are produced.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createApiKeyStore } from '../../src/auth/apiKeys/apiKeyStore.ts';
import { generateApiKey } from '../../src/auth/apiKeys/keyFormat.ts';
import { apiKeySecretIssues, createApiKeyHasher } from '../../src/auth/apiKeys/keyHash.ts';
import { resolveApiKeySettings } from '../../src/config/apiKeySchema.ts';
import { ConfigError } from '../../src/errors.ts';
import { throwingDatabase } from '../helpers/throwingDatabase.ts';

const STRONG = 'Zm9yIHRlc3RzIG9ubHk6IG5vdCBhIHJlYWwgc2VjcmV0IGF0IGFsbA';
const KEY = generateApiKey();

describe('secret strength', () => {
  const rows: { name: string; secret: unknown; accepted: boolean }[] = [
    { name: 'missing', secret: undefined, accepted: false },
    { name: 'empty', secret: '', accepted: false },
    { name: 'not text', secret: 12345, accepted: false },
    { name: '31 ASCII bytes', secret: 'a1'.repeat(15) + 'b', accepted: false },
    { name: '32 ASCII bytes', secret: 'a1'.repeat(16), accepted: true },
    { name: '10 × "€" (30 UTF-8 bytes)', secret: '€'.repeat(10), accepted: false },
    { name: '11 × "€" (33 UTF-8 bytes)', secret: '€'.repeat(11), accepted: true },
    { name: 'a base64 secret of 40 bytes', secret: STRONG, accepted: true },
  ];
  for (const row of rows) {
    test(`${row.name}: ${row.accepted ? 'accepted' : 'refused'}`, () => {
      const issues = apiKeySecretIssues(row.secret);
      assert.equal(issues.length === 0, row.accepted);
      for (const issue of issues) {
        assert.equal(issue.setting, 'auth.apiKeys.secret');
        assert.match(issue.hint ?? '', /openssl rand -base64 48.*GATEHOUSE_API_KEY_SECRET/);
        if (typeof row.secret === 'string' && row.secret !== '') assert.ok(!JSON.stringify(issue).includes(row.secret), 'the secret must not be echoed');
      }
    });
  }

  test('the store refuses to start with a weak secret (ConfigError naming the setting)', () => {
    assert.throws(
      () => createApiKeyStore({ db: throwingDatabase().db, secret: 'short' }),
      (e: unknown) => e instanceof ConfigError && e.issues[0]?.setting === 'auth.apiKeys.secret' && /at least 32/.test(e.message),
    );
  });
});

describe('key hash', () => {
  const hasher = createApiKeyHasher(STRONG);
  test('is 64 hex characters and deterministic', () => {
    assert.match(hasher.hash(KEY), /^[0-9a-f]{64}$/);
    assert.equal(hasher.hash(KEY), hasher.hash(KEY));
  });
  test('is keyed: not the plain SHA-256, and another secret gives another hash', () => {
    assert.notEqual(hasher.hash(KEY), createHash('sha256').update(KEY).digest('hex'));
    assert.notEqual(hasher.hash(KEY), createApiKeyHasher(`${STRONG}x`).hash(KEY));
  });
  const rows = [
    { name: 'the same key', stored: () => hasher.hash(KEY), key: KEY, matches: true },
    { name: 'another key', stored: () => hasher.hash(KEY), key: generateApiKey(), matches: false },
    { name: 'a truncated stored hash (no throw)', stored: () => hasher.hash(KEY).slice(0, 40), key: KEY, matches: false },
    { name: 'a stored hash that is not hex (no throw)', stored: () => 'zz', key: KEY, matches: false },
  ];
  for (const row of rows) {
    test(`matches ${row.name}: ${row.matches}`, () => assert.equal(hasher.matches(row.stored(), row.key), row.matches));
  }
});

describe('auth.apiKeys settings', () => {
  test('defaults: prefix gth_, header x-api-key, Bearer accepted', () => {
    assert.deepEqual({ ...resolveApiKeySettings({ secret: STRONG }, {}) }, { secret: STRONG, prefix: 'gth_', headerName: 'x-api-key', acceptBearer: true });
  });
  test('GATEHOUSE_API_KEY_SECRET provides the secret, and overrides the file', () => {
    assert.equal(resolveApiKeySettings({}, { GATEHOUSE_API_KEY_SECRET: STRONG }).secret, STRONG);
    assert.equal(resolveApiKeySettings({ secret: 'a1'.repeat(16) }, { GATEHOUSE_API_KEY_SECRET: STRONG }).secret, STRONG);
  });
  test('header names are lower-cased', () => assert.equal(resolveApiKeySettings({ secret: STRONG, headerName: 'X-Acme-Key' }, {}).headerName, 'x-acme-key'));

  const refused: { name: string; input: unknown; env?: Record<string, string>; setting: string; text: RegExp }[] = [
    { name: 'no secret anywhere', input: {}, setting: 'auth.apiKeys.secret', text: /is required/ },
    { name: 'a weak secret in the file', input: { secret: 'hunter2' }, setting: 'auth.apiKeys.secret', text: /7 bytes/ },
    { name: 'a weak secret in the environment', input: {}, env: { GATEHOUSE_API_KEY_SECRET: 'hunter2' }, setting: 'GATEHOUSE_API_KEY_SECRET (auth.apiKeys.secret)', text: /too weak/ },
    { name: 'an upper-case prefix', input: { secret: STRONG, prefix: 'GTH_' }, setting: 'auth.apiKeys.prefix', text: /lower-case/ },
    { name: 'a prefix without underscore', input: { secret: STRONG, prefix: 'gth' }, setting: 'auth.apiKeys.prefix', text: /"_"/ },
    { name: 'a header name with a space', input: { secret: STRONG, headerName: 'x api key' }, setting: 'auth.apiKeys.headerName', text: /header name/ },
    { name: 'the Authorization header', input: { secret: STRONG, headerName: 'Authorization' }, setting: 'auth.apiKeys.headerName', text: /Bearer/ },
    { name: 'acceptBearer as text', input: { secret: STRONG, acceptBearer: 'yes' }, setting: 'auth.apiKeys.acceptBearer', text: /boolean/ },
    { name: 'a misspelt setting', input: { secret: STRONG, headerNmae: 'x-key' }, setting: 'auth.apiKeys.headerNmae', text: /did you mean "headerName"/ },
  ];
  for (const row of refused) {
    test(`refuses ${row.name}: ${row.setting}`, () => {
      assert.throws(
        () => resolveApiKeySettings(row.input, row.env ?? {}),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          const issue = e.issues.find((i) => i.setting === row.setting);
          assert.ok(issue, `no issue for ${row.setting} in ${e.message}`);
          assert.match(`${issue.message} ${issue.hint ?? ''}`, row.text);
          assert.ok(!e.message.includes('hunter2'), 'the secret must not be echoed');
          return true;
        },
      );
    });
  }
});

describe('docs/auth.md, section "API keys"', () => {
  const text = readFileSync(new URL('../../docs/auth.md', import.meta.url), 'utf8');
  const start = text.indexOf('\n## API keys');
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end === -1 ? undefined : end);

  test('every JSON example is a valid auth.apiKeys configuration (with the secret from the environment)', () => {
    const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as { auth: { apiKeys: unknown } });
    assert.ok(blocks.length > 0);
    for (const block of blocks) assert.doesNotThrow(() => resolveApiKeySettings(block.auth.apiKeys, { GATEHOUSE_API_KEY_SECRET: STRONG }));
  });

  test('the start-up error shown is the one Gatehouse prints', () => {
    const shown = /```\n(Gatehouse cannot start:[\s\S]*?)\n```/.exec(section)?.[1];
    assert.throws(() => resolveApiKeySettings({ secret: 'x'.repeat(12) }, {}), (e: unknown) => e instanceof Error && e.message === shown);
  });

  test('the refusal table lists every api-key reason', () => {
    const source = readFileSync(new URL('../../src/auth/authErrors.ts', import.meta.url), 'utf8');
    for (const [reason] of source.matchAll(/api-key-[a-z-]+/g)) assert.ok(section.includes(`| \`${reason}\` |`), reason);
  });
});
