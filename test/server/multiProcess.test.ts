// Two `gatehouse serve` processes on one PostgreSQL and one Redis behave as one service: they start
// together on an empty database (one migrates and seeds), accept each other's tokens and keys, refuse
// within a second what the other revoked, and share rate limits.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServeCli, type RunningCli } from '../helpers/cli.ts';
import { call } from '../helpers/serverApi.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/storeDatabases.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'multi-process-admin';
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-multi-'));
let database: TestDatabase | undefined;
let unavailable: string | undefined;
let a: RunningCli;
let b: RunningCli;

before(async () => {
  try {
    database = await createTestDatabase('postgres', 'multi');
  } catch (error) {
    unavailable = (error as Error).message;
    return;
  }
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(config, ['cors:', '  allowedOrigins: [https://app.example.com]', 'rateLimits:', '  user: 10/minute', '  overrides:', '    - role: admin', '      rate: false', 'redis:', `  keyPrefix: test-${randomUUID()}`, ''].join('\n'));
  const env = { DATABASE_URL: database.url, REDIS_URL, GATEHOUSE_ADMIN_PASSWORD: PASSWORD, NODE_ENV: 'test', LOG_LEVEL: 'warn' };
  // Together, on an empty database: migrations and the seed must not trip over each other.
  [a, b] = await Promise.all([startServeCli(['--config', config, '--port', '0'], env), startServeCli(['--config', config, '--port', '0'], env)]);
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function ready(t: { skip(reason: string): void }): boolean {
  if (unavailable === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI: ${unavailable}`);
  t.skip(unavailable);
  return false;
}

/** Polls until `check` holds; returns the milliseconds it took, or fails after 3 s. */
async function within(check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > 3000) assert.fail('not seen within 3 s');
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

const login = async (url: string, username = 'admin', password = PASSWORD) => (await call(url, 'POST', '/api/token/', { body: { username, password } })).json as { access: string; refresh: string };

test('one seed, one signing key: a token from one process works on the other', async (t) => {
  if (!ready(t)) return;
  const seeded = [a, b].filter((p) => /created the admin/.test(p.output().stdout));
  assert.equal(seeded.length, 1, 'exactly one process seeded');
  const pair = await login(a.url);
  const posts = await call(b.url, 'GET', '/api/posts/', { token: pair.access });
  assert.equal(posts.status, 200);
  assert.equal(posts.json.count, 3, 'the demo posts were created once');
});

test('an API key created through one process works on the other, and its revocation is refused there at once', async (t) => {
  if (!ready(t)) return;
  const admin = (await login(a.url)).access;
  const created = await call(a.url, 'POST', '/api/keys/', { token: admin, body: { name: 'shared', scopes: ['posts:read'] } });
  assert.equal(created.status, 201);
  const key = { 'x-api-key': created.json.key };
  assert.equal((await call(b.url, 'GET', '/api/posts/', { headers: key })).status, 200);
  await call(a.url, 'POST', `/api/keys/${created.json.id}/revoke`, { token: admin, body: { reason: 'test' } });
  const ms = await within(async () => (await call(b.url, 'GET', '/api/posts/', { headers: key })).status === 401);
  assert.ok(ms < 1000, `refused after ${ms} ms`);
});

test('a token family blacklisted through one process: its refresh refused by the other at once, its access token within a second', async (t) => {
  if (!ready(t)) return;
  const pair = await login(a.url);
  assert.equal((await call(b.url, 'GET', '/api/posts/', { token: pair.access })).status, 200);
  assert.equal((await call(a.url, 'POST', '/api/token/blacklist/', { body: { refresh: pair.refresh } })).status, 200);
  const ms = await within(async () => (await call(b.url, 'GET', '/api/posts/', { token: pair.access })).status === 401);
  assert.ok(ms < 1000, `access token refused after ${ms} ms`);
  assert.equal((await call(b.url, 'POST', '/api/token/refresh/', { body: { refresh: pair.refresh } })).status, 401);
});

test('rate limits are shared: 10 a minute across both processes, then 429 on either (admins, which the earlier tests used, are exempt)', async (t) => {
  if (!ready(t)) return;
  const admin = (await login(a.url)).access;
  assert.equal((await call(a.url, 'POST', '/api/users/', { token: admin, body: { username: 'bob', password: 'bob-password' } })).status, 201);
  const bob = (await login(b.url, 'bob', 'bob-password')).access;
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await call(i % 2 === 0 ? a.url : b.url, 'GET', '/api/posts/', { token: bob })).status);
  assert.deepEqual(statuses, [...Array(10).fill(200), 429, 429]);
});
