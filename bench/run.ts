// `npm run bench`: the engine micro benchmark, then every server variant under load, then
// docs/benchmarks.md. Servers run pinned to core 0, this process (the load generator) to core 1.
//
// Env: BENCH_DURATION (s per measurement, default 2), BENCH_ROUNDS (default 3), BENCH_WARMUP (s per
// server, default 1), BENCH_QUICK=1 (1 s runs, 1 round, no waiting for a quiet machine: a smoke
// test), BENCH_FILTER=<substring of an id such as "express/gatehouse/10k/refused" or
// "engine/3/allowed">, BENCH_OUT (report path). A quick or filtered run writes
// .bench-out/benchmarks.md and .bench-out/results-partial.json, never docs/benchmarks.md.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { verifyVariant } from './correctness.ts';
import { ENGINE_KINDS, type EngineReport } from './engine.ts';
import { CONNECTIONS, measure, PIPELINING, warmUp, type Measurement } from './loadGenerator.ts';
import { QuietBudget } from './machineLoad.ts';
import { renderReport } from './report.ts';
import type { CaseResult, RunReport } from './results.ts';
import { startServer, type Pinning, type RunningServer } from './serverControl.ts';
import { median, relativeSpread } from './stats.ts';
import { FRAMEWORKS, measurementId, serverCases, type ServerCase } from './variants.ts';
import { benchRequest, LISTS, type BenchRequest } from './workload.ts';

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
const partial = quick || filter !== '';
const outPath = env.BENCH_OUT ?? (partial ? join(OUT_DIR, 'benchmarks.md') : join('docs', 'benchmarks.md'));
const resultsPath = join(OUT_DIR, partial ? 'results-partial.json' : 'results.json');
for (const [name, value] of [['BENCH_DURATION', durationS], ['BENCH_ROUNDS', rounds], ['BENCH_WARMUP', warmupS]] as const) {
  if (!Number.isFinite(value) || value <= 0 || (name === 'BENCH_ROUNDS' && !Number.isInteger(value))) throw new Error(`${name} must be a positive number`);
}
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
async function stopAll(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
  running.clear();
}
function watchdog(limitS: number): void {
  setTimeout(() => {
    console.error(`bench: still running after ${Math.round(limitS)} s, stopping`);
    void stopAll().finally(() => process.exit(1));
  }, limitS * 1000).unref();
}
process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
process.once('SIGTERM', () => void stopAll().finally(() => process.exit(143)));

async function runEngine(pinning: Pinning, quiet: QuietBudget): Promise<EngineReport | undefined> {
  if (!LISTS.some((list) => ENGINE_KINDS.some((kind) => `engine/${list}/${kind}`.includes(filter)))) return undefined;
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
  readonly serverCase: ServerCase;
  /** The measurements on this server that pass BENCH_FILTER, with their requests. */
  readonly runs: readonly { readonly id: string; readonly request: BenchRequest }[];
}

/** One group per framework: its servers run side by side so their cases can alternate. */
function plan(): Planned[][] {
  return FRAMEWORKS.map((framework) =>
    serverCases(framework)
      .map((serverCase) => ({
        serverCase,
        runs: serverCase.kinds
          .map((kind) => ({ id: measurementId(framework.id, serverCase.role, serverCase.list, kind), request: benchRequest(kind, serverCase.list) }))
          .filter((run) => run.id.includes(filter)),
      }))
      .filter((p) => p.runs.length > 0),
  ).filter((group) => group.length > 0);
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
    const c = planned.serverCase;
    const label = `${c.framework.id}/${c.role}/${c.list}`;
    const start = await startServer(c.file, c.list, c.env, pinning, join(OUT_DIR, 'servers'));
    if (!start.ok) {
      log(`  skip ${label}: ${start.why}`);
      outcome.skipped.push({ id: label, why: start.why });
      continue;
    }
    running.add(start.server);
    if (start.server.notes.length > 0) outcome.notes.set(`${c.framework.id}/${c.role}`, [...start.server.notes]);
    const problem = await verifyVariant(start.server.port, c.list, c.role !== 'bare', c.kinds);
    if (problem !== undefined) {
      log(`  ABORT ${label}: wrong answer, not measured: ${problem}`);
      outcome.skipped.push({ id: label, why: `wrong answer: ${problem}` });
      running.delete(start.server);
      await start.server.stop();
      continue;
    }
    if (pinning.serverPrefix.length > 0 && start.server.cpusAllowed !== '0') log(`  warning: ${label} runs on cores ${start.server.cpusAllowed}`);
    await warmUp(start.server, warmupS, c.kinds.map((kind) => benchRequest(kind, c.list)));
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
      if (m.failures > 0) log(`  warning: ${run.id}: ${m.failures} errors, timeouts or non-2xx answers`);
      outcome.samples.set(run.id, [...(outcome.samples.get(run.id) ?? []), m]);
      log(
        `[${round + 1}/${rounds}] ${run.id.padEnd(38)} ${fmt(m.rps).padStart(7)} req/s  p50 ${fmt(m.p50Ms, 2)} ms  p99 ${fmt(m.p99Ms, 2)} ms  ` +
          `server ${fmt(m.serverCpu * 100)}%  client ${fmt(m.clientCpu * 100)}%  other ${fmt(m.foreignCpu * 100)}%`,
      );
    }
  }
}

function summarise(samples: Map<string, Measurement[]>): CaseResult[] {
  return [...samples].map(([id, ms]) => {
    const [framework, role, list, kind] = id.split('/') as [string, CaseResult['role'], CaseResult['list'], CaseResult['kind']];
    const mid = (f: (m: Measurement) => number): number => median(ms.map(f));
    return {
      id,
      framework,
      role,
      list,
      kind,
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
  });
}

async function main(): Promise<void> {
  const started = new Date();
  mkdirSync(OUT_DIR, { recursive: true });
  const { pinning, note: pinNote } = pin();
  const groups = plan();
  const measurements = groups.flat().reduce((n, p) => n + p.runs.length, 0);
  const servers = groups.flat().length;
  const estimateS = 30 + servers * (warmupS + 1.5) + measurements * rounds * (durationS + 0.3);
  // Waiting for a quiet machine may stretch the run to about 15 minutes, or by one minute.
  const quietBudgetS = quick ? 0 : Math.max(60, 15 * 60 - estimateS);
  const quiet = new QuietBudget(FOREIGN_LIMIT, quietBudgetS);
  log(`${pinNote}\n${servers} servers, ${measurements} measurements x ${rounds} rounds x ${durationS} s: about ${Math.ceil(estimateS / 60)} min`);
  watchdog(estimateS * 1.3 + quietBudgetS + 120);
  const loadBefore = loadavg();

  const engine = await runEngine(pinning, quiet);
  const outcome: Outcome = { samples: new Map(), skipped: [], notes: new Map() };
  for (const group of groups) {
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

  const report: RunReport = {
    started,
    finished: new Date(),
    machine: machine(loadBefore),
    versions: versions(),
    method: { durationS, warmupS, rounds, connections: CONNECTIONS, pipelining: PIPELINING, pinNote, quick, filter, foreignLimit: FOREIGN_LIMIT, maxRetries: MAX_RETRIES, retries: quiet.retries },
    engine,
    results: summarise(outcome.samples),
    skipped: outcome.skipped,
    notes: Object.fromEntries(outcome.notes),
  };
  writeFileSync(resultsPath, JSON.stringify(report, null, 2));
  mkdirSync(join(outPath, '..'), { recursive: true });
  writeFileSync(outPath, renderReport(report));
  log(`wrote ${outPath} (raw results: ${resultsPath}) in ${fmt((Date.now() - started.getTime()) / 60_000, 1)} min`);
}

function machine(loadBefore: number[]): RunReport['machine'] {
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

function versions(): Record<string, string> {
  const peers = FRAMEWORKS.flatMap((f) => (f.peer ? [f.peer.name.replace(/^hono\/.*/, 'hono')] : []));
  const names = ['autocannon', 'tsx', ...new Set([...FRAMEWORKS.flatMap((f) => f.packages), ...peers])];
  const out: Record<string, string> = {};
  for (const name of names) {
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
