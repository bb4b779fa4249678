// The assertions every conformance row makes of a response, whoever served it: the adapters
// (cors.test.ts, auth.test.ts) and the gateway in front of Django (test/gateway/django.test.ts).

import assert from 'node:assert/strict';
import { listsToken } from '../../src/adapters/responseHeaders.ts';
import type { RawResponse } from '../helpers/httpClient.ts';
import { BODY_NEVER, type AuthVector } from './authVectors.ts';
import type { ConformanceVector } from './vectors.ts';

export function checkCorsVector(vector: ConformanceVector, response: { status: number; headers: Record<string, string> }): void {
  const where = `${vector.id}: ${vector.why}`;
  assert.equal(response.status, vector.expect.status, `${where} — status`);
  assert.equal(response.headers['x-handler'] === 'called', vector.expect.handlerCalled, `${where} — handler called`);
  for (const [name, expected] of Object.entries(vector.expect.headers)) {
    assert.equal(response.headers[name] ?? null, expected, `${where} — header ${name}`);
  }
  const vary = response.headers.vary ?? '';
  assert.equal(listsToken(vary, 'origin'), vector.expect.vary === 'origin', `${where} — Vary lists Origin (got "${vary}")`);
  const debugPrefix = (vector.expect as { debugStartsWith?: string }).debugStartsWith;
  if (debugPrefix !== undefined) {
    assert.ok((response.headers['x-gatehouse-cors'] ?? '').startsWith(debugPrefix), `${where} — debug header starts with ${debugPrefix}, got ${response.headers['x-gatehouse-cors']}`);
  }
}

export function checkAuthVector(vector: AuthVector, response: RawResponse, sent: readonly string[]): void {
  const where = `${vector.id}: ${vector.why}`;
  const { expect } = vector;
  assert.equal(response.status, expect.status, `${where} — status (body ${response.body})`);
  assert.equal(response.headers['x-handler'] === 'called', expect.handlerCalled, `${where} — handler called`);
  assert.equal(response.headers['x-principal'] ?? null, expect.principal, `${where} — the Principal the handler saw`);
  if (expect.principal !== null) assert.equal(response.headers['x-principal-same'], 'yes', `${where} — the framework's Principal is principalOf(raw request)`);
  if (expect.kind !== undefined) assert.equal(response.headers['x-principal-kind'], expect.kind, `${where} — Principal kind`);
  if (expect.scopes !== undefined) assert.equal(response.headers['x-principal-scopes'], expect.scopes, `${where} — Principal scopes`);
  for (const [name, expected] of Object.entries(expect.headers)) {
    assert.equal(response.headers[name] ?? null, expected, `${where} — header ${name}`);
  }
  assert.ok(listsToken(response.headers.vary ?? '', 'origin'), `${where} — Vary lists Origin (got "${response.headers.vary}")`);

  if (expect.problem !== undefined && vector.request.method !== 'HEAD') {
    const body = JSON.parse(response.body) as Record<string, unknown>;
    assert.equal(body.code, expect.problem, `${where} — problem code`);
    assert.equal(body.status, expect.status, `${where} — problem status`);
    assert.equal(body.type, `https://gatehouse.dev/problems/${expect.problem}`, `${where} — problem type`);
  }
  if (!expect.handlerCalled && expect.status >= 400) {
    // Gatehouse's own refusal: the rows must say what it carries, and it must not say why.
    assert.ok(expect.problem !== undefined && 'www-authenticate' in expect.headers, `${where} — a refusal row must give its problem code and challenge`);
    const lower = response.body.toLowerCase();
    for (const word of BODY_NEVER) assert.ok(!lower.includes(word), `${where} — the body names the reason ("${word}"): ${response.body}`);
    for (const credential of sent) assert.ok(!response.body.includes(credential), `${where} — the body echoes the credential`);
  }
}
