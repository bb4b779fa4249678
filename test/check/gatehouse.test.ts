// The auditor against Gatehouse itself (node adapter) under deliberately bad settings. Gatehouse
// refuses the worst at start-up (allowAllOrigins with allowCredentials), so the holes planted here are
// the ones it starts with, most of them with a warning; each must be found with its id and severity,
// and a correct configuration must give nothing.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkUrl } from '../../src/check/checkUrl.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import { APP, assertProves, gatehouseTarget, summary } from './targets.ts';

interface Case {
  readonly name: string;
  readonly cors: CorsSettings;
  readonly origins: readonly string[];
  readonly expect: readonly string[];
}

const CASES: readonly Case[] = [
  { name: 'a regex with an unescaped dot (starts with a warning)', cors: { allowedOriginRegexes: ['^https://app.example\\.com$'], allowCredentials: true }, origins: [APP], expect: ['origin-unescaped-dot high'] },
  { name: '"null" listed, with credentials', cors: { allowedOrigins: [APP, 'null'], allowCredentials: true }, origins: [APP], expect: ['origin-null high'] },
  { name: '"null" listed, without credentials', cors: { allowedOrigins: [APP, 'null'] }, origins: [APP], expect: ['origin-null low'] },
  { name: 'the http:// twin listed next to the https:// origin', cors: { allowedOrigins: [APP, 'http://app.example.com'], allowCredentials: true }, origins: [APP], expect: ['origin-http-downgrade medium'] },
  { name: 'a pattern over every subdomain when one front end is meant', cors: { allowedOriginPatterns: ['https://*.example.com'], allowCredentials: true }, origins: [APP], expect: ['origin-any-subdomain medium'] },
  { name: 'allowPrivateNetwork', cors: { allowedOrigins: [APP], allowPrivateNetwork: true }, origins: [APP], expect: ['private-network-allowed low'] },
  { name: 'allowHeaders "*"', cors: { allowedOrigins: [APP], allowHeaders: ['*'] }, origins: [APP], expect: ['preflight-any-header low'] },
  { name: 'allowMethods "*"', cors: { allowedOrigins: [APP], allowMethods: ['*'] }, origins: [APP], expect: ['preflight-any-method low'] },
  { name: 'allowAllOrigins without credentials (public data)', cors: { allowAllOrigins: true, publicData: true }, origins: [APP], expect: ['origin-wildcard info'] },
  { name: 'an origin the front end needs is missing', cors: { allowedOrigins: [APP], allowCredentials: true }, origins: [APP, 'https://admin.example.com'], expect: ['expected-origin-refused low'] },
  { name: 'several holes at once', cors: { allowedOrigins: [APP, 'null', 'http://app.example.com'], allowedOriginRegexes: ['^https://app.example\\.com$'], allowCredentials: true, allowHeaders: ['*'] }, origins: [APP], expect: ['origin-http-downgrade medium', 'origin-null high', 'origin-unescaped-dot high', 'preflight-any-header low'] },
  // Correct configurations: nothing at all.
  { name: 'correct: one front end with credentials', cors: { allowedOrigins: [APP], allowCredentials: true }, origins: [APP], expect: [] },
  { name: 'correct: a start-anchored regex (Gatehouse matches the whole origin; it only warns)', cors: { allowedOriginRegexes: ['^https://app\\.example\\.com'], allowCredentials: true }, origins: [APP], expect: [] },
  { name: 'correct: a subdomain pattern that is meant (--origin https://*.example.com)', cors: { allowedOriginPatterns: ['https://*.example.com'], allowCredentials: true }, origins: ['https://*.example.com'], expect: [] },
  { name: 'correct: strict mode, several front ends', cors: { allowedOrigins: [APP, 'http://localhost:5173'], allowCredentials: true, strict: true }, origins: [APP, 'http://localhost:5173'], expect: [] },
  { name: 'correct: no --origin at all', cors: { allowedOrigins: [APP], allowCredentials: true }, origins: [], expect: [] },
];

describe('gatehouse check against Gatehouse (node adapter)', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const target = await gatehouseTarget(c.cors);
      try {
        const report = await checkUrl({ url: target.url, origins: c.origins });
        assert.deepEqual(summary(report.findings), [...c.expect].sort());
        for (const finding of report.findings) assertProves(finding);
        assert.deepEqual(report.incomplete, []);
        assert.equal(report.requests.skipped, 0, 'the default max-requests covers the whole plan');
        assert.equal(target.received.length, report.requests.sent, 'the server saw exactly the requests the report counts');
      } finally {
        await target.close();
      }
    });
  }
});

test("the target's own origin given with --origin is not asked (same-origin requests need no CORS headers)", async () => {
  const target = await gatehouseTarget({ allowedOrigins: [APP], allowCredentials: true });
  try {
    const own = new URL(target.url).origin;
    const report = await checkUrl({ url: target.url, origins: [APP, own] });
    assert.deepEqual(summary(report.findings), []);
    assert.ok(target.received.every((h) => h.origin !== own));
  } finally {
    await target.close();
  }
});
