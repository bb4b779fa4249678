// Records when a key was last used without slowing the request that used it: at most one write per
// key per interval, started and not awaited; a failed write is logged, never thrown at the caller.

import type { Logger } from '../../logger.ts';

export const LAST_USED_INTERVAL_MS = 60_000;
/** Past this many remembered keys, entries older than the interval are forgotten. */
const PRUNE_AT = 10_000;

export interface LastUsedRecorder {
  /** Notes a use at `now`; `stored` is the last use the database already has (from the lookup). */
  record(keyId: string, prefix: string, now: number, stored: number | null): void;
  /** Resolves when every write started so far has finished (tests, graceful shutdown). */
  settled(): Promise<void>;
}

export function lastUsedRecorder(options: {
  write: (keyId: string, at: number) => Promise<void>;
  logger: Logger;
  intervalMs?: number;
}): LastUsedRecorder {
  const interval = options.intervalMs ?? LAST_USED_INTERVAL_MS;
  const written = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  return {
    record(keyId, prefix, now, stored) {
      const last = Math.max(written.get(keyId) ?? -Infinity, stored ?? -Infinity);
      if (now - last < interval) return;
      if (written.size >= PRUNE_AT) for (const [id, at] of written) if (now - at >= interval) written.delete(id);
      written.set(keyId, now);
      const write = Promise.resolve()
        .then(() => options.write(keyId, now))
        .catch((error: unknown) => {
          options.logger.error({ keyId, keyPrefix: prefix, error: error instanceof Error ? error.message : String(error) }, 'could not record the last use of an API key');
        })
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
