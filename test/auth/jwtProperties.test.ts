// Whatever a client sends as a Bearer token, the verifier answers with a Principal or an
// AuthenticationError: never another exception, never an "unexpected failure" log line.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { AuthenticationError } from '../../src/auth/authErrors.ts';
import { createJwtVerifier, type JwtVerifier } from '../../src/auth/jwt/jwtVerifier.ts';
import { resolveJwtSettings } from '../../src/config/jwtSchema.ts';
import { captureLogger } from '../helpers/captureLogger.ts';
import { TestClock, testKey, testSecret } from './jwtFixtures.ts';

const ISSUERS = ['https://rs.example', 'https://hs.example'];
let verifier: JwtVerifier;
const logger = captureLogger();

before(async () => {
  const rs = await testKey('RS256', 'rs-1');
  const settings = resolveJwtSettings({
    issuers: [
      { issuer: ISSUERS[0]!, algorithms: ['RS256'], publicKey: rs.publicPem },
      { issuer: ISSUERS[1]!, algorithms: ['HS256'], secret: testSecret(), maxTokenAgeSeconds: 60, requireAccessTokenType: true },
    ],
  });
  verifier = createJwtVerifier(settings, { now: new TestClock().now, logger });
});

async function refusedWithAuthenticationError(token: string): Promise<boolean> {
  try {
    await verifier.verify(token);
    return false;
  } catch (error) {
    return error instanceof AuthenticationError;
  }
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const base64urlText = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 200 });

const properties: [string, fc.Arbitrary<string>][] = [
  ['any string', fc.string({ unit: 'binary', maxLength: 300 })],
  ['three base64url parts', fc.tuple(base64urlText, base64urlText, base64urlText).map((parts) => parts.join('.'))],
  [
    'JSON header and claims of a configured issuer, with a random signature',
    fc
      .tuple(
        fc.record({ alg: fc.constantFrom('none', 'HS256', 'RS256', 'ES256', 'EdDSA', 'RS1', ''), typ: fc.option(fc.constantFrom('JWT', 'at+jwt', 'x')), kid: fc.option(fc.string()), crit: fc.option(fc.array(fc.string())), b64: fc.option(fc.boolean()) }, { requiredKeys: ['alg'] }),
        fc.record({ iss: fc.constantFrom(...ISSUERS), sub: fc.anything(), exp: fc.anything(), nbf: fc.anything(), iat: fc.anything(), aud: fc.anything(), scope: fc.anything(), roles: fc.anything() }, { requiredKeys: ['iss'] }),
        base64urlText,
      )
      .map(([header, payload, signature]) => `${b64(header)}.${b64(payload)}.${signature}`),
  ],
  ['any JSON in the header and claims', fc.tuple(fc.json(), fc.json(), base64urlText).map(([header, payload, signature]) => `${b64(header)}.${b64(payload)}.${signature}`)],
];

for (const [what, tokens] of properties) {
  test(`jwt property: ${what} → always an AuthenticationError`, async () => {
    await fc.assert(fc.asyncProperty(tokens, refusedWithAuthenticationError), { numRuns: 300 });
    assert.deepEqual(logger.entries.filter((e) => e.level === 'error'), []);
  });
}
