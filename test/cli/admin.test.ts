// The administration commands as a person or a script runs them, on a real SQLite file: migrate,
// users, keys, token and doctor, their --json output and their exit codes.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { serve } from '../../src/server/serve.ts';
import { loadConfig } from '../../src/config/load.ts';
import { call } from '../helpers/serverApi.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-admin-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'gatehouse.yaml');
writeFileSync(config, `cors:\n  allowedOrigins: [https://app.example.com]\ndatabase:\n  url: "sqlite:${join(dir, 'admin.db')}"\n`);
const gh = (...args: string[]) => runCli([...args, '--config', config], { LOG_LEVEL: 'warn' });
const json = async (...args: string[]) => {
  const result = await gh(...args, '--json');
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

test('migrate: applies every migration once, then has nothing to do', async () => {
  assert.deepEqual((await json('migrate')).applied, ['0001_api_keys', '0002_server']);
  assert.deepEqual((await json('migrate')).applied, []);
  assert.match((await gh('migrate')).stdout, /sqlite: already up to date/);
});

test('users: create (password generated and shown once), a taken name fails with exit 1, list, deactivate', async () => {
  const bob = await json('users', 'create', 'bob', '--admin', '--scopes', 'posts:read,posts:write');
  assert.equal(bob.username, 'bob');
  assert.equal(bob.is_admin, true);
  assert.deepEqual(bob.scopes, ['posts:read', 'posts:write']);
  assert.match(bob.password, /^[\w-]{16}$/);
  const human = await runCli(['users', 'create', 'carol', '--config', config], { GATEHOUSE_PASSWORD: 'carol-password' });
  assert.equal(human.code, 0);
  assert.match(human.stdout, /created user "carol" \(id \d+\)/);
  assert.doesNotMatch(human.stdout, /password:/, 'a given password is not echoed');
  const again = await gh('users', 'create', 'bob');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /a user named "bob" already exists/);
  assert.deepEqual((await json('users', 'list')).map((u: { username: string }) => u.username), ['bob', 'carol']);
  assert.equal((await json('users', 'deactivate', 'carol')).is_active, false);
  assert.equal((await gh('users', 'deactivate', 'nobody')).code, 1);
});

test('keys: create shows the key once; list never does; rotate keeps the old key for the grace period; revoke', async () => {
  const created = await json('keys', 'create', '--name', 'ci', '--owner', 'bob', '--scopes', 'posts:read', '--expires', '90d');
  assert.match(created.key, /^gth_[0-9A-Za-z]{38}$/);
  assert.equal(created.status, 'active');
  assert.ok(Math.abs(Date.parse(created.expires_at) - Date.now() - 90 * 86_400_000) < 60_000);
  const listed = await gh('keys', 'list');
  assert.match(listed.stdout, new RegExp(`${created.id} .*active .*"ci"`));
  assert.equal(listed.stdout.includes(created.key), false);
  const rotated = await json('keys', 'rotate', created.id, '--grace', '1h');
  assert.notEqual(rotated.key, created.key);
  assert.equal(rotated.previous.status, 'rotating');
  const revoked = await json('keys', 'revoke', rotated.id, '--reason', 'test');
  assert.equal(revoked.status, 'revoked');
  assert.equal((await gh('keys', 'revoke', 'ak_nonexistent')).code, 1);
  const bad = await gh('keys', 'create', '--name', 'x', '--expires', 'forever');
  assert.equal(bad.code, 2, 'a bad argument is a usage error');
});

test('token: a development token the server accepts', async () => {
  const issued = await json('token', '--user', 'bob', '--lifetime', '10m');
  assert.ok(Math.abs(Date.parse(issued.expires_at) - Date.now() - 600_000) < 10_000);
  const running = await serve({ config: loadConfig({ file: config, env: {} }), port: 0, logger: false, env: {} });
  try {
    assert.equal((await call(running.url, 'GET', '/api/posts/', { token: issued.access })).status, 200);
  } finally {
    await running.close();
  }
  assert.equal((await gh('token', '--user', 'carol')).code, 1, 'an inactive user gets no token');
});

test('doctor: effective settings and checks; exit 2 on a bad config, 1 when the database does not answer', async () => {
  const report = await json('doctor');
  assert.equal(report.ok, true);
  assert.deepEqual(report.effective.cors.allowedOrigins, ['https://app.example.com']);
  assert.equal(report.effective.permissions[0].path, '/healthz');
  assert.equal(report.effective.rateLimits.user, '1000/minute');
  assert.match(report.checks[0].detail, /sqlite answers; schema up to date/);

  const warned = join(dir, 'warned.yaml');
  writeFileSync(warned, 'cors:\n  allowedOriginRegexes: ["^https://app.example.com$"]\n');
  const warnings = await runCli(['doctor', '--config', warned], { DATABASE_URL: `sqlite:${join(dir, 'admin.db')}` });
  assert.equal(warnings.code, 0);
  assert.match(warnings.stdout, /warnings \(1\):\n {2}- cors\.allowedOriginRegexes\[0\]/);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'cors:\n  allowedOrigins: ["https://app.example.com/"]\nrateLimits:\n  user: lots\n');
  const invalid = await runCli(['doctor', '--config', bad]);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /rateLimits\.user = "lots": must be "<requests>\/<period>"/);

  const down = await runCli(['doctor', '--config', config, '--json'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' });
  assert.equal(down.code, 1);
  assert.equal(JSON.parse(down.stdout).checks[0].ok, false);
});

test('an unknown option is a usage error: exit 2', async () => {
  assert.equal((await gh('users', 'list', '--colour')).code, 2);
});
