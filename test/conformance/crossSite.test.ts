// The cross-site conformance suite: every vector of crossSiteVectors.ts through every adapter over
// real HTTP on loopback, from the trusted peer (127.0.0.1) or an untrusted one (127.0.0.2); the
// WebSocket vectors as raw handshakes, and once per adapter with a real WebSocket client (undici's).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'undici';
import type { RawResponse } from '../helpers/httpClient.ts';
import { ADAPTERS, startTestServer, type TestServer } from '../helpers/servers.ts';
import { APP, crossSiteVectors, EVIL, SETUPS, upgradeVectors, type CrossSiteVector, type SetupName, type UpgradeVector } from './crossSiteVectors.ts';
import { handshakeFrom, sendFrom, TRUSTED_PEER } from './loopbackClient.ts';

function groupBySetup<V extends { setup: SetupName }>(list: readonly V[]): Map<SetupName, V[]> {
  const groups = new Map<SetupName, V[]>();
  for (const vector of list) {
    const group = groups.get(vector.setup);
    if (group === undefined) groups.set(vector.setup, [vector]);
    else group.push(vector);
  }
  return groups;
}

function checkVector(vector: CrossSiteVector, response: RawResponse): void {
  const where = `${vector.id}: ${vector.why}`;
  const { expect } = vector;
  assert.equal(response.status, expect.status, `${where} — status (body ${response.body})`);
  assert.equal(response.headers['x-handler'] === 'called', expect.handlerCalled, `${where} — handler called`);
  for (const [name, expected] of Object.entries(expect.headers)) {
    assert.equal(response.headers[name] ?? null, expected, `${where} — header ${name}`);
  }
  if (expect.client !== undefined) {
    assert.equal(response.headers['x-client-ip'], expect.client.ip, `${where} — the client address the handler saw`);
    assert.equal(response.headers['x-client-protocol'], expect.client.protocol, `${where} — the protocol the handler saw`);
  }
  if (expect.problem !== undefined && vector.request.method !== 'HEAD') {
    const body = JSON.parse(response.body) as Record<string, unknown>;
    assert.equal(body.code, expect.problem, `${where} — problem code`);
    assert.equal(body.status, expect.status, `${where} — problem status`);
  }
}

function checkUpgrade(vector: UpgradeVector, result: { status: number; body: string }): void {
  const where = `${vector.id}: ${vector.why}`;
  assert.equal(result.status, vector.expect.status, `${where} — status`);
  if (vector.expect.problem !== undefined) assert.equal((JSON.parse(result.body) as { code: string }).code, vector.expect.problem, `${where} — problem code`);
}

const groups = groupBySetup(crossSiteVectors);
const upgradeGroups = groupBySetup(upgradeVectors);

for (const adapter of ADAPTERS) {
  describe(`cross-site conformance through the ${adapter} adapter`, () => {
    for (const [setup, group] of groups) {
      describe(`setup ${setup}`, () => {
        let server: TestServer;
        before(async () => {
          server = await startTestServer(adapter, SETUPS[setup].cors, SETUPS[setup].options);
        });
        after(() => server.close());
        for (const vector of group) {
          test(vector.id, async () => {
            const response = await sendFrom(vector.request.from ?? TRUSTED_PEER, server.url, vector.request.method, vector.request.path, vector.request.headers);
            checkVector(vector, response);
          });
        }
      });
    }

    for (const [setup, group] of upgradeGroups) {
      describe(`WebSocket upgrades, setup ${setup}`, () => {
        let server: TestServer;
        before(async () => {
          server = await startTestServer(adapter, SETUPS[setup].cors, SETUPS[setup].options, { webSocket: true });
        });
        after(() => server.close());
        for (const vector of group) {
          test(vector.id, async () => {
            const headers = Object.fromEntries(Object.entries(vector.request.headers ?? {}).map(([name, value]) => [name, value.replace('<own>', server.url)]));
            const accepted = server.upgradesAccepted();
            const result = await handshakeFrom(vector.request.from ?? TRUSTED_PEER, server.url, vector.request.path, headers);
            checkUpgrade(vector, result);
            assert.equal(server.upgradesAccepted() - accepted, vector.expect.status === 101 ? 1 : 0, `${vector.id} — the upgrade listener ran only when allowed`);
            assert.equal(server.handlerCalls(), 0, `${vector.id} — an upgrade never reaches the HTTP handler`);
          });
        }

        test('a real WebSocket client opens from an allowed origin and is refused from another', async () => {
          const outcome = (origin: string) =>
            new Promise<string>((resolve) => {
              const socket = new WebSocket(`${server.url.replace('http:', 'ws:')}/api/ws`, { headers: { origin } });
              socket.addEventListener('open', () => {
                resolve('open');
                socket.close();
              });
              socket.addEventListener('error', () => resolve('error'));
            });
          assert.equal(await outcome(APP), 'open');
          assert.equal(await outcome(EVIL), 'error');
        });
      });
    }
  });
}

test('the cross-site suite has unique ids and covers every setup', () => {
  const ids = [...crossSiteVectors, ...upgradeVectors].map((v) => v.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(crossSiteVectors.length >= 80, `only ${crossSiteVectors.length} vectors`);
  const used = new Set([...crossSiteVectors, ...upgradeVectors].map((v) => v.setup));
  for (const name of Object.keys(SETUPS)) assert.ok(used.has(name as SetupName), `setup ${name} has no vector`);
});
