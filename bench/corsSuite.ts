// The CORS suite as bench/run.ts runs it: the server variants of bench/variants.ts, one group per
// framework, checked by bench/correctness.ts. Its engine micro benchmark (bench/engine.ts) is run by
// run.ts itself, before the servers.

import { verifyVariant } from './correctness.ts';
import { ENGINE_KINDS } from './engine.ts';
import type { CaseResult } from './results.ts';
import type { PreparedSuite, ServerSpec } from './suite.ts';
import { FRAMEWORKS, measurementId, serverCases } from './variants.ts';
import { benchRequest, LISTS } from './workload.ts';

export function prepareCorsSuite(): PreparedSuite {
  const groups = FRAMEWORKS.map((framework) =>
    serverCases(framework).map(
      (c): ServerSpec => ({
        label: `${framework.id}/${c.role}/${c.list}`,
        file: c.file,
        env: { BENCH_LIST: c.list, ...c.env },
        notesKey: `${framework.id}/${c.role}`,
        runs: c.kinds.map((kind) => ({ id: measurementId(framework.id, c.role, c.list, kind), request: benchRequest(kind, c.list) })),
        verify: (port) => verifyVariant(port, c.list, c.role !== 'bare', c.kinds),
      }),
    ),
  );
  const peers = FRAMEWORKS.flatMap((f) => (f.peer ? [f.peer.name.replace(/^hono\/.*/, 'hono')] : []));
  return {
    id: 'cors',
    groups,
    extraIds: LISTS.flatMap((list) => ENGINE_KINDS.map((kind) => `engine/${list}/${kind}`)),
    packages: [...new Set([...FRAMEWORKS.flatMap((f) => f.packages), ...peers])],
    result(measured): CaseResult {
      const [framework, role, list, kind] = measured.id.split('/') as [string, CaseResult['role'], CaseResult['list'], CaseResult['kind']];
      return { ...measured, framework, role, list, kind };
    },
    cleanup() {},
  };
}
