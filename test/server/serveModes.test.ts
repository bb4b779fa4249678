// serve's other modes: the gateway (`upstream`) in front of another API, with the server's keys and
// rate limits, and the plain-HTTP listener that redirects to HTTPS.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serve, type RunningServer } from '../../src/server/serve.ts';
import { call, ORIGIN } from '../helpers/serverApi.ts';

describe('gateway mode', () => {
  let upstream: Server;
  let seen: { method: string; url: string; headers: Record<string, unknown> }[] = [];
  let running: RunningServer;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-gw-'));

  before(async () => {
    upstream = createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ upstream: true, path: req.url }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    running = await serve({
      config: { cors: { allowedOrigins: [ORIGIN] }, sources: [], database: { url: `sqlite:${join(dir, 'gw.db')}` }, upstream: url, rateLimits: { user: '3/minute' } },
      port: 0,
      logger: false,
      env: {},
    });
  });
  after(async () => {
    await running.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('no demo data and no Fastify app: everything goes to the upstream or is answered by Gatehouse', async () => {
    assert.equal(running.app, undefined);
    assert.equal(running.seeded, undefined);
    assert.equal(await running.context.users.count(), 0);
    assert.match(running.upstream!, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('a preflight and an anonymous request never reach the upstream', async () => {
    seen = [];
    const preflight = await call(running.url, 'OPTIONS', '/api/items', { headers: { origin: ORIGIN, 'access-control-request-method': 'PUT' } });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers['access-control-allow-origin'], ORIGIN);
    const anonymous = await call(running.url, 'GET', '/api/items', { headers: { origin: ORIGIN } });
    assert.equal(anonymous.status, 401);
    assert.deepEqual(seen, []);
  });

  test("an API key from the server's store is forwarded as its principal, the client's own principal headers stripped, the upstream's CORS replaced", async () => {
    seen = [];
    const { key } = await running.context.apiKeys.create({ name: 'gw', owner: 'svc-reports', scopes: ['items:read'] });
    const r = await call(running.url, 'GET', '/api/items?x=1', { headers: { origin: ORIGIN, 'x-api-key': key, 'x-gatehouse-subject': 'admin' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { upstream: true, path: '/api/items?x=1' });
    assert.equal(r.headers['access-control-allow-origin'], ORIGIN, "Gatehouse's policy, not the upstream's *");
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.headers['x-gatehouse-subject'], 'svc-reports');
    assert.equal(seen[0]!.headers['x-api-key'], key, 'credentials go through for the upstream to use if it wants');
  });

  test('rate limits apply before forwarding: the 4th request in a minute is answered 429 here', async () => {
    const { key } = await running.context.apiKeys.create({ name: 'limited', owner: 'svc-limited' });
    seen = [];
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(running.url, 'GET', '/api/items', { headers: { 'x-api-key': key } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal(seen.length, 3);
  });
});

describe('HTTP to HTTPS redirect listener', () => {
  let running: RunningServer;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redirect-'));
  before(async () => {
    running = await serve({
      config: { cors: { allowedOrigins: [ORIGIN] }, sources: [], database: { url: 'sqlite::memory:' }, https: { redirectExempt: ['/healthz'] } },
      port: 0,
      httpRedirectPort: 0,
      tls: { dev: true, dir: join(dir, 'tls') },
      logger: false,
      env: { GATEHOUSE_ADMIN_PASSWORD: 'redirect-admin' },
    });
  });
  after(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GET gets 301 to the same path over HTTPS, POST 308', async () => {
    assert.ok(running.redirectUrl);
    const get = await call(running.redirectUrl, 'GET', '/api/posts/?page=2');
    assert.equal(get.status, 301);
    assert.match(get.headers.location!, /^https:\/\/127\.0\.0\.1(:\d+)?\/api\/posts\/\?page=2$/);
    const post = await call(running.redirectUrl, 'POST', '/api/token/', { body: {} });
    assert.equal(post.status, 308);
  });

  test('a redirect listener without TLS is a configuration error', async () => {
    await assert.rejects(
      serve({ config: { cors: {}, sources: [], database: { url: 'sqlite::memory:' } }, port: 0, httpRedirectPort: 0, logger: false, env: {} }),
      /server\.httpRedirectPort .*does not serve HTTPS/,
    );
  });
});
