// What bench/run.ts needs from a suite: its server processes, grouped so that the servers of one group
// run side by side and their measurements alternate round after round, and how to turn a
// measurement's medians into the suite's result entry. bench/corsSuite.ts and bench/authSuite.ts.

import type { AuthCaseResult, CaseResult, MeasuredCase, SuiteId } from './results.ts';
import type { BenchRequest } from './workload.ts';

export interface ServerSpec {
  /** For the log and "Not measured": `express/peer/10k`, `auth/fastify/peer/ES256`. */
  readonly label: string;
  /** A file in bench/servers/. */
  readonly file: string;
  readonly env: Readonly<Record<string, string>>;
  /** Where the server's NOTE lines go in the report. */
  readonly notesKey: string;
  /** Every measurement on this server (BENCH_FILTER is applied by run.ts). */
  readonly runs: readonly { readonly id: string; readonly request: BenchRequest }[];
  /** The first thing wrong with the server's answers, or undefined: a wrong server is not measured. */
  verify(port: number): Promise<string | undefined>;
}

export interface PreparedSuite {
  readonly id: SuiteId;
  readonly groups: readonly (readonly ServerSpec[])[];
  /** Ids measured outside the servers (the CORS engine micro benchmark), for BENCH_FILTER. */
  readonly extraIds: readonly string[];
  /** Packages whose versions the report lists. */
  readonly packages: readonly string[];
  result(measured: MeasuredCase): CaseResult | AuthCaseResult;
  /** Removes what prepare made (the authentication fixture). */
  cleanup(): void;
}
