// The auditor against hand-written CORS code with the classic bugs PortSwigger's research and the
// scanners describe: an endsWith() origin check, an OPTIONS handler that answers every origin, one
// that also grants private-network access, and a server that answers `*` only without an Origin.

import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import { checkUrl } from '../../src/check/checkUrl.ts';
import { APP, assertProves, nodeTarget, summary } from './targets.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An allowlist for simple requests; `preflight` answers OPTIONS its own (buggy) way. */
function allowlist(isAllowed: (origin: string) => boolean, preflight?: (origin: string, res: ServerResponse) => void): Handler {
  return (req, res) => {
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS' && origin !== undefined && preflight !== undefined) {
      preflight(origin, res);
      res.end();
      return;
    }
    if (origin !== undefined && isAllowed(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.end('{"user":"alice"}');
  };
}

const CASES: readonly { name: string; handler: Handler; expect: readonly string[] }[] = [
  {
    name: "origin.endsWith('example.com'): any registrable look-alike, every subdomain, http:// too",
    handler: allowlist((origin) => origin.endsWith('example.com')),
    expect: ['origin-any-subdomain medium', 'origin-http-downgrade medium', 'origin-suffix-match high'],
  },
  {
    name: "origin.startsWith('https://app.example.com'): the attacker's subdomain",
    handler: allowlist((origin) => origin.startsWith(APP)),
    expect: ['origin-prefix-match high'],
  },
  {
    name: 'an OPTIONS handler that grants every origin a preflight with credentials',
    handler: allowlist(
      (origin) => origin === APP,
      (origin, res) => {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE');
      },
    ),
    expect: ['preflight-any-origin high'],
  },
  {
    name: 'an OPTIONS handler that grants every origin private-network access',
    handler: allowlist(
      (origin) => origin === APP,
      (origin, res) => {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Methods', 'GET, DELETE');
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
      },
    ),
    expect: ['preflight-any-origin low', 'private-network-any-origin high', 'private-network-allowed low'],
  },
  {
    name: 'Access-Control-Allow-Origin: * on requests without Origin only',
    handler: (req, res) => {
      if (req.headers.origin === undefined) res.setHeader('Access-Control-Allow-Origin', '*');
      res.end('{}');
    },
    expect: ['expected-origin-refused low', 'origin-wildcard info'],
  },
];

describe('gatehouse check against hand-written CORS code', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const target = await nodeTarget(c.handler);
      try {
        const report = await checkUrl({ url: target.url, origins: [APP] });
        assert.deepEqual(summary(report.findings), [...c.expect].sort());
        for (const finding of report.findings) if (finding.origin !== undefined) assertProves(finding);
      } finally {
        await target.close();
      }
    });
  }
});
