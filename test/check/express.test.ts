// The auditor against express 5 apps: the `cors` package configured the ways that leak (origin: true
// with credentials reflects every origin; '*' with credentials), a hand-written allowlist that forgets
// Vary: Origin, and a correct `cors` configuration.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RequestHandler } from 'express';
import { checkUrl } from '../../src/check/checkUrl.ts';
import { allowlistWithoutVary, APP, assertProves, corsMiddleware, expressTarget, summary } from './targets.ts';

interface Case {
  readonly name: string;
  readonly middleware: RequestHandler;
  readonly expect: readonly string[];
}

const CASES: readonly Case[] = [
  {
    name: 'cors({ origin: true, credentials: true }) reflects every origin, and every requested header',
    middleware: corsMiddleware({ origin: true, credentials: true }),
    expect: ['origin-reflected critical', 'preflight-any-header low'],
  },
  {
    name: 'cors({ origin: true }) without credentials: reflection is low',
    middleware: corsMiddleware({ origin: true, allowedHeaders: ['content-type'] }),
    expect: ['origin-reflected low'],
  },
  {
    name: "cors({ origin: '*', credentials: true }) sends * with credentials",
    middleware: corsMiddleware({ origin: '*', credentials: true, allowedHeaders: ['content-type'] }),
    expect: ['wildcard-with-credentials low'],
  },
  {
    name: 'a hand-written allowlist without Vary: Origin',
    middleware: allowlistWithoutVary,
    expect: ['vary-origin-missing medium'],
  },
  {
    name: 'correct: cors({ origin: [app], credentials: true, allowedHeaders: [...] })',
    middleware: corsMiddleware({ origin: [APP], credentials: true, allowedHeaders: ['content-type', 'authorization'] }),
    expect: [],
  },
];

describe('gatehouse check against express 5 apps', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const target = await expressTarget(c.middleware);
      try {
        const report = await checkUrl({ url: target.url, origins: [APP] });
        assert.deepEqual(summary(report.findings), [...c.expect].sort());
        for (const finding of report.findings) assertProves(finding);
        assert.deepEqual(report.incomplete, []);
      } finally {
        await target.close();
      }
    });
  }
});
