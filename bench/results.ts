// The shape of one run's results: what bench/run.ts records (also as .bench-out/results.json) and
// the report is written from.

import type { EngineReport } from './engine.ts';
import type { Role } from './variants.ts';
import type { ListId, RequestKind } from './workload.ts';

export interface CaseResult {
  readonly id: string;
  readonly framework: string;
  readonly role: Role;
  readonly list: ListId;
  readonly kind: RequestKind;
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
  /** Every round kept, for a closer look (.bench-out/results.json). */
  readonly samples: readonly { readonly rps: number; readonly serverCpuUsPerRequest: number; readonly foreignCpu: number }[];
}

export interface RunReport {
  readonly started: Date | string;
  readonly finished: Date | string;
  readonly machine: { nproc: number; cpuModel: string; node: string; kernel: string; loadBefore: string; loadAfter: string };
  readonly versions: Readonly<Record<string, string>>;
  readonly method: { durationS: number; warmupS: number; rounds: number; connections: number; pipelining: number; pinNote: string; quick: boolean; filter: string; foreignLimit: number; maxRetries: number; retries: number };
  readonly engine: EngineReport | undefined;
  readonly results: readonly CaseResult[];
  readonly skipped: readonly { id: string; why: string }[];
  readonly notes: Readonly<Record<string, readonly string[]>>;
}

