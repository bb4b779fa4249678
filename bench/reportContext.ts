// The context around the CORS ratios in docs/benchmarks.md: machine and method, the engine micro
// benchmark, how each implementation matches origins, and the medians every ratio comes from.

import { engineTable, type EngineKind, type EngineReport } from './engine.ts';
import { fixed, mediansTable } from './ratioBook.ts';
import type { CaseResult, RunReport } from './results.ts';
import { FRAMEWORKS } from './variants.ts';
import { LISTS, REQUEST_KINDS, type ListId } from './workload.ts';

export { fixed } from './ratioBook.ts';

export function methodSection(run: RunReport): string[] {
  const m = run.method;
  const v = Object.entries(run.versions).map(([name, version]) => `${name} ${version}`).join(', ');
  const minutes = (new Date(run.finished).getTime() - new Date(run.started).getTime()) / 60_000;
  return [
    `- Machine: ${run.machine.nproc} cores, ${run.machine.cpuModel}, ${run.machine.kernel}, Node ${run.machine.node}. Load average before ${run.machine.loadBefore}, after ${run.machine.loadAfter} (other work on the machine shows up as noise).`,
    `- Packages: ${v}.`,
    `- Pinning: ${m.pinNote}. Loopback only (127.0.0.1), HTTP/1.1 keep-alive.`,
    `- Load: autocannon in-process, ${m.connections} connections, pipelining ${m.pipelining}, ${m.durationS} s per measurement (BENCH_DURATION; its default is 2 s rather than 5 s so that the full run of about 100 measurements × 3 rounds stays under 15 minutes), after a ${m.warmupS} s warm-up per server that cycles through all its request kinds.`,
    `- Gatehouse mounted with each framework's adapter: ${FRAMEWORKS.map((f) => `${f.label}: ${f.gatehouseVia}`).join('; ')}. Peers: ${FRAMEWORKS.filter((f) => f.peer).map((f) => `${f.peer!.name} (${f.label})`).join(', ')}.`,
    `- Rounds: ${m.rounds}. Every server of a framework is started once and kept running; each round measures all of that framework's cases in turn, in the opposite order every other round (ABC CBA ABC), so drift cancels instead of favouring whoever ran first. Every number is the MEDIAN over the rounds; the appendix gives the spread.`,
    '- Before measuring, each server answers the allowed, refused and preflight requests once and is checked (Access-Control-Allow-Origin echoed for the allowed origin with credentials, exposed headers and Vary; absent for the refused one; preflight granting PUT, content-type, authorization, max-age 86400; the JSON body). A server that answers wrong is not measured and is listed under "Not measured".',
    '- Gatehouse is loaded from its TypeScript sources through tsx, as the package ships (its exports point at src/*.ts); the peers and frameworks are plain JavaScript. tsx compiles with esbuild\'s keepNames, which adds an Object.defineProperty call for each closure Gatehouse creates per request; a build without keepNames would be somewhat cheaper.',
    '- Policy, identical everywhere: credentials on; methods GET, POST, PUT, PATCH, DELETE, OPTIONS; allowed headers accept, authorization, content-type, x-requested-with; exposed header x-request-id; max-age 86400. Allowed origin: the LAST entry of each list; refused origin: https://evil.example.net. The app: GET /api/posts/1 answering {"id":1,"title":"hello"} in each framework\'s idiom. NODE_ENV=production. Gatehouse runs with its logger off except where stated.',
    `- Shared machine: CPU time used during a measurement by neither the server nor the load generator is counted (from /proc/stat). A run during which it exceeded ${fixed(m.foreignLimit * 100, 0)}% of a core was measured again after the machine had been quiet for a second (at most ${m.maxRetries} times); ${m.retries} run(s) were repeated this way. The appendix shows what remained.`,
    `- Run time: ${fixed(minutes, 1)} min.`,
  ];
}

export function engineSection(engine: EngineReport): string[] {
  const ns = (list: ListId, kind: EngineKind) => engine.results.find((e) => e.list === list && e.kind === kind)?.nsPerOp;
  const kinds = ['allowed', 'refused', 'preflight', 'allowed-distinct', 'refused-distinct'] as const;
  const ratioRow = (list: ListId) => kinds.map((k) => {
    const a = ns(list, k);
    const b = ns('3', k);
    return a !== undefined && b !== undefined ? fixed(a / b, 2) : '–';
  });
  return [
    '### Engine alone: gatehouse.cors.decide()',
    '',
    `bench/engine.ts calls decide() in-process (no HTTP) with prebuilt request facts, the same policy and allowlists as the servers, the logger off. ns per decision, median of ${engine.rounds} interleaved rounds of ~${engine.batchMs} ms each (± half the interquartile range). "Distinct origins" cycles through 10,000 different origins (allowed: the list's own entries, or 10,000 subdomains for patterns and regexes; refused: 10,000 hosts under evil.example.net), which defeats the per-origin caches; for refusals it also meets whatever Gatehouse does against a flood of new refused origins.`,
    '',
    engineTable(engine),
    '',
    '| ratio | GET, allowed | GET, refused | preflight | allowed, distinct | refused, distinct |',
    '|---|---:|---:|---:|---:|---:|',
    `| 10,000 exact / 3 exact | ${ratioRow('10k').join(' | ')} |`,
    `| 100 patterns / 3 exact | ${ratioRow('patterns').join(' | ')} |`,
    `| 100 regexes / 3 exact | ${ratioRow('regexes').join(' | ')} |`,
  ];
}

export const MATCHING_NOTES = [
  '- **Gatehouse**: exact origins in a Set (one hash look-up whatever the length); wildcard patterns indexed by their domain suffix (one look-up per parent domain of the request host); regexes tested in order, but every pattern/regex answer is cached per origin (4,096 entries, cleared when full). A refusal is explained (nearest allowed origin, what differs) and the explanation cached per origin (1,024 entries).',
  '- **cors** (Express): an array is scanned entry by entry on every request (`isOriginAllowed`: `===` for strings, `.test` for RegExp). Linear in the list length.',
  '- **@fastify/cors**: on every request it first runs `indexOf(\'*\')` over the whole array, then scans entry by entry (`isRequestOriginAllowed`): two linear passes, the first one even when the origin is the first entry.',
  '- **@koa/cors**: takes no array at all (`origin` is a string or a function). The benchmark passes the predicate users usually write, `list.includes(origin)` (RegExp lists: `list.some(r => r.test(origin))`): linear.',
  '- **hono/cors**: an array goes through `Array.prototype.includes`: linear. It takes no RegExp, so the regex lists are passed as a function, as above.',
];

export function appendix(results: readonly CaseResult[]): string[] {
  const lines = [
    '### Appendix: medians',
    '',
    'Median over the rounds of each measurement. req/s: requests completed / duration of the run (its mean rate). Spread: (max − min) / median of req/s over the rounds. Latency from every response\'s own timing. Server CPU: share of its core the server process used; client CPU: same for the load generator (near 100% means the load generator, not the server, may have been the limit); other load: the most CPU any other process on the machine took during a kept round, in % of a core. "bare" rows are the app without CORS (every GET is the same request there).',
    '',
  ];
  const order = (c: CaseResult) => [FRAMEWORKS.findIndex((f) => f.id === c.framework), ['bare', 'peer', 'gatehouse', 'gatehouse-logged'].indexOf(c.role), LISTS.indexOf(c.list), [...REQUEST_KINDS, 'refused-distinct'].indexOf(c.kind)];
  const sorted = [...results].sort((a, b) => {
    const x = order(a);
    const y = order(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return 0;
  });
  return [...lines, ...mediansTable(sorted.map((c) => [c.role === 'bare' ? `${c.framework}/bare (no CORS) GET` : c.id, c] as const))];
}
