// The seed's own system as the upstream: a tiny Django REST Framework API with no CORS package
// (django_upstream/app.py, under gunicorn) behind the gateway. The shared CORS conformance vectors and
// the authentication vectors pass through the gateway as they do against the built-in adapters.
//
// What differs from test/conformance, and why:
// - The app is Django's, so bodies are Django's; the vectors check statuses and headers, which the
//   Django app sets as the shared test app does (x-handler, x-principal*, /status/NNN, /vary, /throw).
//   The one body the vectors check that the app writes, the object rule's 404 problem+json, the Django
//   view writes in the same shape; every other checked body is Gatehouse's own refusal.
// - Rules declared in code (requirePermission, CODE_ROUTES) live in the gateway's `permissions`
//   table instead: a gateway has no route handlers of its own. The object part of the owner rule is
//   checked by the Django view, as an application checks it once it has loaded the object.
// - Every CORS vector also runs against a misconfigured upstream that adds `Access-Control-Allow-
//   Origin: *`, credentials and wildcard lists to every answer: the gateway removes them, so the
//   vectors still hold.

import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { PermissionRouteOptions } from '../../src/gatehouse.ts';
import { vectors, type ConformanceVector } from '../conformance/vectors.ts';
import { authVectors, CORS as AUTH_CORS } from '../conformance/authVectors.ts';
import { send, type RawResponse } from '../helpers/httpClient.ts';
import { CODE_ROUTES } from '../helpers/testApp.ts';
import { fillCredentials, suiteCredentials, type SuiteCredentials } from '../conformance/authCredentials.ts';
import { checkAuthVector, checkCorsVector } from '../conformance/vectorChecks.ts';
import { djangoUpstreamAvailable, startDjangoUpstream, type DjangoUpstream, type UpstreamMode } from './djangoUpstream.ts';
import { sendFrom, startGateway, type RunningGateway } from './gatewayServer.ts';

const availability = djangoUpstreamAvailable();

/** Starts the upstream, or (outside CI) returns undefined so the tests skip; under CI a missing Django fails. */
async function upstreamOrSkip(mode: UpstreamMode): Promise<DjangoUpstream | undefined> {
  if (availability.ok) return startDjangoUpstream(mode);
  if (process.env.CI === 'true') throw new Error(`CI=true and the Django upstream cannot run: ${availability.reason}`);
  process.stdout.write(`# skipping the Django gateway tests: ${availability.reason}\n`);
  return undefined;
}

function skipped(t: TestContext, ready: unknown): boolean {
  if (ready !== undefined) return false;
  t.skip(availability.ok ? 'the upstream did not start' : availability.reason);
  return true;
}

function checkVector(vector: ConformanceVector, response: RawResponse): void {
  checkCorsVector(vector, response);
  const where = `${vector.id}: ${vector.why}`;
  // Nothing of the upstream's own CORS answer may survive.
  for (const name of Object.keys(response.headers)) {
    if (name.startsWith('access-control-') && !(name in vector.expect.headers)) assert.fail(`${where} — the upstream's ${name} came through`);
  }
}

const groups = new Map<string, ConformanceVector[]>();
for (const vector of vectors) {
  const key = JSON.stringify(vector.settings);
  groups.set(key, [...(groups.get(key) ?? []), vector]);
}

for (const mode of ['plain', 'leaky-cors'] as const) {
  describe(`CORS conformance through the gateway, upstream Django REST Framework (${mode})`, () => {
    let django: DjangoUpstream | undefined;
    before(async () => {
      django = await upstreamOrSkip(mode);
    });
    after(() => django?.close());
    let index = 0;
    for (const group of groups.values()) {
      index++;
      describe(`settings group ${index}`, () => {
        let gateway: RunningGateway | undefined;
        before(async () => {
          if (django !== undefined) gateway = await startGateway(django.url, { cors: group[0]!.settings });
        });
        after(() => gateway?.close());
        for (const vector of group) {
          test(vector.id, async (t) => {
            if (skipped(t, gateway)) return;
            checkVector(vector, await send(gateway!.url, vector.request.method, vector.request.path, vector.request.headers));
          });
        }
      });
    }
  });
}

/** The auth suite's table, with the rules its test app declares in code moved into the table. */
function gatewayPermissions(table: readonly PermissionRouteOptions[]): PermissionRouteOptions[] {
  const inCode = CODE_ROUTES.map((r) => ({ path: r.route, rule: typeof r.rule === 'string' ? r.rule : r.rule.source }));
  return table.flatMap((entry) => (entry.path === '/api/code/*' ? inCode : [entry]));
}


describe('auth conformance through the gateway, upstream Django REST Framework', () => {
  let django: DjangoUpstream | undefined;
  let credentials: SuiteCredentials | undefined;
  let gateway: RunningGateway | undefined;
  before(async () => {
    django = await upstreamOrSkip('plain');
    if (django === undefined) return;
    credentials = await suiteCredentials();
    const { permissions = [], ...rest } = credentials.options;
    gateway = await startGateway(django.url, { ...rest, cors: AUTH_CORS, permissions: gatewayPermissions(permissions) });
  });
  after(async () => {
    await gateway?.close();
    await credentials?.close();
    await django?.close();
  });


  for (const vector of authVectors) {
    test(vector.id, vector.todo === undefined ? {} : { todo: vector.todo }, async (t) => {
      if (skipped(t, gateway)) return;
      const { headers, sent } = fillCredentials(credentials!, vector.request.headers);
      // `from`: the peer address of rows about trusted proxies (127.0.0.2 is not one).
      const from = (vector.request as { from?: string }).from ?? '127.0.0.1';
      checkAuthVector(vector, await sendFrom(from, gateway!.url, vector.request.method, vector.request.path, headers), sent);
    });
  }

  // Beyond the shared vectors: what only a gateway can get wrong.
  const forged: { why: string; headers: Record<string, string>; principal: string | null; scopes?: string }[] = [
    { why: 'a client posing as an admin without credentials is anonymous upstream', headers: { 'x-gatehouse-subject': 'user-admin', 'x-gatehouse-roles': 'admin' }, principal: null },
    { why: 'header names are case-insensitive: X-GATEHOUSE-SUBJECT is stripped too', headers: { 'X-GATEHOUSE-SUBJECT': 'user-admin' }, principal: null },
    { why: 'a reader\'s token plus a forged subject: the upstream sees the token\'s subject', headers: { authorization: 'Bearer <jwt:reader>', 'x-gatehouse-subject': 'user-admin', 'x-gatehouse-scopes': 'posts:write' }, principal: 'user-reader', scopes: 'posts:read' },
  ];
  for (const row of forged) {
    test(`forged principal headers: ${row.why}`, async (t) => {
      if (skipped(t, gateway)) return;
      const response = await send(gateway!.url, 'GET', '/api/public/info', fillCredentials(credentials!, row.headers).headers);
      assert.equal(response.status, 200);
      assert.equal(response.headers['x-principal'] ?? null, row.principal);
      if (row.scopes !== undefined) assert.equal(response.headers['x-principal-scopes'], row.scopes);
    });
  }

  test('the upstream receives X-Forwarded-For/-Proto/-Host and Forwarded, and no hop-by-hop field', async (t) => {
    if (skipped(t, gateway)) return;
    const { headers } = fillCredentials(credentials!, { authorization: 'Bearer <jwt:reader>', connection: 'x-hop', 'x-hop': 'secret', te: 'trailers', 'x-forwarded-for': '203.0.113.7' });
    const response = await send(gateway!.url, 'GET', '/debug/headers?a=1', headers);
    assert.equal(response.status, 200, response.body);
    const seen = JSON.parse(response.body) as { headers: Record<string, string>; query: string };
    assert.equal(seen.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], `127.0.0.1:${gateway!.port}`);
    assert.equal(seen.headers.forwarded, `for=127.0.0.1;host="127.0.0.1:${gateway!.port}";proto=http`);
    assert.equal(seen.headers['x-gatehouse-subject'], 'user-reader');
    assert.equal(seen.headers['x-gatehouse-auth-method'], 'jwt');
    assert.equal(seen.headers['x-hop'], undefined);
    assert.equal(seen.headers.te, undefined);
    assert.equal(seen.query, 'a=1');
  });
});
