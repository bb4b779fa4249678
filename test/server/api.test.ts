// The ready server's JSON API over real HTTP, on SQLite and on PostgreSQL: posts with their permission
// rules (authenticated users read, owner or admin writes), users, and API keys over HTTP. The tests of
// one dialect share one server and run in order.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS } from '../helpers/storeDatabases.ts';
import { ORIGIN, useServer } from '../helpers/serverApi.ts';

for (const dialect of DIALECTS) {
  describe(`the ready server's API on ${dialect}`, () => {
    const server = useServer(dialect, 'api');
    let admin: string;
    let alice: string;
    let aliceId: number;
    let alicePost: number;

    test('health: /healthz and /readyz answer without credentials', async (t) => {
      if (!server.get(t)) return;
      assert.deepEqual((await server.call('GET', '/healthz')).json, { status: 'ok' });
      const ready = await server.call('GET', '/readyz');
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.json, { status: 'ready', database: 'ok', rateLimits: 'memory' });
    });

    test('the seeded admin logs in; an admin creates a user, who logs in too', async (t) => {
      if (!server.get(t)) return;
      admin = (await server.login()).access;
      const created = await server.call('POST', '/api/users/', { token: admin, body: { username: 'alice', password: 'alice-password', scopes: ['posts:read'] } });
      assert.equal(created.status, 201, created.body);
      assert.equal(created.json.username, 'alice');
      assert.equal('password' in created.json || 'password_hash' in created.json, false, 'no password in the answer');
      aliceId = created.json.id;
      alice = (await server.login('alice', 'alice-password')).access;
      const me = await server.call('GET', '/api/users/me', { token: alice });
      assert.equal(me.json.username, 'alice');
      assert.equal(me.json.method, 'jwt');
    });

    test('reads need credentials: 401 with a Bearer challenge, CORS headers kept', async (t) => {
      if (!server.get(t)) return;
      const r = await server.call('GET', '/api/posts/', { headers: { origin: ORIGIN } });
      assert.equal(r.status, 401);
      assert.equal(r.headers['www-authenticate'], 'Bearer realm="api"');
      assert.equal(r.headers['access-control-allow-origin'], ORIGIN);
      assert.equal(r.json.code, 'not-authenticated');
    });

    test('posts: create, list with pagination, search, ordering and owner filter', async (t) => {
      if (!server.get(t)) return;
      const created = await server.call('POST', '/api/posts/', { token: alice, body: { title: "Alice's 100% _literal_ post", body: "'; DROP TABLE posts; --" } });
      assert.equal(created.status, 201, created.body);
      assert.equal(created.headers.location, `/api/posts/${created.json.id}`);
      assert.equal(created.json.owner, aliceId);
      assert.equal(created.json.body, "'; DROP TABLE posts; --", 'SQL-looking text is stored as text');
      alicePost = created.json.id;

      const all = await server.call('GET', '/api/posts/?page_size=2', { token: alice });
      assert.equal(all.status, 200);
      assert.equal(all.json.count, 4);
      assert.equal(all.json.results.length, 2);
      assert.equal(all.json.previous, null);
      assert.match(all.json.next, /\?page_size=2&page=2$/);
      assert.equal(all.json.results[0].id, alicePost, 'newest first by default');
      const page2 = await server.call('GET', new URL(all.json.next).pathname + new URL(all.json.next).search, { token: alice });
      assert.equal(page2.json.results.length, 2);
      assert.equal(page2.json.next, null);

      const cases: [string, number[]][] = [
        ['search=100%25', [alicePost]],
        ['search=_literal_', [alicePost]],
        ['search=%25', [alicePost]],
        ['search=PREFLIGHTS', [3]],
        [`owner=${aliceId}`, [alicePost]],
        ['ordering=id', [1, 2, 3, alicePost]],
        ['ordering=-title&owner=1', [1, 3, 2]],
      ];
      for (const [query, ids] of cases) {
        const r = await server.call('GET', `/api/posts/?${query}`, { token: alice });
        assert.deepEqual(r.json.results.map((p: { id: number }) => p.id), ids, query);
      }
    });

    test('bad list queries are 400 problem+json naming the field', async (t) => {
      if (!server.get(t)) return;
      for (const [query, field] of [['page_size=0', 'page_size'], ['page_size=101', 'page_size'], ['page=abc', 'page'], ['ordering=password', 'ordering']] as const) {
        const r = await server.call('GET', `/api/posts/?${query}`, { token: alice });
        assert.equal(r.status, 400, query);
        assert.equal(r.headers['content-type'], 'application/problem+json');
        assert.equal(r.json.errors[0].field, field);
      }
      assert.equal((await server.call('GET', '/api/posts/?page=99', { token: alice })).status, 404);
    });

    test('writes: the owner or an admin; anyone else gets the same 404 as a missing post', async (t) => {
      if (!server.get(t)) return;
      const byOwner = await server.call('PATCH', `/api/posts/${alicePost}`, { token: alice, body: { title: 'Edited by Alice' } });
      assert.equal(byOwner.status, 200);
      assert.equal(byOwner.json.title, 'Edited by Alice');
      const byAdmin = await server.call('PUT', `/api/posts/${alicePost}`, { token: admin, body: { title: 'Edited by admin', body: 'b' } });
      assert.equal(byAdmin.status, 200);
      const notHers = await server.call('DELETE', '/api/posts/1', { token: alice });
      const missing = await server.call('DELETE', '/api/posts/99999', { token: alice });
      assert.equal(notHers.status, 404);
      assert.equal(notHers.body, missing.body, 'a refusal reads exactly like a missing post');
      assert.equal(notHers.headers['content-type'], missing.headers['content-type']);
      assert.equal((await server.call('GET', '/api/posts/1', { token: alice })).status, 200, 'reading is still allowed');
      assert.equal((await server.call('DELETE', `/api/posts/${alicePost}`, { token: alice })).status, 204);
      assert.equal((await server.call('GET', `/api/posts/${alicePost}`, { token: alice })).status, 404);
    });

    test('bad input: 400/413/415 problem+json, nothing stored, the server still serving', async (t) => {
      if (!server.get(t)) return;
      const before = (await server.call('GET', '/api/posts/', { token: alice })).json.count;
      const cases: [string, Parameters<typeof server.call>[2], number, string][] = [
        ['unknown field', { body: { title: 't', body: 'b', owner: 1 } }, 400, 'invalid-request'],
        ['wrong type', { body: { title: 5, body: 'b' } }, 400, 'invalid-request'],
        ['missing field', { body: { title: 't' } }, 400, 'invalid-request'],
        ['empty title', { body: { title: '', body: 'b' } }, 400, 'invalid-request'],
        ['control character', { body: { title: 'a\u0000b', body: 'b' } }, 400, 'invalid-request'],
        ['title too long', { body: { title: 'x'.repeat(201), body: 'b' } }, 400, 'invalid-request'],
        ['an array', { body: [1, 2] }, 400, 'invalid-request'],
        ['malformed JSON', { raw: '{"title": "t", ' }, 400, 'invalid-json'],
        ['empty JSON body', { raw: '' , headers: { 'content-type': 'application/json' } }, 400, 'invalid-json'],
        ['not JSON', { raw: 'title=t&body=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported-media-type'],
        ['oversized body', { raw: JSON.stringify({ title: 't', body: 'x'.repeat(1024 * 1024) }) }, 413, 'body-too-large'],
      ];
      for (const [name, options, status, code] of cases) {
        const r = await server.call('POST', '/api/posts/', { token: alice, ...options });
        assert.equal(r.status, status, `${name}: ${r.body}`);
        assert.equal(r.headers['content-type'], 'application/problem+json', name);
        assert.equal(r.json.code, code, name);
      }
      const unknownField = await server.call('POST', '/api/posts/', { token: alice, body: { title: 't', body: 'b', owner: 1 } });
      assert.deepEqual(unknownField.json.errors, [{ field: 'owner', message: 'is not a known field' }]);
      assert.equal((await server.call('GET', '/api/posts/', { token: alice })).json.count, before, 'nothing was stored');
      assert.equal((await server.call('GET', '/api/posts/abc', { token: alice })).status, 404);
      assert.equal((await server.call('GET', '/healthz')).status, 200);
    });

    test('users: admins only; a non-admin gets 403, a bad user 400, a taken name 409', async (t) => {
      if (!server.get(t)) return;
      assert.equal((await server.call('GET', '/api/users/', { token: alice })).status, 403);
      assert.equal((await server.call('GET', '/api/users/', { token: admin })).json.count, 2);
      const bad = await server.call('POST', '/api/users/', { token: admin, body: { username: 'bad name', password: 'short' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.json.errors.map((e: { field: string }) => e.field).sort(), ['password', 'username']);
      assert.equal((await server.call('POST', '/api/users/', { token: admin, body: { username: 'alice', password: 'whatever-long' } })).status, 409);
    });

    test('API keys over HTTP: admin only, shown once, usable, revocable', async (t) => {
      if (!server.get(t)) return;
      assert.equal((await server.call('POST', '/api/keys/', { token: alice, body: { name: 'mine' } })).status, 403);
      const created = await server.call('POST', '/api/keys/', { token: admin, body: { name: 'ci', owner: 'alice', scopes: ['posts:read'], expires_in: '90d' } });
      assert.equal(created.status, 201, created.body);
      assert.match(created.json.key, /^gth_[0-9A-Za-z]{38}$/);
      assert.equal(created.json.owner, String(aliceId));
      assert.equal(created.headers['cache-control'], 'no-store');
      const listed = await server.call('GET', '/api/keys/', { token: admin });
      assert.equal(listed.json.results.length, 1);
      assert.equal(JSON.stringify(listed.json).includes(created.json.key), false, 'the key is never shown again');
      const read = await server.call('GET', '/api/posts/', { headers: { 'x-api-key': created.json.key } });
      assert.equal(read.status, 200);
      const post = await server.call('POST', '/api/posts/', { headers: { 'x-api-key': created.json.key }, body: { title: 'by key', body: 'b' } });
      assert.equal(post.status, 201, 'a key owned by a user writes as that user');
      assert.equal(post.json.owner, aliceId);
      const revoked = await server.call('POST', `/api/keys/${created.json.id}/revoke`, { token: admin, body: { reason: 'leaked' } });
      assert.equal(revoked.json.status, 'revoked');
      assert.equal((await server.call('GET', '/api/posts/', { headers: { 'x-api-key': created.json.key } })).status, 401);
      assert.equal((await server.call('POST', '/api/keys/ak_missing/revoke', { token: admin, body: {} })).status, 404);
    });

    test('deactivating a user refuses their tokens at once and their logins', async (t) => {
      if (!server.get(t)) return;
      const { access, refresh } = await server.login('alice', 'alice-password');
      assert.equal((await server.call('GET', '/api/posts/', { token: access })).status, 200);
      assert.equal((await server.call('PATCH', `/api/users/${aliceId}`, { token: admin, body: { is_active: false } })).status, 200);
      assert.equal((await server.call('GET', '/api/posts/', { token: access })).status, 401);
      assert.equal((await server.call('POST', '/api/token/refresh/', { body: { refresh } })).status, 401);
      const login = await server.call('POST', '/api/token/', { body: { username: 'alice', password: 'alice-password' } });
      assert.equal(login.status, 401);
      assert.equal(login.json.code, 'no_active_account');
    });
  });
}
