// Migrations from an empty database, on SQLite and PostgreSQL: applied once, a no-op the second time
// (and when two run at once), reversible, and the constraints the key store relies on hold.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrateDownToEmpty, migrateToLatest, migrations } from '../../src/store/migrations.ts';
import type { Insertable } from 'kysely';
import type { ApiKeysTable } from '../../src/store/schema.ts';
import { DIALECTS, useTestDatabase } from '../helpers/storeDatabases.ts';

const ALL = Object.keys(migrations);

function row(id: string, hash: string, replacedBy: string | null = null): Required<Insertable<ApiKeysTable>> {
  return { id, name: 'n', owner: 'o', prefix: 'gth_abcdef', hash, scopes: '[]', created_at: 1767225600000, expires_at: null, enabled: 1, revoked_at: null, revoked_reason: null, allowed_ips: '[]', last_used_at: null, replaced_by: replacedBy };
}

for (const dialect of DIALECTS) {
  describe(`migrations on ${dialect}`, () => {
    const target = useTestDatabase(dialect, 'migrations', { migrate: false });

    // The steps share one database and run in order: each row starts where the previous one ended.
    const steps: { name: string; run: (db: NonNullable<ReturnType<typeof target.get>>['db']) => Promise<void> }[] = [
      { name: 'from empty: every migration is applied', run: async (db) => assert.deepEqual(await migrateToLatest(db), ALL) },
      { name: 'again: nothing to do', run: async (db) => assert.deepEqual(await migrateToLatest(db), []) },
      { name: 'twice at once: still nothing applied twice', run: async (db) => assert.deepEqual((await Promise.all([migrateToLatest(db), migrateToLatest(db)])).flat(), []) },
      {
        name: 'api_keys has every column; the bookkeeping tables are ours, not an application\'s kysely_migration',
        run: async (db) => {
          const tables = await db.introspection.getTables();
          const apiKeys = tables.find((t) => t.name === 'api_keys');
          assert.ok(apiKeys);
          assert.deepEqual(apiKeys.columns.map((c) => c.name).sort(), Object.keys(row('x', 'x')).sort());
          assert.deepEqual(tables.map((t) => t.name).sort(), ['api_keys', 'gatehouse_migration', 'gatehouse_migration_lock', 'posts', 'refresh_tokens', 'revocations', 'server_secrets', 'users']);
        },
      },
      {
        name: 'the hash is unique',
        run: async (db) => {
          await db.insertInto('api_keys').values(row('ak_1', 'h1')).execute();
          await assert.rejects(db.insertInto('api_keys').values(row('ak_2', 'h1')).execute(), /unique|UNIQUE/);
        },
      },
      {
        name: 'replaced_by must name an existing key (foreign keys are enforced)',
        run: async (db) => {
          await assert.rejects(db.insertInto('api_keys').values(row('ak_3', 'h3', 'ak_missing')).execute(), /foreign key|FOREIGN KEY/);
          await db.insertInto('api_keys').values(row('ak_4', 'h4', 'ak_1')).execute();
        },
      },
      {
        name: 'epoch milliseconds round-trip as numbers',
        run: async (db) => {
          const found = await db.selectFrom('api_keys').select(['created_at', 'enabled']).where('id', '=', 'ak_1').executeTakeFirstOrThrow();
          assert.deepEqual(found, { created_at: 1767225600000, enabled: 1 });
        },
      },
      {
        name: 'down to empty removes the tables, and up again restores them',
        run: async (db) => {
          assert.deepEqual(await migrateDownToEmpty(db), [...ALL].reverse());
          assert.equal((await db.introspection.getTables()).some((t) => t.name === 'api_keys'), false);
          assert.deepEqual(await migrateToLatest(db), ALL);
          assert.deepEqual(await migrateToLatest(db), []);
        },
      },
    ];
    for (const step of steps) {
      test(step.name, async (t) => {
        const database = target.get(t);
        if (database) await step.run(database.db);
      });
    }
  });
}
