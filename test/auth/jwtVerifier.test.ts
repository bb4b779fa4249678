// Tokens in, a Principal or a precise refusal out: one row per rule, with real keys of each algorithm.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { AuthenticationError, type AuthFailureReason } from '../../src/auth/authErrors.ts';
import { createJwtVerifier, type JwtVerifier } from '../../src/auth/jwt/jwtVerifier.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { resolveJwtSettings } from '../../src/config/jwtSchema.ts';
import { captureLogger } from '../helpers/captureLogger.ts';
import { assertRefused, bytes, claims, NOW_S, sign, TestClock, testKey, testSecret, unsigned, type TestKey } from './jwtFixtures.ts';

interface Keys {
  rs: TestKey;
  es: TestKey;
  ed: TestKey;
  otherRs: TestKey;
  hs: string;
  otherHs: string;
}

let keys: Keys;
let verifier: JwtVerifier;

before(async () => {
  keys = {
    rs: await testKey('RS256', 'rs-1'),
    es: await testKey('ES256', 'es-1'),
    ed: await testKey('EdDSA', 'ed-1'),
    otherRs: await testKey('RS256', 'other-rs'),
    hs: testSecret(),
    otherHs: testSecret(),
  };
  const settings = resolveJwtSettings({
    issuers: [
      { issuer: 'https://rs.example', algorithms: ['RS256'], publicKey: keys.rs.publicPem, audience: 'api' },
      { issuer: 'https://es.example', algorithms: ['ES256'], publicKey: keys.es.publicJwk as Record<string, unknown> },
      { issuer: 'https://ed.example', algorithms: ['EdDSA', 'Ed25519'], publicKey: keys.ed.publicPem },
      { issuer: 'https://hs.example', algorithms: ['HS256'], secret: keys.hs },
      { issuer: 'https://other-hs.example', algorithms: ['HS256'], secret: keys.otherHs },
      { issuer: 'https://simplejwt.example', algorithms: ['HS256'], secret: keys.hs, requiredClaimValues: { token_type: 'access' } },
      {
        issuer: 'https://strict.example',
        algorithms: ['RS256'],
        publicKey: keys.rs.publicPem,
        audience: ['api', 'admin-api'],
        requiredClaims: ['tenant'],
        requireAccessTokenType: true,
        maxTokenAgeSeconds: 300,
        clockToleranceSeconds: 10,
        scopesClaim: 'permissions',
        rolesClaim: 'realm_access.roles',
      },
    ],
  });
  verifier = createJwtVerifier(settings, { now: new TestClock().now, logger: captureLogger(), cacheSize: 0 });
});

const iss = (name: string) => `https://${name}.example`;
const strict = (overrides: Record<string, unknown> = {}) => claims({ iss: iss('strict'), tenant: 't1', ...overrides });

// Each row: why, how to make the token, and the expected Principal fields or refusal reason.
type Expected = AuthFailureReason | Partial<Record<keyof Principal, unknown>>;
const cases: [string, (k: Keys) => Promise<string> | string, Expected][] = [
  // Valid tokens of each algorithm.
  ['RS256 with scope and roles', (k) => sign(claims({ scope: 'posts:read posts:write', roles: ['editor'] }), k.rs.privateKey, { alg: 'RS256' }),
    { subject: 'user-1', kind: 'user', scopes: ['posts:read', 'posts:write'], roles: ['editor'], method: 'jwt', issuer: iss('rs'), credentialId: 'jti-1', expiresAt: NOW_S + 600 }],
  ['ES256 with scp as a list', (k) => sign(claims({ iss: iss('es'), scp: ['a', 'b'] }), k.es.privateKey, { alg: 'ES256', kid: 'es-1' }), { subject: 'user-1', scopes: ['a', 'b'], issuer: iss('es') }],
  ['EdDSA', (k) => sign(claims({ iss: iss('ed') }), k.ed.privateKey, { alg: 'EdDSA' }), { subject: 'user-1', issuer: iss('ed') }],
  ['Ed25519 (RFC 9864 name)', (k) => sign(claims({ iss: iss('ed') }), k.ed.privateKey, { alg: 'Ed25519' }), { subject: 'user-1' }],
  ['HS256', (k) => sign(claims({ iss: iss('hs') }), bytes(k.hs), { alg: 'HS256' }), { subject: 'user-1', issuer: iss('hs') }],
  ['client credentials: client_id and no sub', (k) => sign(claims({ iss: iss('hs'), sub: undefined, client_id: 'billing-service' }), bytes(k.hs), { alg: 'HS256' }),
    { subject: 'billing-service', kind: 'client' }],
  ['audience among several', (k) => sign(claims({ aud: ['other', 'api'] }), k.rs.privateKey, { alg: 'RS256' }), { subject: 'user-1' }],
  ['no jti: no credentialId', (k) => sign(claims({ jti: undefined }), k.rs.privateKey, { alg: 'RS256' }), { credentialId: undefined }],
  ['at+jwt with every strict rule met, custom scope and nested roles claims', (k) => sign(strict({ aud: 'admin-api', permissions: 'x y', realm_access: { roles: ['admin'] } }), k.rs.privateKey, { alg: 'RS256', typ: 'at+jwt' }),
    { subject: 'user-1', scopes: ['x', 'y'], roles: ['admin'] }],
  ['typ application/at+jwt (RFC 9068 §4 allows both)', (k) => sign(strict(), k.rs.privateKey, { alg: 'RS256', typ: 'application/at+jwt' }), { subject: 'user-1' }],

  // simplejwt: refresh and access tokens share a key; only token_type tells them apart.
  ['simplejwt access token', (k) => sign(claims({ iss: iss('simplejwt'), token_type: 'access' }), bytes(k.hs), { alg: 'HS256' }), { subject: 'user-1' }],
  ['simplejwt refresh token presented as an access token', (k) => sign(claims({ iss: iss('simplejwt'), token_type: 'refresh' }), bytes(k.hs), { alg: 'HS256' }), 'claim-value-mismatch'],
  ['simplejwt token without token_type', (k) => sign(claims({ iss: iss('simplejwt') }), bytes(k.hs), { alg: 'HS256' }), 'claim-value-mismatch'],

  // Clock tolerance edges (30 s by default; 10 s for strict.example).
  ['expired 29 s ago: within the 30 s tolerance', (k) => sign(claims({ exp: NOW_S - 29 }), k.rs.privateKey, { alg: 'RS256' }), { subject: 'user-1' }],
  ['expired 30 s ago: at the tolerance', (k) => sign(claims({ exp: NOW_S - 30 }), k.rs.privateKey, { alg: 'RS256' }), 'token-expired'],
  ['expired an hour ago', (k) => sign(claims({ exp: NOW_S - 3600 }), k.rs.privateKey, { alg: 'RS256' }), 'token-expired'],
  ['nbf 30 s ahead: within tolerance', (k) => sign(claims({ nbf: NOW_S + 30 }), k.rs.privateKey, { alg: 'RS256' }), { subject: 'user-1' }],
  ['nbf 31 s ahead', (k) => sign(claims({ nbf: NOW_S + 31 }), k.rs.privateKey, { alg: 'RS256' }), 'token-not-yet-valid'],
  ['iat 11 s in the future with maxTokenAge', (k) => sign(strict({ iat: NOW_S + 11 }), k.rs.privateKey, { alg: 'RS256', typ: 'at+jwt' }), 'token-not-yet-valid'],

  // Max token age (300 s + 10 s tolerance on strict.example).
  ['issued 310 s ago: at the age limit', (k) => sign(strict({ iat: NOW_S - 310 }), k.rs.privateKey, { alg: 'RS256', typ: 'at+jwt' }), { subject: 'user-1' }],
  ['issued 311 s ago', (k) => sign(strict({ iat: NOW_S - 311 }), k.rs.privateKey, { alg: 'RS256', typ: 'at+jwt' }), 'token-too-old'],
  ['no iat while maxTokenAge is set', (k) => sign(strict({ iat: undefined }), k.rs.privateKey, { alg: 'RS256', typ: 'at+jwt' }), 'claim-missing'],

  // Algorithms.
  ['algorithm confusion: HS256 signed with the RSA public key PEM', (k) => sign(claims(), bytes(k.rs.publicPem), { alg: 'HS256' }), 'algorithm-not-allowed'],
  ['alg none', () => unsigned(claims()), 'algorithm-not-allowed'],
  ['alg none for an HS issuer', () => unsigned(claims({ iss: iss('hs') })), 'algorithm-not-allowed'],
  ['RS256 token for an HS256 issuer', (k) => sign(claims({ iss: iss('hs') }), k.rs.privateKey, { alg: 'RS256' }), 'algorithm-not-allowed'],
  ['ES256 token for an RS256 issuer', (k) => sign(claims(), k.es.privateKey, { alg: 'ES256' }), 'algorithm-not-allowed'],

  // Keys of another issuer.
  ['issuer A signed with issuer B\'s RSA key', (k) => sign(claims(), k.otherRs.privateKey, { alg: 'RS256' }), 'signature-invalid'],
  ['issuer A signed with issuer B\'s HMAC secret', (k) => sign(claims({ iss: iss('hs') }), bytes(k.otherHs), { alg: 'HS256' }), 'signature-invalid'],
  ['payload changed after signing', async (k) => {
    const [header, , signature] = (await sign(claims(), k.rs.privateKey, { alg: 'RS256' })).split('.');
    return `${header}.${Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url')}.${signature}`;
  }, 'signature-invalid'],

  // Issuer and audience.
  ['unknown issuer', (k) => sign(claims({ iss: 'https://evil.example' }), k.rs.privateKey, { alg: 'RS256' }), 'issuer-unknown'],
  ['issuer differing by a trailing slash', (k) => sign(claims({ iss: 'https://rs.example/' }), k.rs.privateKey, { alg: 'RS256' }), 'issuer-unknown'],
  ['no iss', (k) => sign(claims({ iss: undefined }), k.rs.privateKey, { alg: 'RS256' }), 'issuer-unknown'],
  ['wrong audience', (k) => sign(claims({ aud: 'other-api' }), k.rs.privateKey, { alg: 'RS256' }), 'audience-mismatch'],
  ['no aud while an audience is configured', (k) => sign(claims({ aud: undefined }), k.rs.privateKey, { alg: 'RS256' }), 'claim-missing'],

  // Required claims and type.
  ['no exp', (k) => sign(claims({ exp: undefined }), k.rs.privateKey, { alg: 'RS256' }), 'claim-missing'],
  ['exp that is not a number', (k) => sign(claims({ exp: 'tomorrow' }), k.rs.privateKey, { alg: 'RS256' }), 'token-malformed'],
  ['no sub and no client_id', (k) => sign(claims({ sub: undefined }), k.rs.privateKey, { alg: 'RS256' }), 'claim-missing'],
  ['sub that is not a string', (k) => sign(claims({ sub: 42 }), k.rs.privateKey, { alg: 'RS256' }), 'token-malformed'],
  ['required claim missing', (k) => sign(strict({ tenant: undefined }), k.rs.privateKey, { alg: 'RS256', typ: 'at+jwt' }), 'claim-missing'],
  ['typ JWT where at+jwt is required', (k) => sign(strict(), k.rs.privateKey, { alg: 'RS256', typ: 'JWT' }), 'token-wrong-type'],
  ['no typ where at+jwt is required', (k) => sign(strict(), k.rs.privateKey, { alg: 'RS256' }), 'token-wrong-type'],
  ['scope claim of the wrong type', (k) => sign(claims({ scope: 7 }), k.rs.privateKey, { alg: 'RS256' }), 'token-malformed'],

  // Not a JWT at all.
  ['empty string', () => '', 'token-malformed'],
  ['one segment', () => 'abc', 'token-malformed'],
  ['three segments of junk', () => 'a.b.c', 'token-malformed'],
  ['a JWE (five segments)', () => 'a.b.c.d.e', 'token-malformed'],
  ['a payload that is not an object', (k) => `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('[1]').toString('base64url')}.sig`, 'token-malformed'],
  ['too long', () => `a.${'b'.repeat(20_000)}.c`, 'token-malformed'],
];

for (const [why, make, expected] of cases) {
  test(`jwt: ${why} → ${typeof expected === 'string' ? expected : 'accepted'}`, async () => {
    const token = await make(keys);
    if (typeof expected === 'string') {
      const error = await assertRefused(verifier.verify(token), expected);
      assert.equal(error.bearerError, 'invalid_token');
      assert.ok(!error.detail.includes(token) || token.length < 10, 'the detail must not echo the token');
      return;
    }
    const found = await verifier.verify(token);
    for (const [field, value] of Object.entries(expected)) {
      const actual = (found as unknown as Record<string, unknown>)[field];
      assert.deepEqual(actual instanceof Set ? [...actual] : actual, value, field);
    }
  });
}

test('jwt: the principal carries the verified claims, frozen', async () => {
  const found = await verifier.verify(await sign(claims({ roles: ['a'] }), keys.rs.privateKey, { alg: 'RS256' }));
  assert.equal(found.claims.aud, 'api');
  assert.ok(Object.isFrozen(found.claims));
  assert.ok(Object.isFrozen(found.claims.roles));
});

test('jwt: a refusal is an AuthenticationError with a 401 and a stable code', async () => {
  const error = await assertRefused(verifier.verify(unsigned(claims())), 'algorithm-not-allowed');
  assert.ok(error instanceof AuthenticationError);
  assert.equal(error.status, 401);
  assert.equal(error.code, 'auth-algorithm-not-allowed');
});
