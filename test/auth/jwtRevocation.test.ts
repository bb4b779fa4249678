// The verification cache (a repeated token costs a hash, not a signature check) and revocation, which
// is asked on every call, cached or not.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createJwtVerifier } from '../../src/auth/jwt/jwtVerifier.ts';
import { InMemoryRevocationList, type RevocationQuery } from '../../src/auth/jwt/revocation.ts';
import { resolveJwtSettings, type ResolvedJwtSettings } from '../../src/config/jwtSchema.ts';
import { captureLogger } from '../helpers/captureLogger.ts';
import { assertRefused, claims, NOW_S, sign, TestClock, testKey, type TestKey } from './jwtFixtures.ts';

let es: TestKey;
let settings: ResolvedJwtSettings;

before(async () => {
  es = await testKey('ES256', 'es-1');
  settings = resolveJwtSettings({
    issuers: [
      { issuer: 'https://es.example', algorithms: ['ES256'], publicKey: es.publicPem },
      { issuer: 'https://es2.example', algorithms: ['ES256'], publicKey: es.publicPem },
    ],
  });
});

function setUp(options: { cacheSize?: number } = {}) {
  const clock = new TestClock();
  const revocation = new InMemoryRevocationList({ now: clock.now });
  const verifier = createJwtVerifier(settings, { now: clock.now, revocation, logger: captureLogger(), ...options });
  const token = (overrides: Record<string, unknown> = {}) => sign(claims({ iss: 'https://es.example', aud: undefined, ...overrides }), es.privateKey, { alg: 'ES256' });
  return { clock, revocation, verifier, token };
}

test('cache: a repeated ES256 token is verified by jose once', async () => {
  const { verifier, token } = setUp();
  const t = await token();
  for (let i = 0; i < 5; i++) assert.equal((await verifier.verify(t)).subject, 'user-1');
  assert.deepEqual(verifier.stats, { signatureChecks: 1, cacheHits: 4 });
});

test('cache: concurrent calls with the same token share one verification', async () => {
  const { verifier, token } = setUp();
  const t = await token();
  await Promise.all(Array.from({ length: 10 }, () => verifier.verify(t)));
  assert.equal(verifier.stats.signatureChecks, 1);
});

test('cache: a revoked jti is refused even when the token is in the cache', async () => {
  const { revocation, verifier, token } = setUp();
  const t = await token({ jti: 'session-42' });
  await verifier.verify(t);
  revocation.revokeToken('session-42', NOW_S + 600);
  await assertRefused(verifier.verify(t), 'token-revoked');
  assert.deepEqual(verifier.stats, { signatureChecks: 1, cacheHits: 1 }, 'the refusal came from the cached entry');
});

test('cache: an entry ends with the token (exp + tolerance), then the token is refused as expired', async () => {
  const { clock, verifier, token } = setUp();
  const t = await token({ exp: NOW_S + 60 });
  await verifier.verify(t);
  clock.advance(89); // exp + 29 s: within the 30 s tolerance
  await verifier.verify(t);
  assert.equal(verifier.stats.cacheHits, 1);
  clock.advance(1);
  await assertRefused(verifier.verify(t), 'token-expired');
  assert.equal(verifier.stats.signatureChecks, 2);
});

test('cache: bounded in size, least recently used goes first', async () => {
  const { verifier, token } = setUp({ cacheSize: 2 });
  const [a, b, c] = await Promise.all([token({ jti: 'a' }), token({ jti: 'b' }), token({ jti: 'c' })]);
  await verifier.verify(a);
  await verifier.verify(b);
  await verifier.verify(a); // a is now the most recently used
  await verifier.verify(c); // evicts b
  assert.equal(verifier.stats.signatureChecks, 3);
  await verifier.verify(a);
  assert.equal(verifier.stats.signatureChecks, 3);
  await verifier.verify(b);
  assert.equal(verifier.stats.signatureChecks, 4);
});

test('cache: a cached principal cannot be changed by the code holding it', async () => {
  const { verifier, token } = setUp();
  const t = await token({ scope: 'read' });
  const first = await verifier.verify(t);
  (first.scopes as Set<string>).add('admin');
  assert.deepEqual([...(await verifier.verify(t)).scopes], ['read']);
  assert.throws(() => ((first.claims as Record<string, unknown>).scope = 'admin'), TypeError);
});

// Each row: a revocation, the token's claims, and whether it is refused.
const revocations: [string, (r: InMemoryRevocationList) => void, Record<string, unknown>, boolean][] = [
  ['jti revoked', (r) => r.revokeToken('j1', NOW_S + 600), { jti: 'j1' }, true],
  ['another jti revoked', (r) => r.revokeToken('j2', NOW_S + 600), { jti: 'j1' }, false],
  ['jti revoked for this issuer', (r) => r.revokeToken('j1', NOW_S + 600, 'https://es.example'), { jti: 'j1' }, true],
  ['same jti revoked for another issuer', (r) => r.revokeToken('j1', NOW_S + 600, 'https://es2.example'), { jti: 'j1' }, false],
  ['subject cut-off after iat', (r) => r.revokeSubject('user-1', NOW_S - 10), { iat: NOW_S - 11 }, true],
  ['subject cut-off at iat (issued at the cut-off is valid)', (r) => r.revokeSubject('user-1', NOW_S - 10), { iat: NOW_S - 10 }, false],
  ['subject cut-off before iat', (r) => r.revokeSubject('user-1', NOW_S - 100), { iat: NOW_S - 10 }, false],
  ['subject cut-off and no iat (cannot prove it came later)', (r) => r.revokeSubject('user-1', NOW_S - 100), { iat: undefined }, true],
  ['another subject cut off', (r) => r.revokeSubject('user-2', NOW_S), {}, false],
  ['subject cut off at another issuer', (r) => r.revokeSubject('user-1', NOW_S, 'https://es2.example'), {}, false],
];

for (const [why, revoke, overrides, refused] of revocations) {
  test(`revocation: ${why} → ${refused ? 'refused' : 'accepted'}`, async () => {
    const { revocation, verifier, token } = setUp();
    revoke(revocation);
    const t = await token(overrides);
    if (refused) await assertRefused(verifier.verify(t), 'token-revoked');
    else assert.equal((await verifier.verify(t)).subject, 'user-1');
  });
}

test('revocation: a denied jti is kept past exp for the clock tolerance, then forgotten', () => {
  const clock = new TestClock();
  const list = new InMemoryRevocationList({ now: clock.now, retainSeconds: 60 });
  list.revokeToken('j1', NOW_S + 10);
  const query = { jti: 'j1', subject: 's' };
  clock.advance(69);
  assert.equal(list.isRevoked(query), true);
  clock.advance(1);
  assert.equal(list.isRevoked(query), false);
});

test('revocation: an asynchronous check is awaited, and its failure is not a token failure', async () => {
  const seen: RevocationQuery[] = [];
  const clock = new TestClock();
  const t = await sign(claims({ iss: 'https://es.example', aud: undefined, jti: 'j9' }), es.privateKey, { alg: 'ES256' });
  const asking = createJwtVerifier(settings, {
    now: clock.now,
    logger: captureLogger(),
    revocation: { isRevoked: async (query) => (seen.push(query), query.jti === 'j9') },
  });
  await assertRefused(asking.verify(t), 'token-revoked');
  assert.deepEqual(seen, [{ subject: 'user-1', jti: 'j9', issuedAt: NOW_S - 60, issuer: 'https://es.example' }]);

  const failing = createJwtVerifier(settings, { now: clock.now, logger: captureLogger(), revocation: { isRevoked: () => Promise.reject(new Error('store down')) } });
  // Fail closed: the store's error reaches the authenticator, which answers 503, not a 401 blaming the token.
  await assert.rejects(failing.verify(t), /store down/);
});
