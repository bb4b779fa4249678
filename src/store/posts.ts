// The demo resource's storage: posts with an owner, listed with DRF-style pagination, search and
// ordering. Permission checks happen in the routes; this file only reads and writes.

import { sql, type Kysely, type Selectable } from 'kysely';
import type { GatehouseDatabase, PostsTable } from './schema.ts';

export interface Post {
  readonly id: number;
  readonly title: string;
  readonly body: string;
  /** The owner's user id: what the `owner` permission rule compares with the caller's subject. */
  readonly owner: number;
  readonly ownerUsername: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const POST_ORDERINGS = ['id', '-id', 'created_at', '-created_at', 'updated_at', '-updated_at', 'title', '-title'] as const;
export type PostOrdering = (typeof POST_ORDERINGS)[number];

export interface PostQuery {
  readonly owner?: number;
  /** Case-insensitive substring of the title or body (DRF's SearchFilter). */
  readonly search?: string;
  readonly ordering?: PostOrdering;
  readonly limit: number;
  readonly offset: number;
}

export interface PostStore {
  list(query: PostQuery): Promise<{ count: number; posts: Post[] }>;
  get(id: number): Promise<Post | undefined>;
  create(input: { ownerId: number; title: string; body: string }): Promise<Post>;
  update(id: number, changes: { title?: string; body?: string }): Promise<Post | undefined>;
  delete(id: number): Promise<boolean>;
}

/** `%`, `_` and `\` in a search are literal characters, not patterns. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createPostStore(db: Kysely<GatehouseDatabase>, now: () => number = Date.now): PostStore {
  const withOwner = () =>
    db
      .selectFrom('posts')
      .innerJoin('users', 'users.id', 'posts.owner_id')
      .select(['posts.id', 'posts.title', 'posts.body', 'posts.owner_id', 'posts.created_at', 'posts.updated_at', 'users.username']);
  const filtered = (query: PostQuery) => {
    let q = db.selectFrom('posts');
    if (query.owner !== undefined) q = q.where('posts.owner_id', '=', query.owner);
    if (query.search !== undefined && query.search !== '') {
      const pattern = likePattern(query.search);
      // An explicit ESCAPE: SQLite's LIKE has no escape character unless told, PostgreSQL's is `\`.
      q = q.where(sql<boolean>`(lower(posts.title) like ${pattern} escape '\\' or lower(posts.body) like ${pattern} escape '\\')`);
    }
    return q;
  };
  // The one query on every read: built and compiled once, run with the id as its parameter.
  const byId = withOwner().where('posts.id', '=', 0).compile();
  const store: PostStore = {
    async list(query) {
      const ordering = query.ordering ?? '-created_at';
      const column = `posts.${ordering.replace(/^-/, '')}` as 'posts.id' | 'posts.created_at' | 'posts.updated_at' | 'posts.title';
      const direction = ordering.startsWith('-') ? 'desc' : 'asc';
      const ids = filtered(query).select('posts.id');
      const [rows, counted] = await Promise.all([
        withOwner()
          .where('posts.id', 'in', ids)
          .orderBy(column, direction)
          .orderBy('posts.id', direction)
          .limit(query.limit)
          .offset(query.offset)
          .execute(),
        filtered(query).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { count: Number(counted.n), posts: rows.map(toPost) };
    },
    async get(id) {
      if (!Number.isSafeInteger(id)) return undefined;
      const row = (await db.executeQuery<PostRow>({ ...byId, parameters: [id] })).rows[0];
      return row && toPost(row);
    },
    async create(input) {
      const at = now();
      const { id } = await db.insertInto('posts').values({ owner_id: input.ownerId, title: input.title, body: input.body, created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow();
      return (await store.get(id))!;
    },
    async update(id, changes) {
      const result = await db
        .updateTable('posts')
        .set({ ...changes, updated_at: now() })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 0 ? undefined : store.get(id);
    },
    async delete(id) {
      const result = await db.deleteFrom('posts').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
  return store;
}

type PostRow = Pick<Selectable<PostsTable>, 'id' | 'title' | 'body' | 'owner_id' | 'created_at' | 'updated_at'> & { username: string };

function toPost(row: PostRow): Post {
  return { id: row.id, title: row.title, body: row.body, owner: row.owner_id, ownerUsername: row.username, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at) };
}
