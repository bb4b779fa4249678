// Operating the ready server: per-principal rate limits with overrides and their headers, request ids
// in answers, and a graceful shutdown that lets a request in flight finish.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { call, useServer } from '../helpers/serverApi.ts';

describe('rate limits per principal', () => {
  const server = useServer('sqlite', 'limits', {
    rateLimits: { anon: '3/minute', user: '4/minute', overrides: [{ role: 'admin', rate: false }, { kind: 'api-key', rate: '2/minute' }] },
  });

  test('anonymous callers by IP; health checks never limited', async (t) => {
    if (!server.get(t)) return;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await server.call('POST', '/api/token/verify/', { body: { token: 'x' } })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    for (let i = 0; i < 5; i++) assert.equal((await server.call('GET', '/healthz')).status, 200);
  });

  test('users by subject, with the policy in the headers; an admin override turns the limit off; API keys have their own', async (t) => {
    const running = server.get(t);
    if (!running) return;
    const admin = await running.devToken();
    assert.ok(admin);
    const user = await running.context.users.create({ username: 'limited', password: 'limited-password' });
    const token = (await running.context.tokens.accessToken(user)).token;
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await server.call('GET', '/api/posts/', { token }));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 429]);
    assert.equal(answers[0]!.headers['ratelimit-policy'], '"user";q=4;w=60');
    assert.match(answers[0]!.headers.ratelimit!, /^"user";r=3;t=\d+$/);
    assert.ok(Number(answers[4]!.headers['retry-after']) >= 1);
    assert.equal(answers[4]!.json.code, 'rate-limited');
    for (let i = 0; i < 6; i++) assert.equal((await server.call('GET', '/api/posts/', { token: admin.token })).status, 200, 'admins are not limited');
    const { key } = await running.context.apiKeys.create({ name: 'k', owner: String(user.id) });
    const keyed = [];
    for (let i = 0; i < 3; i++) keyed.push((await server.call('GET', '/api/posts/', { headers: { 'x-api-key': key } })).status);
    assert.deepEqual(keyed, [200, 200, 429], 'the api-key override, counted apart from its owner');
  });
});

describe('operations', () => {
  const server = useServer('sqlite', 'operations');

  test('every answer has a request id; a sane client id is kept, a hostile one replaced', async (t) => {
    if (!server.get(t)) return;
    assert.match((await server.call('GET', '/healthz')).headers['x-request-id']!, /^[0-9a-f-]{36}$/);
    assert.equal((await server.call('GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } })).headers['x-request-id'], 'trace-123');
    assert.match((await server.call('GET', '/healthz', { headers: { 'x-request-id': 'x'.repeat(500) } })).headers['x-request-id']!, /^[0-9a-f-]{36}$/);
  });

  test('shutdown: a request in flight finishes, then new connections are refused', async (t) => {
    const running = server.get(t);
    if (!running) return;
    const token = (await running.devToken())!.token;
    const body = JSON.stringify({ title: 'written during shutdown', body: 'b' });
    const url = new URL('/api/posts/', running.url);
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      // Half the body now; the rest once shutdown has begun.
      req.write(body.slice(0, 10));
      setTimeout(() => {
        closing = running.close();
        setTimeout(() => req.end(body.slice(10)), 100);
      }, 100);
    });
    let closing: Promise<void> | undefined;
    const answer = await inFlight;
    assert.equal(answer.status, 201, answer.text);
    await closing;
    await assert.rejects(call(running.url, 'GET', '/healthz'), /ECONNREFUSED/);
  });
});
