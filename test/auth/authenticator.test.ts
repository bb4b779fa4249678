import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthenticationError } from '../../src/auth/authErrors.ts';
import { createAuthenticator, looksLikeJwt, type AuthMethodHandler } from '../../src/auth/authenticator.ts';
import { principal } from '../../src/auth/principal.ts';
import { captureLogger } from '../helpers/captureLogger.ts';

// Two tiny methods with distinct shapes, to test the chain itself.
const keys: AuthMethodHandler = {
  method: 'api-key',
  recognises: (c) => c.value.startsWith('gth_'),
  authenticate: async (c) => {
    if (c.value !== 'gth_good') throw new AuthenticationError('api-key-unknown', 'no such key');
    return principal({ subject: 'ci-bot', kind: 'api-key', claims: {}, method: 'api-key' });
  },
};
const jwts: AuthMethodHandler = {
  method: 'jwt',
  recognises: (c) => c.source === 'bearer' && looksLikeJwt(c.value),
  authenticate: async () => principal({ subject: 'alice', kind: 'user', claims: {}, method: 'jwt' }),
};
const broken: AuthMethodHandler = {
  method: 'introspection',
  recognises: () => true,
  authenticate: async () => {
    throw new TypeError('bug in a method');
  },
};

const context = (h: Record<string, string>) => ({ header: (n: string) => h[n], clientIp: '127.0.0.1', requestId: 'req-1' });

test('the first method that recognises the credential decides', async () => {
  const chain = createAuthenticator([keys, jwts]);
  assert.equal(await chain.authenticate(context({})), undefined);
  assert.equal((await chain.authenticate(context({ authorization: 'Bearer gth_good' })))?.subject, 'ci-bot');
  assert.equal((await chain.authenticate(context({ 'x-api-key': 'gth_good' })))?.subject, 'ci-bot');
  assert.equal((await chain.authenticate(context({ authorization: 'Bearer a.b.c' })))?.subject, 'alice');
  await assert.rejects(chain.authenticate(context({ authorization: 'Bearer opaque' })), (e: unknown) => e instanceof AuthenticationError && e.reason === 'token-malformed');
});

test('refusals are logged with the reason and request id; a failing method is a 503, not a crash', async () => {
  const logger = captureLogger();
  const chain = createAuthenticator([keys, broken], { logger });
  await assert.rejects(chain.authenticate(context({ 'x-api-key': 'gth_bad' })), (e: unknown) => e instanceof AuthenticationError && e.status === 401);
  assert.match(logger.entries[0]!.message, /api-key-unknown: no such key/);
  assert.equal((logger.entries[0]!.fields.auth as { requestId: string }).requestId, 'req-1');
  assert.ok(!JSON.stringify(logger.entries).includes('gth_bad'), 'the key itself is never logged');
  await assert.rejects(chain.authenticate(context({ authorization: 'Bearer opaque' })), (e: unknown) => e instanceof AuthenticationError && e.status === 503);
  assert.ok(logger.entries.some((l) => l.level === 'error' && l.message === 'authentication method failed'));
});

test('JWT shape', () => {
  const cases: [string, boolean][] = [['a.b.c', true], ['a.b', false], ['a..c', false], ['.b.c', false], ['a.b.c.d', false], ['gth_x', false]];
  for (const [value, expected] of cases) assert.equal(looksLikeJwt(value), expected, value);
});

test('fromRequest: a session cookie method is asked only when no Bearer token or API key is presented', async () => {
  const asked: string[] = [];
  const sessions: AuthMethodHandler = {
    method: 'session',
    recognises: () => false,
    authenticate: async () => assert.fail('not a Bearer method'),
    fromRequest: async (context) => {
      asked.push(context.header('cookie') ?? '');
      const match = /(?:^|; )sid=(\w+)/.exec(context.header('cookie') ?? '');
      if (match === null) return undefined;
      if (match[1] !== 'valid') throw new AuthenticationError('token-revoked', 'session ended');
      return principal({ subject: 'carol', kind: 'user', claims: {}, method: 'session' });
    },
  };
  const chain = createAuthenticator([keys, sessions]);
  assert.equal((await chain.authenticate(context({ cookie: 'theme=dark; sid=valid' })))?.subject, 'carol');
  assert.equal(await chain.authenticate(context({ cookie: 'theme=dark' })), undefined);
  await assert.rejects(chain.authenticate(context({ cookie: 'sid=old' })), (e: unknown) => e instanceof AuthenticationError && e.reason === 'token-revoked');
  asked.length = 0;
  assert.equal((await chain.authenticate(context({ 'x-api-key': 'gth_good', cookie: 'sid=valid' })))?.subject, 'ci-bot');
  assert.deepEqual(asked, [], 'presented credentials decide; fromRequest is not asked');
});
