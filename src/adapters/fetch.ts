// Fetch API adapter: wraps a `(Request) => Response` handler, for Node, Bun, Deno and workers.

import type { CorsDecision, CorsRequest } from '../cors/corsEngine.ts';
import { createGatehouse, isGatehouse, type Gatehouse, type GatehouseOptions } from '../gatehouse.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { requestPath } from './requestPath.ts';
import { applyCorsHeaders, type HeaderTarget } from './responseHeaders.ts';

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export function fetchRequestFacts(request: Request): CorsRequest {
  const headers = request.headers;
  const url = request.url;
  return {
    method: request.method,
    path: requestPath(url),
    origin: headers.get('origin') ?? undefined,
    header: (name) => headers.get(name) ?? undefined,
    secure: url.startsWith('https:'),
    host: headers.get('host') ?? hostOf(url),
  };
}

function hostOf(url: string): string | undefined {
  const start = url.indexOf('://');
  if (start === -1) return undefined;
  const end = url.indexOf('/', start + 3);
  return url.slice(start + 3, end === -1 ? undefined : end);
}

function headersTarget(headers: Headers): HeaderTarget {
  return {
    get: (name) => headers.get(name) ?? undefined,
    set: (name, value) => headers.set(name, value),
    delete: (name) => headers.delete(name),
  };
}

/** The engine's own answer (a preflight or a strict refusal) as a Response. */
export function decisionResponse(decision: CorsDecision): Response {
  const headers = new Headers();
  applyCorsHeaders(decision, headersTarget(headers));
  return new Response(decision.body === '' ? null : decision.body, { status: decision.status, headers });
}

/** Adds the decision's headers to a handler's Response, copying it first when its headers are immutable. */
export function withCorsHeaders(decision: CorsDecision, response: Response): Response {
  if (!decision.vary && decision.headers.length === 0) return response;
  try {
    applyCorsHeaders(decision, headersTarget(response.headers));
    return response;
  } catch {
    // Response.redirect() and fetch() results have immutable headers (Fetch §5.2 "immutable" guard).
    // The headers are copied into a new Headers: @hono/node-server's Response keeps a Headers object
    // it is given by reference, so passing response.headers would keep them immutable.
    const copy = new Response(response.body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
    applyCorsHeaders(decision, headersTarget(copy.headers));
    return copy;
  }
}

function errorResponse(gatehouse: Gatehouse, request: Request, error: unknown): Response {
  gatehouse.logger.error({ err: error, method: request.method, url: request.url }, 'request handler failed');
  return new Response(problemJson('internal-error', 500, 'Internal Server Error'), { status: 500, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE } });
}

/** `export default { fetch: withGatehouse(handler, { cors: {...} }) }` */
export function withGatehouse(handler: FetchHandler, options: GatehouseOptions | Gatehouse = {}): (request: Request) => Promise<Response> {
  const gatehouse = isGatehouse(options) ? options : createGatehouse(options);
  const cors = gatehouse.cors;
  const run = async (request: Request, decision: CorsDecision): Promise<Response> => {
    if (decision.respond) return decisionResponse(decision);
    let response: Response;
    try {
      response = await handler(request);
    } catch (error) {
      response = errorResponse(gatehouse, request, error);
    }
    return withCorsHeaders(decision, response);
  };
  return async (request) => {
    let decision: CorsDecision;
    try {
      const pending = cors.decide(fetchRequestFacts(request));
      decision = pending instanceof Promise ? await pending : pending;
    } catch (error) {
      // An isRequestAllowed hook that throws: a 500, never an unhandled rejection.
      return errorResponse(gatehouse, request, error);
    }
    return run(request, decision);
  };
}
