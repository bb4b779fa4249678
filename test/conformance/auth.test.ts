// The authentication and permissions conformance suite: every vector through every adapter over real
// HTTP on loopback, with real credentials: tokens signed with real keys (HS256 secret, ES256 key pair)
// and API keys issued by a real store on a migrated sqlite::memory: database.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base64url, type JWTPayload } from 'jose';
import { listsToken } from '../../src/adapters/responseHeaders.ts';
import { createApiKeyStore, type ApiKeyStore } from '../../src/auth/apiKeys/apiKeyStore.ts';
import { generateApiKey } from '../../src/auth/apiKeys/keyFormat.ts';
import { InMemoryRevocationList } from '../../src/auth/jwt/revocation.ts';
import { createLogger } from '../../src/logger.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { bytes, sign, testKey, testSecret, unsigned, type TestKey } from '../auth/jwtFixtures.ts';
import { send, type RawResponse } from '../helpers/httpClient.ts';
import { ADAPTERS, startTestServer, type StartOptions, type TestServer } from '../helpers/servers.ts';
import { API_KEYS, AUDIENCE, authOptions, authVectors, BODY_NEVER, CORS, DERIVED_KEYS, ES_ISSUER, HS_ISSUER, TOKENS, type AuthVector, type TokenSpec } from './authVectors.ts';

/** The credentials the placeholders of the vectors stand for. */
interface Credentials {
  readonly jwt: Record<string, string>;
  readonly key: Record<string, string>;
}

let database: Database;
let store: ApiKeyStore;
let credentials: Credentials;
let options: StartOptions;

async function signToken(spec: TokenSpec, keys: { hsSecret: string; es: TestKey; otherEs: TestKey }, nowS: number, jti: string): Promise<string> {
  const issuer = spec.signer === 'es' || spec.signer === 'es-other-key' || spec.signer === 'hs-as-es-issuer' ? ES_ISSUER : HS_ISSUER;
  const claims: Record<string, unknown> = { iss: issuer, aud: AUDIENCE, iat: nowS - 60, exp: nowS + 600, jti };
  for (const [name, value] of Object.entries(spec.claims)) {
    if (value === undefined) delete claims[name];
    else claims[name] = (spec.relative as readonly string[] | undefined)?.includes(name) ? nowS + (value as number) : value;
  }
  const payload = claims as JWTPayload;
  let token: string;
  switch (spec.signer) {
    case 'hs':
    case 'hs-as-es-issuer':
      token = await sign(payload, bytes(keys.hsSecret), { alg: 'HS256', typ: 'JWT' });
      break;
    case 'hs-other-secret':
      token = await sign(payload, bytes(testSecret()), { alg: 'HS256', typ: 'JWT' });
      break;
    case 'es':
      token = await sign(payload, keys.es.privateKey, { alg: 'ES256', kid: keys.es.kid, typ: 'JWT' });
      break;
    case 'es-other-key':
      token = await sign(payload, keys.otherEs.privateKey, { alg: 'ES256', kid: keys.es.kid, typ: 'JWT' });
      break;
    case 'none':
      token = unsigned(payload);
      break;
  }
  if (spec.tamper === undefined) return token;
  const [header, , signature] = token.split('.');
  return `${header}.${base64url.encode(JSON.stringify({ ...claims, ...spec.tamper }))}.${signature}`;
}

/** One character of the key's body replaced by another base62 character. */
function withTypo(key: string): string {
  const at = key.indexOf('_') + 5;
  return key.slice(0, at) + (key[at] === 'A' ? 'B' : 'A') + key.slice(at + 1);
}

before(async () => {
  const logger = createLogger(false);
  database = openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  store = createApiKeyStore({ db: database.db, secret: 'conformance-api-key-secret-0123456789abcdef', logger });

  const key: Record<string, string> = {};
  for (const [name, spec] of Object.entries(API_KEYS)) {
    const created = await store.create({ name: `conformance ${name}`, owner: spec.owner, scopes: spec.scopes, allowedIps: spec.allowedIps ?? [] });
    if (spec.then === 'revoke') await store.revoke(created.record.id, 'leaked in a conformance vector');
    if (spec.then === 'disable') await store.disable(created.record.id);
    key[name] = created.key;
  }
  const derived: Record<keyof typeof DERIVED_KEYS, string> = { typo: withTypo(key.writer!), truncated: key.writer!.slice(0, -1), unknown: generateApiKey() };
  Object.assign(key, derived);

  const keys = { hsSecret: testSecret(), es: await testKey('ES256', 'es-1'), otherEs: await testKey('ES256', 'es-1') };
  const revocation = new InMemoryRevocationList();
  const nowS = Math.floor(Date.now() / 1000);
  const jwt: Record<string, string> = {};
  for (const [name, spec] of Object.entries(TOKENS)) {
    const jti = `conformance-${name}`;
    jwt[name] = await signToken(spec, keys, nowS, jti);
    if (spec.revoked) revocation.revokeToken(jti, nowS + 600);
  }
  credentials = { jwt, key };
  options = { ...authOptions({ hsSecret: keys.hsSecret, esPublicKey: keys.es.publicPem, store, revocation }), logger };
});

after(async () => {
  await store?.settled();
  await database?.close();
});

/** The request's headers with the placeholders replaced, and the credentials it carries. */
function resolve(headers: Record<string, string | string[]> = {}): { headers: Record<string, string | string[]>; sent: string[] } {
  const sent: string[] = [];
  const fill = (value: string) =>
    value.replace(/<(jwt|key):([A-Za-z]+)>/g, (_match, kind: 'jwt' | 'key', name: string) => {
      const credential = credentials[kind][name];
      assert.ok(credential !== undefined, `no ${kind} named ${name}`);
      sent.push(credential);
      return credential;
    });
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.map(fill) : fill(value);
  return { headers: out, sent };
}

function checkAuthVector(vector: AuthVector, response: RawResponse, sent: readonly string[]): void {
  const where = `${vector.id}: ${vector.why}`;
  const { expect } = vector;
  assert.equal(response.status, expect.status, `${where} — status (body ${response.body})`);
  assert.equal(response.headers['x-handler'] === 'called', expect.handlerCalled, `${where} — handler called`);
  assert.equal(response.headers['x-principal'] ?? null, expect.principal, `${where} — the Principal the handler saw`);
  if (expect.principal !== null) assert.equal(response.headers['x-principal-same'], 'yes', `${where} — the framework's Principal is principalOf(raw request)`);
  if (expect.kind !== undefined) assert.equal(response.headers['x-principal-kind'], expect.kind, `${where} — Principal kind`);
  if (expect.scopes !== undefined) assert.equal(response.headers['x-principal-scopes'], expect.scopes, `${where} — Principal scopes`);
  for (const [name, expected] of Object.entries(expect.headers)) {
    assert.equal(response.headers[name] ?? null, expected, `${where} — header ${name}`);
  }
  assert.ok(listsToken(response.headers.vary ?? '', 'origin'), `${where} — Vary lists Origin (got "${response.headers.vary}")`);

  if (expect.problem !== undefined && vector.request.method !== 'HEAD') {
    const body = JSON.parse(response.body) as Record<string, unknown>;
    assert.equal(body.code, expect.problem, `${where} — problem code`);
    assert.equal(body.status, expect.status, `${where} — problem status`);
    assert.equal(body.type, `https://gatehouse.dev/problems/${expect.problem}`, `${where} — problem type`);
  }
  if (!expect.handlerCalled && expect.status >= 400) {
    // Gatehouse's own refusal: the rows must say what it carries, and it must not say why.
    assert.ok(expect.problem !== undefined && 'www-authenticate' in expect.headers, `${where} — a refusal row must give its problem code and challenge`);
    const lower = response.body.toLowerCase();
    for (const word of BODY_NEVER) assert.ok(!lower.includes(word), `${where} — the body names the reason ("${word}"): ${response.body}`);
    for (const credential of sent) assert.ok(!response.body.includes(credential), `${where} — the body echoes the credential`);
  }
}

for (const adapter of ADAPTERS) {
  describe(`auth conformance through the ${adapter} adapter`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(adapter, CORS, options);
    });
    after(() => server.close());
    for (const vector of authVectors) {
      test(vector.id, vector.todo === undefined ? {} : { todo: vector.todo }, async () => {
        const { headers, sent } = resolve(vector.request.headers);
        const response = await send(server.url, vector.request.method, vector.request.path, headers);
        checkAuthVector(vector, response, sent);
      });
    }
  });
}

test('the auth suite has at least 60 vectors with unique ids', () => {
  assert.ok(authVectors.length >= 60, `only ${authVectors.length} vectors`);
  assert.equal(new Set(authVectors.map((v) => v.id)).size, authVectors.length);
});
