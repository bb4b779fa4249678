// Property tests: for any allowlist and any request, nothing outside the allowlist is echoed, and no
// header value, however odd, makes the engine throw.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { withGatehouse } from '../../src/adapters/fetch.ts';
import type { CorsDecision, CorsRequest } from '../../src/cors/corsEngine.ts';
import { createGatehouse } from '../../src/gatehouse.ts';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
const host = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => `${labels.join('.')}.example.com`);
const scheme = fc.constantFrom('http', 'https');
const port = fc.option(fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 80 && p !== 443), { nil: undefined });
const origin = fc.tuple(scheme, host, port).map(([s, h, p]) => `${s}://${h}${p === undefined ? '' : `:${p}`}`);

// Look-alikes of an allowed origin: the attacks a CORS scanner tries.
function lookalikes(allowed: string): string[] {
  const url = new URL(allowed);
  return [
    `${allowed}.evil.net`,
    allowed.replace('://', '://evil'),
    allowed.replace('://', '://evil.'),
    allowed.replace(/^https:/, 'http:'),
    allowed.replace(/^http:/, 'https:'),
    `${allowed}:1`,
    `${allowed}/`,
    `${allowed}, https://evil.net`,
    allowed.toUpperCase(),
    `${url.protocol}//${url.hostname}.`,
  ];
}

function request(originValue: string, method = 'GET', extra: Record<string, string> = {}): CorsRequest {
  const headers: Record<string, string> = { origin: originValue, ...extra };
  return { method, path: '/api/posts/', origin: originValue, header: (n) => headers[n], secure: false, host: 'api.example.com' };
}

test('no origin outside the allowlist is ever echoed', () => {
  fc.assert(
    fc.property(fc.uniqueArray(origin, { minLength: 1, maxLength: 20 }), fc.array(origin, { maxLength: 20 }), fc.boolean(), (allowed, others, credentials) => {
      const gatehouse = createGatehouse({ cors: { allowedOrigins: allowed, allowCredentials: credentials }, logger: false });
      const allowedSet = new Set(allowed);
      const candidates = [...others, ...allowed.flatMap(lookalikes), ...allowed];
      for (const candidate of candidates) {
        for (const method of ['GET', 'OPTIONS']) {
          const decision = gatehouse.cors.decide(request(candidate, method, { 'access-control-request-method': 'PUT' })) as CorsDecision;
          if (allowedSet.has(candidate)) {
            assert.equal(decision.allowOrigin, candidate);
          } else {
            assert.equal(decision.allowOrigin, undefined, `echoed ${candidate}`);
            assert.ok(!decision.headers.some(([name]) => name === 'Access-Control-Allow-Credentials'), `credentials for ${candidate}`);
          }
        }
      }
    }),
    { numRuns: 200 },
  );
});

test('a wildcard pattern never allows a host outside its domain', () => {
  fc.assert(
    fc.property(host, fc.string({ maxLength: 40 }), (h, junk) => {
      const domain = h.split('.').slice(-3).join('.');
      const gatehouse = createGatehouse({ cors: { allowedOriginPatterns: [`https://*.${domain}`] }, logger: false });
      const attempts = [`https://${domain}`, `https://${domain}.evil.net`, `https://evil${domain}`, `https://x.${domain}${junk}`, `http://x.${domain}`, `https://${junk}`];
      for (const attempt of attempts) {
        const decision = gatehouse.cors.decide(request(attempt)) as CorsDecision;
        if (decision.allowOrigin !== undefined) {
          const url = new URL(attempt);
          assert.equal(url.origin, attempt, `allowed a non-serialized origin ${attempt}`);
          assert.ok(url.hostname.endsWith(`.${domain}`) && url.protocol === 'https:' && url.port === '', `allowed ${attempt}`);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('random header bytes never throw in the engine', () => {
  const bytes = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 300 });
  const gatehouse = createGatehouse({
    cors: { allowedOrigins: ['https://app.example.com', 'null'], allowedOriginPatterns: ['https://*.example.org:[*]'], allowedOriginRegexes: ['^https://[a-z]+\\.example\\.net$'], strict: true, debugHeader: true },
    logger: false,
  });
  fc.assert(
    fc.property(bytes, bytes, bytes, bytes, fc.constantFrom('GET', 'OPTIONS', 'POST', 'PURGE'), (originValue, method, headers, path, verb) => {
      const decision = gatehouse.cors.decide({
        method: verb,
        path: `/${path}`,
        origin: originValue,
        header: (n) => (n === 'access-control-request-method' ? method : n === 'access-control-request-headers' ? headers : undefined),
        secure: false,
        host: 'api.example.com',
      }) as CorsDecision;
      assert.ok(decision.status === 0 || decision.status === 200 || decision.status === 403);
    }),
    { numRuns: 2000 },
  );
});

test('random header values through the Fetch adapter never give a 5xx', async () => {
  const visible = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 });
  const handler = withGatehouse(() => Response.json({ ok: true }), { cors: { allowedOrigins: ['https://app.example.com'] }, logger: false });
  await fc.assert(
    fc.asyncProperty(visible, visible, visible, async (originValue, method, headers) => {
      const response = await handler(
        new Request('http://api.example.com/api/posts/', {
          method: 'OPTIONS',
          headers: { origin: originValue, 'access-control-request-method': method, 'access-control-request-headers': headers },
        }),
      );
      assert.ok(response.status < 500, `status ${response.status}`);
    }),
    { numRuns: 300 },
  );
});
