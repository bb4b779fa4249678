// /healthz: the process is up (liveness). /readyz: it can serve (the database answers); Redis being
// down does not make it unready, because rate limits fall back to memory, but the answer says so.

import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../serverContext.ts';

export function healthRoutes(app: FastifyInstance, ctx: ServerContext, state: { closing: boolean }): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (state.closing) return reply.code(503).send({ status: 'closing' });
    let database: 'ok' | 'unreachable' = 'ok';
    try {
      await sql`select 1`.execute(ctx.database.db);
    } catch {
      database = 'unreachable';
    }
    const rateLimits = ctx.rateLimits?.status() ?? 'memory';
    const ready = database === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unready', database, rateLimits });
  });
}
