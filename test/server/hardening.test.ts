// Regressions found by review: a refresh racing its own reuse, the live feed's read rule and shutdown,
// clients behind a trusted proxy, deactivated users' keys, foreign issuers' numeric subjects, and
// Unicode search on SQLite.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { ADMIN_PASSWORD, ORIGIN, useServer } from '../helpers/serverApi.ts';

const FOREIGN_SECRET = 'a-foreign-issuer-secret-of-32-bytes-or-more!';

describe('hardening', () => {
  const server = useServer('sqlite', 'hardening', {
    proxy: { trusted: ['loopback'] },
    rateLimits: { login: '2/minute', loginPerIp: '100/minute', overrides: [{ role: 'admin', rate: false }] },
    auth: { jwt: { issuers: [{ issuer: 'https://idp.example', algorithms: ['HS256'], secret: FOREIGN_SECRET }] } },
  });

  test('two refreshes racing with one token: neither survives, nor does anything issued to the winner', async (t) => {
    if (!server.get(t)) return;
    for (let trial = 0; trial < 5; trial++) {
      const pair = await server.login();
      const answers = await Promise.all([0, 1].map(() => server.call('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } })));
      for (const winner of answers.filter((a) => a.status === 200)) {
        assert.equal((await server.call('POST', '/api/token/refresh/', { body: { refresh: winner.json.refresh } })).status, 401, `trial ${trial}: the winner's refresh token`);
        assert.equal((await server.call('GET', '/api/users/me', { token: winner.json.access })).status, 401, `trial ${trial}: the winner's access token`);
      }
    }
    const pair = await server.login();
    const rotated = await server.call('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } });
    assert.equal((await server.call('POST', '/api/token/verify/', { body: { token: pair.refresh } })).status, 401, 'an exchanged refresh token does not verify');
    assert.equal((await server.call('POST', '/api/token/verify/', { body: { token: rotated.json.refresh } })).status, 200);
  });

  test('behind a trusted proxy: login limits per forwarded client, Secure cookie for an HTTPS client', async (t) => {
    if (!server.get(t)) return;
    const attempt = (ip: string) => server.call('POST', '/api/token/', { headers: { 'x-forwarded-for': ip }, body: { username: 'carol', password: 'wrong-password' } });
    assert.deepEqual([(await attempt('203.0.113.1')).status, (await attempt('203.0.113.1')).status, (await attempt('203.0.113.1')).status], [401, 401, 429]);
    assert.equal((await attempt('203.0.113.2')).status, 401, 'another client behind the same proxy has its own count');
    const session = await server.call('POST', '/api/session/', { headers: { 'x-forwarded-proto': 'https', host: '127.0.0.1:8000' }, body: { username: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(session.status, 200, session.body);
    assert.match(session.headers['set-cookie']!, /; Secure/);
  });

  test("a deactivated user's API keys stop working", async (t) => {
    const running = server.get(t);
    if (!running) return;
    const admin = (await server.login()).access;
    const dave = await server.call('POST', '/api/users/', { token: admin, body: { username: 'dave', password: 'dave-password' } });
    const key = await server.call('POST', '/api/keys/', { token: admin, body: { name: 'dave', owner: 'dave' } });
    assert.equal((await server.call('POST', '/api/posts/', { headers: { 'x-api-key': key.json.key }, body: { title: 't', body: 'b' } })).status, 201);
    await server.call('PATCH', `/api/users/${dave.json.id}`, { token: admin, body: { is_active: false } });
    assert.equal((await server.call('POST', '/api/posts/', { headers: { 'x-api-key': key.json.key }, body: { title: 't', body: 'b' } })).status, 401);
  });

  test("another issuer's token with sub \"1\" is not local user 1: it cannot edit user 1's posts or create any", async (t) => {
    if (!server.get(t)) return;
    const foreign = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://idp.example').setSubject('1').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(FOREIGN_SECRET));
    assert.equal((await server.call('GET', '/api/posts/1', { token: foreign })).status, 200, 'it may read: the rule is authenticated');
    assert.equal((await server.call('PATCH', '/api/posts/1', { token: foreign, body: { title: 'taken over' } })).status, 404);
    assert.equal((await server.call('POST', '/api/posts/', { token: foreign, body: { title: 't', body: 'b' } })).status, 403);
    assert.equal((await server.call('GET', '/api/users/me', { token: foreign })).json.username, undefined);
  });

  test('search folds non-ASCII letters on SQLite as PostgreSQL does', async (t) => {
    if (!server.get(t)) return;
    const admin = (await server.login()).access;
    await server.call('POST', '/api/posts/', { token: admin, body: { title: 'École de printemps', body: 'b' } });
    assert.equal((await server.call('GET', `/api/posts/?search=${encodeURIComponent('école')}`, { token: admin })).json.count, 1);
  });
});

describe('live feed, hardened', () => {
  const server = useServer('sqlite', 'feed-hardening', {
    permissions: [{ methods: ['GET'], path: '/api/posts/*', rule: 'admin' }, { path: '/api/posts/*', rule: 'owner OR admin' }],
    server: { shutdownGraceMs: 2000 },
  });

  test('a caller the list rule refuses cannot listen; shutdown closes open feeds instead of waiting for them', async (t) => {
    const running = server.get(t);
    if (!running) return;
    const bob = await running.context.users.create({ username: 'bob', password: 'bob-password' });
    const bobToken = (await running.context.tokens.accessToken(bob)).token;
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${running.url.replace(/^http/, 'ws')}/api/ws`, { headers: { origin: ORIGIN, authorization: `Bearer ${bobToken}` } });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    assert.equal(refused, 403);
    const admin = (await running.devToken())!.token;
    const ws = new WebSocket(`${running.url.replace(/^http/, 'ws')}/api/ws`, { headers: { origin: ORIGIN, authorization: `Bearer ${admin}` } });
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const started = Date.now();
    await running.close();
    assert.ok(Date.now() - started < 1500, `closed in ${Date.now() - started} ms`);
    assert.equal(await closed, 1001);
  });
});
