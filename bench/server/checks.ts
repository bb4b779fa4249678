// Before anything is measured, each server must answer like the other: the measured request gets 200,
// the first demo post as JSON and Access-Control-Allow-Origin for the allowed origin; without a token
// it gets 401; from another origin it still gets the post (CORS binds browsers) but no CORS headers.
// A server that answers otherwise is not measured.

import { request } from 'node:http';
import { DEMO_POSTS } from '../../src/server/seed.ts';
import type { Stack } from './stacks.ts';

export const REFUSED_ORIGIN = 'https://evil.example.net';

export interface CheckResult {
  readonly stack: string;
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

function get(url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('timeout', () => req.destroy(new Error('timed out')));
    req.once('error', reject);
    req.end();
  });
}

/** The headers of the measured request. */
export function measuredHeaders(stack: Stack, origin: string): Record<string, string> {
  return { Origin: origin, Authorization: `Bearer ${stack.token}` };
}

function postProblems(body: string): string[] {
  let post: Record<string, unknown>;
  try {
    post = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return [`body is not JSON: ${body.slice(0, 120)}`];
  }
  const expected = { id: 1, title: DEMO_POSTS[0]!.title, body: DEMO_POSTS[0]!.body, owner_username: 'admin' };
  const problems = Object.entries(expected)
    .filter(([key, value]) => post[key] !== value)
    .map(([key, value]) => `${key} = ${JSON.stringify(post[key])}, expected ${JSON.stringify(value)}`);
  for (const key of ['owner', 'created_at', 'updated_at']) if (!(key in post)) problems.push(`no ${key}`);
  return problems;
}

export async function checkStack(stack: Stack, origin: string): Promise<CheckResult[]> {
  const url = stack.baseUrl + stack.postPath;
  const results: CheckResult[] = [];
  const add = (check: string, problems: string[], answer: Answer) =>
    results.push({ stack: stack.id, check, ok: problems.length === 0, detail: problems.length === 0 ? `${answer.status}, ${answer.body.length} B body` : problems.join('; ') });

  const allowed = await get(url, measuredHeaders(stack, origin));
  add(
    'allowed origin + token: 200, the post, ACAO, Vary: Origin',
    [
      ...(allowed.status === 200 ? [] : [`status ${allowed.status}`]),
      ...(String(allowed.headers['content-type']).startsWith('application/json') ? [] : [`content-type ${allowed.headers['content-type']}`]),
      ...(allowed.headers['access-control-allow-origin'] === origin ? [] : [`access-control-allow-origin ${allowed.headers['access-control-allow-origin']}`]),
      ...(/\borigin\b/i.test(String(allowed.headers.vary)) ? [] : [`vary ${allowed.headers.vary}`]),
      ...(allowed.status === 200 ? postProblems(allowed.body) : []),
    ],
    allowed,
  );

  const anonymous = await get(url, { Origin: origin });
  add(
    'allowed origin, no token: 401 with a Bearer challenge',
    [
      ...(anonymous.status === 401 ? [] : [`status ${anonymous.status}`]),
      ...(/^Bearer\b/i.test(String(anonymous.headers['www-authenticate'])) ? [] : [`www-authenticate ${anonymous.headers['www-authenticate']}`]),
    ],
    anonymous,
  );

  const refused = await get(url, { Origin: REFUSED_ORIGIN, Authorization: `Bearer ${stack.token}` });
  add(
    'other origin + token: no ACAO',
    [
      ...(refused.headers['access-control-allow-origin'] === undefined ? [] : [`access-control-allow-origin ${refused.headers['access-control-allow-origin']}`]),
      // Gatehouse's default (cors.strict off) and django-cors-headers both still answer; the browser hides it.
      ...(refused.status === 200 ? [] : [`status ${refused.status}`]),
    ],
    refused,
  );

  const forged = await get(url, { Origin: origin, Authorization: `Bearer ${stack.token.slice(0, -4)}AAAA` });
  add('allowed origin, forged signature: 401', forged.status === 401 ? [] : [`status ${forged.status}`], forged);
  return results;
}
