// Rate limits: DRF's rate syntax, counting in memory, counting shared through a real Redis by two
// stores (as two processes would), and the fallback to memory when Redis is unreachable.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { parseRate } from '../../src/ratelimit/rate.ts';
import { createRateLimitStore } from '../../src/ratelimit/rateLimiter.ts';
import { rateLimitHeaders } from '../../src/ratelimit/rateLimitHeaders.ts';
import { captureLogger } from '../helpers/captureLogger.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAvailable(): Promise<string | undefined> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${REDIS_URL} is not reachable: ${(error as Error).message}`;
  } finally {
    client.disconnect();
  }
}

describe('parseRate', () => {
  const cases: [string, number, number][] = [
    ['100/minute', 100, 60],
    ['5/min', 5, 60],
    ['1000/day', 1000, 86_400],
    ['3/s', 3, 1],
    ['10/15m', 10, 900],
    [' 7 / hour ', 7, 3600],
  ];
  for (const [source, points, duration] of cases) {
    test(`${JSON.stringify(source)} → ${points} per ${duration} s`, () => {
      const rate = parseRate(source);
      assert.ok(typeof rate !== 'string', String(rate));
      assert.equal(rate.points, points);
      assert.equal(rate.durationSeconds, duration);
    });
  }
  for (const bad of ['100', '100/fortnight', '0/minute', '-1/minute', 'ten/minute', '10/0m', '']) {
    test(`${JSON.stringify(bad)} is refused with a message`, () => assert.equal(typeof parseRate(bad), 'string'));
  }
});

describe('rate limiter', () => {
  test('memory: allows the quota, then refuses with the time to reset; headers follow the IETF draft', async () => {
    const store = createRateLimitStore({ logger: captureLogger() });
    const limiter = store.limiter('user', parseRate('3/minute') as never);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.consume('alice'));
    assert.deepEqual(results.map((r) => [r.allowed, r.remaining]), [[true, 2], [true, 1], [true, 0], [false, 0]]);
    assert.ok(results[3]!.resetSeconds >= 1 && results[3]!.resetSeconds <= 60);
    assert.equal((await limiter.consume('bob')).allowed, true, 'another key has its own count');
    assert.deepEqual(rateLimitHeaders(results[0]!), [['RateLimit-Policy', '"user";q=3;w=60'], ['RateLimit', `"user";r=2;t=${results[0]!.resetSeconds}`]]);
    assert.equal(rateLimitHeaders(results[3]!).find(([n]) => n === 'Retry-After')?.[1], String(results[3]!.resetSeconds));
    await limiter.reset('alice');
    assert.equal((await limiter.consume('alice')).allowed, true, 'reset forgets the key');
    await store.close();
  });

  test('Redis: two stores (two processes) share one count', async (t) => {
    const missing = await redisAvailable();
    if (missing !== undefined) {
      if (process.env.CI === 'true') throw new Error(`Redis is required under CI: ${missing}`);
      return t.skip(missing);
    }
    const prefix = `gatehouse-test-${randomUUID()}`;
    const a = createRateLimitStore({ redisUrl: REDIS_URL, logger: captureLogger(), keyPrefix: prefix });
    const b = createRateLimitStore({ redisUrl: REDIS_URL, logger: captureLogger(), keyPrefix: prefix });
    try {
      const rate = parseRate('4/minute') as never;
      const [la, lb] = [a.limiter('user', rate), b.limiter('user', rate)];
      // Let both connect first: before 'ready' the insurance (memory) limiter answers.
      for (let i = 0; i < 50 && (a.status() !== 'ready' || b.status() !== 'ready'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(a.status(), 'ready');
      const allowed = [];
      for (const limiter of [la, lb, la, lb, la, lb]) allowed.push((await limiter.consume('carol')).allowed);
      assert.deepEqual(allowed, [true, true, true, true, false, false]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('Redis unreachable: requests still get answers from memory, and the log says so once', async () => {
    const logger = captureLogger();
    const store = createRateLimitStore({ redisUrl: 'redis://127.0.0.1:1', logger });
    try {
      const limiter = store.limiter('user', parseRate('2/minute') as never);
      const allowed = [];
      for (let i = 0; i < 3; i++) allowed.push((await limiter.consume('dave')).allowed);
      assert.deepEqual(allowed, [true, true, false], 'the per-process fallback still limits');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(store.status(), 'degraded');
      const lines = logger.entries.filter((e) => /Redis at redis:\/\/127\.0\.0\.1:1 is unreachable/.test(e.message));
      assert.equal(lines.length, 1);
    } finally {
      await store.close();
    }
  });
});
