// Revocations shared by every Gatehouse process on one database. The verifier asks on every request,
// so the answer must be a memory lookup: each process keeps the list in an InMemoryRevocationList,
// writes a revocation to the `revocations` table (and to its own memory at once), and reads the rows
// other processes added every `pollIntervalMs`. A revocation made through one process is thus refused
// by the others within one poll interval (default 500 ms), on SQLite and PostgreSQL alike.
//
// Rows are read by id, but ids are handed out before commit: on PostgreSQL a row with a lower id can
// become visible after a higher one. So the watermark trails by `settleMs`: every poll re-reads the
// rows of the last few seconds, and applying a revocation twice changes nothing.

import type { Kysely } from 'kysely';
import type { Logger } from '../../logger.ts';
import type { GatehouseDatabase } from '../../store/schema.ts';
import { InMemoryRevocationList, type RevocationCheck, type RevocationQuery } from './revocation.ts';

export interface SharedRevocationOptions {
  readonly db: Kysely<GatehouseDatabase>;
  readonly logger: Logger;
  readonly pollIntervalMs?: number;
  /** How long after being seen a row is still re-read; default 5000. */
  readonly settleMs?: number;
  /** Seconds a denied jti is kept after its exp: must cover the verifier's clock tolerance; default 300. */
  readonly retainSeconds?: number;
  readonly now?: () => number;
}

export class SharedRevocationList implements RevocationCheck {
  readonly #db: Kysely<GatehouseDatabase>;
  readonly #logger: Logger;
  readonly #memory: InMemoryRevocationList;
  readonly #pollIntervalMs: number;
  readonly #settleMs: number;
  readonly #retainMs: number;
  readonly #now: () => number;
  /** Every row with an id at or below this has been read and is settled. */
  #watermark = 0;
  /** Ids read above the watermark, with when they were first seen. */
  readonly #recent = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #failing = false;

  constructor(options: SharedRevocationOptions) {
    this.#db = options.db;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#pollIntervalMs = options.pollIntervalMs ?? 500;
    this.#settleMs = options.settleMs ?? 5000;
    const retainSeconds = options.retainSeconds ?? 300;
    this.#retainMs = retainSeconds * 1000;
    this.#memory = new InMemoryRevocationList({ now: this.#now, retainSeconds });
  }

  /** Loads what is in force now, then follows new rows until stop(). */
  async start(): Promise<void> {
    await this.poll();
    this.#timer = setInterval(() => void this.poll(), this.#pollIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#polling;
  }

  isRevoked(query: RevocationQuery): boolean {
    return this.#memory.isRevoked(query);
  }

  /** Refuses the token with this jti until its exp (seconds), in every process. */
  async revokeToken(jti: string, expiresAt: number, issuer?: string): Promise<void> {
    this.#memory.revokeToken(jti, expiresAt, issuer);
    await this.#insert('jti', jti, issuer, expiresAt * 1000);
  }

  /** Refuses every token of the subject issued before `issuedBefore` (seconds), in every process. */
  async revokeSubject(subject: string, issuedBefore: number, issuer?: string): Promise<void> {
    this.#memory.revokeSubject(subject, issuedBefore, issuer);
    await this.#insert('subject', subject, issuer, issuedBefore * 1000);
  }

  async #insert(kind: 'jti' | 'subject', value: string, issuer: string | undefined, at: number): Promise<void> {
    await this.#db.insertInto('revocations').values({ kind, value, issuer: issuer ?? null, at, created_at: this.#now() }).execute();
  }

  /** Reads the rows added since the last poll (one at a time: a slow database never piles polls up). */
  poll(): Promise<void> {
    this.#polling ??= this.#read().finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  async #read(): Promise<void> {
    const now = this.#now();
    try {
      const rows = await this.#db
        .selectFrom('revocations')
        .select(['id', 'kind', 'value', 'issuer', 'at'])
        .where('id', '>', this.#watermark)
        // A denied jti past its exp (and the retention) can no longer pass the verifier anyway.
        .where((eb) => eb.or([eb('kind', '=', 'subject'), eb('at', '>', now - this.#retainMs)]))
        .orderBy('id')
        .execute();
      for (const row of rows) {
        if (!this.#recent.has(row.id)) this.#recent.set(row.id, now);
        const issuer = row.issuer ?? undefined;
        if (row.kind === 'jti') this.#memory.revokeToken(row.value, row.at / 1000, issuer);
        else if (row.kind === 'subject') this.#memory.revokeSubject(row.value, row.at / 1000, issuer);
      }
      // Advance over the contiguous run of settled ids only.
      for (const [id, seenAt] of [...this.#recent].sort((a, b) => a[0] - b[0])) {
        if (now - seenAt < this.#settleMs) break;
        this.#watermark = Math.max(this.#watermark, id);
        this.#recent.delete(id);
      }
      if (this.#failing) this.#logger.warn({}, 'revocation list: the database answers again; revocations are shared again');
      this.#failing = false;
    } catch (error) {
      // Keep the last known list: refusing every token would turn a database blip into an outage.
      if (!this.#failing) this.#logger.error({ err: error }, 'revocation list: cannot read revocations from the database; revocations made by other processes are not seen until it answers');
      this.#failing = true;
    }
  }

  /** Deletes jti rows that can no longer matter; run now and then (the server does it hourly). */
  async purge(): Promise<number> {
    const result = await this.#db.deleteFrom('revocations').where('kind', '=', 'jti').where('at', '<', this.#now() - this.#retainMs).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
