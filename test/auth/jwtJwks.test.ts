// A real JWKS endpoint on 127.0.0.1: rotation, cool-down, stale-if-error, an issuer that is down.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createJwtVerifier } from '../../src/auth/jwt/jwtVerifier.ts';
import { resolveJwtSettings } from '../../src/config/jwtSchema.ts';
import { captureLogger } from '../helpers/captureLogger.ts';
import { assertRefused, bytes, claims, sign, startJwksServer, TestClock, testKey, type JwksServer, type TestKey } from './jwtFixtures.ts';

const ISS = 'https://idp.example';
let rs1: TestKey;
let rs2: TestKey;
let es1: TestKey;
const servers: JwksServer[] = [];

before(async () => {
  [rs1, rs2, es1] = await Promise.all([testKey('RS256', 'rs-1'), testKey('RS256', 'rs-2'), testKey('ES256', 'es-1')]);
});
after(() => Promise.all(servers.map((s) => s.stop())));

/** A fresh JWKS host and a verifier trusting it (max age 600 s, cool-down 30 s). */
async function setUp(keys = [rs1.publicJwk, es1.publicJwk]) {
  const host = await startJwksServer(keys);
  servers.push(host);
  const clock = new TestClock();
  const logger = captureLogger();
  const settings = resolveJwtSettings({ issuers: [{ issuer: ISS, algorithms: ['RS256', 'ES256'], jwksUrl: host.url, clockToleranceSeconds: 0 }] });
  const verifier = createJwtVerifier(settings, { now: clock.now, logger, jwksTimeoutMs: 500 });
  // Each token differs (jti), so the verification cache never answers for the key set.
  let n = 0;
  const token = (key: TestKey, kid: string | null = key.kid) =>
    sign(claims({ iss: ISS, aud: undefined, jti: `t${++n}`, iat: clock.ms / 1000 - 1, exp: clock.ms / 1000 + 3600 }), key.privateKey, { alg: key.alg, ...(kid === null ? {} : { kid }) });
  return { host, clock, logger, verifier, token };
}

test('jwks: RS256 and ES256 tokens verify with keys from the endpoint, fetched once', async () => {
  const { host, verifier, token } = await setUp();
  assert.equal((await verifier.verify(await token(rs1))).subject, 'user-1');
  assert.equal((await verifier.verify(await token(es1))).subject, 'user-1');
  assert.equal(host.requests, 1);
});

test('jwks: concurrent first requests share one fetch', async () => {
  const { host, verifier, token } = await setUp();
  const tokens = await Promise.all(Array.from({ length: 20 }, () => token(rs1)));
  const principals = await Promise.all(tokens.map((t) => verifier.verify(t)));
  assert.equal(principals.length, 20);
  assert.equal(host.requests, 1);
});

test('jwks: a rotated key (new kid) is fetched once; more unknown kids within the cool-down do not hammer the host', async () => {
  const { host, clock, verifier, token } = await setUp([rs1.publicJwk]);
  await verifier.verify(await token(rs1));
  assert.equal(host.requests, 1);

  clock.advance(31); // past the cool-down after the first fetch
  host.keys = [rs1.publicJwk, rs2.publicJwk];
  assert.equal((await verifier.verify(await token(rs2))).subject, 'user-1');
  assert.equal(host.requests, 2, 'the unknown kid triggered exactly one refetch');

  for (let i = 0; i < 10; i++) await assertRefused(verifier.verify(await token(rs2, `forged-${i}`)), 'key-unknown');
  assert.equal(host.requests, 2, 'no refetch within the cool-down');

  clock.advance(31);
  await assertRefused(verifier.verify(await token(rs2, 'forged-later')), 'key-unknown');
  assert.equal(host.requests, 3, 'one refetch once the cool-down has passed');
});

test('jwks: an unknown kid right after a fetch is refused without asking again', async () => {
  const { host, verifier, token } = await setUp([rs1.publicJwk]);
  await verifier.verify(await token(rs1));
  host.keys = [rs1.publicJwk, rs2.publicJwk];
  await assertRefused(verifier.verify(await token(rs2)), 'key-unknown');
  assert.equal(host.requests, 1);
});

test('jwks: the key set is fetched again after its max age', async () => {
  const { host, clock, verifier, token } = await setUp();
  await verifier.verify(await token(rs1));
  clock.advance(599);
  await verifier.verify(await token(rs1));
  assert.equal(host.requests, 1);
  clock.advance(2);
  await verifier.verify(await token(rs1));
  assert.equal(host.requests, 2);
});

test('jwks: a key removed at the host stops verifying once the set is refreshed', async () => {
  const { host, clock, verifier, token } = await setUp([rs1.publicJwk, rs2.publicJwk]);
  await verifier.verify(await token(rs2));
  host.keys = [rs1.publicJwk];
  clock.advance(601);
  await assertRefused(verifier.verify(await token(rs2)), 'key-unknown');
});

// Each row: how the host misbehaves after a first good fetch. The last good key set keeps serving.
const staleCases: [string, (host: JwksServer) => Promise<void> | void, RegExp][] = [
  ['host stopped', (host) => host.stop(), /unreachable/],
  ['HTML instead of JSON', (host) => void (host.mode = 'garbage'), /not JSON/],
  ['JSON that is not a key set', (host) => void (host.mode = 'not-a-key-set'), /not a key set/],
  ['an answer over 1 MB', (host) => void (host.mode = 'huge'), /byte limit/],
  ['HTTP 500', (host) => void (host.mode = 'status-500'), /HTTP 500/],
  ['no answer (timeout)', (host) => void (host.mode = 'hang'), /no answer within 500 ms/],
  ['private key material', (host) => void (host.mode = 'private-key'), /private or symmetric key material/],
];

for (const [why, breakHost, logged] of staleCases) {
  test(`jwks stale-if-error: ${why} → the last good key set still verifies, with a warning`, async () => {
    const { host, clock, logger, verifier, token } = await setUp();
    await verifier.verify(await token(rs1));
    await breakHost(host);
    clock.advance(601); // the cached set is past its max age
    assert.equal((await verifier.verify(await token(rs1))).subject, 'user-1');
    const warning = logger.entries.find((e) => e.level === 'warn');
    assert.ok(warning, 'a warning is logged');
    assert.match(warning.message, logged);
    assert.match(warning.message, /serving the last good key set/);
    // Within the cool-down, the broken host is not asked again.
    const asked = host.requests;
    await verifier.verify(await token(rs1));
    assert.equal(host.requests, asked);
  });
}

test('jwks: a host down from the start → key-source-unavailable (503)', async () => {
  const { host, verifier, token } = await setUp();
  await host.stop();
  const error = await assertRefused(verifier.verify(await token(rs1)), 'key-source-unavailable');
  assert.equal(error.status, 503);
});

test('jwks: a host failing from the start is asked again only after the cool-down', async () => {
  const { host, clock, verifier, token } = await setUp();
  host.mode = 'status-500';
  await assertRefused(verifier.verify(await token(rs1)), 'key-source-unavailable');
  await assertRefused(verifier.verify(await token(rs1)), 'key-source-unavailable');
  assert.equal(host.requests, 1);
  host.mode = 'ok';
  clock.advance(31);
  assert.equal((await verifier.verify(await token(rs1))).subject, 'user-1');
  assert.equal(host.requests, 2);
});

test('jwks: an unknown kid while the host is down → key-source-unavailable, not key-unknown', async () => {
  const { host, clock, verifier, token } = await setUp([rs1.publicJwk]);
  await verifier.verify(await token(rs1));
  host.mode = 'status-500';
  clock.advance(31);
  await assertRefused(verifier.verify(await token(rs2)), 'key-source-unavailable');
});

test('jwks: several keys fit a token without kid → the one that verifies wins', async () => {
  const { verifier, token } = await setUp([{ ...rs1.publicJwk, kid: undefined }, { ...rs2.publicJwk, kid: undefined }]);
  assert.equal((await verifier.verify(await token(rs2, null))).subject, 'user-1');
  await assertRefused(verifier.verify(await sign(claims({ iss: ISS, aud: undefined }), (await testKey('RS256', 'x')).privateKey, { alg: 'RS256' })), 'signature-invalid');
});

test('jwks: algorithm confusion with a JWKS issuer (HS256 signed with the published key) is refused', async () => {
  const { verifier } = await setUp();
  await assertRefused(verifier.verify(await sign(claims({ iss: ISS, aud: undefined }), bytes(JSON.stringify(rs1.publicJwk)), { alg: 'HS256', kid: 'rs-1' })), 'algorithm-not-allowed');
});
