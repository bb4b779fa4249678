// What went wrong with the upstream, as the client sees it (502 or 504 problem+json, never the
// upstream's address) and as the log says it (which upstream, which request, the precise cause).

import { problemJson } from '../problem.ts';

export interface UpstreamFailure {
  readonly status: 400 | 502 | 503 | 504;
  /** The problem+json `code`, as docs/gateway.md lists them. */
  readonly code: 'upstream-unavailable' | 'upstream-timeout' | 'upstream-invalid-response' | 'gateway-request-invalid' | 'gateway-closing';
  /** For the log line: what happened, in words. */
  readonly cause: string;
}

const TITLES: Record<UpstreamFailure['code'], [string, string]> = {
  'upstream-unavailable': ['Bad Gateway', 'The service behind this gateway could not be reached.'],
  'upstream-timeout': ['Gateway Timeout', 'The service behind this gateway did not answer in time.'],
  'upstream-invalid-response': ['Bad Gateway', 'The service behind this gateway sent an answer that is not valid HTTP.'],
  'gateway-request-invalid': ['Bad Request', 'This request cannot be forwarded.'],
  'gateway-closing': ['Service Unavailable', 'The gateway is shutting down.'],
};

export function failureBody(failure: UpstreamFailure): string {
  const [title, detail] = TITLES[failure.code];
  return problemJson(failure.code, failure.status, title, detail);
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed',
};

/** Classifies an error undici reported for a request that has not answered the client yet. */
export function classifyFailure(error: unknown): UpstreamFailure {
  const err = error as { code?: string; name?: string; message?: string };
  const code = err.code ?? err.name ?? 'unknown';
  const detail = `${err.message ?? String(error)} (${code})`;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { status: 504, code: 'upstream-timeout', cause: `connect timed out: ${detail}` };
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { status: 504, code: 'upstream-timeout', cause: `no response head in time: ${detail}` };
  if (code === 'UND_ERR_BODY_TIMEOUT') return { status: 504, code: 'upstream-timeout', cause: `response body stalled: ${detail}` };
  if (code.startsWith('HPE_') || err.name === 'HTTPParserError' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE' || code === 'UND_ERR_HEADERS_OVERFLOW' || code === 'ERR_HTTP_INVALID_STATUS_CODE' || code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN' || code === 'gateway-invalid-status') {
    return { status: 502, code: 'upstream-invalid-response', cause: `malformed response: ${detail}` };
  }
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED' || code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
    return { status: 400, code: 'gateway-request-invalid', cause: `the request cannot be forwarded: ${detail}` };
  }
  if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED') return { status: 503, code: 'gateway-closing', cause: `the gateway is closing: ${detail}` };
  const unreachable = UNREACHABLE[code];
  if (unreachable !== undefined) return { status: 502, code: 'upstream-unavailable', cause: `${unreachable}: ${detail}` };
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'ERR_SSL_WRONG_VERSION_NUMBER') return { status: 502, code: 'upstream-unavailable', cause: `TLS handshake failed: ${detail}` };
  return { status: 502, code: 'upstream-unavailable', cause: detail };
}
