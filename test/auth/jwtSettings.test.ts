import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { resolveJwtSettings } from '../../src/config/jwtSchema.ts';
import { ConfigError } from '../../src/errors.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const rsaPrivatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const weakRsaPem = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ecJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
const edPem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const secret32 = 'a'.repeat(32);

function refused(issuers: unknown[]): ConfigError {
  try {
    resolveJwtSettings({ issuers });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(issuers)}`);
}

const base = { issuer: 'https://auth.example.com' };

// Each row: why, the issuer entries, the setting the message must name, and words it must contain.
const startUpRefusals: [string, unknown[], string, RegExp][] = [
  ['no issuers', [], 'auth.jwt.issuers', /at least one trusted issuer/],
  ['algorithms missing', [{ ...base, secret: secret32 }], 'auth.jwt.issuers[0].algorithms', /is required.*RS256/s],
  ['algorithms empty', [{ ...base, algorithms: [], secret: secret32 }], 'auth.jwt.issuers[0].algorithms', /at least one algorithm/],
  ['alg none', [{ ...base, algorithms: ['none'], secret: secret32 }], 'auth.jwt.issuers[0].algorithms[0]', /"none".*forge/s],
  ['alg None in any case', [{ ...base, algorithms: ['RS256', 'None'], publicKey: rsaPem }], 'auth.jwt.issuers[0].algorithms[1]', /refused/],
  ['unknown algorithm', [{ ...base, algorithms: ['RS265'], publicKey: rsaPem }], 'auth.jwt.issuers[0].algorithms[0]', /not a supported JWS algorithm.*did you mean "RS256"/s],
  ['HS and RS mixed', [{ ...base, algorithms: ['HS256', 'RS256'], publicKey: rsaPem }], 'auth.jwt.issuers[0].algorithms', /mixes HMAC/],
  ['HS with a public key', [{ ...base, algorithms: ['HS256'], publicKey: rsaPem }], 'auth.jwt.issuers[0].publicKey', /algorithm-confusion/],
  ['RS with a secret', [{ ...base, algorithms: ['RS256'], secret: secret32 }], 'auth.jwt.issuers[0].secret', /only verifies HS256/],
  ['HS with a JWKS', [{ ...base, algorithms: ['HS256'], jwksUrl: 'https://auth.example.com/jwks' }], 'auth.jwt.issuers[0].jwksUrl', /public keys only/],
  ['no key source', [{ ...base, algorithms: ['RS256'] }], 'auth.jwt.issuers[0]', /no key source.*exactly one/s],
  ['two key sources', [{ ...base, algorithms: ['RS256'], publicKey: rsaPem, jwksUrl: 'https://auth.example.com/jwks' }], 'auth.jwt.issuers[0]', /2 key sources \(publicKey, jwksUrl\)/],
  ['secret too short for HS256', [{ ...base, algorithms: ['HS256'], secret: 'a'.repeat(31) }], 'auth.jwt.issuers[0].secret', /31 bytes.*32 bytes at least.*randomBytes\(32\)/s],
  ['secret too short for HS512', [{ ...base, algorithms: ['HS256', 'HS512'], secret: 'a'.repeat(40) }], 'auth.jwt.issuers[0].secret', /64 bytes at least/],
  ['PEM as a secret', [{ ...base, algorithms: ['HS256'], secret: rsaPem }], 'auth.jwt.issuers[0].secret', /PEM key, not a shared secret/],
  ['private key as publicKey', [{ ...base, algorithms: ['RS256'], publicKey: rsaPrivatePem }], 'auth.jwt.issuers[0].publicKey', /private or symmetric key.*-pubout/s],
  ['unreadable publicKey', [{ ...base, algorithms: ['RS256'], publicKey: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }], 'auth.jwt.issuers[0].publicKey', /not a readable public key/],
  ['RSA key listed for ES256', [{ ...base, algorithms: ['ES256'], publicKey: rsaPem }], 'auth.jwt.issuers[0].publicKey', /rsa key.*cannot verify ES256.*RS256/s],
  ['P-256 key listed for ES384', [{ ...base, algorithms: ['ES384'], publicKey: ecJwk }], 'auth.jwt.issuers[0].publicKey', /prime256v1.*list only ES256/s],
  ['1024-bit RSA key', [{ ...base, algorithms: ['RS256'], publicKey: weakRsaPem }], 'auth.jwt.issuers[0].publicKey', /1024-bit.*2048/s],
  ['JWK alg disagrees', [{ ...base, algorithms: ['ES256', 'RS256'], publicKey: { ...ecJwk, alg: 'ES256' } }], 'auth.jwt.issuers[0].publicKey', /cannot verify RS256/],
  ['jwksUrl over http', [{ ...base, algorithms: ['RS256'], jwksUrl: 'http://auth.example.com/jwks' }], 'auth.jwt.issuers[0].jwksUrl', /plain http.*https:\/\/auth\.example\.com\/jwks/s],
  ['jwksUrl over http to a private address', [{ ...base, algorithms: ['RS256'], jwksUrl: 'http://10.0.0.5/jwks' }], 'auth.jwt.issuers[0].jwksUrl', /only for 127\.0\.0\.0\/8, ::1 and localhost/],
  ['jwksUrl with another scheme', [{ ...base, algorithms: ['RS256'], jwksUrl: 'file:///etc/jwks.json' }], 'auth.jwt.issuers[0].jwksUrl', /file:/],
  ['jwksUrl not a URL', [{ ...base, algorithms: ['RS256'], jwksUrl: 'auth.example.com/jwks' }], 'auth.jwt.issuers[0].jwksUrl', /absolute URL/],
  ['duplicate issuer', [{ ...base, algorithms: ['RS256'], publicKey: rsaPem }, { ...base, algorithms: ['ES256'], publicKey: ecJwk }], 'auth.jwt.issuers[1].issuer', /already configured by auth\.jwt\.issuers\[0\]/],
  ['negative clock tolerance', [{ ...base, algorithms: ['RS256'], publicKey: rsaPem, clockToleranceSeconds: -1 }], 'auth.jwt.issuers[0].clockToleranceSeconds', /LEEWAY.*>=0/s],
  ['audience of the wrong type', [{ ...base, algorithms: ['RS256'], publicKey: rsaPem, audience: 42 }], 'auth.jwt.issuers[0].audience', /string or a non-empty list/],
  ['misspelt setting', [{ ...base, algorithm: ['RS256'], publicKey: rsaPem }], 'auth.jwt.issuers[0].algorithm', /did you mean "algorithms"/],
];

for (const [why, issuers, setting, words] of startUpRefusals) {
  test(`auth.jwt start-up refuses: ${why}`, () => {
    const error = refused(issuers);
    const issue = error.issues.find((i) => i.setting === setting);
    assert.ok(issue, `no issue names ${setting}: ${error.message}`);
    assert.match(error.message, words);
  });
}

test('auth.jwt: a secret or a key never appears in a message', () => {
  const secret = 'correct-horse-battery-staple-but-too-short';
  const error = refused([{ ...base, algorithms: ['HS512'], secret }, { issuer: 'x', algorithms: ['RS256'], publicKey: rsaPrivatePem }]);
  assert.doesNotMatch(error.message, /correct-horse|MII/);
});

test('auth.jwt: every problem is reported at once, with the simplejwt names', () => {
  const error = refused([
    { ...base, algorithms: ['none'], secret: 'short' },
    { issuer: 'https://b.example', algorithms: ['RS256'], jwksUrl: 'http://b.example/jwks' },
  ]);
  assert.equal(error.issues.length, 3, error.message);
  assert.match(error.message, /3 problem/);
  assert.match(error.message, /SIMPLE_JWT\["ALGORITHM"\]/);
  assert.match(error.message, /SIMPLE_JWT\["JWK_URL"\]/);
});

// Each row: why, the issuer entry, and a check on what was resolved.
const accepted: [string, Record<string, unknown>, (r: ReturnType<typeof resolveJwtSettings>) => void][] = [
  ['HS256 with a 32-byte secret, with defaults', { ...base, algorithms: ['HS256'], secret: secret32 }, (r) => {
    const issuer = r.issuers.get(base.issuer)!;
    assert.equal(issuer.keySource.kind, 'secret');
    assert.equal(issuer.clockToleranceSeconds, 30);
    assert.equal(issuer.rolesClaim, 'roles');
    assert.equal(issuer.scopesClaim, undefined);
    assert.equal(issuer.requireAccessTokenType, false);
    assert.deepEqual(issuer.requiredClaims, []);
  }],
  ['RS256 and PS256 with a PEM', { ...base, algorithms: ['RS256', 'PS256'], publicKey: rsaPem, audience: 'api' }, (r) => {
    assert.equal(r.issuers.get(base.issuer)!.keySource.kind, 'public-key');
    assert.deepEqual(r.issuers.get(base.issuer)!.audience, ['api']);
  }],
  ['ES256 with a JWK object', { ...base, algorithms: ['ES256'], publicKey: ecJwk }, (r) => assert.equal(r.issuers.get(base.issuer)!.keySource.kind, 'public-key')],
  ['EdDSA and Ed25519 with a PEM', { ...base, algorithms: ['EdDSA', 'Ed25519'], publicKey: edPem }, (r) => assert.deepEqual(r.issuers.get(base.issuer)!.algorithms, ['EdDSA', 'Ed25519'])],
  ['https JWKS with defaults', { ...base, algorithms: ['RS256', 'ES256'], jwksUrl: 'https://auth.example.com/.well-known/jwks.json' }, (r) => {
    assert.deepEqual(r.issuers.get(base.issuer)!.keySource, { kind: 'jwks', url: new URL('https://auth.example.com/.well-known/jwks.json'), cacheMaxAgeSeconds: 600, cooldownSeconds: 30 });
  }],
  ['http JWKS on 127.0.0.1', { ...base, algorithms: ['RS256'], jwksUrl: 'http://127.0.0.1:8080/jwks' }, () => {}],
  ['http JWKS on 127.1 (another loopback spelling)', { ...base, algorithms: ['RS256'], jwksUrl: 'http://127.1/jwks' }, () => {}],
  ['http JWKS on [::1]', { ...base, algorithms: ['RS256'], jwksUrl: 'http://[::1]:8080/jwks' }, () => {}],
  ['http JWKS on localhost', { ...base, algorithms: ['RS256'], jwksUrl: 'http://localhost:8080/jwks', jwksCacheMaxAgeSeconds: 60, jwksCooldownSeconds: 5 }, (r) => {
    const source = r.issuers.get(base.issuer)!.keySource;
    assert.ok(source.kind === 'jwks' && source.cacheMaxAgeSeconds === 60 && source.cooldownSeconds === 5);
  }],
];

for (const [why, issuer, check] of accepted) {
  test(`auth.jwt start-up accepts: ${why}`, () => check(resolveJwtSettings({ issuers: [issuer] })));
}

test('auth.jwt: the resolved settings are frozen', () => {
  const resolved = resolveJwtSettings({ issuers: [{ ...base, algorithms: ['HS256'], secret: secret32 }] });
  assert.ok(Object.isFrozen(resolved));
  assert.ok(Object.isFrozen(resolved.issuers.get(base.issuer)));
});
