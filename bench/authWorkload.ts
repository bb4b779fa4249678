// The authentication suite's workload: what every server is configured with and asked. The runner
// makes a fresh fixture for each run (an HS256 secret, an ES256 and an Ed25519 key pair, a SQLite key
// store holding one usable and one revoked API key) and writes what the servers need to verify into
// one JSON file; the servers read it from BENCH_AUTH_FIXTURE. Private keys never leave the runner.
//
// Each case is `GET /api/posts/1` with `Authorization: Bearer <credential>`:
//   valid:            a good token (or API key), the same on every request (as a real client sends its
//                     token until it expires): 200 and the post;
//   refused:          a token whose signature is good but which expired an hour ago (API key: a
//                     revoked key), the same on every request: 401;
//   refused-distinct: a different expired token (good signature) on every request, cycling through
//                     2,000 of them: 401. No cache can help, so it prices a full verification (JWTs only).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, type CryptoKey, type KeyObject } from 'jose';
import { createApiKeyStore } from '../src/auth/apiKeys/apiKeyStore.ts';
import { createLogger } from '../src/logger.ts';
import { openDatabase } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrations.ts';
import { ROUTE, type BenchRequest } from './workload.ts';

/** The credentials measured: three JWT algorithms and Gatehouse's API keys. */
export const AUTH_ALGS = ['HS256', 'ES256', 'EdDSA', 'apikey'] as const;
export type AuthAlg = (typeof AUTH_ALGS)[number];
export type JwtAlg = Exclude<AuthAlg, 'apikey'>;

export const AUTH_KINDS = ['valid', 'refused', 'refused-distinct'] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];
type SameCredentialKind = Exclude<AuthKind, 'refused-distinct'>;

/** The kinds measured for a credential: API keys have no distinct case (it would need 2,000 revoked keys). */
export const kindsOf = (alg: AuthAlg): readonly AuthKind[] => (alg === 'apikey' ? ['valid', 'refused'] : AUTH_KINDS);

export const AUTH_ALG_LABELS: Readonly<Record<AuthAlg, string>> = { HS256: 'HS256', ES256: 'ES256', EdDSA: 'EdDSA (Ed25519)', apikey: 'API key' };

export function isAuthAlg(value: string | undefined): value is AuthAlg {
  return (AUTH_ALGS as readonly string[]).includes(value ?? '');
}

export const ISSUER = 'https://auth.bench.example';
export const SUBJECT = 'user-1';
/** Lifetime of the valid tokens: far longer than any run. */
const VALID_FOR_S = 24 * 3600;
/** Expired tokens the distinct case cycles through: more than any cache of a few hundred would hold. */
const DISTINCT_TOKENS = 2000;

/** What the servers read: only what verifies, never a private key. */
export interface AuthFixture {
  readonly issuer: string;
  /** The HS256 shared secret (48 base64url characters, 36 random bytes). */
  readonly hsSecret: string;
  /** SPKI PEM public keys. */
  readonly es256PublicKey: string;
  readonly eddsaPublicKey: string;
  /** The API key store: a SQLite file, and the HMAC secret its keys are hashed with. */
  readonly apiKeyDatabase: string;
  readonly apiKeySecret: string;
  /** The credential each case that repeats one sends, by algorithm and kind. */
  readonly credentials: Readonly<Record<AuthAlg, Readonly<Record<SameCredentialKind, string>>>>;
  /** A credential of the right shape no server may accept (signed by another key; an unknown API key). */
  readonly forged: Readonly<Record<AuthAlg, string>>;
}

export interface PreparedFixture {
  readonly path: string;
  readonly fixture: AuthFixture;
  /** The distinct expired tokens per JWT algorithm (only the load generator needs them: not in the file). */
  readonly distinct: Readonly<Record<JwtAlg, readonly string[]>>;
  /** Deletes the temporary directory with the fixture and the key store. */
  cleanup(): void;
}

type SigningKey = KeyObject | CryptoKey | Uint8Array;

function token(alg: JwtAlg, key: SigningKey, expired: boolean, jti = expired ? 'bench-expired' : 'bench-valid'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const iat = expired ? now - 2 * 3600 : now;
  const exp = expired ? now - 3600 : now + VALID_FOR_S;
  return new SignJWT({ scope: 'posts:read' })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setSubject(SUBJECT)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
}

/** Makes the keys, tokens and key store of one run in a fresh temporary directory. */
export async function prepareAuthFixture(): Promise<PreparedFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-auth-'));
  try {
    const hsSecret = randomBytes(36).toString('base64url');
    const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ed = generateKeyPairSync('ed25519');
    const other = { HS256: new TextEncoder().encode(randomBytes(36).toString('base64url')), ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, EdDSA: generateKeyPairSync('ed25519').privateKey };
    const signing: Record<JwtAlg, SigningKey> = { HS256: new TextEncoder().encode(hsSecret), ES256: es.privateKey, EdDSA: ed.privateKey };

    const apiKeyDatabase = join(dir, 'keys.db');
    const apiKeySecret = randomBytes(36).toString('base64url');
    const database = openDatabase(`sqlite:${apiKeyDatabase}`);
    let apiKeys: { valid: string; revoked: string; unknown: string };
    try {
      await migrateToLatest(database.db);
      const store = createApiKeyStore({ db: database.db, secret: apiKeySecret, logger: createLogger(false) });
      const valid = await store.create({ name: 'bench', owner: SUBJECT, scopes: ['posts:read'] });
      const revoked = await store.create({ name: 'bench revoked', owner: SUBJECT, scopes: ['posts:read'] });
      await store.revoke(revoked.record.id, 'benchmark: a revoked key');
      // Issued by a store with another secret: well-formed, checksum right, unknown here.
      const elsewhere = createApiKeyStore({ db: database.db, secret: randomBytes(36).toString('base64url'), logger: createLogger(false) });
      const unknown = await elsewhere.create({ name: 'bench unknown', owner: SUBJECT });
      apiKeys = { valid: valid.key, revoked: revoked.key, unknown: unknown.key };
    } finally {
      await database.close();
    }

    const credentials = {} as Record<AuthAlg, Record<SameCredentialKind, string>>;
    const forged = {} as Record<AuthAlg, string>;
    const distinct = {} as Record<JwtAlg, string[]>;
    for (const alg of ['HS256', 'ES256', 'EdDSA'] as const) {
      credentials[alg] = { valid: await token(alg, signing[alg], false), refused: await token(alg, signing[alg], true) };
      forged[alg] = await token(alg, other[alg], false);
      distinct[alg] = await Promise.all(Array.from({ length: DISTINCT_TOKENS }, (_, i) => token(alg, signing[alg], true, `bench-expired-${i}`)));
    }
    credentials.apikey = { valid: apiKeys.valid, refused: apiKeys.revoked };
    forged.apikey = apiKeys.unknown;

    const fixture: AuthFixture = {
      issuer: ISSUER,
      hsSecret,
      es256PublicKey: es.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      eddsaPublicKey: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      apiKeyDatabase,
      apiKeySecret,
      credentials,
      forged,
    };
    const path = join(dir, 'fixture.json');
    writeFileSync(path, JSON.stringify(fixture, null, 2), { mode: 0o600 });
    return { path, fixture, distinct, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** For a server variant: the fixture named by BENCH_AUTH_FIXTURE and the algorithm by BENCH_AUTH_ALG. */
export function authServerArgs(): { fixture: AuthFixture; alg: AuthAlg } {
  const path = process.env.BENCH_AUTH_FIXTURE;
  const alg = process.env.BENCH_AUTH_ALG;
  if (path === undefined || path === '') throw new Error('set BENCH_AUTH_FIXTURE to the fixture written by bench/run.ts');
  if (!isAuthAlg(alg)) throw new Error(`BENCH_AUTH_ALG must be one of ${AUTH_ALGS.join(', ')}`);
  return { fixture: JSON.parse(readFileSync(path, 'utf8')) as AuthFixture, alg };
}

/** The verifying key of a JWT algorithm, as PEM (public keys) or the secret itself (HS256). */
export function verifyingKey(fixture: AuthFixture, alg: JwtAlg): string {
  return alg === 'HS256' ? fixture.hsSecret : alg === 'ES256' ? fixture.es256PublicKey : fixture.eddsaPublicKey;
}

export function bearerRequest(credential: string, expectStatus: number): BenchRequest {
  return { method: 'GET', path: ROUTE, headers: { authorization: `Bearer ${credential}` }, expectStatus };
}

export function authRequest(prepared: Pick<PreparedFixture, 'fixture' | 'distinct'>, alg: AuthAlg, kind: AuthKind): BenchRequest {
  if (kind !== 'refused-distinct') return bearerRequest(prepared.fixture.credentials[alg][kind], kind === 'valid' ? 200 : 401);
  if (alg === 'apikey') throw new Error('the distinct case is for JWTs only');
  const tokens = prepared.distinct[alg];
  return { ...bearerRequest(tokens[0]!, 401), headerCycle: { name: 'authorization', values: tokens.map((t) => `Bearer ${t}`) } };
}
