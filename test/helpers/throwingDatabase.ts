// A Kysely whose every query throws and is counted: a store built on it proves which paths never
// touch the database.

import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type DatabaseConnection, type Driver } from 'kysely';
import type { GatehouseDatabase } from '../../src/store/schema.ts';

export function throwingDatabase(): { db: Kysely<GatehouseDatabase>; calls: () => number } {
  let calls = 0;
  const connection: DatabaseConnection = {
    executeQuery() {
      calls++;
      throw new Error('this test must not reach the database');
    },
    streamQuery() {
      calls++;
      throw new Error('this test must not reach the database');
    },
  };
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: async () => {},
    commitTransaction: async () => {},
    rollbackTransaction: async () => {},
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  const db = new Kysely<GatehouseDatabase>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new SqliteIntrospector(k),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  return { db, calls: () => calls };
}
