// The auditor's bounds: never more requests than --max-requests, never more at once than the
// concurrency, every request and the whole audit bounded in time, bodies read only up to a cap,
// redirects audited rather than followed unless asked, and an unreachable target a clear error.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CheckError, checkUrl } from '../../src/check/checkUrl.ts';
import { ProbeRunner, RUNNER_DEFAULTS } from '../../src/check/probeRunner.ts';
import type { Probe } from '../../src/check/probes.ts';
import { APP, closedPortUrl, corsMiddleware, expressTarget, nodeTarget, silentTarget, summary, type Target } from './targets.ts';

const probe = (i: number): Probe => ({ key: `get:${i}`, kind: 'arbitrary', method: 'GET', origin: `https://o${i}.example`, corsHeaders: {} });

describe('ProbeRunner bounds', () => {
  let inFlight = 0;
  let target: Target;
  before(async () => {
    // Answers after a short random delay, so that requests overlap.
    target = await nodeTarget((_req, res) => {
      inFlight += 1;
      setTimeout(() => {
        inFlight -= 1;
        res.end('ok');
      }, Math.floor(Math.random() * 4));
    });
  });
  after(() => target.close());

  test('never sends more than maxRequests, nor more than concurrency at once, whatever the plan', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 3 }), async (maxRequests, concurrency, count, batches) => {
        const before = target.received.length;
        const runner = new ProbeRunner(new URL(target.url), { ...RUNNER_DEFAULTS, maxRequests, concurrency, headers: {} });
        let answered = 0;
        let skipped = 0;
        try {
          // The bound holds across several run() calls, as across the audit's two phases.
          for (let b = 0; b < batches; b++) {
            const results = await runner.run(Array.from({ length: count }, (_, i) => probe(b * 100 + i)));
            assert.equal(results.length, count, 'one result per probe, in order');
            results.forEach((r, i) => assert.equal(r.probe.key, `get:${b * 100 + i}`));
            answered += results.filter((r) => r.outcome.status === 'answered').length;
            skipped += results.filter((r) => r.outcome.status === 'skipped' && r.outcome.reason === 'max-requests').length;
          }
        } finally {
          await runner.close();
        }
        const expectedSent = Math.min(maxRequests, count * batches);
        assert.equal(target.received.length - before, expectedSent, 'the server saw min(maxRequests, planned) requests');
        assert.equal(runner.sent, expectedSent);
        assert.equal(answered, expectedSent);
        assert.equal(skipped, count * batches - expectedSent);
        assert.ok(runner.peakConcurrency <= concurrency, `peak ${runner.peakConcurrency} <= ${concurrency}`);
        assert.equal(inFlight, 0);
      }),
      { numRuns: 30 },
    );
  });

  test('a whole audit under --max-requests 5 sends 5 requests and says how many probes it skipped', async () => {
    const before = target.received.length;
    const report = await checkUrl({ url: target.url, origins: [APP], maxRequests: 5 });
    assert.equal(target.received.length - before, 5);
    assert.equal(report.requests.sent, 5);
    assert.ok(report.requests.skipped > 0);
    assert.deepEqual(report.incomplete, [], 'skipping by choice is not an incomplete audit');
  });
});

describe('time bounds and unreachable targets', () => {
  test('a server that never answers is reported as a timeout, within the deadline', async () => {
    const silent = await silentTarget();
    try {
      const started = performance.now();
      await assert.rejects(checkUrl({ url: silent.url, timeoutMs: 300, deadlineMs: 1_000 }), (error: unknown) => {
        assert.ok(error instanceof CheckError);
        assert.equal(error.code, 'check-timeout');
        assert.equal(error.isUsage, false);
        assert.match(error.message, /did not answer in time/);
        return true;
      });
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 1_000, `took ${Math.round(elapsed)} ms`);
    } finally {
      await silent.close();
    }
  });

  test('the overall deadline ends probes that each have a longer timeout', async () => {
    // Answers the baseline (no Origin), then holds every probe with an Origin forever.
    const held = await nodeTarget((req, res) => {
      if (req.headers.origin === undefined) res.end('ok');
    });
    try {
      const started = performance.now();
      const report = await checkUrl({ url: held.url, origins: [APP], timeoutMs: 60_000, deadlineMs: 700 });
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 1_500, `took ${Math.round(elapsed)} ms`);
      assert.ok(report.incomplete.length > 0);
      assert.ok(report.incomplete.every((m) => m.code === 'deadline'), JSON.stringify(report.incomplete.map((m) => m.code)));
    } finally {
      await held.close();
    }
  });

  test('probes that time out one by one make the audit incomplete, not clean', async () => {
    const held = await nodeTarget((req, res) => {
      if (req.method !== 'OPTIONS') res.end('ok');
    });
    try {
      const report = await checkUrl({ url: held.url, origins: [APP], timeoutMs: 200, deadlineMs: 5_000 });
      assert.deepEqual(report.findings.map((f) => f.id), ['expected-origin-refused']);
      assert.ok(report.incomplete.length > 0);
      assert.ok(report.incomplete.every((m) => m.method === 'OPTIONS' && m.code === 'timeout'));
    } finally {
      await held.close();
    }
  });

  test('a closed port is a clear "cannot be reached" error', async () => {
    const url = await closedPortUrl();
    await assert.rejects(checkUrl({ url }), (error: unknown) => {
      assert.ok(error instanceof CheckError);
      assert.equal(error.code, 'check-unreachable');
      assert.match(error.message, /cannot be reached \(ECONNREFUSED/);
      return true;
    });
  });
});

describe('bodies and redirects', () => {
  test('a body that never ends is read only up to the cap', async () => {
    const endless = await nodeTarget((req, res) => {
      res.writeHead(200, req.headers.origin === undefined ? { vary: 'Origin' } : { 'access-control-allow-origin': req.headers.origin, vary: 'Origin' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('error', () => undefined);
      pump();
    });
    try {
      const started = performance.now();
      const report = await checkUrl({ url: endless.url, origins: [APP], timeoutMs: 5_000 });
      assert.ok(performance.now() - started < 3_000);
      assert.deepEqual(report.incomplete, []);
      assert.deepEqual(summary(report.findings), ['origin-reflected low']);
    } finally {
      await endless.close();
    }
  });

  test('a redirect is audited itself unless --follow-redirects; then the final answer is', async () => {
    const reflecting = await expressTarget(corsMiddleware({ origin: true, credentials: true, allowedHeaders: ['content-type'] }));
    const redirecting = await nodeTarget((_req, res) => {
      res.writeHead(302, { location: reflecting.url });
      res.end();
    });
    try {
      const asIs = await checkUrl({ url: redirecting.url, origins: [APP] });
      assert.deepEqual(summary(asIs.findings), ['expected-origin-refused low']);
      assert.equal(asIs.findings[0]!.evidence.response.status, 302);
      assert.equal(asIs.findings[0]!.evidence.response.headers.location, reflecting.url);
      assert.equal(reflecting.received.length, 0, 'the redirect was not followed');

      const followed = await checkUrl({ url: redirecting.url, origins: [APP], followRedirects: true });
      assert.deepEqual(summary(followed.findings), ['origin-reflected critical']);
    } finally {
      await redirecting.close();
      await reflecting.close();
    }
  });
});
