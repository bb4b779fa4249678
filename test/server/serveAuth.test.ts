// gatehouse serve with authentication and permissions from a configuration file, over real HTTP:
// a JWT issuer (HS256), API keys in a SQLite key store, and per-route rules.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import { loadConfig } from '../../src/config/load.ts';
import { serve, type RunningServer } from '../../src/server/serve.ts';
import { send } from '../helpers/httpClient.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const JWT_SECRET = 'a-test-secret-of-at-least-32-bytes-long!!';
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-serve-auth-'));
let running: RunningServer;

before(async () => {
  const file = join(dir, 'gatehouse.yaml');
  writeFileSync(
    file,
    [
      'cors:',
      '  allowedOrigins: [https://app.example.com]',
      '  allowCredentials: true',
      'auth:',
      '  jwt:',
      '    issuers:',
      '      - issuer: https://auth.example.com',
      '        audience: gatehouse',
      '        algorithms: [HS256]',
      `        secret: "${JWT_SECRET}"`,
      '  apiKeys:',
      `    secret: "${'k'.repeat(40)}"`,
      'database:',
      `  url: "sqlite:${join(dir, 'keys.db')}"`,
      'permissions:',
      '  - path: /healthz',
      '    rule: any',
      '  - methods: [GET]',
      '    path: /api/posts/*',
      '    rule: posts:read',
      '  - path: /api/posts/*',
      '    rule: posts:write',
      '',
    ].join('\n'),
  );
  running = await serve({ config: loadConfig({ file, env: {} }), port: 0, logger: false });
});

after(async () => {
  await running.close();
  rmSync(dir, { recursive: true, force: true });
});

function token(scope: string, expiresAt: number | string = '5m'): Promise<string> {
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('https://auth.example.com')
    .setAudience('gatehouse')
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

test('no credentials: 401 with a Bearer challenge and CORS headers kept', async () => {
  const r = await send(running.url, 'GET', '/api/posts/', { origin: 'https://app.example.com' });
  assert.equal(r.status, 401);
  assert.equal(r.headers['www-authenticate'], 'Bearer realm="api", scope="posts:read"');
  assert.equal(r.headers['access-control-allow-origin'], 'https://app.example.com');
  assert.equal(r.headers['content-type'], 'application/problem+json');
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.equal(JSON.parse(r.body).code, 'not-authenticated');
});

test('a JWT with the right scope reads; without the write scope it cannot write', async () => {
  const reader = await token('posts:read');
  const list = await send(running.url, 'GET', '/api/posts/', { authorization: `Bearer ${reader}` });
  assert.equal(list.status, 200);
  const create = await send(running.url, 'POST', '/api/posts/', { authorization: `Bearer ${reader}`, 'content-type': 'application/json' });
  assert.equal(create.status, 403);
  assert.equal(create.headers['www-authenticate'], 'Bearer realm="api", error="insufficient_scope", scope="posts:write"');
});

test('a bad token is 401 invalid_token and the body does not say why', async () => {
  const expired = await token('posts:read', Math.floor(Date.now() / 1000) - 3600);
  for (const bad of [expired, 'not.a.jwt', `${await token('posts:read')}x`]) {
    const r = await send(running.url, 'GET', '/api/posts/', { authorization: `Bearer ${bad}` });
    assert.equal(r.status, 401, bad);
    assert.equal(r.headers['www-authenticate'], 'Bearer realm="api", error="invalid_token"');
    assert.doesNotMatch(r.body, /expired|signature/i);
  }
});

test('a preflight needs no credentials; a public route needs none either', async () => {
  const preflight = await send(running.url, 'OPTIONS', '/api/posts/1', { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' });
  assert.equal(preflight.status, 200);
  assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example.com');
  const health = await send(running.url, 'GET', '/healthz');
  assert.equal(health.status, 200);
});

test('API keys from the SQLite key store, by header and as Bearer; revoked keys stop working', async () => {
  assert.ok(running.apiKeys);
  const { key, record } = await running.apiKeys.create({ name: 'ci', owner: 'ci-bot', scopes: ['posts:read'] });
  for (const headers of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }] as Record<string, string>[]) {
    const r = await send(running.url, 'GET', '/api/posts/1', headers);
    assert.equal(r.status, 200, JSON.stringify(Object.keys(headers)));
  }
  const typo = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
  assert.equal((await send(running.url, 'GET', '/api/posts/1', { 'x-api-key': typo })).status, 401);
  const both = await send(running.url, 'GET', '/api/posts/1', { 'x-api-key': key, authorization: `Bearer ${await token('posts:read')}` });
  assert.equal(both.status, 400);
  assert.match(both.headers['www-authenticate'] ?? '', /error="invalid_request"/);
  await running.apiKeys.revoke(record.id, 'leaked in a log');
  assert.equal((await send(running.url, 'GET', '/api/posts/1', { 'x-api-key': key })).status, 401);
});
