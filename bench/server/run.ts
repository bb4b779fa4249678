// Issue 5's proof: an authenticated `GET /api/posts/:id` through `gatehouse serve` against the stack it
// replaces (Django + django-cors-headers + DRF + simplejwt under gunicorn), both from SQLite.
//
//   node --import tsx bench/server/run.ts
//
// Prints a table; writes bench/server/results.json and the markdown section
// bench/results/server.md, a section of docs/benchmarks.md (BENCH_SERVER_MD overrides the path). Env: BENCH_DURATION (s per
// measurement, default 3), BENCH_ROUNDS (default 4: an even number, so each server goes first equally often), BENCH_CONNECTIONS (default 50),
// BENCH_PROFILE=0|1 (profile Gatehouse with --cpu-prof: default only when the headline ratio misses
// the target), BENCH_WAIT_OTHERS=<s> (first wait up to this long for other benchmarks on the machine
// to finish, outside the run's time bound; default 0).
//
// Headline setup ("pinned"): each server on core 0 alone, wrk on core 1 (this process too). Gatehouse
// is one Node process; gunicorn keeps the issue's "sync workers, as many as cores" (2) but both
// workers share core 0, so both servers get the same CPU: one core. Second setup ("unpinned"): the
// same running servers let loose on both cores, sharing them with wrk, where gunicorn's two workers
// can use both cores and Gatehouse's one event loop cannot.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineBusySeconds, QuietBudget, waitForQuiet } from '../machineLoad.ts';
import { median } from '../stats.ts';
import { checkStack, measuredHeaders, type CheckResult } from './checks.ts';
import { readProfile, summarizeProfile, type ProfileSummary } from './cpuProfile.ts';
import { cpusAllowed, otherBenchmarks, pinTree, reapedChildrenCpuSeconds, treeCpuSeconds, treeMemory, treePids, type TreeMemory } from './processTree.ts';
import type { QueryCost } from './postQueryCost.ts';
import { renderMarkdown, renderTable } from './serverReport.ts';
import { logSince, logSize, startDjango, startGatehouse, type Stack, type StackId } from './stacks.ts';
import { runWrk, WRK } from './wrk.ts';

let t0 = Date.now();
const HERE = dirname(fileURLToPath(import.meta.url));
const ORIGIN = 'https://app.example.com';
const TARGET_RATIO = 15;
/** A run during which other processes took more than this share of a core is measured once more. */
const FOREIGN_LIMIT = 0.15;
const QUIET_BUDGET_S = 10;
const WATCHDOG_S = 175;

const env = process.env;
const durationS = Number(env.BENCH_DURATION ?? 3);
const rounds = Number(env.BENCH_ROUNDS ?? 4);
const connections = Number(env.BENCH_CONNECTIONS ?? 50);
const warmupS = 2;
const markdownPath = env.BENCH_SERVER_MD ?? join('bench', 'results', 'server.md');
const waitForOthersS = Number(env.BENCH_WAIT_OTHERS ?? 0);
const log = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${line}`);
/** Read before this process pins itself to one core (availableParallelism follows the affinity). */
const CORES = availableParallelism();

export type ModeId = 'pinned' | 'unpinned';
export const MODES: Readonly<Record<ModeId, { server: string; wrk: string; describe: string }>> = {
  pinned: { server: '0', wrk: '1', describe: 'servers restricted to core 0 (gunicorn: master + workers), wrk on core 1' },
  unpinned: { server: '0,1', wrk: '0,1', describe: 'servers and wrk free on both cores (gunicorn’s 2 workers can use both)' },
};

export interface Run {
  readonly mode: ModeId;
  readonly round: number;
  readonly stack: StackId;
  readonly rps: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p75Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly socketErrors: number;
  /** Cores the server tree used on average. */
  readonly serverCpu: number;
  readonly serverCpuUsPerRequest: number;
  readonly wrkCpu: number;
  /** Cores used by anything else on the machine. */
  readonly foreignCpu: number;
  readonly rssPeakKb: number;
  readonly remeasured: boolean;
  /** Other benchmarks seen running as this one started (their wrk, their bench scripts). */
  readonly otherBenchmarks: readonly string[];
}

export interface Summary {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpu: number;
  readonly serverCpuUsPerRequest: number;
  readonly rpsMin: number;
  readonly rpsMax: number;
}

export interface ModeResult {
  readonly runs: readonly Run[];
  readonly summary: Readonly<Record<StackId, Summary>>;
  /** Gatehouse / Django requests per second. */
  readonly rpsRatio: number;
  /** Django p99 / Gatehouse p99 (above 1: Gatehouse's is lower). */
  readonly p99Ratio: number;
  readonly p50Ratio: number;
  /** Django CPU per request / Gatehouse CPU per request. */
  readonly cpuRatio: number;
}

export interface MemoryResult {
  readonly started: TreeMemory;
  readonly rest: TreeMemory;
  readonly peakRssKb: number;
  readonly peakPssKb: number;
  readonly end: TreeMemory;
}

export interface Results {
  readonly generatedAt: string;
  readonly settings: { durationS: number; rounds: number; connections: number; warmupS: number; origin: string; targetRatio: number; foreignLimit: number; quietBudgetS: number };
  readonly machine: Record<string, string | number>;
  readonly versions: Record<string, string>;
  readonly commands: Readonly<Record<StackId, string>>;
  readonly checks: readonly CheckResult[];
  readonly modes: Readonly<Record<ModeId, ModeResult>>;
  readonly memory: Readonly<Record<StackId, MemoryResult>>;
  readonly logLinesDuringLoad: Readonly<Record<StackId, { count: number; sample: string }>>;
  readonly quiet: { remeasured: number; foreignMedian: number; foreignMax: number; foreignMedianByMode: Readonly<Record<ModeId, number>>; loadBefore: number[]; loadAfter: number[]; otherBenchmarks: string[]; runsBesideOtherBenchmarks: number };
  readonly headline: { rpsRatio: number; p99Lower: boolean; met: boolean };
  readonly profile?: ProfileSummary & { durationS: number; rps: number };
  /** bench/server/postQueryCost.ts, run with the profile: the post lookup as shipped and as suggested. */
  readonly queryCosts?: readonly QueryCost[];
  /** RSS of empty interpreters, for scale. */
  readonly baselineMemory?: { nodeKb: number; nodeTsxKb: number; pythonKb: number };
  readonly runSeconds: number;
  /** Time spent waiting for other benchmarks before the run (BENCH_WAIT_OTHERS). */
  readonly waitedForOthersS: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- bounded: stop every server we started on a watchdog, a signal or an error
const started = new Set<Stack>();
async function stopAll(): Promise<void> {
  await Promise.all([...started].map((stack) => stack.stop()));
  started.clear();
}
function armWatchdog(): void {
  setTimeout(() => {
    console.error(`bench/server: still running after ${WATCHDOG_S} s, stopping`);
    void stopAll().finally(() => process.exit(1));
  }, WATCHDOG_S * 1000).unref();
}
process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
process.once('SIGTERM', () => void stopAll().finally(() => process.exit(143)));

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0]!;
  } catch (error) {
    return `? (${(error as Error).message.split('\n')[0]})`;
  }
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(HERE, '..', '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function versions(): Record<string, string> {
  const deb = (name: string) => version('dpkg-query', ['-W', '-f', '${Version}', name]);
  return {
    node: process.version,
    fastify: packageVersion('fastify'),
    'better-sqlite3': packageVersion('better-sqlite3'),
    kysely: packageVersion('kysely'),
    jose: packageVersion('jose'),
    'python3 (Debian)': version('/usr/bin/python3', ['-I', '-c', 'import platform; print(platform.python_version())']),
    'python3-django': deb('python3-django'),
    'python3-djangorestframework': deb('python3-djangorestframework'),
    'python3-djangorestframework-simplejwt': deb('python3-djangorestframework-simplejwt'),
    'python3-django-cors-headers': deb('python3-django-cors-headers'),
    gunicorn: deb('gunicorn'),
    wrk: deb('wrk'),
  };
}

/** This process and every process it started (servers, wrk, tsx's helpers). */
function ownPids(): Set<number> {
  return new Set(treePids(process.pid));
}

/** One measurement of one stack, with the server's CPU and memory sampled alongside. */
async function measure(stack: Stack, mode: ModeId, round: number, seconds = durationS): Promise<Run> {
  let rssPeakKb = 0;
  const sampler = setInterval(() => {
    rssPeakKb = Math.max(rssPeakKb, treeMemory(stack.pid).rssKb);
  }, 250);
  const others = otherBenchmarks(ownPids());
  const server0 = treeCpuSeconds(stack.pid);
  const wrk0 = reapedChildrenCpuSeconds();
  const own0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const started = process.hrtime.bigint();
  try {
    const result = await runWrk({ url: stack.baseUrl + stack.postPath, headers: measuredHeaders(stack, ORIGIN), durationS: seconds, connections, cpus: MODES[mode].wrk });
    const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
    const serverS = treeCpuSeconds(stack.pid) - server0;
    const wrkS = reapedChildrenCpuSeconds() - wrk0;
    const own = process.cpuUsage(own0);
    const foreignS = machineBusySeconds() - machine0 - serverS - wrkS - (own.user + own.system) / 1e6;
    rssPeakKb = Math.max(rssPeakKb, treeMemory(stack.pid).rssKb);
    const errors = result.socketErrors;
    return {
      mode,
      round,
      stack: stack.id,
      rps: result.rps,
      requests: result.requests,
      p50Ms: result.p50Ms,
      p75Ms: result.p75Ms,
      p90Ms: result.p90Ms,
      p99Ms: result.p99Ms,
      non2xx: result.non2xx,
      socketErrors: errors.connect + errors.read + errors.write + errors.timeout,
      serverCpu: serverS / elapsedS,
      serverCpuUsPerRequest: result.requests > 0 ? (serverS * 1e6) / result.requests : NaN,
      wrkCpu: wrkS / elapsedS,
      foreignCpu: Math.max(0, foreignS / elapsedS),
      rssPeakKb,
      remeasured: false,
      otherBenchmarks: others,
    };
  } finally {
    clearInterval(sampler);
  }
}

function summarize(runs: readonly Run[]): Summary {
  const of = (pick: (run: Run) => number) => median(runs.map(pick));
  return {
    rps: of((r) => r.rps),
    p50Ms: of((r) => r.p50Ms),
    p99Ms: of((r) => r.p99Ms),
    serverCpu: of((r) => r.serverCpu),
    serverCpuUsPerRequest: of((r) => r.serverCpuUsPerRequest),
    rpsMin: Math.min(...runs.map((r) => r.rps)),
    rpsMax: Math.max(...runs.map((r) => r.rps)),
  };
}

async function runMode(mode: ModeId, stacks: readonly Stack[], quiet: QuietBudget): Promise<ModeResult> {
  for (const stack of stacks) pinTree(stack.pid, MODES[mode].server);
  log(`\n${mode}: ${MODES[mode].describe}; affinity ${stacks.map((s) => `${s.id} ${cpusAllowed(s.pid)}`).join(', ')}`);
  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    await quiet.settle();
    // ABBA...: whoever goes first alternates, so drift on the machine does not favour one side.
    const order = round % 2 === 1 ? stacks : [...stacks].reverse();
    for (const stack of order) {
      let run = await measure(stack, mode, round);
      if (run.foreignCpu > FOREIGN_LIMIT && !quiet.exhausted) {
        const again = await quiet.retry(() => measure(stack, mode, round));
        if (again.foreignCpu < run.foreignCpu) run = { ...again, remeasured: true };
      }
      runs.push(run);
      log(
        `  round ${round} ${stack.id.padEnd(9)} ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50Ms.toFixed(2)} ms  p99 ${run.p99Ms.toFixed(2)} ms  server ${run.serverCpu.toFixed(2)} cores (${run.serverCpuUsPerRequest.toFixed(0)} µs/req)  wrk ${run.wrkCpu.toFixed(2)}  other ${run.foreignCpu.toFixed(2)}${run.remeasured ? ' (remeasured)' : ''}${run.otherBenchmarks.length > 0 ? `  [also running: ${run.otherBenchmarks.join(', ')}]` : ''}${run.non2xx + run.socketErrors > 0 ? `  ${run.non2xx} non-2xx, ${run.socketErrors} socket errors` : ''}`,
      );
    }
  }
  const summaryOf = (id: StackId) => summarize(runs.filter((r) => r.stack === id));
  const summary = { gatehouse: summaryOf('gatehouse'), django: summaryOf('django') };
  return {
    runs,
    summary,
    rpsRatio: summary.gatehouse.rps / summary.django.rps,
    p99Ratio: summary.django.p99Ms / summary.gatehouse.p99Ms,
    p50Ratio: summary.django.p50Ms / summary.gatehouse.p50Ms,
    cpuRatio: summary.django.serverCpuUsPerRequest / summary.gatehouse.serverCpuUsPerRequest,
  };
}

/** A separate Gatehouse under `node --cpu-prof`, loaded like the pinned runs (profiling slows it). */
async function profileGatehouse(): Promise<ProfileSummary & { durationS: number; rps: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cpu-prof-'));
  try {
    const stack = await startGatehouse({ origin: ORIGIN, cpus: MODES.pinned.server, cpuProfDir: dir });
    started.add(stack);
    await runWrk({ url: stack.baseUrl + stack.postPath, headers: measuredHeaders(stack, ORIGIN), durationS: 1, connections, cpus: MODES.pinned.wrk });
    const seconds = 4;
    const loadStart = Date.now();
    const run = await measure(stack, 'pinned', 0, seconds);
    const loadEnd = Date.now();
    await stack.stop(); // the profile is written as the process exits
    const exited = Date.now();
    started.delete(stack);
    // The profile ends a little before the exit (writing it takes a moment), so the window is placed
    // from the end and trimmed by 300 ms at its start; what shifts in is the warm-up, the same load.
    const window = { fromEndMs: exited - loadStart - 300, toEndMs: exited - loadEnd };
    return { ...summarizeProfile(readProfile(dir), window), durationS: seconds, rps: run.rps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** RSS of an interpreter that has started and sits idle: `node`, `node --import tsx`, python3. */
async function baselineMemory(): Promise<Results['baselineMemory']> {
  const idle = (command: string, args: string[]) =>
    new Promise<number>((resolve) => {
      const child = spawn(command, args, { stdio: 'ignore' });
      setTimeout(() => {
        const kb = treeMemory(child.pid!).rssKb;
        child.kill('SIGKILL');
        resolve(kb);
      }, 1500);
    });
  const [nodeKb, nodeTsxKb, pythonKb] = await Promise.all([
    idle(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']),
    idle(process.execPath, ['--import', 'tsx', '-e', 'setTimeout(() => {}, 10000)']),
    idle('/usr/bin/python3', ['-I', '-c', 'import time; time.sleep(10)']),
  ]);
  return { nodeKb, nodeTsxKb, pythonKb };
}

/** bench/server/postQueryCost.ts in its own process on the server core. */
function queryCosts(): QueryCost[] {
  const out = execFileSync('taskset', ['-c', MODES.pinned.server, process.execPath, '--import', 'tsx', join(HERE, 'postQueryCost.ts'), '--json'], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as QueryCost[];
}

async function main(): Promise<void> {
  for (const [name, value] of [['BENCH_DURATION', durationS], ['BENCH_ROUNDS', rounds], ['BENCH_CONNECTIONS', connections]] as const) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  }
  if (CORES < 2) throw new Error('needs 2 cores: one for the server, one for wrk');
  let waitedS = 0;
  if (waitForOthersS > 0) {
    const deadline = Date.now() + waitForOthersS * 1000;
    // No other benchmark, and a second with less than half a core busy.
    const settled = async () => otherBenchmarks(ownPids()).length === 0 && (await waitForQuiet(0.5, 1)) < 0.5;
    if (!(await settled())) log(`waiting up to ${waitForOthersS} s for other benchmarks to finish and the machine to calm down: ${otherBenchmarks(ownPids()).join(', ') || 'busy'}`);
    while (Date.now() < deadline && !(await settled())) await sleep(4000);
    waitedS = Math.round((Date.now() - t0) / 1000);
    t0 = Date.now();
  }
  armWatchdog();
  version(WRK, ['-v']);
  // This process (memory sampling, bookkeeping) stays off the server core.
  execFileSync('taskset', ['-a', '-c', '-p', MODES.pinned.wrk, String(process.pid)], { stdio: 'ignore' });
  const loadBefore = loadavg().map((n) => Number(n.toFixed(2)));
  const workers = CORES;

  log(`starting gatehouse serve and gunicorn (${workers} sync workers), both on core ${MODES.pinned.server}`);
  const [gatehouse, django] = await Promise.all([
    startGatehouse({ origin: ORIGIN, cpus: MODES.pinned.server }).then((s) => (started.add(s), s)),
    startDjango({ origin: ORIGIN, cpus: MODES.pinned.server, workers }).then((s) => (started.add(s), s)),
  ]);
  const stacks = [gatehouse, django] as const;

  const checks = [...(await checkStack(gatehouse, ORIGIN)), ...(await checkStack(django, ORIGIN))];
  for (const check of checks) log(`  ${check.ok ? 'ok ' : 'BAD'} ${check.stack.padEnd(9)} ${check.check}: ${check.detail}`);
  if (checks.some((c) => !c.ok)) throw new Error('a server answered wrong; nothing measured');

  const memoryStarted = { gatehouse: treeMemory(gatehouse.pid), django: treeMemory(django.pid) };
  const logOffsets = { gatehouse: logSize(gatehouse), django: logSize(django) };
  // The warm-up is load too: its memory peak counts.
  const warmups: Run[] = [];
  for (const stack of stacks) warmups.push(await measure(stack, 'pinned', 0, warmupS));
  await sleep(1500);
  const memoryRest = { gatehouse: treeMemory(gatehouse.pid), django: treeMemory(django.pid) };

  const quiet = new QuietBudget(FOREIGN_LIMIT, QUIET_BUDGET_S);
  const pinned = await runMode('pinned', stacks, quiet);
  const unpinned = await runMode('unpinned', stacks, quiet);
  const allRuns = [...pinned.runs, ...unpinned.runs];
  const memoryEnd = { gatehouse: treeMemory(gatehouse.pid), django: treeMemory(django.pid) };
  const logLines = (stack: Stack) => {
    const lines = logSince(stack, logOffsets[stack.id]).split('\n').filter((l) => l.trim() !== '');
    return { count: lines.length, sample: lines.slice(0, 3).join('\n').slice(0, 600) };
  };
  const logLinesDuringLoad = { gatehouse: logLines(gatehouse), django: logLines(django) };
  await stopAll();

  const memory = (id: StackId): MemoryResult => {
    const runs = allRuns.filter((r) => r.stack === id);
    return {
      started: memoryStarted[id],
      rest: memoryRest[id],
      peakRssKb: Math.max(...[...warmups, ...runs].filter((r) => r.stack === id).map((r) => r.rssPeakKb)),
      peakPssKb: memoryEnd[id].pssKb, // PSS is not sampled under load (reading smaps costs); the end value bounds it from below
      end: memoryEnd[id],
    };
  };
  const met = pinned.rpsRatio >= TARGET_RATIO;
  const wantProfile = env.BENCH_PROFILE === undefined ? !met : env.BENCH_PROFILE === '1';
  let profile: Results['profile'];
  let costs: QueryCost[] | undefined;
  if (wantProfile) {
    log('\nprofiling Gatehouse (node --cpu-prof, pinned like the headline runs), then the post lookup alone');
    profile = await profileGatehouse();
    costs = queryCosts();
    for (const cost of costs) log(`  ${cost.us.toFixed(1).padStart(6)} µs CPU  ${cost.name}`);
  }

  const baseline = await baselineMemory();
  const foreign = allRuns.map((r) => r.foreignCpu);
  const results: Results = {
    generatedAt: new Date().toISOString(),
    settings: { durationS, rounds, connections, warmupS, origin: ORIGIN, targetRatio: TARGET_RATIO, foreignLimit: FOREIGN_LIMIT, quietBudgetS: QUIET_BUDGET_S },
    machine: { cores: CORES, cpu: cpus()[0]?.model ?? '?', kernel: release(), node: process.version, gunicornWorkers: workers },
    versions: versions(),
    commands: { gatehouse: gatehouse.command, django: django.command },
    checks,
    modes: { pinned, unpinned },
    memory: { gatehouse: memory('gatehouse'), django: memory('django') },
    logLinesDuringLoad,
    quiet: {
      remeasured: quiet.retries,
      foreignMedian: median(foreign),
      foreignMedianByMode: { pinned: median(pinned.runs.map((r) => r.foreignCpu)), unpinned: median(unpinned.runs.map((r) => r.foreignCpu)) },
      foreignMax: Math.max(...foreign),
      loadBefore,
      loadAfter: loadavg().map((n) => Number(n.toFixed(2))),
      otherBenchmarks: [...new Set(allRuns.flatMap((r) => r.otherBenchmarks))].sort(),
      runsBesideOtherBenchmarks: allRuns.filter((r) => r.otherBenchmarks.length > 0).length,
    },
    headline: { rpsRatio: pinned.rpsRatio, p99Lower: pinned.summary.gatehouse.p99Ms < pinned.summary.django.p99Ms, met },
    ...(profile === undefined ? {} : { profile }),
    ...(costs === undefined ? {} : { queryCosts: costs }),
    baselineMemory: baseline,
    runSeconds: Math.round((Date.now() - t0) / 1000),
    waitedForOthersS: waitedS,
  };
  writeFileSync(join(HERE, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(markdownPath, renderMarkdown(results));
  log(`\n${renderTable(results)}`);
  log(`wrote bench/server/results.json and ${markdownPath} (${results.runSeconds} s)`);
}

main().catch(async (error: unknown) => {
  console.error(`bench/server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await stopAll();
  process.exit(1);
});
