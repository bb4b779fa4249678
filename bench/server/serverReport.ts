// The server benchmark's outputs: a console table, and the markdown section merged into
// docs/benchmarks.md (written to /work/briefs/server-bench.md by run.ts).

import type { ModeId, ModeResult, Results, Run } from './run.ts';
import type { StackId } from './stacks.ts';

const STACKS: readonly StackId[] = ['gatehouse', 'django'];
const MODE_IDS: readonly ModeId[] = ['pinned', 'unpinned'];
const LABEL: Readonly<Record<StackId, string>> = { gatehouse: 'Gatehouse (`gatehouse serve`)', django: 'Django + DRF + simplejwt + cors-headers (gunicorn)' };
const SHORT: Readonly<Record<StackId, string>> = { gatehouse: 'Gatehouse', django: 'Django stack' };
const MODE_LABEL: Readonly<Record<ModeId, string>> = {
  pinned: 'pinned: each server restricted to core 0, wrk on core 1 (headline)',
  unpinned: 'unpinned: servers and wrk share both cores',
};

const n = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (kb: number) => `${n(kb / 1024, 1)} MB`;
const ms = (value: number) => (value < 10 ? n(value, 2) : n(value, 1));
const x = (ratio: number) => `${n(ratio, 1)}×`;

export function renderTable(results: Results): string {
  const rows = [['setup', 'stack', 'req/s', 'p50 ms', 'p99 ms', 'cores', 'µs CPU/req', 'RSS rest', 'RSS peak']];
  for (const mode of MODE_IDS) {
    const m = results.modes[mode];
    for (const id of STACKS) {
      const s = m.summary[id];
      rows.push([mode, id, n(s.rps), ms(s.p50Ms), ms(s.p99Ms), n(s.serverCpu, 2), n(s.serverCpuUsPerRequest), mb(results.memory[id].rest.rssKb), mb(results.memory[id].peakRssKb)]);
    }
    rows.push([mode, 'ratio', x(m.rpsRatio), x(m.p50Ratio), x(m.p99Ratio), '', x(m.cpuRatio), '', '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  const h = results.headline;
  lines.push(
    '',
    `headline (pinned): Gatehouse ${x(h.rpsRatio)} the Django stack's req/s (target ≥ ${results.settings.targetRatio}×: ${h.met ? 'met' : 'MISSED'}); p99 ${h.p99Lower ? 'lower' : 'NOT lower'}`,
    `machine: other processes used a median ${n(results.quiet.foreignMedian, 2)} (max ${n(results.quiet.foreignMax, 2)}) of a core per measurement; load average ${results.quiet.loadBefore.join(' ')} before, ${results.quiet.loadAfter.join(' ')} after`,
  );
  return lines.join('\n');
}

function modeTable(mode: ModeId, m: ModeResult): string[] {
  const lines = [
    `| ${MODE_LABEL[mode]} | req/s (median; min–max) | p50 latency | p99 latency | server CPU (cores) | server CPU per request |`,
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const id of STACKS) {
    const s = m.summary[id];
    lines.push(`| ${LABEL[id]} | ${n(s.rps)} (${n(s.rpsMin)}–${n(s.rpsMax)}) | ${ms(s.p50Ms)} ms | ${ms(s.p99Ms)} ms | ${n(s.serverCpu, 2)} | ${n(s.serverCpuUsPerRequest)} µs |`);
  }
  lines.push(`| **Gatehouse / Django** | **${x(m.rpsRatio)}** | ${x(m.p50Ratio)} lower | ${x(m.p99Ratio)} lower | | ${x(m.cpuRatio)} less |`);
  return lines;
}

/** A cost the profile can show, and what to do about it when it does. */
interface Lead {
  /** Share of the busy time, from the profile. */
  readonly share: number;
  readonly text: (share: string) => string;
}

/** Leads above 1% of the busy time, largest first (the code paths were read in src/ at the time of writing). */
function suggestions(p: NonNullable<Results['profile']>, results: Results): string[] {
  const sum = (entries: readonly { name: string; share: number }[], test: (name: string) => boolean) => entries.filter((e) => test(e.name)).reduce((total, e) => total + e.share, 0);
  const fn = p.selfByFunction;
  const area = p.selfByArea;
  const kyselyBuild = sum(area, (name) => name === 'node_modules/kysely') - sum(fn, (name) => name.startsWith('executeQuery node_modules/kysely'));
  const leads: Lead[] = [
    {
      share: sum(fn, (name) => name.startsWith('prepare node_modules/better-sqlite3')),
      text: (share) => `**A statement prepared per query** (better-sqlite3 \`prepare\`: ${share}). kysely's SqliteDriver prepares every query anew; src/store/database.ts \`openSqlite\` should hand kysely a database whose \`prepare\` returns a cached Statement per SQL text.`,
    },
    {
      share: kyselyBuild,
      text: (share) => `**Queries built and compiled per request** (kysely outside \`executeQuery\`: ${share}): compile the hot query once and run \`db.executeQuery({ ...compiled, parameters })\`, as src/store/posts.ts \`get\` and src/auth/apiKeys/apiKeyStore.ts \`byHash\` do; src/store/users.ts \`byId\` (POST, admin routes) is the next candidate.`,
    },
    {
      share: sum(fn, (name) => name.startsWith('verify src/auth/jwt/jwtVerifier.ts')) + sum(fn, (name) => name.startsWith('hash node:internal')),
      text: (share) => `**The token check on a cache hit** (\`verify\` in src/auth/jwt/jwtVerifier.ts and the SHA-256 it runs, \`hash\`: ${share}). Each call hashes the whole token for the cache key (\`cacheKeyOf\`), moves the entry to the back of the LRU Map (a delete and a set), and copies the Principal with two new Sets. Keying the cache by the token itself (already bounded by MAX_TOKEN_LENGTH and the cache size) or by its signature segment drops the hash; handing out the cached, frozen Principal with read-only Sets drops the copies.`,
    },
    {
      share: sum(fn, (name) => name.startsWith('postJson src/server/routes/posts.ts')),
      text: (share) => `**Rendering the post** (\`postJson\` in src/server/routes/posts.ts: ${share}): two \`Date#toISOString()\` per answer on Dates that src/store/posts.ts \`toPost\` builds from epoch milliseconds. A response schema on the route (Fastify's fast-json-stringify) would also replace the generic \`JSON.stringify\` in Fastify's \`serialize\`.`,
    },
    {
      share: sum(area, (name) => name === 'node_modules/pino'),
      text: (share) => `**A child logger per request** (pino: ${share}): Fastify creates \`request.log\` with the request id for every request, even at LOG_LEVEL=warn when nothing is written. src/server/app.ts \`buildApp\` could pass Fastify a \`childLoggerFactory\` that binds the id lazily.`,
    },
    {
      share: sum(area, (name) => name === 'node_modules/rate-limiter-flexible') + sum(fn, (name) => name.startsWith('rateLimitHeaders ')),
      text: (share) => `**Counting the rate limit** (rate-limiter-flexible: ${share}), the price of per-principal limits in process memory; the Django stack here counts none.`,
    },
    {
      share: sum(area, (name) => name === '(garbage collector)'),
      text: (share) => `**Garbage** (GC: ${share}): per request the verifier's Principal copy, the adapter's facts object and header target (src/adapters/fastify.ts), the RateLimit header list (src/server/app.ts), and the post's Dates.`,
    },
  ];
  const shown = leads.filter((lead) => lead.share >= 0.01).sort((a, b) => b.share - a.share);
  const writev = sum(fn, (name) => name.startsWith('writev '));
  const lines = [
    'Where time could still be won back, largest first (leads above 1% of the busy time; suggestions, not applied here):',
    '',
    ...shown.map((lead, i) => `${i + 1}. ${lead.text(`${n(lead.share * 100, 1)}%`)}`),
    '',
    `What stays: \`writev\` (${n(writev * 100, 1)}%) is the socket write of each answer, the kernel's share of loopback TCP on the server core; Fastify's own routing and hooks and Node's HTTP parser are a few % each.`,
  ];
  const costs = results.queryCosts;
  if (costs !== undefined && costs.length > 0) {
    lines.push(
      '',
      'The post lookup alone (bench/server/postQueryCost.ts, in-process on core 0, CPU µs per call, median of 5 rounds of 2,000):',
      '',
      '| lookup | CPU per call |',
      '|---|---:|',
      ...costs.map((c) => `| ${c.name} | ${n(c.us, 1)} µs |`),
    );
  }
  return lines;
}

function runLine(run: Run): string {
  const errors = run.non2xx + run.socketErrors;
  return `| ${run.mode} | ${run.round} | ${SHORT[run.stack]} | ${n(run.rps)} | ${ms(run.p50Ms)} | ${ms(run.p99Ms)} | ${n(run.serverCpu, 2)} | ${n(run.wrkCpu, 2)} | ${n(run.foreignCpu, 2)}${run.remeasured ? ' (re-measured)' : ''} | ${errors === 0 ? '0' : `${run.non2xx} non-2xx, ${run.socketErrors} socket`} | ${run.otherBenchmarks.join(', ') || '–'} |`;
}

/** wrk's own CPU time per request it completed, median over Gatehouse's pinned runs. */
function wrkUsPerRequest(results: Results): number {
  const runs = results.modes.pinned.runs.filter((r) => r.stack === 'gatehouse' && r.rps > 0);
  const values = runs.map((r) => (r.wrkCpu / r.rps) * 1e6).sort((a, b) => a - b);
  return values.length === 0 ? NaN : values[values.length >> 1]!;
}

/** Under contention the req/s ratio says how the scheduler shared the core as much as what a request costs. */
function contentionNote(results: Results): string[] {
  const pinned = results.modes.pinned;
  const g = pinned.summary.gatehouse.serverCpu;
  const d = pinned.summary.django.serverCpu;
  if (Math.min(g, d) >= 0.9) return [];
  return [
    `The machine was busy: in the pinned runs Gatehouse got a median ${n(g, 2)} and the Django stack ${n(d, 2)} of their core, the rest going to other processes. Requests per second then measure how the scheduler shared core 0 as much as what a request costs (gunicorn's two workers compete for it as two processes, Gatehouse's event loop as one); **server CPU per request (${x(pinned.cpuRatio)} less for Gatehouse) is the figure contention moves least**, and on a quiet machine, where each server saturates its core, the req/s ratio would come close to it.`,
    '',
  ];
}

export function renderMarkdown(results: Results): string {
  const { settings, headline, memory, quiet } = results;
  const failures = MODE_IDS.flatMap((mode) => results.modes[mode].runs).reduce((sum, r) => sum + r.non2xx + r.socketErrors, 0);
  const pinned = results.modes.pinned;
  const g = pinned.summary.gatehouse;
  const d = pinned.summary.django;
  const out: string[] = [
    '## The ready server against the Django stack it replaces',
    '',
    `Generated by \`node --import tsx bench/server/run.ts\` on ${results.generatedAt.slice(0, 16).replace('T', ' ')} UTC (${results.runSeconds} s); every number is in bench/server/results.json.`,
    '',
    `An authenticated \`GET /api/posts/1\` from an allowed origin, through the whole stack on each side: CORS, JWT bearer authentication, the "authenticated" permission, the post read from SQLite and rendered as JSON. **Headline (one core each): Gatehouse serves ${x(headline.rpsRatio)} the Django stack's requests per second** (${n(g.rps)} against ${n(d.rps)}; target ≥ ${settings.targetRatio}×: ${headline.met ? '✅ met' : '❌ missed'}), with a p99 latency of ${ms(g.p99Ms)} ms against ${ms(d.p99Ms)} ms (${headline.p99Lower ? '✅ lower' : '❌ not lower'}) and ${x(pinned.cpuRatio)} less server CPU per request.`,
    '',
    ...contentionNote(results),
    ...modeTable('pinned', pinned),
    '',
    ...modeTable('unpinned', results.modes.unpinned),
    '',
    `Unpinned, gunicorn's workers used ${n(results.modes.unpinned.summary.django.serverCpu, 2)} cores and Gatehouse ${n(results.modes.unpinned.summary.gatehouse.serverCpu, 2)}: \`gatehouse serve\` is one process with one event loop and has no option to run one per core, so on this two-core machine it leaves a core to others while gunicorn takes both. That ratio is per machine; the pinned one is per core.`,
    '',
    `Medians of ${settings.rounds} interleaved rounds of ${settings.durationS} s per setup and server (the order alternates every round). Latencies are wrk's, from a closed loop of ${settings.connections} connections, so they include the time a request waits for a free worker. "Server CPU per request" is the server's own CPU time (all its processes, from /proc) divided by the requests it answered: a cost that holds whoever limited the run.`,
    '',
    '### Memory',
    '',
    '| | processes | RSS at start | RSS at rest, after warm-up | RSS peak under load | PSS at rest | PSS after the runs |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...(['gatehouse', 'django'] as const).map((id) => {
      const m = memory[id];
      return `| ${LABEL[id]} | ${m.rest.processes} | ${mb(m.started.rssKb)} | ${mb(m.rest.rssKb)} | ${mb(m.peakRssKb)} | ${mb(m.rest.pssKb)} | ${mb(m.end.pssKb)} |`;
    }),
    '',
    'RSS is VmRSS summed over the process tree (gunicorn: master + workers), sampled every 250 ms during the warm-up and the measured runs for the peak. It counts the pages gunicorn\'s workers share with their master once per process; PSS (from smaps_rollup) splits shared pages between their sharers, so it is the tree\'s real footprint.',
    ...(results.baselineMemory === undefined
      ? []
      : [
          '',
          `For scale, measured in the same run: an empty \`node\` process ${mb(results.baselineMemory.nodeKb)}, with tsx's loader (\`node --import tsx\`, how \`gatehouse serve\` runs its TypeScript sources: a module-hooks thread with its own V8 isolate) ${mb(results.baselineMemory.nodeTsxKb)}, an empty \`/usr/bin/python3\` ${mb(results.baselineMemory.pythonKb)}. A compiled build of Gatehouse would not pay for the loader.`,
        ]),
    '',
    '### Setup',
    '',
    `- Gatehouse: \`${results.commands.gatehouse}\`, with NODE_ENV=production, GATEHOUSE_SECRET_KEY set (32 random bytes), LOG_LEVEL=warn, DATABASE_URL=sqlite:<temp file> (seeded by serve: the admin and the 3 demo posts), and a config allowing ${settings.origin} with credentials and \`rateLimits: { user: 100000000/minute, anon: 100000000/minute }\` (counted on every request, in-process, never reached). Token: \`gatehouse token --user admin --lifetime 1d --json\` (HS256).`,
    `- Django stack: \`${results.commands.django}\` over bench/server/django_app (Django ${results.versions['python3-django']}, DRF ${results.versions['python3-djangorestframework']}, simplejwt ${results.versions['python3-djangorestframework-simplejwt']}, django-cors-headers ${results.versions['python3-django-cors-headers']}, gunicorn ${results.versions.gunicorn}, all Debian packages under /usr/bin/python3 ${results.versions['python3 (Debian)']}): ${results.machine.gunicornWorkers} sync workers (as many as cores), no access log; DEBUG=False; a \`Post\` model (title, body, owner → auth.User, created_at, updated_at) created by \`migrate\` and seeded with the same admin and posts; a DRF \`ModelViewSet\` (SimpleRouter, \`select_related("owner")\`) with the same JSON fields; simplejwt's \`JWTAuthentication\` (HS256, ACCESS_TOKEN_LIFETIME 1 day, token from \`RefreshToken.for_user\`); \`IsAuthenticated\`; CorsMiddleware with CORS_ALLOWED_ORIGINS = [${settings.origin}] and credentials.`,
    '- The Django stack is configured lean, so the comparison does not flatter Gatehouse: only CorsMiddleware, SecurityMiddleware and CommonMiddleware (no sessions, CSRF, messages: a JWT API needs none), JSONRenderer only (no browsable API), persistent SQLite connections (CONN_MAX_AGE=None) rather than a new connection per request, and no DRF throttling. Gatehouse, meanwhile, counts a rate limit, sets an X-Request-Id, RateLimit and security headers on every answer. DRF\'s throttles were left out because they cannot be "counted but never hit": SimpleRateThrottle keeps one timestamp per request of the window in the cache, so at 100000000/minute every request would read and write a list of every request of the last minute, a cost that grows through the run.',
    '- Per request, simplejwt loads the user from the database (`JWTAuthentication.get_user`) and the view reads the post joined with its owner; Gatehouse verifies the token without a query (the signature check is cached by a hash of the token, as src/auth/jwt/jwtVerifier.ts does for every token; expiry and the in-memory revocation list are asked on every request) and reads the post joined with its owner in one query.',
    `- Load: wrk ${results.versions.wrk} (\`wrk -t1 -c${settings.connections} -d${settings.durationS}s --latency\`, taskset to the wrk core) with the Origin and Authorization headers, after a ${settings.warmupS} s warm-up of each server. wrk rather than autocannon: C and epoll, about ${n(wrkUsPerRequest(results))} µs of CPU per request here (Gatehouse's pinned runs), so on its one core it is never the limit, and in the unpinned setup it takes less CPU from the servers. gunicorn's sync workers close the connection after every answer (they have no keep-alive), so wrk reconnects for every Django request; that is how this stack serves without a proxy in front, and it is counted as part of it.`,
    `- CPU: the headline gives both servers the same single core. gunicorn keeps the issue's "sync workers, as many as cores" (${results.machine.gunicornWorkers}), both workers and the master on core 0, time-sharing it; Gatehouse is one Node process on core 0. In the unpinned setup the same processes are let loose on both cores (taskset -a -p), where gunicorn's two workers can run in parallel and Gatehouse's one event loop cannot, but both share the cores with wrk.`,
    `- Before measuring, both servers answered: allowed origin + token → 200, the first demo post as JSON, Access-Control-Allow-Origin and Vary: Origin; no token → 401 with a Bearer challenge; another origin → the post without CORS headers; a forged signature → 401. ${failures === 0 ? 'Every measured answer was 2xx (wrk counts the others).' : `${failures} measured answers were not 2xx or failed (see "Every run").`}`,
    `- Log lines written at warn during the warm-up and every measured run: Gatehouse ${results.logLinesDuringLoad.gatehouse.count}, Django ${results.logLinesDuringLoad.django.count}${results.logLinesDuringLoad.gatehouse.count > 0 ? ` (first: \`${results.logLinesDuringLoad.gatehouse.sample.split('\n')[0]!.slice(0, 200)}\`)` : ''}.`,
    `- Machine: ${results.machine.cores} cores (${results.machine.cpu}), Linux ${results.machine.kernel}, Node ${results.machine.node}, shared with other work. Load average ${quiet.loadBefore.join(' ')} before, ${quiet.loadAfter.join(' ')} after. Other processes used a median ${n(quiet.foreignMedianByMode.pinned, 2)} of a core during a pinned measurement and ${n(quiet.foreignMedianByMode.unpinned, 2)} during an unpinned one (max ${n(quiet.foreignMax, 2)}; per run under "Every run"); a run above ${n(settings.foreignLimit, 2)} was measured once more after a quiet second, within a ${settings.quietBudgetS} s budget (${quiet.remeasured} re-measured).${results.waitedForOthersS > 0 ? ` It first waited ${results.waitedForOthersS} s for other benchmarks to finish and the machine to calm down.` : ''}${quiet.runsBesideOtherBenchmarks === 0 ? ' No other benchmark was running.' : ` ${quiet.runsBesideOtherBenchmarks} of ${MODE_IDS.reduce((sum, mode) => sum + results.modes[mode].runs.length, 0)} measurements ran beside another benchmark (${quiet.otherBenchmarks.join(', ')}), whose servers and load generator use the same cores.`} Interleaving keeps the ratio fair when the machine is busy; the absolute numbers move with it.`,
  ];
  if (results.profile !== undefined) {
    const p = results.profile;
    out.push(
      '',
      '### Where Gatehouse spends its time',
      '',
      `A separate \`gatehouse serve\` under \`node --cpu-prof\`, pinned like the headline and loaded the same way for ${p.durationS} s (${n(p.rps)} req/s under the profiler). Self time by area, in % of the busy (non-idle) time of the main thread:`,
      '',
      '| area | self time | ≈ CPU µs per request |',
      '|---|---:|---:|',
      ...p.selfByArea.slice(0, 15).map((e) => `| ${e.name} | ${n(e.share * 100, 1)}% | ${n(e.share * results.modes.pinned.summary.gatehouse.serverCpuUsPerRequest, 1)} |`),
      '',
      `(µs: the share times the ${n(results.modes.pinned.summary.gatehouse.serverCpuUsPerRequest)} µs of CPU Gatehouse spent per request in the pinned runs, kernel time included, so a rough split.)`,
      '',
      'Gatehouse functions with the most time in them and in what they call (inclusive). Inclusive time follows the call stack, and Fastify runs the next hook and the route handler from inside the previous hook\'s `done()`, so the adapter\'s onRequest hook (src/adapters/fastify.ts) contains most of the request:',
      '',
      '| function | inclusive |',
      '|---|---:|',
      ...p.inclusiveGatehouse.slice(0, 15).map((e) => `| \`${e.name}\` | ${n(e.share * 100, 1)}% |`),
      '',
      'Functions with the most self time:',
      '',
      '| function | self |',
      '|---|---:|',
      ...p.selfByFunction.slice(0, 15).map((e) => `| \`${e.name}\` | ${n(e.share * 100, 1)}% |`),
      '',
      ...suggestions(p, results),
    );
  }
  out.push(
    '',
    '<details><summary>Every run</summary>',
    '',
    '| setup | round | server | req/s | p50 ms | p99 ms | server cores | wrk cores | other cores | errors | other benchmarks running |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|',
    ...MODE_IDS.flatMap((mode) => results.modes[mode].runs.map(runLine)),
    '',
    '</details>',
    '',
  );
  return out.join('\n');
}
