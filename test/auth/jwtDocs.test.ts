// docs/auth.md's JWT section stays true: its examples resolve, and it explains every reason the code raises.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { resolveJwtSettings } from '../../src/config/jwtSchema.ts';

const ROOT = new URL('../../', import.meta.url);
const docs = readFileSync(new URL('docs/auth.md', ROOT), 'utf8');
// The section runs to the next "## " heading (another engineer's section may follow).
const section = /^## JWT bearer tokens\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(docs)?.[1] ?? '';

test('docs/auth.md has a JWT bearer tokens section', () => assert.ok(section.length > 1000));

test('docs/auth.md: each JSON example of auth.jwt passes the start-up checks', () => {
  const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length > 0);
  for (const block of blocks) assert.doesNotThrow(() => resolveJwtSettings(JSON.parse(block)));
});

test('docs/auth.md: every failure reason the JWT code raises is explained', () => {
  const sources = ['src/auth/jwt/jwtVerifier.ts', 'src/auth/jwt/jwksCache.ts'].map((file) => readFileSync(new URL(file, ROOT), 'utf8')).join('\n');
  const raised = new Set([...sources.matchAll(/new AuthenticationError\('([a-z-]+)'/g)].map((m) => m[1]!));
  assert.ok(raised.size >= 12, [...raised].join(', '));
  for (const reason of raised) assert.match(section, new RegExp(`^\\| \`${reason}\` \\|`, 'm'), `${reason} is not in the reasons table`);
});

test('docs/auth.md: every issuer setting is in the settings table', () => {
  for (const key of ['issuer', 'audience', 'algorithms', 'secret', 'publicKey', 'jwksUrl', 'clockToleranceSeconds', 'maxTokenAgeSeconds', 'requiredClaims', 'requireAccessTokenType', 'scopesClaim', 'rolesClaim', 'jwksCacheMaxAgeSeconds', 'jwksCooldownSeconds']) {
    assert.match(section, new RegExp(`^\\| \`${key}\` \\|`, 'm'), key);
  }
});
