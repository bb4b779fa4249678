import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { withGatehouse as withFetch } from '../../src/adapters/fetch.ts';
import { withGatehouse as withNode } from '../../src/adapters/node-http.ts';
import type { CorsDecision, CorsRequest } from '../../src/cors/corsEngine.ts';
import type { CorsSettings } from '../../src/cors/settings.ts';
import { createGatehouse } from '../../src/gatehouse.ts';
import { captureLogger } from '../helpers/captureLogger.ts';
import { send } from '../helpers/httpClient.ts';

function request(method: string, path: string, headers: Record<string, string> = {}): CorsRequest {
  return { method, path, origin: headers.origin, header: (n) => headers[n], secure: false, host: headers.host ?? 'api.example.com' };
}

function engine(cors: CorsSettings) {
  const logger = captureLogger();
  return { gatehouse: createGatehouse({ cors, logger }), logs: logger.entries };
}

async function decide(cors: CorsSettings, req: CorsRequest) {
  const { gatehouse, logs } = engine(cors);
  return { decision: await gatehouse.cors.decide(req), logs };
}

test('a refused origin is logged with the nearest allowed origin and what differs', async () => {
  const cases: [string, string, RegExp][] = [
    ['http://app.example.com', 'https://app.example.com', /differs in scheme/],
    ['https://app.example.com:8443', 'https://app.example.com', /differs in port/],
    ['https://api.example.com', 'https://app.example.com', /differs in host/],
    ['https://appp.exampel.com', 'https://app.example.com', /differs in host/],
  ];
  for (const [origin, nearest, differs] of cases) {
    const { decision, logs } = await decide({ allowedOrigins: ['https://app.example.com', 'http://localhost:5173'] }, request('GET', '/api/posts/', { origin }));
    assert.equal(decision.allowed, false);
    assert.equal(decision.reason, 'origin-not-allowed');
    const line = logs.find((l) => l.message.includes('CORS refused'));
    assert.ok(line, `no log line for ${origin}`);
    assert.match(line.message, new RegExp(`nearest allowed ${nearest.replace(/[.:/]/g, '\\$&')}`));
    assert.match(line.message, differs);
    assert.equal((line.fields.cors as { origin: string }).origin, origin);
  }
});

test('a pattern that needs a label, a null origin and an invalid origin are explained', async () => {
  const settings: CorsSettings = { allowedOriginPatterns: ['https://*.example.com'] };
  const bare = await decide(settings, request('GET', '/', { origin: 'https://example.com' }));
  assert.match(bare.logs[0]!.message, /needs at least one label before example\.com/);
  const nul = await decide(settings, request('GET', '/', { origin: 'null' }));
  assert.equal(nul.decision.reason, 'null-origin-not-allowed');
  assert.match(nul.logs[0]!.message, /allowedOrigins lists "null"/);
  const twice = await decide(settings, request('GET', '/', { origin: 'https://a.example.com, https://b.example.com' }));
  assert.equal(twice.decision.reason, 'origin-invalid');
  assert.match(twice.logs[0]!.message, /more than one origin/);
});

test('a preflight asking for a method or header outside the lists is logged as such', async () => {
  const settings: CorsSettings = { allowedOrigins: ['https://app.example.com'], allowMethods: ['GET', 'PUT'], allowHeaders: ['content-type'] };
  const method = await decide(settings, request('OPTIONS', '/', { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' }));
  assert.equal(method.decision.reason, 'preflight-method-not-allowed');
  assert.match(method.logs[0]!.message, /method DELETE is not in allowMethods \(GET, PUT\)/);
  const header = await decide(settings, request('OPTIONS', '/', { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type,x-trace' }));
  assert.equal(header.decision.reason, 'preflight-header-not-allowed');
  assert.match(header.logs[0]!.message, /header x-trace is not in allowHeaders \(content-type\)/);
  const fine = await decide(settings, request('OPTIONS', '/', { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'Content-Type' }));
  assert.equal(fine.decision.reason, 'origin-allowed');
  assert.deepEqual(fine.logs, []);
});

test('wildcards in the lists follow Fetch: never for credentials, never for Authorization', async () => {
  const open: CorsSettings = { allowAllOrigins: true, allowMethods: ['*'], allowHeaders: ['*'] };
  const pre = (headers: string, method = 'PURGE') => request('OPTIONS', '/', { origin: 'https://x.example', 'access-control-request-method': method, 'access-control-request-headers': headers });
  assert.equal((await decide(open, pre('x-anything'))).decision.reason, 'origin-allowed');
  assert.equal((await decide(open, pre('authorization'))).decision.reason, 'preflight-header-not-allowed');
  const withCredentials: CorsSettings = { allowedOrigins: ['https://x.example'], allowCredentials: true, allowMethods: ['*'], allowHeaders: ['*'] };
  assert.equal((await decide(withCredentials, pre('', 'PURGE'))).decision.reason, 'preflight-method-not-allowed');
  assert.equal((await decide(withCredentials, pre('x-anything', 'GET'))).decision.reason, 'preflight-header-not-allowed');
});

test('isRequestAllowed: sync and async, enabling paths and allowing origins (check_request_enabled)', async () => {
  const seen: string[] = [];
  for (const hook of [
    (r: { path: string; origin: string | undefined }) => (seen.push(`${r.path} ${r.origin}`), r.origin === 'https://partner.example'),
    async (r: { path: string; origin: string | undefined }) => (seen.push(`${r.path} ${r.origin}`), r.origin === 'https://partner.example'),
  ]) {
    const settings: CorsSettings = { allowedOrigins: ['https://app.example.com'], urlsRegex: '^/api/', isRequestAllowed: hook };
    const partner = await decide(settings, request('GET', '/api/x', { origin: 'https://partner.example' }));
    assert.equal(partner.decision.allowOrigin, 'https://partner.example');
    const other = await decide(settings, request('GET', '/api/x', { origin: 'https://other.example' }));
    assert.equal(other.decision.allowOrigin, undefined);
    const outside = await decide(settings, request('GET', '/static/x', { origin: 'https://partner.example' }));
    assert.equal(outside.decision.vary, true, 'the hook enabled a path outside urlsRegex');
    assert.equal(outside.decision.allowOrigin, 'https://partner.example');
    const listed = await decide(settings, request('GET', '/api/x', { origin: 'https://app.example.com' }));
    assert.equal(listed.decision.allowOrigin, 'https://app.example.com');
  }
  assert.ok(seen.includes('/api/x https://other.example'));
  assert.ok(!seen.includes('/api/x https://app.example.com'), 'the hook is not asked about listed origins');
});

test('without a hook, decisions are synchronous (no promise on the hot path)', () => {
  const { gatehouse } = engine({ allowedOrigins: ['https://app.example.com'] });
  const decision = gatehouse.cors.decide(request('GET', '/', { origin: 'https://app.example.com' }));
  assert.ok(!(decision instanceof Promise));
  assert.equal((decision as CorsDecision).allowOrigin, 'https://app.example.com');
});

test('strict mode: the server\'s own origin passes, others get a problem+json 403', async () => {
  const settings: CorsSettings = { allowedOrigins: ['https://app.example.com'], strict: true };
  const own = await decide(settings, request('POST', '/api/posts/', { origin: 'http://api.example.com', host: 'api.example.com' }));
  assert.equal(own.decision.respond, false);
  assert.equal(own.decision.reason, 'same-origin');
  const evil = await decide(settings, request('POST', '/api/posts/', { origin: 'https://evil.example', host: 'api.example.com' }));
  assert.equal(evil.decision.respond, true);
  assert.equal(evil.decision.status, 403);
  const body = JSON.parse(evil.decision.body);
  assert.equal(body.code, 'cors-origin-refused');
  assert.equal(body.status, 403);
  assert.match(body.type, /cors-origin-refused$/);
  assert.ok(!evil.decision.body.includes('app.example.com'), 'the body never reveals the allowlist');
});

test('10,000 exact origins: every one is allowed, neighbours are not', async () => {
  const origins = Array.from({ length: 10_000 }, (_, i) => `https://tenant${i}.example.com`);
  const { gatehouse } = engine({ allowedOrigins: origins });
  for (const i of [0, 4999, 9999]) assert.equal((gatehouse.cors.decide(request('GET', '/', { origin: origins[i]! })) as CorsDecision).allowed, true);
  assert.equal((gatehouse.cors.decide(request('GET', '/', { origin: 'https://tenant10000.example.com' })) as CorsDecision).allowed, false);
});

test('a hook that throws gives a 500 problem+json in both adapters, never a crash', async () => {
  const cors: CorsSettings = { isRequestAllowed: () => { throw new Error('hook broke'); } };
  const fetchHandler = withFetch(() => new Response('unreachable'), { cors, logger: false });
  const response = await fetchHandler(new Request('http://api.example.com/x', { headers: { origin: 'https://x.example' } }));
  assert.equal(response.status, 500);
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  const asyncCors: CorsSettings = { isRequestAllowed: async () => { throw new Error('hook broke'); } };
  const asyncHandler = withFetch(() => new Response('unreachable'), { cors: asyncCors, logger: false });
  assert.equal((await asyncHandler(new Request('http://api.example.com/x', { headers: { origin: 'https://x.example' } }))).status, 500);

  for (const settings of [cors, asyncCors]) {
    const server = createServer(withNode((_req, res) => res.end('unreachable'), { cors: settings, logger: false }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await send(`http://127.0.0.1:${port}`, 'GET', '/x', { origin: 'https://x.example' });
    assert.equal(answer.status, 500);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
    await new Promise((resolve) => server.close(resolve));
  }
});
