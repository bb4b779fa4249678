// The store's schema, as numbered migrations kept in code (no migration files to ship or find at run
// time). Names sort in order; a shipped migration is never edited, a change is a new entry.
// Written with kysely's schema builder and portable types only, so one list serves SQLite and
// PostgreSQL.

import { Migrator, NO_MIGRATIONS, PostgresAdapter, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, type Migration, type MigrationResult } from 'kysely';
import { GatehouseError } from '../errors.ts';

export const migrations: Readonly<Record<string, Migration>> = {
  '0001_api_keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_reason', 'text')
        .addColumn('allowed_ips', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('last_used_at', 'bigint')
        .addColumn('replaced_by', 'text', (c) => c.references('api_keys.id').onDelete('set null'))
        .execute();
      // Every authentication looks a key up by its hash.
      await db.schema.createIndex('api_keys_hash_unique').on('api_keys').column('hash').unique().execute();
      await db.schema.createIndex('api_keys_owner').on('api_keys').column('owner').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('api_keys').execute();
    },
  },
  '0002_server': {
    async up(db: Kysely<unknown>) {
      await withId(db, db.schema.createTable('users'))
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await withId(db, db.schema.createTable('posts'))
        .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('posts_owner').on('posts').column('owner_id').execute();
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('family', 'text', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_reason', 'text')
        .addColumn('access_jti', 'text')
        .addColumn('access_expires_at', 'bigint')
        .execute();
      await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family').execute();
      await db.schema.createIndex('refresh_tokens_user').on('refresh_tokens').column('user_id').execute();
      await withId(db, db.schema.createTable('revocations'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('issuer', 'text')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('server_secrets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['server_secrets', 'revocations', 'refresh_tokens', 'posts', 'users']) await db.schema.dropTable(table).execute();
    },
  },
};

/**
 * An auto-numbered integer primary key, the one type the dialects spell differently: SQLite's
 * `integer primary key autoincrement` (ids never reused after a delete) and PostgreSQL's identity.
 */
function withId(db: Kysely<unknown>, table: CreateTableBuilder<string, never>): CreateTableBuilder<string, 'id'> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return table.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
  );
}

/** Our own bookkeeping tables, so an application's kysely migrations in the same database never clash. */
const MIGRATION_TABLE = 'gatehouse_migration';
const MIGRATION_LOCK_TABLE = 'gatehouse_migration_lock';

export function gatehouseMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

export class MigrationError extends GatehouseError {
  readonly results: readonly MigrationResult[];
  constructor(message: string, results: readonly MigrationResult[], cause: unknown) {
    super('store-migration-failed', message);
    this.results = results;
    this.cause = cause;
  }
}

/** Brings the store to the newest schema; returns the names applied (none when already there). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return check(await gatehouseMigrator(db).migrateToLatest());
}

/** Undoes every migration: for tests and for `gatehouse` uninstall tooling. */
export async function migrateDownToEmpty(db: Kysely<any>): Promise<string[]> {
  return check(await gatehouseMigrator(db).migrateTo(NO_MIGRATIONS));
}

function check({ error, results = [] }: { error?: unknown; results?: MigrationResult[] }): string[] {
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? '(before any migration ran)';
    throw new MigrationError(`store migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, results, error);
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
