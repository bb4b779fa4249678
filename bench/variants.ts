// What is measured: one entry per framework, naming its server variants in bench/servers/. Adding a
// framework is one entry here and its bare, peer and Gatehouse files there.

import { LISTS, REQUEST_KINDS, type ListId, type RequestKind } from './workload.ts';

export type Role = 'bare' | 'peer' | 'gatehouse' | 'gatehouse-logged';

export interface FrameworkEntry {
  readonly id: string;
  readonly label: string;
  /** Packages whose versions the report lists. */
  readonly packages: readonly string[];
  /** The CORS package Gatehouse is compared with, if the framework has one. */
  readonly peer?: { readonly name: string; readonly server: string };
  readonly bare: string;
  readonly gatehouse: string;
  /** How the Gatehouse variant mounts Gatehouse, for the report. */
  readonly gatehouseVia: string;
  /**
   * Also price what refusals cost beyond the common case: a new refused origin on every request
   * (Gatehouse's caches miss), and the default logger's line per refusal. node:http only: it is the
   * same engine code under every framework.
   */
  readonly priceRefusals?: boolean;
}

export const FRAMEWORKS: readonly FrameworkEntry[] = [
  { id: 'node', label: 'node:http', packages: [], bare: 'node-bare.ts', gatehouse: 'node-gatehouse.ts', gatehouseVia: '`withGatehouse(handler, options)` from src/adapters/node-http.ts', priceRefusals: true },
  { id: 'express', label: 'Express 5', packages: ['express'], peer: { name: 'cors', server: 'express-cors.ts' }, bare: 'express-bare.ts', gatehouse: 'express-gatehouse.ts', gatehouseVia: '`app.use(gatehouseMiddleware(options))` from src/adapters/express.ts' },
  { id: 'fastify', label: 'Fastify 5', packages: ['fastify'], peer: { name: '@fastify/cors', server: 'fastify-cors.ts' }, bare: 'fastify-bare.ts', gatehouse: 'fastify-gatehouse.ts', gatehouseVia: '`app.register(gatehousePlugin, options)` from src/adapters/fastify.ts' },
  { id: 'koa', label: 'Koa 3', packages: ['koa'], peer: { name: '@koa/cors', server: 'koa-cors.ts' }, bare: 'koa-bare.ts', gatehouse: 'koa-gatehouse.ts', gatehouseVia: '`app.use(gatehouseMiddleware(options))` from src/adapters/koa.ts' },
  { id: 'hono', label: 'Hono 4 (@hono/node-server)', packages: ['hono', '@hono/node-server'], peer: { name: 'hono/cors', server: 'hono-cors.ts' }, bare: 'hono-bare.ts', gatehouse: 'hono-gatehouse.ts', gatehouseVia: "`app.use('*', gatehouseMiddleware(options))` from src/adapters/hono.ts" },
];

/** One server process: a variant with one allowlist, and the request kinds measured on it. */
export interface ServerCase {
  readonly framework: FrameworkEntry;
  readonly role: Role;
  readonly file: string;
  readonly list: ListId;
  readonly kinds: readonly RequestKind[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * A peer has no wildcard patterns: in the pattern case it is given the same 100 RegExp as in the
 * regex case, so it runs once, under 'regexes', and serves both comparisons.
 */
export const PEER_LISTS: readonly ListId[] = ['3', '10k', 'regexes'];
export const peerListFor = (list: ListId): ListId => (list === 'patterns' ? 'regexes' : list);

export function serverCases(framework: FrameworkEntry): ServerCase[] {
  const cases: ServerCase[] = [];
  // Without CORS every GET is the same request, and there is no preflight to answer.
  cases.push({ framework, role: 'bare', file: framework.bare, list: '3', kinds: ['allowed'], env: {} });
  for (const list of LISTS) {
    if (framework.peer !== undefined && PEER_LISTS.includes(list)) {
      cases.push({ framework, role: 'peer', file: framework.peer.server, list, kinds: REQUEST_KINDS, env: {} });
    }
    cases.push({ framework, role: 'gatehouse', file: framework.gatehouse, list, kinds: REQUEST_KINDS, env: {} });
  }
  if (framework.priceRefusals) {
    cases.push({ framework, role: 'gatehouse', file: framework.gatehouse, list: '3', kinds: ['refused-distinct'], env: {} });
    cases.push({ framework, role: 'gatehouse-logged', file: framework.gatehouse, list: '3', kinds: ['refused'], env: { BENCH_GATEHOUSE_LOG: '1' } });
  }
  return cases;
}

/** The id BENCH_FILTER matches and the report keys on: `express/peer/10k/refused`. */
export const measurementId = (framework: string, role: Role, list: ListId, kind: RequestKind): string => `${framework}/${role}/${list}/${kind}`;
