// Token endpoints where a djangorestframework-simplejwt client expects them, with its request and
// response shapes: POST /api/token/ {username, password} → {access, refresh}; /refresh/ {refresh} →
// {access, refresh} (rotated); /verify/ {token} → {}; /blacklist/ {refresh} → {}. Failures are 401
// problem+json with simplejwt's codes (`no_active_account`, `token_not_valid`) as `code`.
// Login is rate limited per IP and per username + IP (429 with Retry-After and RateLimit headers).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TokenError } from '../../auth/tokens/tokenService.ts';
import type { RateLimiter } from '../../ratelimit/rateLimiter.ts';
import { rateLimitHeaders } from '../../ratelimit/rateLimitHeaders.ts';
import { HttpProblem } from '../httpProblem.ts';
import { parseInput } from '../requestBody.ts';
import { clientView } from '../clientView.ts';
import { sessionCookie, sessionCookieOf } from '../sessionCookie.ts';

/** As the client reached us (through trusted proxies): an HTTPS client gets a Secure cookie. */
function cookieContext(request: FastifyRequest): { secure: boolean; host: string | undefined } {
  const client = clientView(request);
  return { secure: client.secure, host: client.host };
}
import type { ServerContext } from '../serverContext.ts';

const loginSchema = z.strictObject({ username: z.string().min(1).max(150), password: z.string().min(1).max(1024) });
const refreshSchema = z.strictObject({ refresh: z.string().min(1).max(8192) });
const verifySchema = z.strictObject({ token: z.string().min(1).max(8192) });

function tokenProblem(error: unknown, request: FastifyRequest): never {
  if (!(error instanceof TokenError)) throw error;
  request.log.info({ token: { code: error.code, reason: error.reason } }, `token refused: ${error.reason}`);
  const detail = error.code === 'no_active_account' ? 'No active account found with the given credentials' : 'Token is invalid or expired';
  throw new HttpProblem(401, error.code, 'Unauthorized', detail);
}

export function tokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const limits = ctx.rateLimits;
  const settings = ctx.rateLimitSettings;
  const perIp: RateLimiter | undefined = limits && settings.loginPerIp && limits.limiter('login-ip', settings.loginPerIp);
  const perAccount: RateLimiter | undefined = limits && settings.login && limits.limiter('login', settings.login);

  /** Both login limits, the stricter one's headers; throws 429 when either refuses. */
  const limitLogin = async (request: FastifyRequest, reply: FastifyReply, username: string): Promise<void> => {
    const ip = clientView(request).ip ?? 'unknown';
    const results = await Promise.all([perIp?.consume(ip), perAccount?.consume(`${username}\u0000${ip}`)]);
    const shown = results.filter((r) => r !== undefined).sort((a, b) => Number(a.allowed) - Number(b.allowed) || a.remaining - b.remaining)[0];
    if (shown === undefined) return;
    for (const [name, value] of rateLimitHeaders(shown)) reply.header(name, value);
    if (!shown.allowed) {
      request.log.warn({ rateLimit: { policy: shown.policy, ip, username } }, `login rate limit ${shown.policy} reached for ${username} from ${ip}`);
      throw new HttpProblem(429, 'rate-limited', 'Too Many Requests', `Too many login attempts; try again in ${shown.resetSeconds} s.`, {}, rateLimitHeaders(shown).filter(([n]) => n === 'Retry-After'));
    }
  };

  app.post('/api/token/', async (request, reply) => {
    const input = parseInput(loginSchema, request.body);
    await limitLogin(request, reply, input.username);
    const user = await ctx.users.checkPassword(input.username, input.password);
    if (user === undefined) tokenProblem(new TokenError('no_active_account', `login failed for ${JSON.stringify(input.username)}`), request);
    await perAccount?.reset(`${input.username}\u0000${clientView(request).ip ?? 'unknown'}`);
    return ctx.tokens.issue(user);
  });

  // A cookie session for a browser front end on the API's own site (docs/server.md).
  app.post('/api/session/', async (request, reply) => {
    const input = parseInput(loginSchema, request.body);
    await limitLogin(request, reply, input.username);
    const user = await ctx.users.checkPassword(input.username, input.password);
    if (user === undefined) tokenProblem(new TokenError('no_active_account', `session login failed for ${JSON.stringify(input.username)}`), request);
    await perAccount?.reset(`${input.username}\u0000${clientView(request).ip ?? 'unknown'}`);
    const lifetime = ctx.tokenSettings.sessionLifetimeSeconds;
    const issued = await ctx.tokens.accessToken(user, lifetime);
    reply.header('Set-Cookie', sessionCookie(issued.token, { ...cookieContext(request), maxAgeSeconds: lifetime }));
    return reply.header('Cache-Control', 'no-store').send({ username: user.username, expires_at: new Date(issued.expiresAt * 1000).toISOString() });
  });

  app.delete('/api/session/', async (request, reply) => {
    const token = sessionCookieOf(request.headers.cookie);
    if (token !== undefined && token !== '') {
      try {
        await ctx.tokens.revokeAccess(await ctx.tokens.verifyAccess(token));
      } catch (error) {
        if (!(error instanceof TokenError)) throw error;
      }
    }
    reply.header('Set-Cookie', sessionCookie('', { ...cookieContext(request), maxAgeSeconds: 0 }));
    return reply.code(204).send();
  });

  app.post('/api/token/refresh/', async (request) => {
    const input = parseInput(refreshSchema, request.body);
    try {
      return await ctx.tokens.refresh(input.refresh);
    } catch (error) {
      tokenProblem(error, request);
    }
  });

  app.post('/api/token/verify/', async (request) => {
    const input = parseInput(verifySchema, request.body);
    try {
      await ctx.tokens.verify(input.token);
      return {};
    } catch (error) {
      tokenProblem(error, request);
    }
  });

  app.post('/api/token/blacklist/', async (request) => {
    const input = parseInput(refreshSchema, request.body);
    try {
      await ctx.tokens.blacklist(input.refresh);
      return {};
    } catch (error) {
      tokenProblem(error, request);
    }
  });
}
