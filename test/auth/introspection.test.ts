import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { AuthenticationError } from '../../src/auth/authErrors.ts';
import { createIntrospector } from '../../src/auth/introspection.ts';

// A real RFC 7662 endpoint on loopback whose answers the test controls.
let server: Server;
let endpoint: string;
let calls = 0;
let mode: 'ok' | 'garbage' | 'error' = 'ok';
const tokens = new Map<string, Record<string, unknown>>();
let lastAuthorization = '';

before(async () => {
  server = createServer((req, res) => {
    calls++;
    lastAuthorization = req.headers.authorization ?? '';
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      if (mode === 'error') return res.writeHead(500).end();
      if (mode === 'garbage') return res.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
      const token = new URLSearchParams(body).get('token') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(tokens.get(token) ?? { active: false }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('an active token becomes a Principal, cached until min(exp, cacheMax)', async () => {
  let clock = 1_800_000_000_000;
  const introspector = createIntrospector({ endpoint, clientId: 'gatehouse', clientSecret: 's3cret', cacheMaxSeconds: 60 }, () => clock);
  tokens.set('opaque-1', { active: true, sub: 'alice', scope: 'posts:read posts:write', roles: ['editor'], exp: clock / 1000 + 30, iss: 'https://auth.example' });
  calls = 0;
  const p = await introspector.introspect('opaque-1');
  assert.equal(p.subject, 'alice');
  assert.equal(p.method, 'introspection');
  assert.deepEqual([...p.scopes], ['posts:read', 'posts:write']);
  assert.deepEqual([...p.roles], ['editor']);
  assert.equal(lastAuthorization, `Basic ${Buffer.from('gatehouse:s3cret').toString('base64')}`);
  await introspector.introspect('opaque-1');
  assert.equal(calls, 1, 'the second call is served from the cache');
  clock += 31_000;
  await assert.rejects(introspector.introspect('opaque-1'), (e: unknown) => e instanceof AuthenticationError && (e.reason === 'introspection-inactive' || e.reason === 'token-expired'));
  assert.equal(calls, 2, 'the cache never outlives the token\'s exp');
});

test('inactive tokens are refused and briefly cached; outages are 503', async () => {
  let clock = 1_800_000_000_000;
  const introspector = createIntrospector({ endpoint, clientId: 'c', clientSecret: 's', negativeCacheSeconds: 5 }, () => clock);
  calls = 0;
  for (let i = 0; i < 3; i++) {
    await assert.rejects(introspector.introspect('unknown'), (e: unknown) => e instanceof AuthenticationError && e.reason === 'introspection-inactive' && e.status === 401);
  }
  assert.equal(calls, 1);
  clock += 6000;
  mode = 'error';
  await assert.rejects(introspector.introspect('unknown'), (e: unknown) => e instanceof AuthenticationError && e.reason === 'introspection-unavailable' && e.status === 503);
  mode = 'garbage';
  await assert.rejects(introspector.introspect('other'), (e: unknown) => e instanceof AuthenticationError && e.reason === 'introspection-unavailable');
  mode = 'ok';
  const down = createIntrospector({ endpoint: 'http://127.0.0.1:1/introspect', clientId: 'c', clientSecret: 's', timeoutMs: 500 });
  await assert.rejects(down.introspect('x'), (e: unknown) => e instanceof AuthenticationError && e.reason === 'introspection-unavailable');
});

test('concurrent introspections of one token share one request', async () => {
  const introspector = createIntrospector({ endpoint, clientId: 'c', clientSecret: 's' });
  tokens.set('opaque-2', { active: true, client_id: 'billing-service', scope: 'invoices:read' });
  calls = 0;
  const results = await Promise.all(Array.from({ length: 20 }, () => introspector.introspect('opaque-2')));
  assert.equal(calls, 1);
  assert.equal(results[0]!.kind, 'client');
  assert.equal(results[0]!.subject, 'billing-service');
});
