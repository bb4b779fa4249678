// A fresh database per test file, on each dialect the store supports: a SQLite file in a temp dir,
// and a uniquely named database on the local PostgreSQL, dropped afterwards. When PostgreSQL cannot
// be reached the tests skip with the reason, and fail with it under CI=true.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext } from 'node:test';
import pg from 'pg';
import { openDatabase, type Database, type DialectName } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];
export const POSTGRES_ADMIN_URL = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: DialectName, label: string): Promise<TestDatabase> {
  const unique = `${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `gatehouse-${label}-`));
    return { url: `sqlite:${join(dir, 'gatehouse.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `gatehouse_test_${unique}`.slice(0, 63);
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  try {
    await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  } catch (error) {
    throw new Error(`PostgreSQL at ${POSTGRES_ADMIN_URL} is not usable: ${(error as Error).message || (error as Error).name}`);
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

export interface SuiteDatabase {
  /** The open database, or undefined after skipping the test (PostgreSQL unreachable, not under CI). */
  get(t: TestContext): Database | undefined;
}

/** Registers before/after hooks in the enclosing describe(): one fresh database for its tests. */
export function useTestDatabase(dialect: DialectName, label: string, options: { migrate?: boolean } = {}): SuiteDatabase {
  let target: TestDatabase | undefined;
  let database: Database | undefined;
  let unavailable: string | undefined;
  before(async () => {
    try {
      target = await createTestDatabase(dialect, label);
    } catch (error) {
      unavailable = (error as Error).message;
      return;
    }
    database = openDatabase(target.url, { poolSize: 4 });
    if (options.migrate ?? true) await migrateToLatest(database.db);
  });
  after(async () => {
    await database?.close();
    await target?.drop();
  });
  return {
    get(t) {
      if (unavailable !== undefined) {
        if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI: ${unavailable}`);
        t.skip(unavailable);
        return undefined;
      }
      return database!;
    },
  };
}
