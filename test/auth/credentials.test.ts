import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AuthenticationError } from '../../src/auth/authErrors.ts';
import { authenticationChallenge, bearerHeader, insufficientScopeChallenge } from '../../src/auth/bearerChallenge.ts';
import { presentedCredentials } from '../../src/auth/credentials.ts';

const headers = (h: Record<string, string>) => (name: string) => h[name];

test('credentials are read from Authorization: Bearer or X-API-Key', () => {
  const cases: [Record<string, string>, ReturnType<typeof presentedCredentials>][] = [
    [{}, undefined],
    [{ authorization: 'Bearer abc.def.ghi' }, { source: 'bearer', value: 'abc.def.ghi' }],
    [{ authorization: 'bearer tok_123=' }, { source: 'bearer', value: 'tok_123=' }],
    [{ authorization: 'BEARER   spaced ' }, { source: 'bearer', value: 'spaced' }],
    [{ 'x-api-key': 'gth_abc' }, { source: 'api-key-header', value: 'gth_abc' }],
    [{ authorization: '' }, undefined],
  ];
  for (const [h, expected] of cases) assert.deepEqual(presentedCredentials(headers(h)), expected, JSON.stringify(h));
});

test('malformed or doubled credentials are refused with the right status and code', () => {
  const cases: [Record<string, string>, string, number, string | undefined][] = [
    [{ authorization: 'Bearer a b' }, 'malformed-header', 400, 'invalid_request'],
    [{ authorization: 'Bearer a, Bearer b' }, 'malformed-header', 400, 'invalid_request'],
    [{ authorization: 'Bearer ' }, 'malformed-header', 400, 'invalid_request'],
    [{ authorization: 'Bearer' }, 'malformed-header', 400, 'invalid_request'],
    [{ authorization: `Bearer ${'a'.repeat(9000)}` }, 'malformed-header', 400, 'invalid_request'],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, 'malformed-header', 401, undefined],
    [{ authorization: 'Bearer abc', 'x-api-key': 'gth_x' }, 'multiple-credentials', 400, 'invalid_request'],
    [{ 'x-api-key': 'a, b' }, 'malformed-header', 400, 'invalid_request'],
  ];
  for (const [h, reason, status, bearerError] of cases) {
    assert.throws(
      () => presentedCredentials(headers(h)),
      (e: unknown) => e instanceof AuthenticationError && e.reason === reason && e.status === status && e.bearerError === bearerError,
      JSON.stringify(h).slice(0, 80),
    );
  }
});

test('random header values either parse or raise an AuthenticationError', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.option(fc.string({ maxLength: 100 }), { nil: undefined }), (authorization, apiKey) => {
      try {
        presentedCredentials(headers({ authorization, ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }) }));
      } catch (error) {
        assert.ok(error instanceof AuthenticationError, String(error));
      }
    }),
    { numRuns: 2000 },
  );
});

test('RFC 6750 challenges: no error code without credentials, the standard code otherwise', () => {
  assert.equal(bearerHeader('api'), 'Bearer realm="api"');
  assert.equal(bearerHeader('my "api"', 'invalid_token'), 'Bearer realm="my \\"api\\"", error="invalid_token"');
  const missing = authenticationChallenge(new AuthenticationError('credentials-missing', 'none'), 'api');
  assert.equal(missing.status, 401);
  assert.equal(missing.wwwAuthenticate, 'Bearer realm="api"');
  const expired = authenticationChallenge(new AuthenticationError('token-expired', 'exp 1700000000 is past'), 'api');
  assert.equal(expired.status, 401);
  assert.equal(expired.wwwAuthenticate, 'Bearer realm="api", error="invalid_token"');
  const body = JSON.parse(expired.body);
  assert.equal(body.code, 'invalid-token');
  assert.ok(!expired.body.includes('exp'), 'what exactly failed stays in the log');
  const scope = insufficientScopeChallenge('api', ['posts:write', 'posts:read']);
  assert.equal(scope.status, 403);
  assert.equal(scope.wwwAuthenticate, 'Bearer realm="api", error="insufficient_scope", scope="posts:write posts:read"');
});
