// Errors a route throws to refuse a request, and the one error handler that turns every failure
// (ours, Fastify's body parsing, a bug) into an RFC 9457 problem+json body. A 5xx never shows its cause
// to the client; the log line has it, with the request id.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { permissionResponse } from '../permissions/permissionResponse.ts';
import type { PermissionRefused } from '../permissions/permissionCheck.ts';
import { problem, PROBLEM_CONTENT_TYPE } from '../problem.ts';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    /** Extension members (RFC 9457 §3.2), e.g. `errors` for field problems. */
    readonly extensions: Readonly<Record<string, unknown>> = {},
    readonly headers: readonly (readonly [string, string])[] = [],
  ) {
    super(detail ?? title);
  }
}

export const notFound = () => new HttpProblem(404, 'not-found', 'Not Found');

/** A field-by-field 400: `errors: [{ field, message }]`. */
export function invalidRequest(errors: readonly { field: string; message: string }[]): HttpProblem {
  return new HttpProblem(400, 'invalid-request', 'Bad Request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}

/** A refused object check, written exactly as the engine writes refusals (so a 404 reads like any 404). */
export function permissionProblem(decision: PermissionRefused, realm: string): HttpProblem {
  if (decision.code === 'not-found') return notFound();
  const response = permissionResponse(decision, realm);
  const body = JSON.parse(response.body) as { title: string; detail?: string };
  return new HttpProblem(response.status, decision.code, body.title, body.detail, {}, response.wwwAuthenticate === undefined ? [] : [['WWW-Authenticate', response.wwwAuthenticate]]);
}

export function sendProblem(reply: FastifyReply, error: HttpProblem): FastifyReply {
  for (const [name, value] of error.headers) reply.header(name, value);
  const body = { ...problem(error.code, error.status, error.title, error.detail), ...error.extensions };
  // As bytes: Fastify would append `; charset=utf-8` to a string body's type.
  return reply.code(error.status).header('Content-Type', PROBLEM_CONTENT_TYPE).header('Cache-Control', 'no-store').send(Buffer.from(JSON.stringify(body)));
}

/** Fastify's own request errors, by code, as problems a client can act on. */
const FASTIFY_PROBLEMS: Readonly<Record<string, readonly [number, string, string]>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported-media-type', 'Send the body as application/json.'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body-too-large', 'The request body is larger than the server accepts.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid-json', 'The body is empty but its Content-Type says JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid-request', 'Content-Length does not match the body.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid-json', 'The body is not valid JSON.'],
};

const TITLES: Readonly<Record<number, string>> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Content Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests' };

export function problemErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof HttpProblem) return sendProblem(reply, error);
  const known = error.code === undefined ? undefined : FASTIFY_PROBLEMS[error.code];
  if (known !== undefined) return sendProblem(reply, new HttpProblem(known[0], known[1], TITLES[known[0]] ?? 'Bad Request', known[2]));
  // JSON.parse's SyntaxError as Fastify reports it (status 400, no specific code on some versions).
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return sendProblem(reply, new HttpProblem(400, 'invalid-json', 'Bad Request', 'The body is not valid JSON.'));
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return sendProblem(reply, new HttpProblem(status, 'invalid-request', TITLES[status] ?? 'Bad Request', error.message));
  request.log.error({ err: error }, `request failed: ${error.message}`);
  return sendProblem(reply, new HttpProblem(500, 'internal-error', 'Internal Server Error', `The server failed; the log has the details under request id ${request.id}.`));
}
