// The authentication and permissions conformance suite: every vector through every adapter over real
// HTTP on loopback, with real credentials: tokens signed with real keys (HS256 secret, ES256 key pair)
// and API keys issued by a real store on a migrated sqlite::memory: database.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADAPTERS, startTestServer, type StartOptions, type TestServer } from '../helpers/servers.ts';
import { fillCredentials, suiteCredentials, type SuiteCredentials } from './authCredentials.ts';
import { sendFrom, TRUSTED_PEER } from './loopbackClient.ts';
import { authVectors, CORS } from './authVectors.ts';
import { checkAuthVector } from './vectorChecks.ts';

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



for (const adapter of ADAPTERS) {
  describe(`auth conformance through the ${adapter} adapter`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(adapter, CORS, options);
    });
    after(() => server.close());
    for (const vector of authVectors) {
      test(vector.id, vector.todo === undefined ? {} : { todo: vector.todo }, async () => {
        const { headers, sent } = fillCredentials(credentials, vector.request.headers);
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
