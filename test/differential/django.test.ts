// The differential suite: the same requests to the real django-cors-headers and to Gatehouse (through
// every adapter), the same settings carried over by name; the CORS headers must agree except where
// differences.ts lists an intentional difference.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corsSettingsFromDjango } from '../../src/config/djangoSettings.ts';
import { send } from '../helpers/httpClient.ts';
import { ADAPTERS, startTestServer } from '../helpers/servers.ts';
import { corsView, differingFields, type CorsView } from './compare.ts';
import { intentionalDifferences, type Mismatch } from './differences.ts';
import { djangoAvailable, startDjango } from './djangoServer.ts';
import { scenarios } from './scenarios.ts';

test('Gatehouse answers as django-cors-headers does, but for the listed differences', async (t) => {
  const available = djangoAvailable();
  if (!available.ok) {
    if (process.env.CI === 'true') assert.fail(`Django is required under CI: ${available.reason}`);
    t.skip(`Django not available: ${available.reason}`);
    return;
  }
  const unexplained: string[] = [];
  const used = new Set<string>();
  let agreed = 0;
  let compared = 0;
  for (const scenario of scenarios) {
    const django = await startDjango(scenario.django);
    try {
      const djangoViews = new Map<string, CorsView>();
      for (const request of scenario.requests) {
        djangoViews.set(request.id, corsView(await send(django.url, request.method, request.path, request.headers)));
      }
      for (const adapter of ADAPTERS) {
        const server = await startTestServer(adapter, corsSettingsFromDjango(scenario.django));
        try {
          for (const request of scenario.requests) {
            const expected = djangoViews.get(request.id)!;
            const actual = corsView(await send(server.url, request.method, request.path, request.headers));
            compared++;
            const fields = differingFields(expected, actual);
            if (fields.length === 0) agreed++;
            for (const field of fields) {
              const mismatch: Mismatch = { scenario, request, field, django: expected[field], gatehouse: actual[field] };
              const difference = intentionalDifferences.find((d) => d.explains(mismatch));
              if (difference === undefined) {
                unexplained.push(`${adapter} ${scenario.id}/${request.id} ${field}: django=${mismatch.django} gatehouse=${mismatch.gatehouse}`);
              } else {
                used.add(difference.id);
              }
            }
          }
        } finally {
          await server.close();
        }
      }
    } finally {
      await django.close();
    }
  }
  t.diagnostic(`${compared} responses compared across ${ADAPTERS.length} adapter(s); ${agreed} agree field for field`);
  assert.deepEqual(unexplained, [], 'every difference from django-cors-headers must be listed in differences.ts');
  const unused = intentionalDifferences.map((d) => d.id).filter((id) => !used.has(id));
  assert.deepEqual(unused, [], 'every listed difference must still be observed (remove stale rows)');
  assert.ok(agreed / compared > 0.6, `only ${agreed} of ${compared} responses agree entirely`);
});
