// The shape of one suite's results: what bench/run.ts records in bench/results/<suite>.json after a
// full run of that suite (.bench-out/ for quick or filtered runs), and what docs/benchmarks.md is
// rendered from. Each suite keeps its own file, so measuring one suite leaves the other's numbers.

import type { EngineReport } from './engine.ts';
import type { AuthAlg, AuthKind } from './authWorkload.ts';
import type { Role } from './variants.ts';
import type { ListId, RequestKind } from './workload.ts';

export const SUITES = ['cors', 'auth'] as const;
export type SuiteId = (typeof SUITES)[number];

/** One measurement's medians over its rounds. */
export interface MeasuredCase {
  readonly id: string;
  readonly rounds: number;
  /** Medians over the rounds. */
  readonly rps: number;
  /** (max − min) / median of req/s over the rounds. */
  readonly rpsSpread: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpu: number;
  readonly clientCpu: number;
  readonly serverCpuUsPerRequest: number;
  /** The most any other process used (share of a core) during one of the rounds kept. */
  readonly foreignCpu: number;
  readonly failures: number;
  /** Every round kept, for a closer look (empty in results rebuilt from a report, see bench/results/cors.json). */
  readonly samples: readonly { readonly rps: number; readonly serverCpuUsPerRequest: number; readonly foreignCpu: number }[];
}

/** A CORS measurement: `express/peer/10k/refused`. */
export interface CaseResult extends MeasuredCase {
  readonly framework: string;
  readonly role: Role;
  readonly list: ListId;
  readonly kind: RequestKind;
}

/** gatehouse-noauth: Gatehouse with its defaults and no `auth` (what it costs before authenticating). */
export type AuthRole = 'bare' | 'gatehouse-noauth' | 'peer' | 'gatehouse';

/** An authentication measurement: `auth/fastify/peer/ES256/refused`; the bare app has alg `none`. */
export interface AuthCaseResult extends MeasuredCase {
  readonly framework: string;
  readonly role: AuthRole;
  readonly alg: AuthAlg | 'none';
  readonly kind: AuthKind;
}

export interface RunMethod {
  readonly durationS: number;
  readonly warmupS: number;
  readonly rounds: number;
  readonly connections: number;
  readonly pipelining: number;
  readonly pinNote: string;
  readonly quick: boolean;
  readonly filter: string;
  readonly foreignLimit: number;
  readonly maxRetries: number;
  readonly retries: number;
}

interface SuiteRun {
  readonly started: Date | string;
  readonly finished: Date | string;
  readonly machine: { nproc: number; cpuModel: string; node: string; kernel: string; loadBefore: string; loadAfter: string };
  readonly versions: Readonly<Record<string, string>>;
  readonly method: RunMethod;
  readonly skipped: readonly { id: string; why: string }[];
  readonly notes: Readonly<Record<string, readonly string[]>>;
  /** Where the numbers come from when they were not written by bench/run.ts itself. */
  readonly provenance?: string;
}

/** The CORS suite (files written before suites existed have no `suite` field: they are CORS). */
export interface RunReport extends SuiteRun {
  readonly suite?: 'cors';
  readonly engine: EngineReport | undefined;
  readonly results: readonly CaseResult[];
}

export interface AuthRunReport extends SuiteRun {
  readonly suite: 'auth';
  readonly results: readonly AuthCaseResult[];
}

export type AnyRunReport = RunReport | AuthRunReport;

/** The results of every suite that has some. */
export interface SuiteRuns {
  readonly cors?: RunReport;
  readonly auth?: AuthRunReport;
}

export const isAuthRun = (run: AnyRunReport): run is AuthRunReport => run.suite === 'auth';
