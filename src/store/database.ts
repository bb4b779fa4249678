// Opens Gatehouse's store from one URL: a SQLite file by default (nothing to install or run), or
// PostgreSQL when several Gatehouse processes must share keys and revocations.
//
//   (none)                         ./gatehouse.db
//   sqlite:/var/lib/gatehouse.db   a SQLite file (sqlite:///abs/path and sqlite:relative.db work too)
//   sqlite::memory:                a private in-memory database, gone on close()
//   postgres://user@host/db        PostgreSQL through a bounded pg Pool (postgresql:// too)

import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ConfigError } from '../errors.ts';
import { redactUrlPassword } from '../text/redactUrl.ts';
import type { GatehouseDatabase } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<GatehouseDatabase>;
  readonly dialect: DialectName;
  /** Closes the SQLite file or ends the PostgreSQL pool. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Most PostgreSQL connections the pool opens; default 10. */
  readonly poolSize?: number;
  /** The setting the URL came from, for the error message. */
  readonly setting?: string;
  /** Told when PostgreSQL drops an idle pooled connection (a restart, a failover). */
  readonly onConnectionError?: (error: Error) => void;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./gatehouse.db';
const DEFAULT_POOL_SIZE = 10;
const PG_INT8 = 20;

export function openDatabase(url: string = DEFAULT_DATABASE_URL, options: OpenDatabaseOptions = {}): Database {
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgres(url, options.poolSize ?? DEFAULT_POOL_SIZE, options.onConnectionError);
  if (url.toLowerCase().startsWith('sqlite:')) {
    const path = sqlitePath(url.slice('sqlite:'.length));
    if (path !== '') return openSqlite(path);
  }
  throw new ConfigError([
    {
      setting: options.setting ?? 'database.url',
      value: redactUrlPassword(url),
      message: 'is not a database URL Gatehouse can open',
      hint: 'write sqlite:/path/to/gatehouse.db, sqlite::memory: or postgres://user@host:5432/database',
    },
  ]);
}

function sqlitePath(rest: string): string {
  if (rest === ':memory:') return rest;
  // sqlite:///abs/path is the URL spelling of sqlite:/abs/path.
  return rest.startsWith('///') ? rest.slice(2) : rest;
}

function openSqlite(path: string): Database {
  const sqlite = new BetterSqlite3(path);
  // WAL lets readers (every authentication) go on while a writer (last-used, revocation) works;
  // SQLite leaves foreign keys off unless asked, per connection.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // SQLite's lower() folds ASCII only; PostgreSQL's folds every letter. Searches must not answer
  // differently by dialect ("école" finds "École" on both).
  sqlite.function('lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value) as string);
  const db = new Kysely<GatehouseDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * kysely's SQLite driver prepares every query anew and throws the statement away; preparing costs more
 * than running a small query. The same few SQL texts come back on every request, so keep their
 * statements (bounded, least recently used first out). Safe because kysely runs one query at a time on
 * its single SQLite connection: a cached statement is never in use twice.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): { close(): void; prepare(sql: string): BetterSqlite3.Statement } {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare: (sql: string) => {
      let statement = statements.get(sql);
      if (statement !== undefined) {
        statements.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

function openPostgres(url: string, poolSize: number, onConnectionError: ((error: Error) => void) | undefined): Database {
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new ConfigError([{ setting: 'database.poolSize', value: poolSize, message: 'must be a whole number of connections, at least 1' }]);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Every bigint column is epoch milliseconds (schema.ts), far below 2^53: read them as numbers, as
    // better-sqlite3 does, so rows look the same on both dialects. Only this pool is affected.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8 && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's connection dropped by the server (restart, failover, pg_terminate_backend) is
  // an 'error' event on the pool; unheard, it would crash the process. pg discards that client and
  // the next query opens a new connection, so telling is all there is to do.
  pool.on('error', (error) => onConnectionError?.(error));
  const db = new Kysely<GatehouseDatabase>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}
