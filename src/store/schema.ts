// The tables of Gatehouse's own store, as kysely sees them. One interface per table; later steps add
// `users`, `posts` and `token_families` here (and a migration each), never by changing a shipped one.
//
// Portable types, the same on SQLite and PostgreSQL: timestamps are integers of epoch milliseconds
// (`bigint` in PostgreSQL, read back as numbers by database.ts), booleans are integers 0/1, lists are
// JSON text.

import type { Generated } from 'kysely';

/** Epoch milliseconds. */
export type EpochMs = number;

/** 0 or 1: SQLite has no boolean type, so both dialects store integers. */
export type IntBoolean = 0 | 1;

export interface ApiKeysTable {
  /** `ak_` and 16 base62 characters; safe to log and to put in URLs. */
  id: string;
  name: string;
  /** Who the key acts for: the Principal's `subject`. */
  owner: string;
  /** The start of the key (`gth_` and 6 body characters), to recognise it in lists and logs. */
  prefix: string;
  /** HMAC-SHA-256 of the whole key with the server secret, hex. The key itself is never stored. */
  hash: string;
  /** JSON array of scope strings. */
  scopes: string;
  created_at: EpochMs;
  expires_at: EpochMs | null;
  enabled: Generated<IntBoolean>;
  /** When the key stops working. In the future while a rotated key is in its grace period. */
  revoked_at: EpochMs | null;
  /** Why: free text from `revoke`, or `rotated`. */
  revoked_reason: string | null;
  /** JSON array of CIDRs; empty means any address. */
  allowed_ips: string;
  last_used_at: EpochMs | null;
  /** The id of the key that replaced this one in a rotation. */
  replaced_by: string | null;
}

export interface GatehouseDatabase {
  api_keys: ApiKeysTable;
}
