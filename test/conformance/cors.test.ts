// The shared conformance suite: every vector runs through every adapter over real HTTP on loopback.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { send } from '../helpers/httpClient.ts';
import { ADAPTERS, startTestServer, type AdapterName, type TestServer } from '../helpers/servers.ts';
import { checkCorsVector } from './vectorChecks.ts';
import { vectors, type ConformanceVector } from './vectors.ts';

function groupBySettings(list: readonly ConformanceVector[]): Map<string, ConformanceVector[]> {
  const groups = new Map<string, ConformanceVector[]>();
  for (const vector of list) {
    const key = JSON.stringify(vector.settings);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [vector]);
    else group.push(vector);
  }
  return groups;
}


const groups = groupBySettings(vectors);

for (const adapter of ADAPTERS) {
  describe(`CORS conformance through the ${adapter} adapter`, () => {
    let index = 0;
    for (const [key, group] of groups) {
      index++;
      describe(`settings group ${index}: ${key.slice(0, 120)}`, () => {
        let server: TestServer;
        before(async () => {
          server = await startTestServer(adapter as AdapterName, group[0]!.settings);
        });
        after(() => server.close());
        for (const vector of group) {
          test(vector.id, async () => {
            const response = await send(server.url, vector.request.method, vector.request.path, vector.request.headers);
            checkCorsVector(vector, response);
          });
        }
      });
    }
  });
}

test('the suite has at least 150 vectors with unique ids', () => {
  assert.ok(vectors.length >= 150, `only ${vectors.length} vectors`);
  assert.equal(new Set(vectors.map((v) => v.id)).size, vectors.length);
});
