// API keys kept in Gatehouse's store: issue, list, revoke, rotate, and check a presented key.
// The key is shown once, at creation; only its HMAC is stored and only its id and prefix are logged.

import type { Kysely } from 'kysely';
import { AuthenticationError } from '../authErrors.ts';
import type { Principal } from '../principal.ts';
import { createLogger, type Logger } from '../../logger.ts';
import type { GatehouseDatabase } from '../../store/schema.ts';
import { ApiKeyStoreError } from './apiKeyErrors.ts';
import { checkCreateInput, checkText, type CreateApiKeyInput } from './apiKeyInput.ts';
import { apiKeyPrincipal, apiKeyRefusal, toApiKeyRecord, type ApiKeyRecord, type ApiKeyRow } from './apiKeyRecord.ts';
import { apiKeyDisplayPrefix, DEFAULT_API_KEY_PREFIX, generateApiKey, parseApiKey, randomBase62 } from './keyFormat.ts';
import { createApiKeyHasher } from './keyHash.ts';
import { lastUsedRecorder } from './lastUsed.ts';

export interface ApiKeyStoreOptions {
  readonly db: Kysely<GatehouseDatabase>;
  /** The HMAC secret (`auth.apiKeys.secret`), at least 32 bytes. */
  readonly secret: string;
  /** The key prefix (`auth.apiKeys.prefix`), default `gth_`. */
  readonly prefix?: string;
  /** Epoch milliseconds; injectable so tests move time instead of sleeping. */
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly lastUsedIntervalMs?: number;
}

export interface CreatedApiKey {
  /** The secret key: shown to its owner now, and never again. */
  readonly key: string;
  readonly record: ApiKeyRecord;
}

export interface ApiKeyStore {
  create(input: CreateApiKeyInput): Promise<CreatedApiKey>;
  list(filter?: { readonly owner?: string }): Promise<ApiKeyRecord[]>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  revoke(id: string, reason: string): Promise<ApiKeyRecord>;
  /** A new key with the same owner, scopes and addresses; the old one works for `graceSeconds` more. */
  rotate(id: string, graceSeconds: number, options?: { readonly expiresAt?: Date | null }): Promise<CreatedApiKey & { readonly previous: ApiKeyRecord }>;
  enable(id: string): Promise<ApiKeyRecord>;
  disable(id: string): Promise<ApiKeyRecord>;
  /** The Principal of a usable key, or an AuthenticationError with the exact reason. */
  authenticate(key: unknown, clientIp: string | undefined): Promise<Principal>;
  /** Resolves when the last-used writes started so far have finished. */
  settled(): Promise<void>;
}

const MAX_GRACE_SECONDS = 90 * 24 * 3600;

export function createApiKeyStore(options: ApiKeyStoreOptions): ApiKeyStore {
  const { db } = options;
  const prefix = options.prefix ?? DEFAULT_API_KEY_PREFIX;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger(undefined);
  const hasher = createApiKeyHasher(options.secret);
  const lastUsed = lastUsedRecorder({
    logger,
    ...(options.lastUsedIntervalMs === undefined ? {} : { intervalMs: options.lastUsedIntervalMs }),
    // The condition keeps several Gatehouse processes from rewriting the same minute.
    write: async (id, at) => {
      await db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    },
  });

  const findRow = (id: string) => db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  // The look-up every authentication makes, compiled once: only its parameter changes, so the query
  // builder and compiler need not run on every request.
  const byHash = db.selectFrom('api_keys').selectAll().where('hash', '=', '').compile();
  const mustGet = async (id: string): Promise<ApiKeyRecord> => {
    const row = await findRow(id);
    if (row === undefined) throw new ApiKeyStoreError('api-key-not-found', `there is no API key ${JSON.stringify(id)}`);
    return toApiKeyRecord(row);
  };
  const logged = (record: ApiKeyRecord) => ({ keyId: record.id, keyPrefix: record.prefix, owner: record.owner });

  return {
    async create(input) {
      const checked = checkCreateInput(input, now());
      if (!checked.ok) throw new ApiKeyStoreError('api-key-input-invalid', 'the API key was not created:', checked.issues);
      const { name, owner, scopes, expiresAt, allowedIps, enabled } = checked.value;
      const key = generateApiKey(prefix);
      const row: ApiKeyRow = {
        id: newKeyId(),
        name,
        owner,
        prefix: apiKeyDisplayPrefix(key, prefix),
        hash: hasher.hash(key),
        scopes: JSON.stringify(scopes),
        created_at: now(),
        expires_at: expiresAt,
        enabled: enabled ? 1 : 0,
        revoked_at: null,
        revoked_reason: null,
        allowed_ips: JSON.stringify(allowedIps),
        last_used_at: null,
        replaced_by: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      const record = toApiKeyRecord(row);
      logger.info(logged(record), 'API key created');
      return { key, record };
    },

    async list(filter = {}) {
      let query = db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id');
      if (filter.owner !== undefined) query = query.where('owner', '=', filter.owner);
      return (await query.execute()).map(toApiKeyRecord);
    },

    async get(id) {
      const row = await findRow(id);
      return row === undefined ? undefined : toApiKeyRecord(row);
    },

    async revoke(id, reason) {
      const issues: Parameters<typeof checkText>[2] = [];
      checkText('reason', reason, issues);
      if (issues.length > 0) throw new ApiKeyStoreError('api-key-input-invalid', `API key ${id} was not revoked:`, issues);
      const at = now();
      // A key still in its rotation grace may be revoked early; one already revoked keeps its reason.
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: at, revoked_reason: reason.trim() })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', at)]))
        .executeTakeFirst();
      const record = await mustGet(id);
      if (Number(result.numUpdatedRows) === 0) throw alreadyRevoked(record, at);
      logger.info({ ...logged(record), reason: record.revokedReason }, 'API key revoked');
      return record;
    },

    async rotate(id, graceSeconds, rotateOptions = {}) {
      if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
        throw new ApiKeyStoreError('api-key-input-invalid', `API key ${id} was not rotated:`, [
          { field: 'graceSeconds', value: graceSeconds, message: `must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS} (90 days)` },
        ]);
      }
      const at = now();
      const created = await db.transaction().execute(async (trx) => {
        const old = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
        if (old === undefined) throw new ApiKeyStoreError('api-key-not-found', `there is no API key ${JSON.stringify(id)}`);
        if (old.revoked_at !== null) throw alreadyRevoked(toApiKeyRecord(old), at);
        const expiresAt = rotateOptions.expiresAt === undefined ? old.expires_at : rotateOptions.expiresAt?.getTime() ?? null;
        if (expiresAt !== null && expiresAt <= at) {
          throw new ApiKeyStoreError('api-key-input-invalid', `API key ${id} was not rotated:`, [
            { field: 'expiresAt', value: new Date(expiresAt).toISOString(), message: 'is not in the future, so the new key would be born expired', hint: 'pass a later expiresAt, or null' },
          ]);
        }
        const key = generateApiKey(prefix);
        const row: ApiKeyRow = {
          ...old,
          id: newKeyId(),
          prefix: apiKeyDisplayPrefix(key, prefix),
          hash: hasher.hash(key),
          created_at: at,
          expires_at: expiresAt,
          last_used_at: null,
          replaced_by: null,
        };
        await trx.insertInto('api_keys').values(row).execute();
        // `revoked_at is null` again: of two concurrent rotations, only one wins.
        const result = await trx
          .updateTable('api_keys')
          .set({ replaced_by: row.id, revoked_at: at + graceSeconds * 1000, revoked_reason: 'rotated' })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) throw new ApiKeyStoreError('api-key-already-revoked', `API key ${id} was rotated or revoked meanwhile`);
        return { key, record: toApiKeyRecord(row) };
      });
      const previous = await mustGet(id);
      logger.info({ ...logged(created.record), replaces: id, graceEndsAt: previous.revokedAt?.toISOString() }, 'API key rotated');
      return { ...created, previous };
    },

    enable: (id) => setEnabled(id, true),
    disable: (id) => setEnabled(id, false),

    async authenticate(key, clientIp) {
      // Shape and checksum first: a typo or a stray string costs no database round trip.
      const parsed = parseApiKey(key, prefix);
      if (!parsed.ok) throw new AuthenticationError(parsed.reason, `the API key ${parsed.message}`);
      const hash = hasher.hash(parsed.key);
      let row: ApiKeyRow | undefined;
      try {
        row = (await db.executeQuery<ApiKeyRow>({ ...byHash, parameters: [hash] })).rows[0];
      } catch (error) {
        logger.error({ keyPrefix: parsed.displayPrefix, error: error instanceof Error ? error.message : String(error) }, 'the API key store could not be read');
        throw new AuthenticationError('key-source-unavailable', 'the API key store could not be read');
      }
      // The index found the row by equality; compare again in constant time so no code path's timing
      // depends on how much of a hash matched.
      if (row === undefined || !hasher.matches(row.hash, parsed.key)) {
        throw new AuthenticationError('api-key-unknown', `no API key starting ${parsed.displayPrefix} is known`);
      }
      const record = toApiKeyRecord(row);
      const at = now();
      const refusal = apiKeyRefusal(record, at, clientIp);
      if (refusal !== undefined) throw new AuthenticationError(refusal.reason, refusal.detail);
      lastUsed.record(record.id, record.prefix, at, row.last_used_at);
      return apiKeyPrincipal(record);
    },

    settled: () => lastUsed.settled(),
  };

  async function setEnabled(id: string, enabled: boolean): Promise<ApiKeyRecord> {
    await db.updateTable('api_keys').set({ enabled: enabled ? 1 : 0 }).where('id', '=', id).execute();
    const record = await mustGet(id);
    logger.info(logged(record), enabled ? 'API key enabled' : 'API key disabled');
    return record;
  }
}

function alreadyRevoked(record: ApiKeyRecord, now: number): ApiKeyStoreError {
  const when = record.revokedAt?.toISOString() ?? '?';
  const message =
    record.revokedAt !== null && record.revokedAt.getTime() > now
      ? `API key ${record.id} was already rotated (replaced by ${record.replacedBy ?? '?'}); it stops working at ${when}`
      : `API key ${record.id} is already revoked since ${when} (${record.revokedReason ?? 'no reason given'})`;
  return new ApiKeyStoreError('api-key-already-revoked', message);
}

function newKeyId(): string {
  return `ak_${randomBase62(16)}`;
}
