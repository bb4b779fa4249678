// The ready server's keys: one master secret, from GATEHOUSE_SECRET_KEY or else generated on first
// start and kept in the database (so `npm start` needs no set-up, and processes sharing a PostgreSQL
// share it). Each use gets its own key derived with HKDF (RFC 5869), so the token signing key and the
// API-key HMAC key never coincide.

import { hkdfSync, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { GatehouseDatabase } from '../store/schema.ts';

export const SECRET_KEY_ENV = 'GATEHOUSE_SECRET_KEY';
const MIN_SECRET_BYTES = 32;

export interface ServerSecrets {
  /** Keys the HMAC of access and refresh tokens. */
  readonly signingKey: string;
  /** Keys the HMAC of stored API keys (unless auth.apiKeys.secret or GATEHOUSE_API_KEY_SECRET is set). */
  readonly apiKeySecret: string;
  readonly source: 'environment' | 'database';
}

export async function loadServerSecrets(db: Kysely<GatehouseDatabase>, options: { env: Readonly<Record<string, string | undefined>>; logger: Logger; nodeEnv: string | undefined }): Promise<ServerSecrets> {
  const fromEnv = options.env[SECRET_KEY_ENV];
  let master: string;
  let source: ServerSecrets['source'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (Buffer.byteLength(fromEnv) < MIN_SECRET_BYTES) {
      throw new ConfigError([{ setting: SECRET_KEY_ENV, value: `<${Buffer.byteLength(fromEnv)} bytes>`, message: `is too short: ${MIN_SECRET_BYTES} bytes at least`, hint: `generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"` }]);
    }
    master = fromEnv;
    source = 'environment';
  } else {
    // Two processes starting at once on a new database: the first insert wins, both read it back.
    await db.insertInto('server_secrets').values({ name: 'master', value: randomBytes(32).toString('base64url'), created_at: Date.now() }).onConflict((oc) => oc.column('name').doNothing()).execute();
    master = (await db.selectFrom('server_secrets').select('value').where('name', '=', 'master').executeTakeFirstOrThrow()).value;
    source = 'database';
    if (options.nodeEnv === 'production') {
      options.logger.warn(
        { config: { setting: SECRET_KEY_ENV } },
        `Gatehouse config warning: ${SECRET_KEY_ENV} is not set, so tokens are signed with a key generated into the database: anyone who can read the database can mint tokens. fix: set ${SECRET_KEY_ENV} to 32+ random bytes`,
      );
    }
  }
  const derive = (purpose: string, bytes: number) => Buffer.from(hkdfSync('sha256', master, 'gatehouse', purpose, bytes)).toString('base64url');
  return Object.freeze({ signingKey: derive('token signing', 64), apiKeySecret: derive('api key hmac', 32), source });
}
