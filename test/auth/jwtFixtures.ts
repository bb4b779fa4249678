// Real keys, real tokens and a real JWKS endpoint for the JWT tests: nothing here is mocked.

import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import assert from 'node:assert/strict';
import { AuthenticationError, type AuthFailureReason } from '../../src/auth/authErrors.ts';

/** The tests' "now": a fixed instant, so every token's times are exact. */
export const NOW_S = 1_800_000_000;

export class TestClock {
  ms = NOW_S * 1000;
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface TestKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicPem: string;
  readonly publicJwk: JWK;
}

export async function testKey(alg: 'RS256' | 'ES256' | 'EdDSA' | 'PS256', kid: string): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicPem: await exportSPKI(publicKey), publicJwk };
}

/** A 64-character secret: long enough for HS256 (32 bytes) and HS512 (64 bytes). */
export function testSecret(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(48)));
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Claims that pass every default check at NOW_S; each test overrides what it is about. */
export function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const base: Record<string, unknown> = { iss: 'https://rs.example', sub: 'user-1', aud: 'api', iat: NOW_S - 60, exp: NOW_S + 600, jti: 'jti-1' };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base as JWTPayload;
}

/** Signs exactly these claims (no defaults added by jose) with this header. */
export function sign(payload: JWTPayload, key: CryptoKey | Uint8Array, header: { alg: string; kid?: string; typ?: string }): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

/** An unsigned token (RFC 7519 §6): header {"alg":"none"}, empty signature. */
export function unsigned(payload: JWTPayload): string {
  return `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(payload))}.`;
}

export async function assertRefused(promise: Promise<unknown>, reason: AuthFailureReason): Promise<AuthenticationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthenticationError, `expected an AuthenticationError, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    return error;
  }
  assert.fail(`expected a refusal with reason ${reason}`);
}

export type JwksMode = 'ok' | 'garbage' | 'not-a-key-set' | 'huge' | 'status-500' | 'hang' | 'private-key';

/** A JWKS endpoint on 127.0.0.1 whose key set and behaviour a test changes, and which it can stop. */
export interface JwksServer {
  readonly url: string;
  keys: JWK[];
  mode: JwksMode;
  readonly requests: number;
  stop(): Promise<void>;
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  let requests = 0;
  const state = { keys, mode: 'ok' as JwksMode };
  const server: Server = createServer((request, response) => {
    requests++;
    const json = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    switch (state.mode) {
      case 'ok':
        return json({ keys: state.keys });
      case 'garbage':
        return response.writeHead(200, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>');
      case 'not-a-key-set':
        return json({ keys: 'none today' });
      case 'huge':
        return json({ keys: state.keys, padding: 'x'.repeat(1_100_000) });
      case 'status-500':
        return response.writeHead(500).end();
      case 'hang':
        return; // never answers; the client's timeout must fire
      case 'private-key':
        return json({ keys: state.keys.map((k) => ({ ...k, d: 'AAAA' })) });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get keys() {
      return state.keys;
    },
    set keys(value) {
      state.keys = value;
    },
    get mode() {
      return state.mode;
    },
    set mode(value) {
      state.mode = value;
    },
    get requests() {
      return requests;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
