// Cookie sessions over real HTTP: login sets an HttpOnly, SameSite=Lax cookie that authenticates later
// requests; logout revokes it; a stale cookie makes the caller anonymous rather than locked out; an
// unsafe request authenticated by the cookie must come from the API's own origin (CSRF).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN_PASSWORD, useServer } from '../helpers/serverApi.ts';

describe('cookie sessions', () => {
  const server = useServer('sqlite', 'session');
  let cookie: string;

  test('login sets the session cookie: HttpOnly, SameSite=Lax, with a Max-Age; Secure only off on plain-HTTP loopback', async (t) => {
    if (!server.get(t)) return;
    const r = await server.call('POST', '/api/session/', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(r.status, 200, r.body);
    const setCookie = r.headers['set-cookie']!;
    assert.match(setCookie, /^gatehouse_session=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/);
    assert.equal(r.headers['cache-control'], 'no-store');
    cookie = setCookie.split(';')[0]!;
    const wrong = await server.call('POST', '/api/session/', { body: { username: 'admin', password: 'wrong-password' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers['set-cookie'], undefined);
  });

  test('the cookie authenticates reads as method "session"', async (t) => {
    if (!server.get(t)) return;
    const me = await server.call('GET', '/api/users/me', { headers: { cookie: `theme=dark; ${cookie}` } });
    assert.equal(me.status, 200);
    assert.equal(me.json.username, 'admin');
    assert.equal(me.json.method, 'session');
  });

  test('an unsafe request on the cookie from another origin is refused before the handler; from the API\'s own origin it passes', async (t) => {
    const running = server.get(t);
    if (!running) return;
    const before = (await server.call('GET', '/api/posts/', { headers: { cookie } })).json.count;
    const body = { title: 'cookie post', body: 'b' };
    const crossSite = await server.call('POST', '/api/posts/', { headers: { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, body });
    assert.equal(crossSite.status, 403, crossSite.body);
    assert.equal(crossSite.headers['content-type'], 'application/problem+json');
    assert.equal((await server.call('GET', '/api/posts/', { headers: { cookie } })).json.count, before, 'nothing was created');
    const sameOrigin = await server.call('POST', '/api/posts/', { headers: { cookie, origin: running.url, 'sec-fetch-site': 'same-origin' }, body });
    assert.equal(sameOrigin.status, 201, sameOrigin.body);
  });

  test('logout revokes the session: the old cookie is anonymous, and logging in again works', async (t) => {
    const running = server.get(t);
    if (!running) return;
    const out = await server.call('DELETE', '/api/session/', { headers: { cookie, origin: running.url } });
    assert.equal(out.status, 204);
    assert.match(out.headers['set-cookie']!, /^gatehouse_session=; Path=\/; Max-Age=0;/);
    const me = await server.call('GET', '/api/users/me', { headers: { cookie } });
    assert.equal(me.status, 401);
    assert.equal(me.json.code, 'not-authenticated');
    // As a browser sends it: a POST always carries Origin.
    const again = await server.call('POST', '/api/session/', { headers: { cookie, origin: running.url }, body: { username: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(again.status, 200, 'a stale cookie does not lock the browser out of the login');
  });
});
