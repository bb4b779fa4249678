// The tables of Gatehouse's own store, as kysely sees them. One interface per table; a new table comes
// with a new migration, never by changing a shipped one.
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

/** The ready server's users (`gatehouse users create`, `POST /api/token/`). */
export interface UsersTable {
  id: Generated<number>;
  /** Unique, compared exactly (as Django's default username field). */
  username: string;
  /** `scrypt$N$r$p$salt$hash` (src/auth/passwords.ts); never the password. */
  password_hash: string;
  is_admin: Generated<IntBoolean>;
  /** An inactive user cannot log in, and their tokens stop working (a revocation cut-off). */
  is_active: Generated<IntBoolean>;
  /** JSON array of the scopes put into this user's access tokens. */
  scopes: Generated<string>;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/** The demo resource: each post has an owner, who may change it (or an admin). */
export interface PostsTable {
  id: Generated<number>;
  owner_id: number;
  title: string;
  body: string;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/**
 * Refresh tokens, one row per token issued. Tokens of one login form a family: each refresh rotates
 * (marks the presented token used, issues its successor); presenting a used token again means it was
 * stolen or replayed, so the whole family is revoked, with the access tokens it issued.
 */
export interface RefreshTokensTable {
  /** The refresh token's `jti`. */
  jti: string;
  family: string;
  user_id: number;
  created_at: EpochMs;
  expires_at: EpochMs;
  /** When it was exchanged for a successor; a second use revokes the family. */
  used_at: EpochMs | null;
  revoked_at: EpochMs | null;
  /** `logout` (blacklist endpoint), `reuse`, `user-disabled`... */
  revoked_reason: string | null;
  /** The access token issued with this refresh token, revoked with the family. */
  access_jti: string | null;
  access_expires_at: EpochMs | null;
}

/**
 * Revocations of self-contained tokens, shared by every Gatehouse process on this database: each
 * process keeps them in memory and reads the rows added since it last looked, so a revocation made by
 * one process is refused by the others within the poll interval.
 */
export interface RevocationsTable {
  id: Generated<number>;
  /** `jti`: one token; `subject`: every token of the subject issued before `at`. */
  kind: 'jti' | 'subject';
  value: string;
  issuer: string | null;
  /** For `jti`: the token's exp; for `subject`: the cut-off. Epoch milliseconds. */
  at: EpochMs;
  created_at: EpochMs;
}

/** Secrets the server generated for itself on first start when none was configured. */
export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: EpochMs;
}

export interface GatehouseDatabase {
  api_keys: ApiKeysTable;
  users: UsersTable;
  posts: PostsTable;
  refresh_tokens: RefreshTokensTable;
  revocations: RevocationsTable;
  server_secrets: ServerSecretsTable;
}
