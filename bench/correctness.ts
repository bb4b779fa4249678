// Before a variant is measured, it must answer right: the allowed origin echoed in
// Access-Control-Allow-Origin (with credentials and the exposed header), the refused origin without
// it, the preflight granted with the configured methods, headers and max-age. A benchmark of a wrong
// answer is worthless.

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { HOST } from './serverProcess.ts';
import { ALLOWED_ORIGIN, benchRequest, POLICY, POST, type BenchRequest, type ListId, type RequestKind } from './workload.ts';

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Sends one request on a fresh connection; rejects after 5 s without an answer. */
export function send(port: number, req: BenchRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: HOST, port, method: req.method, path: req.path, headers: req.headers, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 5 s')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const lowerList = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value.join(',') : (value ?? '')).split(',').map((item) => item.trim().toLowerCase()).filter(Boolean);

export function postBodyProblem(answer: Answer): string | undefined {
  if (answer.status !== 200) return `status ${answer.status}, expected 200`;
  try {
    if (JSON.stringify(JSON.parse(answer.body)) === JSON.stringify(POST)) return undefined;
  } catch {
    // reported below
  }
  return `body ${JSON.stringify(answer.body.slice(0, 80))}, expected ${JSON.stringify(POST)}`;
}

/** What is wrong with the answer to `kind`, or undefined. `cors` false: a variant without CORS. */
export function answerProblem(kind: RequestKind, list: ListId, cors: boolean, answer: Answer): string | undefined {
  const h = answer.headers;
  const allowOrigin = h['access-control-allow-origin'];
  if (!cors || kind === 'refused' || kind === 'refused-distinct') {
    if (allowOrigin !== undefined) return `Access-Control-Allow-Origin: ${allowOrigin} on a request it must not allow`;
    return postBodyProblem(answer);
  }
  if (allowOrigin !== ALLOWED_ORIGIN[list]) return `Access-Control-Allow-Origin: ${allowOrigin ?? '(absent)'}, expected ${ALLOWED_ORIGIN[list]}`;
  if (h['access-control-allow-credentials'] !== 'true') return 'Access-Control-Allow-Credentials is not "true"';
  if (!lowerList(h.vary).includes('origin')) return `Vary: ${h.vary ?? '(absent)'} does not list Origin`;
  if (kind === 'allowed') {
    if (!lowerList(h['access-control-expose-headers']).includes(POLICY.exposeHeaders[0]!)) return 'Access-Control-Expose-Headers lacks x-request-id';
    return postBodyProblem(answer);
  }
  if (answer.status < 200 || answer.status > 299) return `preflight status ${answer.status}`;
  const methods = lowerList(h['access-control-allow-methods']);
  if (!methods.includes('put')) return `Access-Control-Allow-Methods: ${h['access-control-allow-methods'] ?? '(absent)'} lacks PUT`;
  const headers = lowerList(h['access-control-allow-headers']);
  if (!headers.includes('content-type') || !headers.includes('authorization')) return `Access-Control-Allow-Headers: ${h['access-control-allow-headers'] ?? '(absent)'}`;
  if (h['access-control-max-age'] !== String(POLICY.maxAge)) return `Access-Control-Max-Age: ${h['access-control-max-age'] ?? '(absent)'}`;
  return undefined;
}

/** Sends each kind once; returns the first problem found, prefixed by the kind. */
export async function verifyVariant(port: number, list: ListId, cors: boolean, kinds: readonly RequestKind[]): Promise<string | undefined> {
  for (const kind of kinds) {
    let answer: Answer;
    try {
      answer = await send(port, benchRequest(kind, list));
    } catch (error) {
      return `${kind}: ${(error as Error).message}`;
    }
    const problem = answerProblem(kind, list, cors, answer);
    if (problem !== undefined) return `${kind}: ${problem}`;
  }
  return undefined;
}
