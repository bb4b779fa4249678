// `npm run bench`: every suite, then docs/benchmarks.md. Suites: `cors` (the engine micro benchmark,
// then every CORS server variant under load) and `auth` (an authenticated GET with HS256, ES256 and
// EdDSA tokens and API keys, Gatehouse against @fastify/jwt and express-jwt). Servers run pinned to
// core 0, this process (the load generator) to core 1.
//
// Env: BENCH_SUITE=cors|auth (or a comma list; default both), BENCH_FILTER=<substring of a
// measurement id such as "express/gatehouse/10k/refused", "engine/3/allowed" or
// "auth/fastify/peer/ES256/valid"; "auth" selects the whole authentication suite>, BENCH_DURATION
// (s per measurement, default 2), BENCH_ROUNDS (default 3), BENCH_WARMUP (s per server, default 1),
// BENCH_QUICK=1 (1 s runs, 1 round, no waiting for a quiet machine: a smoke test), BENCH_OUT (report
// path), BENCH_RESULTS (results directory, default bench/results).
//
// A suite measured completely (not quick, and every one of its ids passing BENCH_FILTER) replaces its
// bench/results/<suite>.json, and docs/benchmarks.md is rendered again from every suite's file: one
// suite can be re-measured without the other. A quick run, or a filter that leaves part of a suite
// out, writes .bench-out/results-<suite>.json and .bench-out/benchmarks.md, never bench/results/ or
// docs/benchmarks.md.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { prepareAuthSuite } from './authSuite.ts';
import { prepareCorsSuite } from './corsSuite.ts';
import type { EngineReport } from './engine.ts';
import { CONNECTIONS, measure, PIPELINING, warmUp, type Measurement } from './loadGenerator.ts';
import { QuietBudget } from './machineLoad.ts';
import { readSuiteRuns, renderBenchmarks } from './report.ts';
import { SUITES, type AnyRunReport, type AuthCaseResult, type CaseResult, type MeasuredCase, type RunMethod, type SuiteId, type SuiteRuns } from './results.ts';
import { startServer, type Pinning, type RunningServer } from './serverControl.ts';
import { median, relativeSpread } from './stats.ts';
import type { PreparedSuite, ServerSpec } from './suite.ts';
import type { BenchRequest } from './workload.ts';

const OUT_DIR = '.bench-out';
/** A run during which other processes used more than this share of a core is measured again. */
const FOREIGN_LIMIT = 0.1;
const MAX_RETRIES = 3;

const env = process.env;
const quick = env.BENCH_QUICK === '1';
const filter = env.BENCH_FILTER ?? '';
const durationS = Number(env.BENCH_DURATION ?? (quick ? 1 : 2));
const rounds = Number(env.BENCH_ROUNDS ?? (quick ? 1 : 3));
const warmupS = Number(env.BENCH_WARMUP ?? (quick ? 0.5 : 1));
const resultsDir = env.BENCH_RESULTS ?? join('bench', 'results');
const wantedSuites = (env.BENCH_SUITE ?? SUITES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const [name, value] of [['BENCH_DURATION', durationS], ['BENCH_ROUNDS', rounds], ['BENCH_WARMUP', warmupS]] as const) {
  if (!Number.isFinite(value) || value <= 0 || (name === 'BENCH_ROUNDS' && !Number.isInteger(value))) throw new Error(`${name} must be a positive number`);
}
for (const suite of wantedSuites) if (!(SUITES as readonly string[]).includes(suite)) throw new Error(`BENCH_SUITE: unknown suite "${suite}" (known: ${SUITES.join(', ')})`);
const log = (line: string): void => console.log(line);
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Servers on core 0; this process, where autocannon runs, on core 1 (all its threads). */
function pin(): { pinning: Pinning; note: string } {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
  } catch {
    return { pinning: { serverPrefix: [] }, note: 'taskset not found: server and load generator ran unpinned' };
  }
  if (availableParallelism() < 2) return { pinning: { serverPrefix: [] }, note: 'fewer than 2 cores: server and load generator ran unpinned' };
  execFileSync('taskset', ['-a', '-c', '-p', '1', String(process.pid)], { stdio: 'ignore' });
  const own = readFileSync('/proc/self/status', 'utf8').match(/^Cpus_allowed_list:\s*(.+)$/m)?.[1];
  return { pinning: { serverPrefix: ['taskset', '-c', '0'] }, note: `server pinned to core 0 (taskset -c 0), load generator to core ${own ?? '1'} (taskset -a -p)` };
}

// ---- every step has its own timeout, and a watchdog bounds the whole run
const running = new Set<RunningServer>();
const suites: PreparedSuite[] = [];
async function stopAll(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
  running.clear();
  for (const suite of suites.splice(0)) suite.cleanup();
}
function watchdog(limitS: number): void {
  setTimeout(() => {
    console.error(`bench: still running after ${Math.round(limitS)} s, stopping`);
    void stopAll().finally(() => process.exit(1));
  }, limitS * 1000).unref();
}
process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
process.once('SIGTERM', () => void stopAll().finally(() => process.exit(143)));

async function runEngine(pinning: Pinning, quiet: QuietBudget): Promise<EngineReport> {
  await quiet.settle();
  const jsonPath = join(OUT_DIR, 'engine.json');
  const command = [...pinning.serverPrefix, process.execPath, '--import', 'tsx', 'bench/engine.ts', '--json', jsonPath];
  log('engine micro benchmark (gatehouse.cors.decide, in-process, pinned like a server)');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], env: { ...env, NODE_ENV: 'production' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`bench/engine.ts ended with ${signal ?? `code ${code}`}`));
    });
  });
  return JSON.parse(readFileSync(jsonPath, 'utf8')) as EngineReport;
}

interface Planned {
  readonly spec: ServerSpec;
  /** The measurements on this server that pass BENCH_FILTER, with their requests. */
  readonly runs: readonly { readonly id: string; readonly request: BenchRequest }[];
}

interface SuitePlan {
  readonly suite: PreparedSuite;
  /** One group per framework: its servers run side by side so their cases can alternate. */
  readonly groups: readonly (readonly Planned[])[];
  readonly engine: boolean;
  /** Every id of the suite passes the filter: a full run of it may replace its saved results. */
  readonly complete: boolean;
}

function plan(suite: PreparedSuite): SuitePlan {
  const groups = suite.groups
    .map((group) => group.map((spec) => ({ spec, runs: spec.runs.filter((run) => run.id.includes(filter)) })).filter((p) => p.runs.length > 0))
    .filter((group) => group.length > 0);
  const ids = [...suite.groups.flat().flatMap((spec) => spec.runs.map((run) => run.id)), ...suite.extraIds];
  return { suite, groups, engine: suite.extraIds.some((id) => id.includes(filter)), complete: ids.every((id) => id.includes(filter)) };
}

interface Outcome {
  readonly samples: Map<string, Measurement[]>;
  readonly skipped: { id: string; why: string }[];
  readonly notes: Map<string, string[]>;
}

/** Starts, checks and warms each server of a group; the ones that answer right are returned running. */
async function startGroup(group: readonly Planned[], pinning: Pinning, outcome: Outcome): Promise<{ planned: Planned; server: RunningServer }[]> {
  const ready: { planned: Planned; server: RunningServer }[] = [];
  for (const planned of group) {
    const { spec } = planned;
    const start = await startServer(spec.file, spec.env, pinning, join(OUT_DIR, 'servers'));
    if (!start.ok) {
      log(`  skip ${spec.label}: ${start.why}`);
      outcome.skipped.push({ id: spec.label, why: start.why });
      continue;
    }
    running.add(start.server);
    if (start.server.notes.length > 0) outcome.notes.set(spec.notesKey, [...start.server.notes]);
    const problem = await spec.verify(start.server.port);
    if (problem !== undefined) {
      log(`  ABORT ${spec.label}: wrong answer, not measured: ${problem}`);
      outcome.skipped.push({ id: spec.label, why: `wrong answer: ${problem}` });
      running.delete(start.server);
      await start.server.stop();
      continue;
    }
    if (pinning.serverPrefix.length > 0 && start.server.cpusAllowed !== '0') log(`  warning: ${spec.label} runs on cores ${start.server.cpusAllowed}`);
    await warmUp(start.server, warmupS, spec.runs.map((run) => run.request));
    ready.push({ planned, server: start.server });
  }
  return ready;
}

async function measureGroup(ready: readonly { planned: Planned; server: RunningServer }[], quiet: QuietBudget, outcome: Outcome): Promise<void> {
  const runs = ready.flatMap(({ planned, server }) => planned.runs.map((run) => ({ ...run, server })));
  await quiet.settle();
  for (let round = 0; round < rounds; round++) {
    // Alternate the order every round (ABC CBA ABC), so slow drift favours no variant.
    for (const run of round % 2 === 0 ? runs : [...runs].reverse()) {
      let m = await measure(run.server, durationS, run.request);
      for (let retry = 1; retry <= MAX_RETRIES && m.foreignCpu > FOREIGN_LIMIT && !quick && !quiet.exhausted; retry++) {
        log(`  ${run.id}: other processes used ${fmt(m.foreignCpu * 100)}% of a core meanwhile; measuring again once the machine is quiet (${retry}/${MAX_RETRIES})`);
        m = await quiet.retry(() => measure(run.server, durationS, run.request));
      }
      if (m.failures > 0) log(`  warning: ${run.id}: ${m.failures} errors, timeouts or answers with an unexpected status`);
      outcome.samples.set(run.id, [...(outcome.samples.get(run.id) ?? []), m]);
      log(
        `[${round + 1}/${rounds}] ${run.id.padEnd(38)} ${fmt(m.rps).padStart(7)} req/s  p50 ${fmt(m.p50Ms, 2)} ms  p99 ${fmt(m.p99Ms, 2)} ms  ` +
          `server ${fmt(m.serverCpu * 100)}%  client ${fmt(m.clientCpu * 100)}%  other ${fmt(m.foreignCpu * 100)}%`,
      );
    }
  }
}

function summarise(id: string, ms: readonly Measurement[]): MeasuredCase {
  const mid = (f: (m: Measurement) => number): number => median(ms.map(f));
  return {
    id,
    rounds: ms.length,
    rps: mid((m) => m.rps),
    rpsSpread: relativeSpread(ms.map((m) => m.rps)),
    p50Ms: mid((m) => m.p50Ms),
    p99Ms: mid((m) => m.p99Ms),
    serverCpu: mid((m) => m.serverCpu),
    clientCpu: mid((m) => m.clientCpu),
    serverCpuUsPerRequest: mid((m) => m.serverCpuUsPerRequest),
    foreignCpu: Math.max(...ms.map((m) => m.foreignCpu)),
    failures: ms.reduce((n, m) => n + m.failures, 0),
    samples: ms.map((m) => ({ rps: Math.round(m.rps), serverCpuUsPerRequest: Number(m.serverCpuUsPerRequest.toFixed(1)), foreignCpu: Number(m.foreignCpu.toFixed(2)) })),
  };
}

/** Measures one suite: the engine first (CORS), then every group of servers. */
async function runSuite(p: SuitePlan, pinning: Pinning, pinNote: string, quiet: QuietBudget): Promise<AnyRunReport> {
  const started = new Date();
  const loadBefore = loadavg();
  const retriesBefore = quiet.retries;
  log(`suite ${p.suite.id}${p.complete ? '' : ' (part of it)'}`);
  const engine = p.engine ? await runEngine(pinning, quiet) : undefined;
  const outcome: Outcome = { samples: new Map(), skipped: [], notes: new Map() };
  for (const group of p.groups) {
    const ready = await startGroup(group, pinning, outcome);
    try {
      await measureGroup(ready, quiet, outcome);
    } finally {
      for (const { server } of ready) {
        running.delete(server);
        await server.stop();
      }
    }
  }
  const method: RunMethod = { durationS, warmupS, rounds, connections: CONNECTIONS, pipelining: PIPELINING, pinNote, quick, filter, foreignLimit: FOREIGN_LIMIT, maxRetries: MAX_RETRIES, retries: quiet.retries - retriesBefore };
  const common = {
    started,
    finished: new Date(),
    machine: machine(loadBefore),
    versions: versions(p.suite.packages),
    method,
    skipped: outcome.skipped,
    notes: Object.fromEntries(outcome.notes),
  };
  const results = [...outcome.samples].map(([id, ms]) => p.suite.result(summarise(id, ms)));
  return p.suite.id === 'auth' ? { suite: 'auth', ...common, results: results as AuthCaseResult[] } : { suite: 'cors', ...common, engine, results: results as CaseResult[] };
}

async function prepare(id: SuiteId): Promise<PreparedSuite> {
  return id === 'auth' ? prepareAuthSuite() : prepareCorsSuite();
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(OUT_DIR, { recursive: true });
  const { pinning, note: pinNote } = pin();
  try {
    for (const id of SUITES) if (wantedSuites.includes(id)) suites.push(await prepare(id));
    const plans = suites.map(plan).filter((p) => p.groups.length > 0 || p.engine);
    if (plans.length === 0) throw new Error(`nothing to measure: no measurement id of ${wantedSuites.join(', ')} contains "${filter}"`);
    const servers = plans.reduce((n, p) => n + p.groups.flat().length, 0);
    const measurements = plans.reduce((n, p) => n + p.groups.flat().reduce((m, planned) => m + planned.runs.length, 0), 0);
    const estimateS = 30 * plans.filter((p) => p.engine).length + 5 + servers * (warmupS + 1.5) + measurements * rounds * (durationS + 0.3);
    // Waiting for a quiet machine may stretch the run to about 15 minutes, or by one minute.
    const quietBudgetS = quick ? 0 : Math.max(60, 15 * 60 - estimateS);
    const quiet = new QuietBudget(FOREIGN_LIMIT, quietBudgetS);
    log(`${pinNote}\nsuites ${plans.map((p) => `${p.suite.id}${p.complete ? '' : ' (part)'}`).join(', ')}: ${servers} servers, ${measurements} measurements x ${rounds} rounds x ${durationS} s: about ${Math.ceil(estimateS / 60)} min`);
    watchdog(estimateS * 1.3 + quietBudgetS + 120);

    const runs: AnyRunReport[] = [];
    for (const p of plans) runs.push(await runSuite(p, pinning, pinNote, quiet));
    writeOutputs(plans, runs);
  } finally {
    for (const suite of suites.splice(0)) suite.cleanup();
  }
  log(`done in ${fmt((Date.now() - started) / 60_000, 1)} min`);
}

/**
 * A complete suite from a full-quality run replaces its bench/results/<suite>.json, and the report is
 * rendered from every suite's file; anything else goes to .bench-out/, rendered from this run alone.
 */
function writeOutputs(plans: readonly SuitePlan[], runs: readonly AnyRunReport[]): void {
  let saved = false;
  const thisRun: { cors?: AnyRunReport; auth?: AnyRunReport } = {};
  plans.forEach((p, i) => {
    const run = runs[i]!;
    thisRun[p.suite.id] = run;
    if (p.complete && !quick) {
      mkdirSync(resultsDir, { recursive: true });
      const path = join(resultsDir, `${p.suite.id}.json`);
      writeFileSync(path, `${JSON.stringify(run, null, 2)}\n`);
      log(`wrote ${path}`);
      saved = true;
    } else {
      const path = join(OUT_DIR, `results-${p.suite.id}${quick ? '-quick' : '-partial'}.json`);
      writeFileSync(path, `${JSON.stringify(run, null, 2)}\n`);
      log(`wrote ${path} (${quick ? 'quick run' : 'part of the suite'}: ${join(resultsDir, `${p.suite.id}.json`)} kept as it was)`);
    }
  });
  const outPath = env.BENCH_OUT ?? (saved ? join('docs', 'benchmarks.md') : join(OUT_DIR, 'benchmarks.md'));
  const report = saved ? readSuiteRuns(resultsDir) : (thisRun as SuiteRuns);
  mkdirSync(join(outPath, '..'), { recursive: true });
  writeFileSync(outPath, renderBenchmarks(report, saved ? resultsDir : null));
  log(`wrote ${outPath}`);
}

function machine(loadBefore: number[]): AnyRunReport['machine'] {
  const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? 'unknown';
  let kernel = 'unknown';
  try {
    kernel = execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as unknown
  }
  const load = (l: number[]) => l.map((x) => fmt(x, 2)).join(' ');
  return { nproc: cpus().length, cpuModel, node: process.version, kernel, loadBefore: load(loadBefore), loadAfter: load(loadavg()) };
}

function versions(packages: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['autocannon', 'tsx', ...packages]) {
    const path = join('node_modules', name, 'package.json');
    out[name] = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version : 'not installed';
  }
  return out;
}

main()
  .catch(async (error: unknown) => {
    console.error(error);
    await stopAll();
    process.exitCode = 1;
  })
  .finally(() => setTimeout(() => process.exit(), 100).unref());
