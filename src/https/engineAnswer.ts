// What an engine answers by itself instead of the handler: a redirect to HTTPS, or a refusal with an
// RFC 9457 body. The adapters write it as it is; the CORS headers decided before it are kept.

import type { Header } from '../cors/corsPolicy.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';

export interface EngineAnswer {
  readonly status: number;
  readonly headers: readonly Header[];
  readonly body: string;
  /** The stable code of the problem+json body, the log line and the docs; `https-redirect` for a redirect. */
  readonly code: string;
}

/** A problem+json refusal; never stored by a cache, as it depends on the request's headers. */
export function problemAnswer(code: string, status: number, title: string, detail: string): EngineAnswer {
  const body = problemJson(code, status, title, detail);
  return Object.freeze({
    status,
    headers: Object.freeze([
      ['Content-Type', PROBLEM_CONTENT_TYPE],
      ['Content-Length', String(Buffer.byteLength(body))],
      ['Cache-Control', 'no-store'],
    ] as const),
    body,
    code,
  });
}
