// Rate limits on rate-limiter-flexible: counters in this process's memory by default, in Redis when
// several processes must share them. When Redis is unreachable, each limiter falls back to its own
// memory (rate-limiter-flexible's insurance limiter): the API keeps serving, limits hold per process,
// and the log says so once, and again when Redis is back.

import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../logger.ts';
import { redactUrlPassword } from '../text/redactUrl.ts';
import type { Rate } from './rate.ts';

export interface RateLimitResult {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets (at least 1 when refused). */
  readonly resetSeconds: number;
  /** The policy's name, for the RateLimit headers. */
  readonly policy: string;
  readonly windowSeconds: number;
}

export interface RateLimiter {
  readonly name: string;
  readonly rate: Rate;
  /** Counts one request for `key` and says whether it may go on. Never rejects. */
  consume(key: string): Promise<RateLimitResult>;
  /** Forgets `key` (a successful login clears its failures). */
  reset(key: string): Promise<void>;
}

export interface RateLimitStoreOptions {
  /** `redis://host:6379`; undefined keeps every counter in this process. */
  readonly redisUrl?: string | undefined;
  readonly logger: Logger;
  /** Namespaces the Redis keys; default `gatehouse`. */
  readonly keyPrefix?: string;
}

export interface RateLimitStore {
  readonly backend: 'memory' | 'redis';
  limiter(name: string, rate: Rate): RateLimiter;
  /** For /readyz: Redis's connection state, or `memory`. */
  status(): 'memory' | 'ready' | 'degraded';
  close(): Promise<void>;
}

export function createRateLimitStore(options: RateLimitStoreOptions): RateLimitStore {
  const prefix = options.keyPrefix ?? 'gatehouse';
  const { logger } = options;
  let redis: Redis | undefined;
  if (options.redisUrl !== undefined && options.redisUrl !== '') {
    redis = new Redis(options.redisUrl, {
      // Fail a command at once while disconnected, so the insurance limiter answers instead of a queue
      // that would hold every request until Redis comes back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
    });
    let degraded = false;
    redis.on('error', (error: Error) => {
      if (degraded) return;
      degraded = true;
      logger.error({ err: { message: error.message } }, `rate limits: Redis at ${redactUrlPassword(options.redisUrl!)} is unreachable; each process counts on its own until it is back`);
    });
    redis.on('ready', () => {
      if (degraded) logger.warn({}, `rate limits: Redis at ${redactUrlPassword(options.redisUrl!)} is reachable again; limits are shared again`);
      degraded = false;
    });
  }

  const limiters: RateLimiter[] = [];
  return {
    backend: redis === undefined ? 'memory' : 'redis',
    limiter(name, rate) {
      const common = { points: rate.points, duration: rate.durationSeconds, keyPrefix: `${prefix}:rl:${name}` };
      const memory = new RateLimiterMemory(common);
      const store: RateLimiterAbstract =
        redis === undefined ? memory : new RateLimiterRedis({ ...common, storeClient: redis, insuranceLimiter: memory, rejectIfRedisNotReady: true });
      const limiter = new FlexibleLimiter(name, rate, store);
      limiters.push(limiter);
      return limiter;
    },
    status() {
      if (redis === undefined) return 'memory';
      return redis.status === 'ready' ? 'ready' : 'degraded';
    },
    async close() {
      if (redis !== undefined) {
        redis.removeAllListeners('error');
        redis.on('error', () => undefined);
        await redis.quit().catch(() => redis!.disconnect());
      }
    },
  };
}

class FlexibleLimiter implements RateLimiter {
  constructor(
    readonly name: string,
    readonly rate: Rate,
    private readonly store: RateLimiterAbstract,
  ) {}

  async consume(key: string): Promise<RateLimitResult> {
    try {
      return this.result(true, await this.store.consume(key));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return this.result(false, rejection);
      // Neither Redis nor the insurance limiter answered: let the request through rather than fail it.
      return { allowed: true, limit: this.rate.points, remaining: this.rate.points, resetSeconds: this.rate.durationSeconds, policy: this.name, windowSeconds: this.rate.durationSeconds };
    }
  }

  async reset(key: string): Promise<void> {
    await this.store.delete(key).catch(() => undefined);
  }

  private result(allowed: boolean, res: RateLimiterRes): RateLimitResult {
    return {
      allowed,
      limit: this.rate.points,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.max(allowed ? 0 : 1, Math.ceil(res.msBeforeNext / 1000)),
      policy: this.name,
      windowSeconds: this.rate.durationSeconds,
    };
  }
}
