// /api/users/: admins list, create and change users; anyone signed in reads /api/users/me.
// Deactivating a user or changing their password revokes every token they hold, in every process.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../access/requestPrincipal.ts';
import { UserStoreError, type User } from '../../store/users.ts';
import { HttpProblem, invalidRequest, notFound } from '../httpProblem.ts';
import { parseInput, queryInt } from '../requestBody.ts';
import { localUserId } from '../localUser.ts';
import type { ServerContext } from '../serverContext.ts';

const scopes = z.array(z.string().min(1).max(200)).max(100);
const createSchema = z.strictObject({ username: z.string(), password: z.string(), is_admin: z.boolean().optional(), scopes: scopes.optional() });
const patchSchema = z.strictObject({ is_active: z.boolean().optional(), is_admin: z.boolean().optional(), password: z.string().optional(), scopes: scopes.optional() });
const listSchema = z.object({ page: queryInt(1_000_000).optional(), page_size: queryInt(100).optional() });

export function userJson(user: User) {
  return { id: user.id, username: user.username, is_admin: user.isAdmin, is_active: user.isActive, scopes: user.scopes, created_at: user.createdAt.toISOString() };
}

function storeProblem(error: unknown): never {
  if (!(error instanceof UserStoreError)) throw error;
  if (error.code === 'username-taken') throw new HttpProblem(409, 'username-taken', 'Conflict', error.message);
  if (error.code === 'user-not-found') throw notFound();
  throw invalidRequest(error.message.split('; ').map((m) => ({ field: m.split(' ')[0]!, message: m.slice(m.indexOf(' ') + 1) })));
}

function userId(request: FastifyRequest): number {
  const raw = (request.params as { id: string }).id;
  if (!/^\d{1,9}$/.test(raw)) throw notFound();
  return Number(raw);
}

export function userRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/users/me', async (request) => {
    const principal = principalOf(request.raw)!;
    const id = localUserId(principal, ctx);
    const user = id === undefined ? undefined : await ctx.users.get(id);
    // An API key or an external token's subject is not one of our users: say who it is anyway.
    if (user === undefined) return { subject: principal.subject, kind: principal.kind, method: principal.method, scopes: [...principal.scopes], roles: [...principal.roles] };
    return { ...userJson(user), kind: principal.kind, method: principal.method };
  });

  app.get('/api/users/', async (request) => {
    const query = parseInput(listSchema, request.query);
    const pageSize = query.page_size ?? 20;
    const { count, users } = await ctx.users.list({ limit: pageSize, offset: ((query.page ?? 1) - 1) * pageSize });
    return { count, results: users.map(userJson) };
  });

  app.post('/api/users/', async (request, reply) => {
    const input = parseInput(createSchema, request.body);
    try {
      const user = await ctx.users.create({ username: input.username, password: input.password, isAdmin: input.is_admin ?? false, scopes: input.scopes ?? [] });
      return reply.code(201).header('Location', `/api/users/${user.id}`).send(userJson(user));
    } catch (error) {
      storeProblem(error);
    }
  });

  app.get('/api/users/:id', async (request) => {
    const user = await ctx.users.get(userId(request));
    if (user === undefined) throw notFound();
    return userJson(user);
  });

  app.patch('/api/users/:id', async (request) => {
    const id = userId(request);
    const input = parseInput(patchSchema, request.body);
    let user: User;
    try {
      user = await ctx.users.update(id, {
        ...(input.is_active === undefined ? {} : { isActive: input.is_active }),
        ...(input.is_admin === undefined ? {} : { isAdmin: input.is_admin }),
        ...(input.password === undefined ? {} : { password: input.password }),
        ...(input.scopes === undefined ? {} : { scopes: input.scopes }),
      });
    } catch (error) {
      storeProblem(error);
    }
    // Tokens carry roles and scopes: any change to them, a password or activity invalidates the old ones.
    if (Object.keys(input).length > 0) await ctx.tokens.revokeUser(id, input.is_active === false ? 'user-disabled' : 'user-changed');
    if (input.is_active === false) await disableUserKeys(ctx, id);
    return userJson(user);
  });
}

/** A deactivated user's API keys stop working too (disabled, not revoked: enabling them again is possible). */
export async function disableUserKeys(ctx: ServerContext, userId: number): Promise<number> {
  const keys = await ctx.apiKeys.list({ owner: String(userId) });
  let disabled = 0;
  for (const key of keys) {
    if (!key.enabled || key.revokedAt !== null) continue;
    await ctx.apiKeys.disable(key.id);
    disabled++;
  }
  return disabled;
}
