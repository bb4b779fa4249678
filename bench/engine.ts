// Micro benchmark of gatehouse.cors.decide() in-process, no HTTP: what one decision costs for each
// allowlist shape, with the same policy the HTTP variants use. Besides the three request kinds it
// measures a stream of DISTINCT origins (allowed and refused), which defeats the per-origin caches in
// the origin matcher and the refusal explainer, and so shows what a flood of new origins costs.
//
//   node --import tsx bench/engine.ts                  prints a table
//   node --import tsx bench/engine.ts --json out.json  also writes the results (bench/run.ts does)
// Env: BENCH_QUICK=1 (fewer, shorter rounds), BENCH_FILTER=<substring of "engine/<list>/<kind>">.

import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CorsDecision, CorsRequest } from '../src/cors/corsEngine.ts';
import { createGatehouse } from '../src/gatehouse.ts';
import { median, relativeIqr } from './stats.ts';
import { ALLOWED_ORIGIN, benchRequest, gatehouseCors, LIST_LABELS, LISTS, peerOrigins, type ListId } from './workload.ts';

export const ENGINE_KINDS = ['allowed', 'refused', 'preflight', 'allowed-distinct', 'refused-distinct'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export const ENGINE_KIND_LABELS: Readonly<Record<EngineKind, string>> = {
  allowed: 'GET, allowed',
  refused: 'GET, refused',
  preflight: 'preflight',
  'allowed-distinct': 'allowed, distinct origins',
  'refused-distinct': 'refused, distinct origins',
};

export interface EngineResult {
  readonly list: ListId;
  readonly kind: EngineKind;
  readonly nsPerOp: number;
  /** Interquartile range / median over the rounds. */
  readonly spread: number;
}

export interface EngineReport {
  readonly rounds: number;
  readonly batchMs: number;
  readonly results: readonly EngineResult[];
}

const DISTINCT = 10_000;

function facts(method: 'GET' | 'OPTIONS', headers: Readonly<Record<string, string>>): CorsRequest {
  return { method, path: '/api/posts/1', origin: headers.origin, header: (name) => headers[name], secure: false, host: '127.0.0.1:8000' };
}

/** The requests one case cycles through, and what allowOrigin each decision must carry. */
function workload(list: ListId, kind: EngineKind): { requests: CorsRequest[]; expected: (string | undefined)[] } {
  if (kind === 'allowed' || kind === 'refused' || kind === 'preflight') {
    const request = benchRequest(kind, list);
    return { requests: [facts(request.method, request.headers)], expected: [kind === 'refused' ? undefined : ALLOWED_ORIGIN[list]] };
  }
  let origins: string[];
  if (kind === 'refused-distinct') origins = Array.from({ length: DISTINCT }, (_, i) => `https://x${i}.evil.example.net`);
  else if (list === 'patterns' || list === 'regexes') origins = Array.from({ length: DISTINCT }, (_, i) => `https://u${i}.tenant${i % 100}.example.com`);
  else origins = peerOrigins(list) as string[];
  return {
    requests: origins.map((origin) => facts('GET', { origin })),
    expected: origins.map((origin) => (kind === 'refused-distinct' ? undefined : origin)),
  };
}

interface Case {
  readonly list: ListId;
  readonly kind: EngineKind;
  readonly run: (iterations: number) => number;
  iterations: number;
  readonly samples: number[];
}

function buildCase(list: ListId, kind: EngineKind): Case {
  const cors = createGatehouse({ cors: gatehouseCors(list), logger: false }).cors;
  const { requests, expected } = workload(list, kind);
  // Check a sample: an uncached refusal can take milliseconds, and there are 10,000 of them.
  requests.slice(0, 200).forEach((request, i) => {
    const decision = cors.decide(request) as CorsDecision;
    if (decision instanceof Promise || decision.allowOrigin !== expected[i]) {
      throw new Error(`engine/${list}/${kind}: wrong decision for ${request.origin}: allowOrigin ${String((decision as CorsDecision).allowOrigin)}`);
    }
  });
  const n = requests.length;
  let next = 0;
  const run = (iterations: number): number => {
    let sink = 0;
    for (let i = 0; i < iterations; i++) {
      sink += (cors.decide(requests[next]!) as CorsDecision).headers.length;
      next = next + 1 === n ? 0 : next + 1;
    }
    return sink;
  };
  // Start at one call: an uncached refusal can take milliseconds.
  return { list, kind, run, iterations: 1, samples: [] };
}

function timeBatch(c: Case): number {
  const t0 = process.hrtime.bigint();
  globalSink += c.run(c.iterations);
  return Number(process.hrtime.bigint() - t0);
}

let globalSink = 0;

export function runEngineBench(options: { quick: boolean; filter: string }): EngineReport {
  const rounds = options.quick ? 3 : 9;
  const batchMs = options.quick ? 10 : 40;
  const cases: Case[] = [];
  for (const list of LISTS) {
    for (const kind of ENGINE_KINDS) {
      if (`engine/${list}/${kind}`.includes(options.filter)) cases.push(buildCase(list, kind));
    }
  }
  // Warm up and calibrate: grow each batch until it takes about batchMs.
  for (const c of cases) {
    for (let attempt = 0; attempt < 40; attempt++) {
      const ns = timeBatch(c);
      if (ns >= batchMs * 1e6 * 0.8) break;
      c.iterations = Math.min(50_000_000, Math.ceil(c.iterations * Math.min(10, Math.max(1.5, (batchMs * 1e6) / Math.max(ns, 1)))));
    }
  }
  // Rounds interleave the cases, so drift (frequency, a neighbour's load) spreads over all of them.
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    for (const c of order) c.samples.push(timeBatch(c) / c.iterations);
  }
  if (globalSink === -1) console.log(globalSink);
  return {
    rounds,
    batchMs,
    results: cases.map((c) => ({ list: c.list, kind: c.kind, nsPerOp: median(c.samples), spread: relativeIqr(c.samples) })),
  };
}

export function engineTable(report: EngineReport): string {
  const kinds = ENGINE_KINDS.filter((kind) => report.results.some((r) => r.kind === kind));
  const lines = [`| allowlist | ${kinds.map((k) => `${ENGINE_KIND_LABELS[k]} (ns/op)`).join(' | ')} |`, `|---|${kinds.map(() => '---:').join('|')}|`];
  for (const list of LISTS) {
    const row = kinds.map((kind) => {
      const r = report.results.find((x) => x.list === list && x.kind === kind);
      return r === undefined ? '–' : `${Math.round(r.nsPerOp).toLocaleString('en-US')} ±${Math.round((r.spread * 100) / 2)}%`;
    });
    if (row.some((cell) => cell !== '–')) lines.push(`| ${LIST_LABELS[list]} | ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const jsonAt = process.argv.indexOf('--json');
  const report = runEngineBench({ quick: process.env.BENCH_QUICK === '1', filter: process.env.BENCH_FILTER ?? '' });
  console.log(engineTable(report));
  if (jsonAt !== -1 && process.argv[jsonAt + 1] !== undefined) writeFileSync(process.argv[jsonAt + 1]!, JSON.stringify(report, null, 2));
}
