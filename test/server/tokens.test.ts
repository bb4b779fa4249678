// The simplejwt-style token endpoints over real HTTP, on SQLite and PostgreSQL: login, rotation, reuse
// detection (a refresh token used twice revokes its whole family, access tokens included), verify,
// blacklist (logout), and the login rate limits with their headers.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../helpers/storeDatabases.ts';
import { ADMIN_PASSWORD, useServer } from '../helpers/serverApi.ts';

for (const dialect of DIALECTS) {
  describe(`token endpoints on ${dialect}`, () => {
    const server = useServer(dialect, 'tokens', { rateLimits: { login: '3/minute', loginPerIp: '100/minute' }, tokens: { accessTokenLifetime: '2m', refreshTokenLifetime: '1h' } });

    test('login: access and refresh tokens with simplejwt claims; a wrong password is 401 no_active_account', async (t) => {
      if (!server.get(t)) return;
      const pair = await server.login();
      const access = decodeJwt(pair.access);
      const refresh = decodeJwt(pair.refresh);
      assert.equal(access.token_type, 'access');
      assert.equal(refresh.token_type, 'refresh');
      assert.equal(access.exp! - access.iat!, 120);
      assert.equal(refresh.exp! - refresh.iat!, 3600);
      assert.deepEqual(access.roles, ['admin']);
      assert.equal(access.sub, String(access.user_id));
      assert.equal(access.fam, refresh.fam, 'one login, one family');
      for (const body of [{ username: 'admin', password: 'wrong-password' }, { username: 'nobody', password: ADMIN_PASSWORD }]) {
        const r = await server.call('POST', '/api/token/', { body });
        assert.equal(r.status, 401);
        assert.equal(r.json.code, 'no_active_account');
        assert.equal(r.json.detail, 'No active account found with the given credentials');
      }
      const malformed = await server.call('POST', '/api/token/', { body: { username: 'admin' } });
      assert.equal(malformed.status, 400);
    });

    test('refresh rotates; using a refresh token twice revokes the family, its access tokens too', async (t) => {
      if (!server.get(t)) return;
      const first = await server.login();
      const rotated = await server.call('POST', '/api/token/refresh/', { body: { refresh: first.refresh } });
      assert.equal(rotated.status, 200);
      assert.notEqual(rotated.json.refresh, first.refresh);
      assert.equal(decodeJwt(rotated.json.refresh).fam, decodeJwt(first.refresh).fam);
      assert.equal((await server.call('GET', '/api/posts/', { token: rotated.json.access })).status, 200);

      const replay = await server.call('POST', '/api/token/refresh/', { body: { refresh: first.refresh } });
      assert.equal(replay.status, 401);
      assert.equal(replay.json.code, 'token_not_valid');
      assert.equal((await server.call('POST', '/api/token/refresh/', { body: { refresh: rotated.json.refresh } })).status, 401, 'the successor dies with its family');
      assert.equal((await server.call('GET', '/api/posts/', { token: rotated.json.access })).status, 401, "the family's access token is refused");
      assert.equal((await server.call('GET', '/api/posts/', { token: first.access })).status, 401);

      const other = await server.login();
      assert.equal((await server.call('GET', '/api/posts/', { token: other.access })).status, 200, 'another login is untouched');
    });

    test('verify: 200 {} for a valid token, 401 for a tampered, revoked or foreign one', async (t) => {
      if (!server.get(t)) return;
      const pair = await server.login();
      for (const token of [pair.access, pair.refresh]) assert.deepEqual((await server.call('POST', '/api/token/verify/', { body: { token } })).json, {});
      const [h, p, s] = pair.access.split('.') as [string, string, string];
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(pair.access), roles: ['admin', 'root'] })).toString('base64url')}.${s}`;
      for (const token of [tampered, `${h}.${p}.${s.slice(0, -2)}AA`, 'not-a-jwt', 'a.b.c']) {
        const r = await server.call('POST', '/api/token/verify/', { body: { token } });
        assert.equal(r.status, 401, token);
        assert.equal(r.json.code, 'token_not_valid');
      }
      assert.equal((await server.call('POST', '/api/token/verify/', { body: {} })).status, 400);
    });

    test('blacklist logs the session out: its refresh and access tokens are refused', async (t) => {
      if (!server.get(t)) return;
      const pair = await server.login();
      assert.equal((await server.call('POST', '/api/token/blacklist/', { body: { refresh: pair.refresh } })).status, 200);
      assert.equal((await server.call('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } })).status, 401);
      assert.equal((await server.call('POST', '/api/token/verify/', { body: { token: pair.refresh } })).status, 401);
      assert.equal((await server.call('GET', '/api/posts/', { token: pair.access })).status, 401);
      const access = await server.call('POST', '/api/token/blacklist/', { body: { refresh: pair.access } });
      assert.equal(access.status, 401, 'an access token is not a refresh token');
    });

    test('login rate limit per username + IP: 429 with Retry-After and RateLimit headers; other names unaffected', async (t) => {
      if (!server.get(t)) return;
      const attempt = (username: string) => server.call('POST', '/api/token/', { body: { username, password: 'wrong-password' } });
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await attempt('mallory');
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      assert.equal(last!.json.code, 'rate-limited');
      assert.ok(Number(last!.headers['retry-after']) >= 1 && Number(last!.headers['retry-after']) <= 60);
      assert.equal(last!.headers['ratelimit-policy'], '"login";q=3;w=60');
      assert.match(last!.headers.ratelimit!, /^"login";r=0;t=\d+$/);
      assert.equal((await attempt('trudy')).status, 401, 'another username from the same IP still gets an answer');
    });
  });
}
