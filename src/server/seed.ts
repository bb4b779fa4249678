// The first five minutes: on an empty database, a demo admin and a few posts, so `npm start` serves
// something to read. The admin's password is GATEHOUSE_ADMIN_PASSWORD, or generated and shown once.

import { randomBytes } from 'node:crypto';
import { UserStoreError, type User } from '../store/users.ts';
import type { ServerContext } from './serverContext.ts';

export const ADMIN_PASSWORD_ENV = 'GATEHOUSE_ADMIN_PASSWORD';

export const DEMO_POSTS: readonly { title: string; body: string }[] = [
  { title: 'Welcome to Gatehouse', body: 'This API is readable only from the origins you allow, and only by callers who authenticate.' },
  { title: 'CORS binds browsers', body: 'curl is stopped by authentication, not by CORS.' },
  { title: 'Preflights', body: 'PUT, PATCH and DELETE with JSON are preflighted; Gatehouse answers them before any handler runs.' },
];

export interface SeedResult {
  readonly admin: User;
  /** Shown once; undefined when it came from the environment. */
  readonly generatedPassword: string | undefined;
}

/** Seeds when no user exists; undefined when there was nothing to do (or another process just did it). */
export async function seedDemoData(ctx: ServerContext, env: Readonly<Record<string, string | undefined>>): Promise<SeedResult | undefined> {
  if ((await ctx.users.count()) > 0) return undefined;
  const given = env[ADMIN_PASSWORD_ENV];
  const password = given !== undefined && given !== '' ? given : randomBytes(12).toString('base64url');
  let admin: User;
  try {
    admin = await ctx.users.create({ username: 'admin', password, isAdmin: true, scopes: ['posts:read', 'posts:write'] });
  } catch (error) {
    // Two processes starting together on one new database: the other one seeded.
    if (error instanceof UserStoreError && error.code === 'username-taken') return undefined;
    throw error;
  }
  for (const post of DEMO_POSTS) await ctx.posts.create({ ownerId: admin.id, ...post });
  ctx.logger.info({ seed: { admin: admin.username, posts: DEMO_POSTS.length } }, `empty database: created the demo admin "${admin.username}" and ${DEMO_POSTS.length} posts`);
  return { admin, generatedPassword: given ? undefined : password };
}
