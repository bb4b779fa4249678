// The ready server's users: who can log in at POST /api/token/, and who owns posts. Passwords are
// scrypt hashes (src/auth/passwords.ts); a row is never returned with its hash.

import type { Kysely, Selectable } from 'kysely';
import { dummyPasswordHash, hashPassword, needsRehash, passwordProblem, verifyPassword } from '../auth/passwords.ts';
import { GatehouseError } from '../errors.ts';
import type { GatehouseDatabase, UsersTable } from './schema.ts';

export interface User {
  readonly id: number;
  readonly username: string;
  readonly isAdmin: boolean;
  readonly isActive: boolean;
  readonly scopes: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface CreateUserInput {
  readonly username: string;
  readonly password: string;
  readonly isAdmin?: boolean;
  readonly scopes?: readonly string[];
}

/** A user-store failure the caller can show: `username-taken`, `invalid-user`, `user-not-found`. */
export class UserStoreError extends GatehouseError {}

/** Django's default username rule: 150 characters of letters, digits and @ . + - _. */
const USERNAME = /^[\p{L}\p{N}@.+_-]{1,150}$/u;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3 scope-token

export function usernameProblem(username: unknown): string | undefined {
  if (typeof username !== 'string') return 'must be a string';
  return USERNAME.test(username) ? undefined : 'must be 1 to 150 letters, digits and @ . + - _';
}

export interface UserStore {
  create(input: CreateUserInput): Promise<User>;
  get(id: number): Promise<User | undefined>;
  findByUsername(username: string): Promise<User | undefined>;
  list(options?: { limit?: number; offset?: number }): Promise<{ count: number; users: User[] }>;
  count(): Promise<number>;
  /** The user when the password matches and the account is active; undefined otherwise, in about the same time. */
  checkPassword(username: string, password: string): Promise<User | undefined>;
  update(id: number, changes: { isActive?: boolean; isAdmin?: boolean; password?: string; scopes?: readonly string[] }): Promise<User>;
}

export function createUserStore(db: Kysely<GatehouseDatabase>, now: () => number = Date.now): UserStore {
  const byId = (id: number) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  const store: UserStore = {
    async create(input) {
      const problems = [
        ['username', usernameProblem(input.username)],
        ['password', passwordProblem(input.password)],
        ['scopes', scopesProblem(input.scopes ?? [])],
      ].filter(([, problem]) => problem !== undefined);
      if (problems.length > 0) throw new UserStoreError('invalid-user', problems.map(([field, problem]) => `${field} ${problem}`).join('; '));
      if ((await store.findByUsername(input.username)) !== undefined) throw new UserStoreError('username-taken', `a user named "${input.username}" already exists`);
      const at = now();
      const row = await db
        .insertInto('users')
        .values({ username: input.username, password_hash: await hashPassword(input.password), is_admin: input.isAdmin ? 1 : 0, is_active: 1, scopes: JSON.stringify(input.scopes ?? []), created_at: at, updated_at: at })
        .returningAll()
        .executeTakeFirstOrThrow()
        .catch((error: Error) => {
          // Two creates of one name at once: the unique index decides.
          if (/unique/i.test(error.message)) throw new UserStoreError('username-taken', `a user named "${input.username}" already exists`);
          throw error;
        });
      return toUser(row);
    },
    async get(id) {
      if (!Number.isSafeInteger(id)) return undefined;
      const row = await byId(id);
      return row && toUser(row);
    },
    async findByUsername(username) {
      const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return row && toUser(row);
    },
    async list(options = {}) {
      const [rows, total] = await Promise.all([
        db.selectFrom('users').selectAll().orderBy('id').limit(options.limit ?? 100).offset(options.offset ?? 0).execute(),
        store.count(),
      ]);
      return { count: total, users: rows.map(toUser) };
    },
    async count() {
      const { n } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return Number(n);
    },
    async checkPassword(username, password) {
      const row = typeof username === 'string' ? await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst() : undefined;
      // Hash something even for an unknown name, so the answer's timing does not reveal which names exist.
      const matches = await verifyPassword(typeof password === 'string' ? password : '', row?.password_hash ?? (await dummyPasswordHash()));
      if (row === undefined || !matches || row.is_active !== 1) return undefined;
      if (needsRehash(row.password_hash)) {
        await db.updateTable('users').set({ password_hash: await hashPassword(password), updated_at: now() }).where('id', '=', row.id).execute();
      }
      return toUser(row);
    },
    async update(id, changes) {
      const problem = changes.password === undefined ? undefined : passwordProblem(changes.password);
      if (problem !== undefined) throw new UserStoreError('invalid-user', `password ${problem}`);
      const scopeProblem = changes.scopes === undefined ? undefined : scopesProblem(changes.scopes);
      if (scopeProblem !== undefined) throw new UserStoreError('invalid-user', `scopes ${scopeProblem}`);
      const set: Partial<Selectable<UsersTable>> = { updated_at: now() };
      if (changes.isActive !== undefined) set.is_active = changes.isActive ? 1 : 0;
      if (changes.isAdmin !== undefined) set.is_admin = changes.isAdmin ? 1 : 0;
      if (changes.scopes !== undefined) set.scopes = JSON.stringify(changes.scopes);
      if (changes.password !== undefined) set.password_hash = await hashPassword(changes.password);
      const row = await db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirst();
      if (row === undefined) throw new UserStoreError('user-not-found', `no user has id ${id}`);
      return toUser(row);
    },
  };
  return store;
}

function scopesProblem(scopes: readonly unknown[]): string | undefined {
  if (!Array.isArray(scopes)) return 'must be a list of strings';
  return scopes.every((s) => typeof s === 'string' && SCOPE.test(s)) ? undefined : 'must be scope tokens (printable ASCII without spaces, quotes or backslashes)';
}

function toUser(row: Selectable<UsersTable>): User {
  let scopes: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.scopes);
    if (Array.isArray(parsed)) scopes = parsed.filter((s): s is string => typeof s === 'string');
  } catch {
    // A hand-edited row: no scopes rather than a crash.
  }
  return Object.freeze({ id: row.id, username: row.username, isAdmin: row.is_admin === 1, isActive: row.is_active === 1, scopes, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at) });
}
