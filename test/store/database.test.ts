// openDatabase: which URL opens what, with the SQLite pragmas and the PostgreSQL number parsing the
// store relies on.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ConfigError } from '../../src/errors.ts';
import { openDatabase } from '../../src/store/database.ts';
import { useTestDatabase } from '../helpers/storeDatabases.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-database-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function pragma(url: string, name: string): Promise<unknown> {
  const database = openDatabase(url);
  try {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.raw(`pragma_${name}`)}`.execute(database.db);
    return Object.values(rows[0] ?? {})[0];
  } finally {
    await database.close();
  }
}

describe('SQLite URLs', () => {
  const file = join(dir, 'a.db');
  const rows = [
    { url: `sqlite:${file}`, file, journal: 'wal' },
    { url: `sqlite://${join(dir, 'b.db')}`, file: join(dir, 'b.db'), journal: 'wal' },
    { url: 'sqlite::memory:', file: undefined, journal: 'memory' },
  ];
  for (const row of rows) {
    test(`${row.url.replace(dir, '$TMP')}: sqlite, journal ${row.journal}, foreign keys on`, async () => {
      const database = openDatabase(row.url);
      assert.equal(database.dialect, 'sqlite');
      await database.close();
      if (row.file !== undefined) assert.ok(existsSync(row.file), `${row.file} was created`);
      assert.equal(await pragma(row.url, 'journal_mode'), row.journal);
      assert.equal(await pragma(row.url, 'foreign_keys'), 1);
    });
  }

  test('no URL: ./gatehouse.db in the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const database = openDatabase();
      assert.equal(database.dialect, 'sqlite');
      await database.close();
      assert.ok(existsSync(join(dir, 'gatehouse.db')));
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('URLs Gatehouse cannot open', () => {
  const rows = [
    { url: 'mysql://root:s3cr3t@db/gatehouse', why: 'another database' },
    { url: 'sqlite:', why: 'no path' },
    { url: '', why: 'empty' },
    { url: '/var/lib/gatehouse.db', why: 'a bare path without sqlite:' },
    { url: 'http://example.com', why: 'not a database' },
  ];
  for (const row of rows) {
    test(`${JSON.stringify(row.url)} (${row.why}): ConfigError on database.url, password hidden`, () => {
      assert.throws(
        () => openDatabase(row.url),
        (e: unknown) => e instanceof ConfigError && e.issues[0]?.setting === 'database.url' && !e.message.includes('s3cr3t') && /postgres:\/\//.test(e.message),
      );
    });
  }
  test('a pool size of 0 is refused', () => {
    assert.throws(() => openDatabase('postgres://127.0.0.1:1/x', { poolSize: 0 }), (e: unknown) => e instanceof ConfigError && e.issues[0]?.setting === 'database.poolSize');
  });
});

describe('PostgreSQL URLs', () => {
  const target = useTestDatabase('postgres', 'database', { migrate: false });
  test('postgres:// opens a pool; bigint comes back as a number, as on SQLite', async (t) => {
    const database = target.get(t);
    if (database === undefined) return;
    assert.equal(database.dialect, 'postgres');
    const { rows } = await sql<{ big: unknown; small: unknown }>`select cast(1767225600000 as bigint) as big, 1 as small`.execute(database.db);
    assert.deepEqual(rows[0], { big: 1767225600000, small: 1 });
  });
  test('postgresql:// is the same dialect', async () => {
    const database = openDatabase('postgresql://postgres@127.0.0.1:1/none');
    assert.equal(database.dialect, 'postgres');
    await database.close();
  });
});
