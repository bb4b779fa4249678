// Gateway benchmark: `node --import tsx bench/gateway/run.ts [--rounds N] [--duration S] [--quick]`.
//
// A small JSON GET with an allowed Origin, through:
//   django-direct          Django REST Framework under gunicorn (sync workers = cores), no CORS at all
//   gateway-django         Gatehouse's gateway in front of it (CORS by Gatehouse)
//   nginx-django           nginx proxy_pass with `add_header` CORS lines, the usual deployment
//   django-corsheaders     the same Django with django-cors-headers, reached directly
// then the first three again with gunicorn's gthread workers, which keep connections open (sync
// workers close each one, so every proxied request pays a new connection), and, so that the proxies' own cost is not hidden behind Django's, the same three ways in front of a
// tiny node:http upstream (node-direct, gateway-node, nginx-node).
//
// Every server process is pinned to core 0 (upstream and proxy share it, as on a one-core box), wrk to
// core 1. Each round runs every case once, at one connection (latency) and at many (throughput);
// the figures are medians over rounds. Before each round the machine's background load is measured
// (this machine is shared): it is in the results. Writes bench/gateway/results.json and the markdown
// section bench/results/gateway.md, which docs/benchmarks.md includes (or --markdown FILE).

import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startDjangoUpstream, type DjangoUpstream } from '../../test/gateway/djangoUpstream.ts';
import { machineBusySeconds, waitForQuiet } from '../machineLoad.ts';
import { cpuSeconds, descendants, startNginx, startNodeScript, type BenchProcess } from './processes.ts';
import { runWrk, type WrkResult } from './wrk.ts';

const ORIGIN = 'https://app.example.com';
const SERVER_CORE = '0';
const CLIENT_CORE = '1';
const PATH = '/api/items';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
const quick = process.argv.includes('--quick');
const ROUNDS = flag('--rounds', quick ? 1 : 3);
const DURATION_S = flag('--duration', quick ? 2 : 4);
const markdownAt = process.argv.indexOf('--markdown');
const MARKDOWN_FILE = markdownAt === -1 ? 'bench/results/gateway.md' : process.argv[markdownAt + 1]!;
const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));
const GATEWAY_SCRIPT = fileURLToPath(new URL('../../test/gateway/gatewayProcess.ts', import.meta.url));
const NODE_UPSTREAM_SCRIPT = fileURLToPath(new URL('./nodeUpstream.ts', import.meta.url));

/** Runs that met more than this many cores of other work are measured again (within the budget). */
const FOREIGN_LIMIT = 0.25;
let retryBudgetS = flag('--retry-budget', 240);
let retries = 0;

/** Connections for the throughput runs: enough to keep the server core busy. */
const THROUGHPUT_CONNECTIONS = { django: 16, node: 64 } as const;

interface Case {
  readonly name: string;
  readonly set: 'django' | 'node';
  readonly port: () => number;
  /** The Access-Control-Allow-Origin the answer must carry (null: none). */
  readonly expectAllowOrigin: string | null;
}

interface RoundFigures {
  latency: WrkResult & { foreignCores: number };
  throughput: WrkResult & { foreignCores: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The share of all cores busy during one idle second: other agents' work on this shared machine. */
async function backgroundLoad(): Promise<number> {
  const before = machineBusySeconds();
  await sleep(1000);
  return (machineBusySeconds() - before) / cpus().length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

async function check(c: Case): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${c.port()}${PATH}`, { headers: { origin: ORIGIN } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${c.name}: status ${response.status}: ${text}`);
  const allow = response.headers.get('access-control-allow-origin');
  if (allow !== c.expectAllowOrigin) throw new Error(`${c.name}: Access-Control-Allow-Origin ${allow}, expected ${c.expectAllowOrigin}`);
  JSON.parse(text);
}

async function main(): Promise<void> {
  const started: (BenchProcess | DjangoUpstream)[] = [];
  const t0 = Date.now();
  const loadAtStart = loadavg();
  try {
    const workers = cpus().length;
    const django = await startDjangoUpstream('plain', { workers, taskset: SERVER_CORE });
    started.push(django);
    const djangoPort = Number(new URL(django.url).port);
    const corsheaders = await startDjangoUpstream('corsheaders', { workers, taskset: SERVER_CORE, env: { CORS_ALLOWED_ORIGINS: ORIGIN, CORS_ALLOW_CREDENTIALS: 'true' } });
    started.push(corsheaders);
    const threaded = await startDjangoUpstream('plain', { workers, threads: 4, taskset: SERVER_CORE });
    started.push(threaded);
    const threadedPort = Number(new URL(threaded.url).port);
    const nodeUpstream = await startNodeScript('node upstream', NODE_UPSTREAM_SCRIPT, [], SERVER_CORE);
    started.push(nodeUpstream);
    const gatewaySettings = (upstream: string) => [upstream, JSON.stringify({ cors: { allowedOrigins: [ORIGIN], allowCredentials: true } })];
    const gatewayDjango = await startNodeScript('gateway → django', GATEWAY_SCRIPT, gatewaySettings(django.url), SERVER_CORE);
    started.push(gatewayDjango);
    const gatewayThreaded = await startNodeScript('gateway → django gthread', GATEWAY_SCRIPT, gatewaySettings(threaded.url), SERVER_CORE);
    started.push(gatewayThreaded);
    const gatewayNode = await startNodeScript('gateway → node', GATEWAY_SCRIPT, gatewaySettings(`http://127.0.0.1:${nodeUpstream.port}`), SERVER_CORE);
    started.push(gatewayNode);
    const nginxDjango = await startNginx(djangoPort, ORIGIN, SERVER_CORE);
    started.push(nginxDjango);
    const nginxThreaded = await startNginx(threadedPort, ORIGIN, SERVER_CORE);
    started.push(nginxThreaded);
    const nginxNode = await startNginx(nodeUpstream.port, ORIGIN, SERVER_CORE);
    started.push(nginxNode);

    const cases: Case[] = [
      { name: 'django-direct', set: 'django', port: () => djangoPort, expectAllowOrigin: null },
      { name: 'gateway-django', set: 'django', port: () => gatewayDjango.port, expectAllowOrigin: ORIGIN },
      { name: 'nginx-django', set: 'django', port: () => nginxDjango.port, expectAllowOrigin: ORIGIN },
      { name: 'django-corsheaders', set: 'django', port: () => Number(new URL(corsheaders.url).port), expectAllowOrigin: ORIGIN },
      { name: 'django-gthread-direct', set: 'django', port: () => threadedPort, expectAllowOrigin: null },
      { name: 'gateway-django-gthread', set: 'django', port: () => gatewayThreaded.port, expectAllowOrigin: ORIGIN },
      { name: 'nginx-django-gthread', set: 'django', port: () => nginxThreaded.port, expectAllowOrigin: ORIGIN },
      { name: 'node-direct', set: 'node', port: () => nodeUpstream.port, expectAllowOrigin: null },
      { name: 'gateway-node', set: 'node', port: () => gatewayNode.port, expectAllowOrigin: ORIGIN },
      { name: 'nginx-node', set: 'node', port: () => nginxNode.port, expectAllowOrigin: ORIGIN },
    ];
    for (const c of cases) await check(c);

    const serverPids = new Map<string, () => number[]>([
      ['django-direct', () => descendants(django.pid)],
      ['gateway-django', () => [...gatewayDjango.pids(), ...descendants(django.pid)]],
      ['nginx-django', () => [...nginxDjango.pids(), ...descendants(django.pid)]],
      ['django-corsheaders', () => descendants(corsheaders.pid)],
      ['django-gthread-direct', () => descendants(threaded.pid)],
      ['gateway-django-gthread', () => [...gatewayThreaded.pids(), ...descendants(threaded.pid)]],
      ['nginx-django-gthread', () => [...nginxThreaded.pids(), ...descendants(threaded.pid)]],
      ['node-direct', () => nodeUpstream.pids()],
      ['gateway-node', () => [...gatewayNode.pids(), ...nodeUpstream.pids()]],
      ['nginx-node', () => [...nginxNode.pids(), ...nodeUpstream.pids()]],
    ]);
    const once = (c: Case, connections: number, durationS: number) => runWrk({ url: `http://127.0.0.1:${c.port()}${PATH}`, connections, durationS, headers: { Origin: ORIGIN }, core: CLIENT_CORE });
    /**
     * One measurement, with the CPU that neither the servers nor wrk used during it (other agents on
     * this shared machine). A run that met more than FOREIGN_LIMIT cores of it is measured again after
     * the machine goes quiet, within a time budget; the figures keep the load each run met.
     */
    const run = async (c: Case, connections: number, durationS: number): Promise<WrkResult & { foreignCores: number; retried: number }> => {
      let retried = 0;
      for (;;) {
        const pids = serverPids.get(c.name)!();
        const server0 = cpuSeconds(pids);
        const machine0 = machineBusySeconds();
        const result = await once(c, connections, durationS);
        const busy = machineBusySeconds() - machine0;
        const foreignCores = Math.max(0, (busy - (cpuSeconds(pids) - server0) - (result.clientCpuS ?? 0)) / (result.elapsedS ?? durationS));
        if (foreignCores <= FOREIGN_LIMIT || retryBudgetS <= 0 || retried >= 2) return { ...result, foreignCores: round(foreignCores, 2), retried };
        const t = Date.now();
        await waitForQuiet(0.3, 20);
        retryBudgetS -= (Date.now() - t) / 1000 + durationS;
        retried++;
        retries++;
      }
    };
    // Warm-up: JIT, connection pools, gunicorn workers.
    for (const c of cases) await once(c, THROUGHPUT_CONNECTIONS[c.set], 1);

    const figures = new Map<string, RoundFigures[]>(cases.map((c) => [c.name, []]));
    const background: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Wait (30 s at most) for less than half a core of other work, then record what there was.
      await waitForQuiet(0.5, 30);
      background.push(await backgroundLoad());
      for (const c of cases) {
        const latency = await run(c, 1, DURATION_S);
        const throughput = await run(c, THROUGHPUT_CONNECTIONS[c.set], DURATION_S);
        figures.get(c.name)!.push({ latency, throughput });
        process.stderr.write(`round ${r + 1}/${ROUNDS} ${c.name}: ${round(throughput.rps, 0)} req/s, p50 ${round(latency.p50Ms)} ms at 1 connection\n`);
      }
    }

    const summary: Record<string, { rps: number; p50Ms: number; p99Ms: number; loadedP50Ms: number; errors: number; roundsRps: number[]; roundsP50Ms: number[]; foreignCores: number[] }> = {};
    for (const c of cases) {
      const rounds = figures.get(c.name)!;
      summary[c.name] = {
        rps: round(median(rounds.map((f) => f.throughput.rps)), 1),
        p50Ms: round(median(rounds.map((f) => f.latency.p50Ms))),
        p99Ms: round(median(rounds.map((f) => f.latency.p99Ms))),
        loadedP50Ms: round(median(rounds.map((f) => f.throughput.p50Ms))),
        errors: rounds.reduce((n, f) => n + f.latency.errors + f.throughput.errors, 0),
        roundsRps: rounds.map((f) => round(f.throughput.rps, 0)),
        roundsP50Ms: rounds.map((f) => round(f.latency.p50Ms)),
        foreignCores: rounds.flatMap((f) => [f.latency.foreignCores, f.throughput.foreignCores]),
      };
    }
    const s = (name: string) => summary[name]!;
    const gatewayAddsMs = round(s('gateway-django').p50Ms - s('django-direct').p50Ms);
    const nginxAddsMs = round(s('nginx-django').p50Ms - s('django-direct').p50Ms);
    const corsheadersCostsMs = round(s('django-corsheaders').p50Ms - s('django-direct').p50Ms);
    const results = {
      when: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        loadAverageAtStart: loadAtStart.map((n) => round(n, 2)),
        backgroundBusyShareBeforeRounds: background.map((n) => round(n, 2)),
        remeasuredRuns: retries,
        foreignLimitCores: FOREIGN_LIMIT,
        note: 'a shared machine: the background share is the fraction of all cores busy with other work in an idle second before each round',
      },
      setup: { rounds: ROUNDS, durationS: DURATION_S, serverCore: SERVER_CORE, loadGeneratorCore: CLIENT_CORE, loadGenerator: 'wrk 4.1 (-t1)', gunicornWorkers: workers, throughputConnections: THROUGHPUT_CONNECTIONS, request: `GET ${PATH} with Origin: ${ORIGIN}` },
      cases: summary,
      ratios: {
        gatewayVsDirectThroughputDjango: round(s('gateway-django').rps / s('django-direct').rps),
        nginxVsDirectThroughputDjango: round(s('nginx-django').rps / s('django-direct').rps),
        gatewayVsNginxThroughputDjango: round(s('gateway-django').rps / s('nginx-django').rps),
        gatewayVsNginxThroughputDjangoGthread: round(s('gateway-django-gthread').rps / s('nginx-django-gthread').rps),
        gatewayVsDirectThroughputDjangoGthread: round(s('gateway-django-gthread').rps / s('django-gthread-direct').rps),
        gatewayVsDirectThroughputNode: round(s('gateway-node').rps / s('node-direct').rps),
        nginxVsDirectThroughputNode: round(s('nginx-node').rps / s('node-direct').rps),
        gatewayVsNginxThroughputNode: round(s('gateway-node').rps / s('nginx-node').rps),
      },
      latencyAddedMs: {
        gateway: gatewayAddsMs,
        nginx: nginxAddsMs,
        djangoCorsHeaders: corsheadersCostsMs,
        nginxPlusCorsHeaders: round(nginxAddsMs + corsheadersCostsMs),
        gatewayOverDjangoGthread: round(s('gateway-django-gthread').p50Ms - s('django-gthread-direct').p50Ms),
        nginxOverDjangoGthread: round(s('nginx-django-gthread').p50Ms - s('django-gthread-direct').p50Ms),
        gatewayOverNodeUpstream: round(s('gateway-node').p50Ms - s('node-direct').p50Ms),
        nginxOverNodeUpstream: round(s('nginx-node').p50Ms - s('node-direct').p50Ms),
      },
      targets: {
        gatewayAddsLessLatencyThanNginxPlusCorsHeaders: gatewayAddsMs < nginxAddsMs + corsheadersCostsMs,
        gatewayThroughputAtLeast08OfNginxDjango: s('gateway-django').rps >= 0.8 * s('nginx-django').rps,
        gatewayThroughputAtLeast08OfNginxDjangoGthread: s('gateway-django-gthread').rps >= 0.8 * s('nginx-django-gthread').rps,
        gatewayThroughputAtLeast08OfNginxNode: s('gateway-node').rps >= 0.8 * s('nginx-node').rps,
      },
      durationS: Math.round((Date.now() - t0) / 1000),
    };
    writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(MARKDOWN_FILE, markdown(results));
    process.stdout.write(`${JSON.stringify({ ratios: results.ratios, latencyAddedMs: results.latencyAddedMs, targets: results.targets }, null, 2)}\nwrote ${RESULTS_FILE} and ${MARKDOWN_FILE}\n`);
  } finally {
    for (const p of started.reverse()) await ('stop' in p ? p.stop() : p.close());
  }
}

type Results = {
  when: string;
  machine: { cpus: number; cpuModel?: string | undefined; loadAverageAtStart: number[]; backgroundBusyShareBeforeRounds: number[]; remeasuredRuns: number };
  cases: Record<string, { rps: number; p50Ms: number; p99Ms: number; loadedP50Ms: number; errors: number; foreignCores: number[] }>;
  setup: { rounds: number; durationS: number; gunicornWorkers: number; throughputConnections: Record<string, number> };
  ratios: Record<string, number>;
  latencyAddedMs: Record<string, number>;
  targets: Record<string, boolean>;
};

function markdown(r: Results): string {
  const row = (name: string, what: string) => {
    const c = r.cases[name]!;
    return `| ${what} | ${c.rps} | ${c.p50Ms} | ${c.p99Ms} | ${c.loadedP50Ms} |${c.errors > 0 ? ` ${c.errors} errors` : ''}`;
  };
  const yes = (b: boolean | undefined) => (b ? 'met' : 'NOT met');
  return `## Gateway: \`gatehouse serve --upstream\` vs nginx

A small JSON GET (\`GET /api/items\` with an allowed \`Origin\`), measured by
\`node --import tsx bench/gateway/run.ts\` on ${r.when.slice(0, 10)}: ${r.setup.rounds} rounds of ${r.setup.durationS} s per
case, medians. Servers pinned to core 0 (upstream and proxy share it), wrk on core 1. Django REST
Framework under gunicorn, ${r.setup.gunicornWorkers} sync workers; throughput at ${r.setup.throughputConnections.django} connections (Django) and
${r.setup.throughputConnections.node} (node upstream), latency at 1 connection.

| path | req/s | p50 ms (1 conn) | p99 ms (1 conn) | p50 ms (loaded) |
|---|---|---|---|---|
${row('django-direct', 'Django + DRF, direct (no CORS)')}
${row('django-corsheaders', 'Django + DRF + django-cors-headers, direct')}
${row('nginx-django', 'nginx (add_header CORS) → Django')}
${row('gateway-django', 'Gatehouse gateway → Django')}
${row('django-gthread-direct', 'Django + DRF (gthread, keep-alive), direct')}
${row('nginx-django-gthread', 'nginx → Django (gthread)')}
${row('gateway-django-gthread', 'Gatehouse gateway → Django (gthread)')}
${row('node-direct', 'node:http upstream, direct')}
${row('nginx-node', 'nginx (add_header CORS) → node')}
${row('gateway-node', 'Gatehouse gateway → node')}

| ratio | value |
|---|---|
| gateway / nginx throughput, Django upstream | ${r.ratios.gatewayVsNginxThroughputDjango} |
| gateway / nginx throughput, Django gthread upstream | ${r.ratios.gatewayVsNginxThroughputDjangoGthread} |
| gateway / nginx throughput, node upstream | ${r.ratios.gatewayVsNginxThroughputNode} |
| gateway / direct throughput, Django upstream | ${r.ratios.gatewayVsDirectThroughputDjango} |
| nginx / direct throughput, Django upstream | ${r.ratios.nginxVsDirectThroughputDjango} |
| gateway / direct throughput, node upstream | ${r.ratios.gatewayVsDirectThroughputNode} |
| nginx / direct throughput, node upstream | ${r.ratios.nginxVsDirectThroughputNode} |

Latency added at one connection (p50): the gateway adds ${r.latencyAddedMs.gateway} ms in front of Django with sync
workers, ${r.latencyAddedMs.gatewayOverDjangoGthread} ms with gthread workers and ${r.latencyAddedMs.gatewayOverNodeUpstream} ms in front of node; nginx adds ${r.latencyAddedMs.nginx} ms,
${r.latencyAddedMs.nginxOverDjangoGthread} ms and ${r.latencyAddedMs.nginxOverNodeUpstream} ms; django-cors-headers
costs Django ${r.latencyAddedMs.djangoCorsHeaders} ms, so the usual deployment pays ${r.latencyAddedMs.nginxPlusCorsHeaders} ms.

Targets: the gateway adds less latency than nginx + django-cors-headers: ${yes(r.targets.gatewayAddsLessLatencyThanNginxPlusCorsHeaders)};
at least 0.8× nginx's proxied throughput: ${yes(r.targets.gatewayThroughputAtLeast08OfNginxDjango)} (Django, sync workers), ${yes(r.targets.gatewayThroughputAtLeast08OfNginxDjangoGthread)} (Django, gthread
workers), ${yes(r.targets.gatewayThroughputAtLeast08OfNginxNode)} (node upstream).

The machine is shared: load average ${r.machine.loadAverageAtStart.join(' / ')} at the start, and ${r.machine.backgroundBusyShareBeforeRounds.map((n) => `${Math.round(n * 100)}%`).join(', ')}
of all ${r.machine.cpus} cores busy with other work in the idle second before each round. Each run's CPU that
neither the servers nor wrk used was measured; ${r.machine.remeasuredRuns} runs that met more than a quarter of a core of it were
measured again once the machine was quiet (within a time budget). The most other work any kept run met:
${Math.max(...Object.values(r.cases).flatMap((c) => c.foreignCores)).toFixed(2)} cores. Differences of a few percent are within the noise.
`;
}

await main();
