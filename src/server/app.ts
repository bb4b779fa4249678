// The ready server as a Fastify application: Gatehouse's Fastify plugin in front of every route (CORS,
// authentication, the permission table), per-principal rate limits after it, then the JSON API.
// Every log line carries the request id (X-Request-Id when the client sent a sane one, else a UUID),
// which the engine's own log lines and the response's X-Request-Id header share.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { gatehousePlugin } from '../adapters/fastify.ts';
import type { Principal } from '../auth/principal.ts';
import type { RateLimitOverride } from '../config/serverSchema.ts';
import type { RateLimiter } from '../ratelimit/rateLimiter.ts';
import { rateLimitHeaders } from '../ratelimit/rateLimitHeaders.ts';
import { HttpProblem, notFound, problemErrorHandler, sendProblem } from './httpProblem.ts';
import { healthRoutes } from './routes/health.ts';
import { keyRoutes } from './routes/keys.ts';
import { postRoutes } from './routes/posts.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { userRoutes } from './routes/users.ts';
import type { ServerContext } from './serverContext.ts';

const REQUEST_ID = /^[\w.:@+=/-]{1,128}$/;
const UNLIMITED_PATHS = new Set(['/healthz', '/readyz']);

export interface AppOptions {
  /** Fastify's logger: a pino instance, or false. */
  readonly loggerInstance?: FastifyBaseLogger;
  readonly bodyLimit?: number;
  /** Set by serve() when shutting down: /readyz answers 503 so a balancer stops sending. */
  readonly state?: { closing: boolean };
  /** TLS options (fastifyTlsOptions): HTTPS, with http2 HTTP/2 and HTTP/1.1 fallback (ALPN). */
  readonly https?: object;
  readonly http2?: boolean;
}

export async function buildApp(ctx: ServerContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance === undefined ? { logger: false } : { loggerInstance: options.loggerInstance }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Our own id function, so a client's X-Request-Id is checked before it reaches a log line.
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Keep-alive connections are closed when idle during shutdown; requests in flight finish.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    ...(options.http2 ? { http2: true, https: options.https } : options.https ? { https: options.https } : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  // Before Gatehouse's hooks: the engine reads the id from the header for its own log lines.
  app.addHook('onRequest', (request, reply, done) => {
    request.raw.headers['x-request-id'] = request.id;
    reply.header('X-Request-Id', request.id);
    done();
  });

  await app.register(gatehousePlugin, ctx.gatehouse);

  if (ctx.rateLimits !== undefined) {
    const settings = ctx.rateLimitSettings;
    const anon = settings.anon && ctx.rateLimits.limiter('anon', settings.anon);
    const user = settings.user && ctx.rateLimits.limiter('user', settings.user);
    const overrides = settings.overrides.map((entry, i) => ({ entry, limiter: entry.rate && ctx.rateLimits!.limiter(`override-${i}`, entry.rate) }));
    const limiterOf = (principal: Principal | undefined): RateLimiter | undefined => {
      if (principal === undefined) return anon;
      const override = overrides.find(({ entry }) => matches(entry, principal));
      return override === undefined ? user : override.limiter;
    };
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (UNLIMITED_PATHS.has(request.url)) return;
      const principal = request.principal;
      const limiter = limiterOf(principal);
      if (limiter === undefined) return;
      const result = await limiter.consume(principal === undefined ? `ip:${request.ip}` : `${principal.kind}:${principal.subject}`);
      const headers = rateLimitHeaders(result);
      for (const [name, value] of headers) reply.header(name, value);
      if (!result.allowed) {
        request.log.warn({ rateLimit: { policy: result.policy, subject: principal?.subject, ip: request.ip } }, `rate limit ${result.policy} (${limiter.rate.source}) reached by ${principal === undefined ? `anonymous ${request.ip}` : `${principal.kind} ${principal.subject}`}`);
        return sendProblem(reply, new HttpProblem(429, 'rate-limited', 'Too Many Requests', `Rate limit ${limiter.rate.source} reached; try again in ${result.resetSeconds} s.`));
      }
    });
  }

  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((_request, reply) => sendProblem(reply, notFound()));

  healthRoutes(app, ctx, options.state ?? { closing: false });
  tokenRoutes(app, ctx);
  postRoutes(app, ctx);
  userRoutes(app, ctx);
  keyRoutes(app, ctx);
  return app;
}

function matches(entry: RateLimitOverride, principal: Principal): boolean {
  return (
    (entry.subject === undefined || entry.subject === principal.subject) &&
    (entry.kind === undefined || entry.kind === principal.kind) &&
    (entry.role === undefined || principal.roles.has(entry.role)) &&
    (entry.scope === undefined || principal.scopes.has(entry.scope))
  );
}
