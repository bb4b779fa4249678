// The auth conformance suite's credentials: real tokens from TOKENS (HS256 secret, ES256 key pair),
// real API keys in a migrated sqlite::memory: store, and the Gatehouse options of authVectors.ts. Used
// by the adapters' suite (auth.test.ts) and the gateway's (test/gateway).

import assert from 'node:assert/strict';
import { base64url, type JWTPayload } from 'jose';
import { createApiKeyStore, type ApiKeyStore } from '../../src/auth/apiKeys/apiKeyStore.ts';
import { generateApiKey } from '../../src/auth/apiKeys/keyFormat.ts';
import { InMemoryRevocationList } from '../../src/auth/jwt/revocation.ts';
import { createLogger } from '../../src/logger.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { bytes, sign, testKey, testSecret, unsigned, type TestKey } from '../auth/jwtFixtures.ts';
import { API_KEYS, AUDIENCE, authOptions, ES_ISSUER, HS_ISSUER, TOKENS, type TokenSpec } from './authVectors.ts';
import type { StartOptions } from '../helpers/servers.ts';

export interface SuiteCredentials {
  readonly jwt: Record<string, string>;
  readonly key: Record<string, string>;
  readonly options: StartOptions;
  readonly store: ApiKeyStore;
  close(): Promise<void>;
}

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

function withTypo(key: string): string {
  const at = key.indexOf('_') + 5;
  return key.slice(0, at) + (key[at] === 'A' ? 'B' : 'A') + key.slice(at + 1);
}

export async function suiteCredentials(): Promise<SuiteCredentials> {
  const logger = createLogger(false);
  const database: Database = openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  const store = createApiKeyStore({ db: database.db, secret: 'conformance-api-key-secret-0123456789abcdef', logger });
  const key: Record<string, string> = {};
  for (const [name, spec] of Object.entries(API_KEYS)) {
    const created = await store.create({ name: `conformance ${name}`, owner: spec.owner, scopes: spec.scopes, allowedIps: spec.allowedIps ?? [] });
    if (spec.then === 'revoke') await store.revoke(created.record.id, 'leaked in a conformance vector');
    if (spec.then === 'disable') await store.disable(created.record.id);
    key[name] = created.key;
  }
  Object.assign(key, { typo: withTypo(key.writer!), truncated: key.writer!.slice(0, -1), unknown: generateApiKey() });
  const keys = { hsSecret: testSecret(), es: await testKey('ES256', 'es-1'), otherEs: await testKey('ES256', 'es-1') };
  const revocation = new InMemoryRevocationList();
  const nowS = Math.floor(Date.now() / 1000);
  const jwt: Record<string, string> = {};
  for (const [name, spec] of Object.entries(TOKENS)) {
    const jti = `conformance-${name}`;
    jwt[name] = await signToken(spec, keys, nowS, jti);
    if (spec.revoked) revocation.revokeToken(jti, nowS + 600);
  }
  const options = { ...authOptions({ hsSecret: keys.hsSecret, esPublicKey: keys.es.publicPem, store, revocation }), logger };
  return {
    jwt,
    key,
    options,
    store,
    close: async () => {
      await store.settled();
      await database.close();
    },
  };
}

/** The request's headers with the vectors' `<jwt:name>` and `<key:name>` placeholders replaced, and the credentials it carries. */
export function fillCredentials(
  credentials: { readonly jwt: Record<string, string>; readonly key: Record<string, string> },
  headers: Record<string, string | string[]> = {},
): { headers: Record<string, string | string[]>; sent: string[] } {
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
