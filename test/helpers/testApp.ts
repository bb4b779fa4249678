// The app behind the conformance suites, the same in every adapter: it marks each response it writes
// with `x-handler: called`, so a test can tell whether the handler ran, and echoes the Principal the
// handler saw (the framework's own way, e.g. Fastify's request.principal) in `x-principal*` headers,
// and the client clientOf(raw request) resolved (through trusted proxies) in `x-client-*` headers.
// `/own-headers` sets its own HSTS, Cache-Control and CORP; `/text` answers text/plain.

import type { Principal } from '../../src/auth/principal.ts';
import type { ResolvedClient } from '../../src/https/requestFacts.ts';
import { checkObject, permissionResponse, type Rule } from '../../src/permissions/index.ts';
import { parseRule } from '../../src/permissions/ruleParser.ts';
import { PROBLEM_CONTENT_TYPE } from '../../src/problem.ts';

export interface TestAppResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The Principal as the framework exposes it to handlers, and as principalOf(raw request) has it. */
export interface SeenPrincipal {
  readonly exposed: Principal | undefined;
  readonly stored: Principal | undefined;
}

/** An object rule: its request part is checked by requirePermission, its object part by the handler. */
export const OWNED_RULE = parseRule('posts:write AND (owner OR admin)');

/** Routes that declare a rule in code, mounted by each adapter its own way (requirePermission, config.permission). */
export const CODE_ROUTES: readonly { readonly route: string; readonly pattern: RegExp; readonly rule: Rule | string }[] = [
  { route: '/api/code/write', pattern: /^\/api\/code\/write$/, rule: 'posts:write' },
  { route: '/api/code/editor', pattern: /^\/api\/code\/editor$/, rule: 'role:editor OR admin' },
  { route: '/api/code/owned/*', pattern: /^\/api\/code\/owned\/.+$/, rule: OWNED_RULE },
];

function principalHeaders(seen: SeenPrincipal | undefined): Record<string, string> {
  if (seen === undefined || (seen.exposed === undefined && seen.stored === undefined)) return {};
  const principal = seen.exposed ?? seen.stored!;
  return {
    'x-principal': principal.subject,
    'x-principal-kind': principal.kind,
    'x-principal-scopes': [...principal.scopes].sort().join(' ') || '(none)',
    // The framework's way and principalOf must be the same object.
    'x-principal-same': seen.exposed === seen.stored ? 'yes' : 'no',
  };
}

function clientHeaders(client: ResolvedClient | undefined): Record<string, string> {
  if (client === undefined) return {};
  return { 'x-client-ip': client.ip ?? '(unknown)', 'x-client-protocol': client.protocol, 'x-client-host': client.host ?? '(none)' };
}

/** The headers /own-headers sets itself, which Gatehouse must keep. */
export const OWN_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': 'max-age=60',
  'cache-control': 'private, max-age=60',
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
};

/** What the test app answers for a method and path; throws for /throw. */
export function testAppResponse(method: string, path: string, seen?: SeenPrincipal, client?: ResolvedClient): TestAppResponse {
  if (path === '/throw') throw new Error('the handler threw on purpose');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-handler': 'called', ...principalHeaders(seen), ...clientHeaders(client) };
  if (path === '/vary') headers.vary = 'Accept-Encoding';
  if (path === '/own-headers') Object.assign(headers, OWN_HEADERS);
  if (path === '/text') headers['content-type'] = 'text/plain; charset=utf-8';
  const owner = /^\/api\/code\/owned\/(.+)$/.exec(path)?.[1];
  if (owner !== undefined) {
    // The object part of an object rule, as an application checks it once it has loaded the object.
    const decision = checkObject(OWNED_RULE, { principal: seen?.exposed, method, path }, { owner });
    if (!decision.allowed) {
      const refusal = permissionResponse(decision, 'api');
      return { status: refusal.status, headers: { ...headers, 'content-type': PROBLEM_CONTENT_TYPE }, body: refusal.body };
    }
  }
  const statusMatch = /^\/status\/(\d{3})$/.exec(path);
  const status = statusMatch ? Number(statusMatch[1]) : 200;
  const body = status === 200 ? JSON.stringify({ ok: true, method, path }) : JSON.stringify({ error: status });
  return { status, headers, body };
}
