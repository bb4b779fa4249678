// The authentication suite: an authenticated GET through Gatehouse's node:http, Fastify and Express
// adapters, and through the JWT packages of those frameworks (@fastify/jwt, express-jwt), for HS256,
// ES256 and EdDSA tokens and Gatehouse's API keys. The same app without authentication is the floor,
// and behind Gatehouse without `auth` (the CORS suite's server) it shows what Gatehouse costs before
// authenticating. One group per framework, so each framework's servers alternate round after round.
// Every server is first checked: a valid credential gets 200 and the post; an expired token (a
// revoked API key), a forged one and none at all get 401. Ids: `auth/<framework>/<role>/<alg>/<kind>`.

import { postBodyProblem, send } from './correctness.ts';
import { AUTH_ALGS, authRequest, bearerRequest, kindsOf, prepareAuthFixture, type AuthAlg, type AuthKind, type PreparedFixture } from './authWorkload.ts';
import type { AuthCaseResult, AuthRole } from './results.ts';
import type { PreparedSuite, ServerSpec } from './suite.ts';
import { ROUTE } from './workload.ts';

export interface AuthFramework {
  readonly id: string;
  readonly label: string;
  readonly packages: readonly string[];
  /** The same app without authentication (the CORS suite's bare servers: they ignore the header). */
  readonly bare: string;
  readonly gatehouse: string;
  /** The CORS suite's Gatehouse server (3 origins, no auth): what Gatehouse costs before authentication. */
  readonly gatehouseNoAuth: string;
  readonly gatehouseVia: string;
  /** The framework's JWT package, with the algorithms it verifies and why it skips the others. */
  readonly peer?: { readonly name: string; readonly server: string; readonly packages: readonly string[]; readonly algs: readonly AuthAlg[]; readonly missing: Readonly<Partial<Record<AuthAlg, string>>> };
}

const NOT_JWT = 'verifies JWTs only; API keys are a Gatehouse feature';

export const AUTH_FRAMEWORKS: readonly AuthFramework[] = [
  { id: 'node', label: 'node:http', packages: [], bare: 'node-bare.ts', gatehouse: 'node-gatehouse-auth.ts', gatehouseNoAuth: 'node-gatehouse.ts', gatehouseVia: '`withGatehouse(handler, options)` (src/adapters/node-http.ts)' },
  {
    id: 'fastify',
    label: 'Fastify 5',
    packages: ['fastify'],
    bare: 'fastify-bare.ts',
    gatehouse: 'fastify-gatehouse-auth.ts',
    gatehouseNoAuth: 'fastify-gatehouse.ts',
    gatehouseVia: '`app.register(gatehousePlugin, options)` (src/adapters/fastify.ts)',
    peer: { name: '@fastify/jwt', server: 'fastify-jwt.ts', packages: ['@fastify/jwt', 'fast-jwt'], algs: ['HS256', 'ES256', 'EdDSA'], missing: { apikey: NOT_JWT } },
  },
  {
    id: 'express',
    label: 'Express 5',
    packages: ['express'],
    bare: 'express-bare.ts',
    gatehouse: 'express-gatehouse-auth.ts',
    gatehouseNoAuth: 'express-gatehouse.ts',
    gatehouseVia: '`app.use(gatehouseMiddleware(options))` (src/adapters/express.ts)',
    peer: {
      name: 'express-jwt',
      server: 'express-jwt.ts',
      packages: ['express-jwt', 'jsonwebtoken'],
      algs: ['HS256', 'ES256'],
      missing: {
        EdDSA: 'not supported: express-jwt verifies with jsonwebtoken 9, which knows HS*, RS*, PS* and ES* only; given an Ed25519 key, `jwt.verify` throws `Unknown key type "ed25519"`',
        apikey: NOT_JWT,
      },
    },
  },
];

export const authMeasurementId = (framework: string, role: AuthRole, alg: AuthAlg | 'none', kind: AuthKind): string => `auth/${framework}/${role}/${alg}/${kind}`;

/** The suite's servers, one group per framework: the bare app, then each algorithm's peer and Gatehouse. */
export function authServerCases(prepared: PreparedFixture): ServerSpec[][] {
  return AUTH_FRAMEWORKS.map((f) => {
    const servers: ServerSpec[] = [];
    const spec = (role: AuthRole, file: string, alg: AuthAlg | 'none'): ServerSpec => {
      // Servers without authentication get the HS256 token too: the same request, ignored.
      const sent = alg === 'none' ? 'HS256' : alg;
      const authenticates = alg !== 'none';
      return {
        label: `auth/${f.id}/${role}/${alg}`,
        file,
        env: { BENCH_AUTH_FIXTURE: prepared.path, BENCH_AUTH_ALG: sent, BENCH_LIST: '3' },
        notesKey: `${f.id}/${role}`,
        runs: (authenticates ? kindsOf(sent) : (['valid'] as const)).map((kind) => ({ id: authMeasurementId(f.id, role, alg, kind), request: authRequest(prepared, sent, kind) })),
        verify: (port) => verifyAuthServer(port, prepared, sent, authenticates),
      };
    };
    servers.push(spec('bare', f.bare, 'none'), spec('gatehouse-noauth', f.gatehouseNoAuth, 'none'));
    for (const alg of AUTH_ALGS) {
      if (f.peer?.algs.includes(alg)) servers.push(spec('peer', f.peer.server, alg));
      servers.push(spec('gatehouse', f.gatehouse, alg));
    }
    return servers;
  });
}

/** valid → 200 with the post; expired (revoked), forged and no credentials → 401. */
export async function verifyAuthServer(port: number, prepared: PreparedFixture, alg: AuthAlg, authenticates: boolean): Promise<string | undefined> {
  const { fixture } = prepared;
  const checks: [string, () => Promise<string | undefined>][] = [
    ['valid', async () => postBodyProblem(await send(port, authRequest(prepared, alg, 'valid')))],
  ];
  if (authenticates) {
    const refusedOf = (what: string, status: number) => (status === 401 ? undefined : `status ${status} for ${what}, expected 401`);
    checks.push(
      ['refused', async () => refusedOf(alg === 'apikey' ? 'a revoked key' : 'an expired token', (await send(port, authRequest(prepared, alg, 'refused'))).status)],
      ['forged', async () => refusedOf(alg === 'apikey' ? 'a key of another store' : 'a token signed by another key', (await send(port, bearerRequest(fixture.forged[alg], 401))).status)],
      ['none', async () => refusedOf('no credentials', (await send(port, { method: 'GET', path: ROUTE, headers: {} })).status)],
    );
  }
  for (const [name, check] of checks) {
    try {
      const problem = await check();
      if (problem !== undefined) return `${name}: ${problem}`;
    } catch (error) {
      return `${name}: ${(error as Error).message}`;
    }
  }
  return undefined;
}

export async function prepareAuthSuite(): Promise<PreparedSuite> {
  const prepared = await prepareAuthFixture();
  return {
    id: 'auth',
    groups: authServerCases(prepared),
    extraIds: [],
    packages: ['jose', 'better-sqlite3', 'kysely', ...new Set(AUTH_FRAMEWORKS.flatMap((f) => [...f.packages, ...(f.peer?.packages ?? [])]))],
    result(measured): AuthCaseResult {
      const [, framework, role, alg, kind] = measured.id.split('/') as [string, string, AuthRole, AuthAlg | 'none', AuthKind];
      return { ...measured, framework, role, alg, kind };
    },
    cleanup: prepared.cleanup,
  };
}
