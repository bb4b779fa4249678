// The API key store on a real SQLite file and a real PostgreSQL database: what authenticate accepts
// and refuses (with the exact reason), rotation with a grace period, revocation, IP lists and the
// throttled last-used write. Time is an injected clock, never a sleep.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { AuthenticationError, type AuthFailureReason } from '../../src/auth/authErrors.ts';
import { ApiKeyStoreError } from '../../src/auth/apiKeys/apiKeyErrors.ts';
import type { CreateApiKeyInput } from '../../src/auth/apiKeys/apiKeyInput.ts';
import { apiKeyMethod } from '../../src/auth/apiKeys/apiKeyMethod.ts';
import { apiKeyStatus } from '../../src/auth/apiKeys/apiKeyRecord.ts';
import { createApiKeyStore, type ApiKeyStore } from '../../src/auth/apiKeys/apiKeyStore.ts';
import { generateApiKey } from '../../src/auth/apiKeys/keyFormat.ts';
import type { GatehouseDatabase } from '../../src/store/schema.ts';
import { captureLogger } from '../helpers/captureLogger.ts';
import { DIALECTS, useTestDatabase } from '../helpers/storeDatabases.ts';

const SECRET = 'store-tests-secret-0123456789abcdefghijklmnop';
const T0 = Date.UTC(2030, 0, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let owners = 0;
const logger = captureLogger();
/** Every key any test was given, to check that no log line ever contained one. */
const issued: string[] = [];

interface Fixture {
  readonly store: ApiKeyStore;
  readonly clock: { now: number };
  readonly owner: string;
  create(input?: Partial<CreateApiKeyInput>): Promise<{ key: string; id: string }>;
}

function fixture(db: Kysely<GatehouseDatabase>, options: { secret?: string; db?: Kysely<GatehouseDatabase> } = {}): Fixture {
  const clock = { now: T0 };
  const store = createApiKeyStore({ db: options.db ?? db, secret: options.secret ?? SECRET, now: () => clock.now, logger });
  const owner = `user-${++owners}`;
  return {
    store,
    clock,
    owner,
    async create(input = {}) {
      const { key, record } = await store.create({ name: 'ci deploy', owner, scopes: ['posts:read'], ...input });
      issued.push(key);
      return { key, id: record.id };
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ reason: AuthFailureReason; detail: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthenticationError) return { reason: error.reason, detail: error.detail };
    throw error;
  }
  assert.fail('authenticate should have refused');
}

for (const dialect of DIALECTS) {
  describe(`API key store on ${dialect}`, () => {
    const target = useTestDatabase(dialect, 'apikeys');
    /** Runs a test body with the suite's database, or skips it when the dialect is unavailable. */
    const on = (name: string, body: (db: Kysely<GatehouseDatabase>) => Promise<void>) =>
      test(name, async (t) => {
        const database = target.get(t);
        if (database) await body(database.db);
      });

    on('create shows the key once; records, lists and the table never hold it', async (db) => {
      const f = fixture(db);
      const { key, record } = await f.store.create({ name: 'deploy', owner: f.owner, scopes: ['posts:read', 'posts:write', 'posts:read'] });
      issued.push(key);
      assert.match(key, /^gth_[0-9A-Za-z]{38}$/);
      assert.match(record.id, /^ak_[0-9A-Za-z]{16}$/);
      assert.equal(record.prefix, key.slice(0, 10));
      assert.deepEqual(record.scopes, ['posts:read', 'posts:write']);
      assert.equal(apiKeyStatus(record, T0), 'active');
      const listed = await f.store.list({ owner: f.owner });
      assert.deepEqual(listed, [record]);
      assert.deepEqual(await f.store.get(record.id), record);
      const rows = await db.selectFrom('api_keys').selectAll().where('owner', '=', f.owner).execute();
      for (const text of [JSON.stringify(listed), JSON.stringify(rows)]) assert.ok(!text.includes(key.slice(10)), 'no part of the key beyond its prefix is kept');
    });

    on('get of an unknown id is undefined', async (db) => assert.equal(await fixture(db).store.get('ak_nope'), undefined));

    on('authenticate: the Principal carries the owner, scopes, key id and expiry', async (db) => {
      const f = fixture(db);
      const expiresAt = new Date(T0 + 30 * 24 * HOUR);
      const { key, id } = await f.create({ scopes: ['posts:read', 'comments:write'], expiresAt });
      const p = await f.store.authenticate(key, '203.0.113.9');
      assert.equal(p.kind, 'api-key');
      assert.equal(p.method, 'api-key');
      assert.equal(p.subject, f.owner);
      assert.deepEqual([...p.scopes].sort(), ['comments:write', 'posts:read']);
      assert.equal(p.roles.size, 0);
      assert.equal(p.credentialId, id);
      assert.equal(p.expiresAt, expiresAt.getTime() / 1000);
      assert.equal(p.claims.name, 'ci deploy');
      assert.ok(Object.isFrozen(p));
    });

    // One row per refusal: how the key is set up, where the request comes from, what is expected.
    const refusals: {
      name: string;
      input?: Partial<CreateApiKeyInput>;
      act?: (f: Fixture, id: string) => Promise<unknown>;
      ip?: string | undefined;
      reason: AuthFailureReason | 'accepted';
      detail?: RegExp;
    }[] = [
      { name: 'a fresh key', reason: 'accepted' },
      { name: 'expired one hour ago', input: { expiresAt: new Date(T0 + HOUR) }, act: async (f) => (f.clock.now += 2 * HOUR), reason: 'api-key-expired', detail: /expired at 2030-01-01T01:00/ },
      { name: 'one millisecond before expiry', input: { expiresAt: new Date(T0 + HOUR) }, act: async (f) => (f.clock.now += HOUR - 1), reason: 'accepted' },
      { name: 'at the instant of expiry', input: { expiresAt: new Date(T0 + HOUR) }, act: async (f) => (f.clock.now += HOUR), reason: 'api-key-expired' },
      { name: 'revoked, with its reason', act: (f, id) => f.store.revoke(id, 'leaked in a CI log'), reason: 'api-key-revoked', detail: /leaked in a CI log/ },
      { name: 'disabled', act: (f, id) => f.store.disable(id), reason: 'api-key-disabled' },
      { name: 'created disabled', input: { enabled: false }, reason: 'api-key-disabled' },
      { name: 'disabled then enabled', act: async (f, id) => f.store.enable(await f.store.disable(id).then((r) => r.id)), reason: 'accepted' },
      { name: 'revoked and disabled: revoked wins', act: async (f, id) => (await f.store.disable(id), f.store.revoke(id, 'offboarded')), reason: 'api-key-revoked' },
      { name: 'IPv4 inside 10.0.0.0/8', input: { allowedIps: ['10.0.0.0/8'] }, ip: '10.20.30.40', reason: 'accepted' },
      { name: 'IPv4 outside 10.0.0.0/8', input: { allowedIps: ['10.0.0.0/8'] }, ip: '192.168.1.10', reason: 'api-key-ip-refused', detail: /192\.168\.1\.10/ },
      { name: 'IPv4-mapped IPv6 inside 10.0.0.0/8', input: { allowedIps: ['10.0.0.0/8'] }, ip: '::ffff:10.1.2.3', reason: 'accepted' },
      { name: 'IPv4-mapped IPv6 outside 10.0.0.0/8', input: { allowedIps: ['10.0.0.0/8'] }, ip: '::ffff:192.168.1.10', reason: 'api-key-ip-refused' },
      { name: 'IPv4-mapped, hex form, inside 127.0.0.0/8', input: { allowedIps: ['127.0.0.0/8'] }, ip: '::ffff:7f00:1', reason: 'accepted' },
      { name: 'no client address with a list', input: { allowedIps: ['10.0.0.0/8'] }, ip: undefined, reason: 'api-key-ip-refused' },
      { name: 'no client address, no list', ip: undefined, reason: 'accepted' },
      { name: 'a single address', input: { allowedIps: ['203.0.113.7'] }, ip: '203.0.113.7', reason: 'accepted' },
      { name: 'the next address', input: { allowedIps: ['203.0.113.7'] }, ip: '203.0.113.8', reason: 'api-key-ip-refused' },
      { name: 'IPv6 inside 2001:db8::/32', input: { allowedIps: ['2001:db8::/32'] }, ip: '2001:db8:0:1::5', reason: 'accepted' },
      { name: 'IPv6 in upper case inside 2001:DB8::/32', input: { allowedIps: ['2001:DB8::/32'] }, ip: '2001:DB8::1', reason: 'accepted' },
      { name: 'IPv6 outside 2001:db8::/32', input: { allowedIps: ['2001:db8::/32'] }, ip: '2001:db9::1', reason: 'api-key-ip-refused' },
      { name: 'IPv4 against an IPv6-only list', input: { allowedIps: ['2001:db8::/32'] }, ip: '10.0.0.1', reason: 'api-key-ip-refused' },
      { name: 'one of several networks', input: { allowedIps: ['10.0.0.0/8', '2001:db8::/32'] }, ip: '2001:db8::1', reason: 'accepted' },
      { name: 'not an address at all', input: { allowedIps: ['10.0.0.0/8'] }, ip: 'localhost', reason: 'api-key-ip-refused' },
    ];
    for (const row of refusals) {
      on(`${row.name}: ${row.reason}`, async (db) => {
        const f = fixture(db);
        const { key, id } = await f.create(row.input);
        await row.act?.(f, id);
        const ip = 'ip' in row ? row.ip : '198.51.100.1';
        if (row.reason === 'accepted') {
          assert.equal((await f.store.authenticate(key, ip)).credentialId, id);
          return;
        }
        const refused = await refusal(f.store.authenticate(key, ip));
        assert.equal(refused.reason, row.reason);
        if (row.detail) assert.match(refused.detail, row.detail);
        assert.ok(!refused.detail.includes(key.slice(10)), 'the detail never holds the key');
      });
    }

    on('a key that was never issued: api-key-unknown', async (db) => {
      assert.equal((await refusal(fixture(db).store.authenticate(generateApiKey(), '127.0.0.1'))).reason, 'api-key-unknown');
    });

    on('a key hashed with another secret: api-key-unknown (the hash is keyed)', async (db) => {
      const { key } = await fixture(db).create();
      const other = fixture(db, { secret: `${SECRET}-rotated` });
      assert.equal((await refusal(other.store.authenticate(key, '127.0.0.1'))).reason, 'api-key-unknown');
    });

    const invalid: { name: string; input: Partial<CreateApiKeyInput>; fields: string[] }[] = [
      { name: 'CIDRs that are not networks', input: { allowedIps: ['10.0.0.0/33', '10.0.0.0/8', 'example.com', '2001:db8::/129', '10.0.0.1/8/1', '10.0.0.0/'] }, fields: ['allowedIps[0]', 'allowedIps[2]', 'allowedIps[3]', 'allowedIps[4]', 'allowedIps[5]'] },
      { name: 'an IPv4-mapped CIDR (write it as IPv4)', input: { allowedIps: ['::ffff:10.0.0.0/104'] }, fields: ['allowedIps[0]'] },
      { name: 'a zone id', input: { allowedIps: ['fe80::1%eth0'] }, fields: ['allowedIps[0]'] },
      { name: 'an empty owner and name', input: { owner: ' ', name: '' }, fields: ['name', 'owner'] },
      { name: 'scopes with a space and a quote', input: { scopes: ['posts read', 'a"b', 'ok:scope'] }, fields: ['scopes[0]', 'scopes[1]'] },
      { name: 'an expiry in the past', input: { expiresAt: new Date(T0 - 1) }, fields: ['expiresAt'] },
    ];
    for (const row of invalid) {
      on(`create refuses ${row.name}, and stores nothing`, async (db) => {
        const f = fixture(db);
        await assert.rejects(f.create(row.input), (e: unknown) => {
          assert.ok(e instanceof ApiKeyStoreError);
          assert.equal(e.code, 'api-key-input-invalid');
          assert.deepEqual(e.issues.map((i) => i.field), row.fields);
          return true;
        });
        assert.deepEqual(await f.store.list({ owner: f.owner }), []);
      });
    }

    on('rotation: both keys work during the grace period, then the old one is revoked as rotated', async (db) => {
      const f = fixture(db);
      const old = await f.create({ scopes: ['posts:read'], allowedIps: ['10.0.0.0/8'] });
      const rotated = await f.store.rotate(old.id, 3600);
      issued.push(rotated.key);
      assert.notEqual(rotated.key, old.key);
      assert.equal(rotated.previous.replacedBy, rotated.record.id);
      assert.equal(apiKeyStatus(rotated.previous, f.clock.now), 'rotating');
      assert.deepEqual([rotated.record.owner, rotated.record.scopes, rotated.record.allowedIps], [f.owner, ['posts:read'], ['10.0.0.0/8']]);

      const during = await f.store.authenticate(old.key, '10.0.0.1');
      assert.equal(during.expiresAt, (T0 + HOUR) / 1000, 'the old key\'s Principal expires with the grace period');
      assert.equal((await f.store.authenticate(rotated.key, '10.0.0.1')).credentialId, rotated.record.id);
      assert.equal((await refusal(f.store.authenticate(rotated.key, '192.168.0.1'))).reason, 'api-key-ip-refused', 'the new key keeps the IP list');

      f.clock.now = T0 + HOUR - 1;
      await f.store.authenticate(old.key, '10.0.0.1');
      f.clock.now = T0 + HOUR;
      const refused = await refusal(f.store.authenticate(old.key, '10.0.0.1'));
      assert.equal(refused.reason, 'api-key-revoked');
      assert.match(refused.detail, /rotated/);
      assert.equal((await f.store.get(old.id))?.revokedReason, 'rotated');
      assert.equal((await f.store.authenticate(rotated.key, '10.0.0.1')).credentialId, rotated.record.id);
    });

    on('rotation with no grace: the old key stops at once', async (db) => {
      const f = fixture(db);
      const old = await f.create();
      const rotated = await f.store.rotate(old.id, 0);
      issued.push(rotated.key);
      assert.equal((await refusal(f.store.authenticate(old.key, '127.0.0.1'))).reason, 'api-key-revoked');
      await f.store.authenticate(rotated.key, '127.0.0.1');
    });

    on('a key in its grace period can be revoked early, with the new reason', async (db) => {
      const f = fixture(db);
      const old = await f.create();
      issued.push((await f.store.rotate(old.id, 3600)).key);
      await f.store.revoke(old.id, 'compromised');
      assert.match((await refusal(f.store.authenticate(old.key, '127.0.0.1'))).detail, /compromised/);
    });

    const management: { name: string; act: (f: Fixture, id: string) => Promise<unknown>; code: string }[] = [
      { name: 'rotating a key twice', act: async (f, id) => (issued.push((await f.store.rotate(id, 60)).key), f.store.rotate(id, 60)), code: 'api-key-already-revoked' },
      { name: 'rotating a revoked key', act: async (f, id) => (await f.store.revoke(id, 'gone'), f.store.rotate(id, 60)), code: 'api-key-already-revoked' },
      { name: 'revoking twice', act: async (f, id) => (await f.store.revoke(id, 'first'), f.store.revoke(id, 'second')), code: 'api-key-already-revoked' },
      { name: 'revoking without a reason', act: (f, id) => f.store.revoke(id, ' '), code: 'api-key-input-invalid' },
      { name: 'a negative grace period', act: (f, id) => f.store.rotate(id, -1), code: 'api-key-input-invalid' },
      { name: 'a fractional grace period', act: (f, id) => f.store.rotate(id, 1.5), code: 'api-key-input-invalid' },
      { name: 'rotating an expired key without a new expiry', act: async (f, id) => ((f.clock.now += 2 * HOUR), f.store.rotate(id, 60)), code: 'api-key-input-invalid' },
      { name: 'revoking an unknown id', act: (f) => f.store.revoke('ak_unknown', 'x'), code: 'api-key-not-found' },
      { name: 'rotating an unknown id', act: (f) => f.store.rotate('ak_unknown', 60), code: 'api-key-not-found' },
      { name: 'disabling an unknown id', act: (f) => f.store.disable('ak_unknown'), code: 'api-key-not-found' },
    ];
    for (const row of management) {
      on(`${row.name}: ${row.code}`, async (db) => {
        const f = fixture(db);
        const { id } = await f.create({ expiresAt: new Date(T0 + HOUR) });
        await assert.rejects(row.act(f, id), (e: unknown) => e instanceof ApiKeyStoreError && e.code === row.code);
      });
    }

    on('rotating an expired key with a new expiry works', async (db) => {
      const f = fixture(db);
      const { id } = await f.create({ expiresAt: new Date(T0 + HOUR) });
      f.clock.now += 2 * HOUR;
      const rotated = await f.store.rotate(id, 0, { expiresAt: new Date(T0 + 48 * HOUR) });
      issued.push(rotated.key);
      assert.equal((await f.store.authenticate(rotated.key, '127.0.0.1')).expiresAt, (T0 + 48 * HOUR) / 1000);
    });

    on('last use is written at most once a minute per key', async (db) => {
      const f = fixture(db);
      const { key, id } = await f.create();
      const lastUsed = async () => (await f.store.settled(), (await f.store.get(id))?.lastUsedAt?.getTime());
      const steps: { at: number; expected: number | undefined }[] = [
        { at: T0, expected: T0 },
        { at: T0 + 30_000, expected: T0 },
        { at: T0 + MINUTE - 1, expected: T0 },
        { at: T0 + MINUTE, expected: T0 + MINUTE },
        { at: T0 + MINUTE + 5_000, expected: T0 + MINUTE },
      ];
      assert.equal(await lastUsed(), undefined);
      for (const step of steps) {
        f.clock.now = step.at;
        await f.store.authenticate(key, '127.0.0.1');
        assert.equal(await lastUsed(), step.expected, `after a use at T0+${step.at - T0}ms`);
      }
      // A second Gatehouse process (a new store on the same database) reads the stored time and does
      // not write again within the minute.
      const other = createApiKeyStore({ db, secret: SECRET, now: () => T0 + MINUTE + 10_000, logger });
      await other.authenticate(key, '127.0.0.1');
      await other.settled();
      assert.equal(await lastUsed(), T0 + MINUTE);
      // A refused use is not a use.
      await f.store.disable(id);
      f.clock.now = T0 + 10 * MINUTE;
      await refusal(f.store.authenticate(key, '127.0.0.1'));
      assert.equal(await lastUsed(), T0 + MINUTE);
    });

    on('the last-used write never delays authenticate, and its failure is logged, not thrown', async (db) => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const updates = new Set<unknown>();
      const failing = db.withPlugin({
        transformQuery(args) {
          if (args.node.kind === 'UpdateQueryNode') updates.add(args.queryId);
          return args.node;
        },
        async transformResult(args) {
          if (!updates.has(args.queryId)) return args.result;
          await gate;
          throw new Error('disk full');
        },
      });
      const f = fixture(db, { db: failing });
      const { key, id } = await f.create();
      const before = logger.entries.length;
      let timer: NodeJS.Timeout | undefined;
      const held = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('authenticate waited for the held last-used write')), 2000)));
      let principal;
      try {
        principal = await Promise.race([f.store.authenticate(key, '127.0.0.1'), held]);
      } finally {
        clearTimeout(timer);
        release();
      }
      assert.equal(principal.credentialId, id, 'authenticate resolved while the write was still held');
      await f.store.settled();
      const logged = logger.entries.slice(before).filter((e) => e.level === 'error');
      assert.equal(logged.length, 1);
      assert.deepEqual([logged[0]!.fields.keyId, logged[0]!.fields.error], [id, 'disk full']);
    });

    on('the API key method of the authentication chain reads the header and Bearer keys', async (db) => {
      const f = fixture(db);
      const { key, id } = await f.create();
      const method = apiKeyMethod(f.store, { acceptBearer: true });
      const context = { header: () => undefined, clientIp: '127.0.0.1' };
      assert.equal(method.recognises({ source: 'bearer', value: key }), true);
      assert.equal(method.recognises({ source: 'bearer', value: 'eyJhbGciOi.e30.sig' }), false);
      assert.equal(method.recognises({ source: 'api-key-header', value: 'whatever' }), true);
      assert.equal(apiKeyMethod(f.store, { acceptBearer: false }).recognises({ source: 'bearer', value: key }), false);
      assert.equal((await method.authenticate({ source: 'bearer', value: key }, context)).credentialId, id);
    });
  });
}

test('no log line holds a key: keys are logged by id and prefix only', () => {
  const text = JSON.stringify(logger.entries);
  for (const key of issued) assert.ok(!text.includes(key.slice(10)), `a log line contains key ${key.slice(0, 10)}`);
  assert.ok(logger.entries.some((e) => e.message === 'API key created'), 'the store did log');
});
