// /api/keys/: API keys over HTTP, for admins. The key itself is in the create and rotate answers only,
// once; afterwards only its id and prefix are ever shown.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../access/requestPrincipal.ts';
import { ApiKeyStoreError } from '../../auth/apiKeys/apiKeyErrors.ts';
import { apiKeyStatus, type ApiKeyRecord } from '../../auth/apiKeys/apiKeyRecord.ts';
import { parseDuration } from '../../config/serverSchema.ts';
import { HttpProblem, invalidRequest, notFound } from '../httpProblem.ts';
import { parseInput } from '../requestBody.ts';
import type { ServerContext } from '../serverContext.ts';

const duration = z.union([z.number().int().min(1), z.string().min(1).max(20)]);
const createSchema = z.strictObject({
  name: z.string(),
  /** A username or user id; default: the caller. */
  owner: z.string().optional(),
  scopes: z.array(z.string()).max(100).optional(),
  expires_in: duration.optional(),
  allowed_ips: z.array(z.string()).max(100).optional(),
});
const revokeSchema = z.strictObject({ reason: z.string().min(1).max(200).optional() });
const rotateSchema = z.strictObject({ grace: duration.optional(), expires_in: duration.optional() });

export function keyJson(record: ApiKeyRecord, now = Date.now()) {
  return {
    id: record.id,
    name: record.name,
    owner: record.owner,
    prefix: record.prefix,
    scopes: record.scopes,
    status: apiKeyStatus(record, now),
    created_at: record.createdAt.toISOString(),
    expires_at: record.expiresAt?.toISOString() ?? null,
    revoked_at: record.revokedAt?.toISOString() ?? null,
    revoked_reason: record.revokedReason,
    allowed_ips: record.allowedIps,
    last_used_at: record.lastUsedAt?.toISOString() ?? null,
    replaced_by: record.replacedBy,
  };
}

function seconds(field: string, value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDuration(value);
  if (typeof parsed === 'string') throw invalidRequest([{ field, message: parsed }]);
  return parsed;
}

function keyProblem(error: unknown): never {
  if (!(error instanceof ApiKeyStoreError)) throw error;
  if (error.code === 'api-key-not-found') throw notFound();
  if (error.code === 'api-key-already-revoked') throw new HttpProblem(409, error.code, 'Conflict', 'The key is already revoked.');
  throw invalidRequest(error.issues.map((issue) => ({ field: issue.field, message: issue.hint ? `${issue.message} (${issue.hint})` : issue.message })));
}

const keyId = (request: FastifyRequest) => (request.params as { id: string }).id;

export function keyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/keys/', async () => {
    const now = Date.now();
    return { results: (await ctx.apiKeys.list()).map((record) => keyJson(record, now)) };
  });

  app.post('/api/keys/', async (request, reply) => {
    const input = parseInput(createSchema, request.body);
    const expiresIn = seconds('expires_in', input.expires_in);
    let owner = principalOf(request.raw)!.subject;
    if (input.owner !== undefined) {
      const user = /^\d+$/.test(input.owner) ? await ctx.users.get(Number(input.owner)) : await ctx.users.findByUsername(input.owner);
      if (user === undefined) throw invalidRequest([{ field: 'owner', message: `no user "${input.owner}"` }]);
      owner = String(user.id);
    }
    try {
      const created = await ctx.apiKeys.create({
        name: input.name,
        owner,
        scopes: input.scopes ?? [],
        expiresAt: expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000),
        allowedIps: input.allowed_ips ?? [],
      });
      return reply.code(201).header('Cache-Control', 'no-store').send({ key: created.key, ...keyJson(created.record) });
    } catch (error) {
      keyProblem(error);
    }
  });

  app.get('/api/keys/:id', async (request) => {
    const record = await ctx.apiKeys.get(keyId(request));
    if (record === undefined) throw notFound();
    return keyJson(record);
  });

  app.post('/api/keys/:id/revoke', async (request) => {
    const input = parseInput(revokeSchema, request.body ?? {});
    try {
      return keyJson(await ctx.apiKeys.revoke(keyId(request), input.reason ?? 'revoked over the API'));
    } catch (error) {
      keyProblem(error);
    }
  });

  app.post('/api/keys/:id/rotate', async (request, reply) => {
    const input = parseInput(rotateSchema, request.body ?? {});
    const grace = seconds('grace', input.grace) ?? 86_400;
    const expiresIn = seconds('expires_in', input.expires_in);
    try {
      const rotated = await ctx.apiKeys.rotate(keyId(request), grace, expiresIn === undefined ? {} : { expiresAt: new Date(Date.now() + expiresIn * 1000) });
      return reply.code(201).header('Cache-Control', 'no-store').send({ key: rotated.key, ...keyJson(rotated.record), previous: keyJson(rotated.previous) });
    } catch (error) {
      keyProblem(error);
    }
  });
}
