// The ready server as a Fastify application: Gatehouse's Fastify plugin in front of every route (CORS,
// authentication, the permission table), per-principal rate limits after it, then the JSON API.
// Every log line carries the request id (X-Request-Id when the client sent a sane one, else a UUID),
// which the engine's own log lines and the response's X-Request-Id header share.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { gatehousePlugin } from '../adapters/fastify.ts';
import { PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { requestPath } from '../adapters/requestPath.ts';
import { PrincipalLimits } from '../ratelimit/principalLimits.ts';
import { clientView } from './clientView.ts';
import { notFound, problemErrorHandler, sendProblem } from './httpProblem.ts';
import { healthRoutes } from './routes/health.ts';
import { keyRoutes } from './routes/keys.ts';
import { postRoutes } from './routes/posts.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { userRoutes } from './routes/users.ts';
import { attachLiveFeed, PostEvents } from './liveFeed.ts';
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
    const limits = new PrincipalLimits(ctx.rateLimits, ctx.rateLimitSettings, ctx.logger);
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (UNLIMITED_PATHS.has(requestPath(request.url))) return;
      const verdict = await limits.check(request.principal, clientView(request).ip, request.id);
      if (verdict === undefined) return;
      for (const [name, value] of verdict.headers) reply.header(name, value);
      if (!verdict.allowed) return reply.code(429).header('Content-Type', PROBLEM_CONTENT_TYPE).header('Cache-Control', 'no-store').send(Buffer.from(verdict.body!));
    });
  }

  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((_request, reply) => sendProblem(reply, notFound()));

  const events = new PostEvents();
  healthRoutes(app, ctx, options.state ?? { closing: false });
  tokenRoutes(app, ctx);
  postRoutes(app, ctx, events);
  userRoutes(app, ctx);
  keyRoutes(app, ctx);
  attachLiveFeed(app, ctx, events);
  return app;
}
