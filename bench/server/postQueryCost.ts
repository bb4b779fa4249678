// What the post lookup of `GET /api/posts/:id` costs in-process: src/store/posts.ts `get` as shipped
// (compiled once, run on src/store/database.ts's cached statements), the same SELECT through plain
// kysely over better-sqlite3 (built, compiled and prepared on every call: kysely's default, and
// posts.get before commit c553a6b), and better-sqlite3's Statement.get() alone, the floor.
//
//   node --import tsx bench/server/postQueryCost.ts [--json]     (run.ts runs it pinned to core 0)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { createPostStore } from '../../src/store/posts.ts';
import type { GatehouseDatabase } from '../../src/store/schema.ts';
import { createUserStore } from '../../src/store/users.ts';

export interface QueryCost {
  readonly name: string;
  /** Median over rounds of CPU µs per lookup (CPU time, not wall time: the machine may be shared). */
  readonly us: number;
}

async function usPerCall(call: () => unknown, rounds = 5, perRound = 2000): Promise<number> {
  for (let i = 0; i < 1000; i++) await call();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < perRound; i++) await call();
    const cpu = process.cpuUsage(cpu0);
    samples.push((cpu.user + cpu.system) / perRound);
  }
  return samples.sort((a, b) => a - b)[rounds >> 1]!;
}

export async function postQueryCosts(): Promise<QueryCost[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-query-cost-'));
  const path = join(dir, 'posts.db');
  const shipped = openDatabase(`sqlite:${path}`);
  const sqlite = new BetterSqlite3(path);
  const plain = new Kysely<GatehouseDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(shipped.db);
    const admin = await createUserStore(shipped.db).create({ username: 'admin', password: 'a long enough password', isAdmin: true, scopes: [] });
    const posts = createPostStore(shipped.db);
    await posts.create({ ownerId: admin.id, title: 'Welcome', body: 'A post.' });
    // The same SELECT as posts.ts withOwner().where('posts.id', '=', id).
    const select = (id: number) =>
      plain
        .selectFrom('posts')
        .innerJoin('users', 'users.id', 'posts.owner_id')
        .select(['posts.id', 'posts.title', 'posts.body', 'posts.owner_id', 'posts.created_at', 'posts.updated_at', 'users.username'])
        .where('posts.id', '=', id);
    const direct = sqlite.prepare(select(0).compile().sql);
    if ((await posts.get(1))?.title !== 'Welcome' || (await select(1).executeTakeFirst())?.title !== 'Welcome') throw new Error('the lookups disagree');
    return [
      { name: 'posts.get() as shipped (src/store)', us: await usPerCall(() => posts.get(1)) },
      { name: 'the same SELECT through plain kysely (built, compiled, prepared per call)', us: await usPerCall(() => select(1).executeTakeFirst()) },
      { name: 'better-sqlite3 Statement.get() alone', us: await usPerCall(() => direct.get(1)) },
    ];
  } finally {
    await plain.destroy();
    await shipped.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const costs = await postQueryCosts();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(costs)}\n`);
  else for (const cost of costs) console.log(`${cost.us.toFixed(1).padStart(6)} µs  ${cost.name}`);
}
