// The authentication and permissions conformance suite: every vector through every adapter over real
// HTTP on loopback, with real credentials: tokens signed with real keys (HS256 secret, ES256 key pair)
// and API keys issued by a real store on a migrated sqlite::memory: database.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listsToken } from '../../src/adapters/responseHeaders.ts';
import type { RawResponse } from '../helpers/httpClient.ts';
import { ADAPTERS, startTestServer, type StartOptions, type TestServer } from '../helpers/servers.ts';
import { suiteCredentials, type SuiteCredentials } from './authCredentials.ts';
import { sendFrom, TRUSTED_PEER } from './loopbackClient.ts';
import { authVectors, BODY_NEVER, CORS, type AuthVector } from './authVectors.ts';

let suite: SuiteCredentials;
let credentials: { readonly jwt: Record<string, string>; readonly key: Record<string, string> };
let options: StartOptions;

before(async () => {
  suite = await suiteCredentials();
  credentials = { jwt: suite.jwt, key: suite.key };
  options = suite.options;
});

after(async () => {
  await suite?.close();
});

/** The request's headers with the placeholders replaced, and the credentials it carries. */
function resolve(headers: Record<string, string | string[]> = {}): { headers: Record<string, string | string[]>; sent: string[] } {
  const sent: string[] = [];
  const fill = (value: string) =>
    value.replace(/<(jwt|key):([A-Za-z]+)>/g, (_match, kind: 'jwt' | 'key', name: string) => {
      const credential = credentials[kind][name];
      assert.ok(credential !== undefined, `no ${kind} named ${name}`);
      sent.push(credential);
      return credential;
    });
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.map(fill) : fill(value);
  return { headers: out, sent };
}

function checkAuthVector(vector: AuthVector, response: RawResponse, sent: readonly string[]): void {
  const where = `${vector.id}: ${vector.why}`;
  const { expect } = vector;
  assert.equal(response.status, expect.status, `${where} — status (body ${response.body})`);
  assert.equal(response.headers['x-handler'] === 'called', expect.handlerCalled, `${where} — handler called`);
  assert.equal(response.headers['x-principal'] ?? null, expect.principal, `${where} — the Principal the handler saw`);
  if (expect.principal !== null) assert.equal(response.headers['x-principal-same'], 'yes', `${where} — the framework's Principal is principalOf(raw request)`);
  if (expect.kind !== undefined) assert.equal(response.headers['x-principal-kind'], expect.kind, `${where} — Principal kind`);
  if (expect.scopes !== undefined) assert.equal(response.headers['x-principal-scopes'], expect.scopes, `${where} — Principal scopes`);
  for (const [name, expected] of Object.entries(expect.headers)) {
    assert.equal(response.headers[name] ?? null, expected, `${where} — header ${name}`);
  }
  assert.ok(listsToken(response.headers.vary ?? '', 'origin'), `${where} — Vary lists Origin (got "${response.headers.vary}")`);

  if (expect.problem !== undefined && vector.request.method !== 'HEAD') {
    const body = JSON.parse(response.body) as Record<string, unknown>;
    assert.equal(body.code, expect.problem, `${where} — problem code`);
    assert.equal(body.status, expect.status, `${where} — problem status`);
    assert.equal(body.type, `https://gatehouse.dev/problems/${expect.problem}`, `${where} — problem type`);
  }
  if (!expect.handlerCalled && expect.status >= 400) {
    // Gatehouse's own refusal: the rows must say what it carries, and it must not say why.
    assert.ok(expect.problem !== undefined && 'www-authenticate' in expect.headers, `${where} — a refusal row must give its problem code and challenge`);
    const lower = response.body.toLowerCase();
    for (const word of BODY_NEVER) assert.ok(!lower.includes(word), `${where} — the body names the reason ("${word}"): ${response.body}`);
    for (const credential of sent) assert.ok(!response.body.includes(credential), `${where} — the body echoes the credential`);
  }
}

for (const adapter of ADAPTERS) {
  describe(`auth conformance through the ${adapter} adapter`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(adapter, CORS, options);
    });
    after(() => server.close());
    for (const vector of authVectors) {
      test(vector.id, vector.todo === undefined ? {} : { todo: vector.todo }, async () => {
        const { headers, sent } = resolve(vector.request.headers);
        const response = await sendFrom(vector.request.from ?? TRUSTED_PEER, server.url, vector.request.method, vector.request.path, headers);
        checkAuthVector(vector, response, sent);
      });
    }
  });
}

test('the auth suite has at least 60 vectors with unique ids', () => {
  assert.ok(authVectors.length >= 60, `only ${authVectors.length} vectors`);
  assert.equal(new Set(authVectors.map((v) => v.id)).size, authVectors.length);
});
