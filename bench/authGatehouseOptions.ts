// How every Gatehouse server of the authentication suite is configured, whatever the adapter: one
// trusted issuer with the algorithm measured (`secret` for HS256, `publicKey` PEM for ES256 and
// EdDSA) and an in-memory revocation list asked on every request; or API keys from the run's SQLite
// key store, looked up in the database on every request. Every route needs a caller
// (`defaultRule: 'authenticated'`); the logger is off, as the peers log nothing.

import { createApiKeyStore } from '../src/auth/apiKeys/apiKeyStore.ts';
import { InMemoryRevocationList } from '../src/auth/jwt/revocation.ts';
import type { GatehouseOptions } from '../src/gatehouse.ts';
import { createLogger } from '../src/logger.ts';
import { openDatabase } from '../src/store/database.ts';
import { verifyingKey, type AuthAlg, type AuthFixture } from './authWorkload.ts';

/** Tokens revoked besides, so the revocation check looks up a list that is not empty. */
const OTHER_REVOKED = 100;

export function gatehouseAuthOptions(fixture: AuthFixture, alg: AuthAlg): GatehouseOptions {
  const common = { logger: false, defaultRule: 'authenticated' } as const;
  if (alg === 'apikey') {
    const { db } = openDatabase(`sqlite:${fixture.apiKeyDatabase}`);
    return { ...common, auth: { apiKeys: { store: createApiKeyStore({ db, secret: fixture.apiKeySecret, logger: createLogger(false) }) } } };
  }
  const revocation = new InMemoryRevocationList();
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;
  for (let i = 0; i < OTHER_REVOKED; i++) revocation.revokeToken(`revoked-${i}`, inAnHour, fixture.issuer);
  const key = alg === 'HS256' ? { secret: fixture.hsSecret } : { publicKey: verifyingKey(fixture, alg) };
  return { ...common, auth: { jwt: { issuers: [{ issuer: fixture.issuer, algorithms: [alg], ...key }] }, revocation } };
}
