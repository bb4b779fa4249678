// The CORS section of docs/benchmarks.md, from the CORS suite's results: ratios first (never a lone
// absolute number as a headline), each target marked ✅/❌ with its shortfall, then the medians the
// ratios come from.

import type { EngineKind } from './engine.ts';
import { markdownTable, RatioBook } from './ratioBook.ts';
import { appendix, engineSection, fixed, MATCHING_NOTES, methodSection } from './reportContext.ts';
import type { SuiteReport } from './report.ts';
import type { CaseResult, RunReport } from './results.ts';
import { FRAMEWORKS, peerListFor, type FrameworkEntry, type Role } from './variants.ts';
import { KIND_LABELS, LIST_LABELS, LISTS, REQUEST_KINDS, type ListId, type RequestKind } from './workload.ts';

const TARGETS = {
  peer: { name: 'Gatehouse ≥ peer (req/s)', min: 1 },
  noCors: { name: 'Gatehouse within 5% of no CORS (req/s, GET)', min: 0.95 },
  size: { name: 'Gatehouse with 10,000 origins within 5% of 3 origins (req/s)', min: 0.95 },
} as const;

export function corsSuiteReport(run: RunReport): SuiteReport {
  const find = (framework: string, role: Role, list: ListId, kind: RequestKind): CaseResult | undefined =>
    run.results.find((r) => r.framework === framework && r.role === role && r.list === list && r.kind === kind);
  const bare = (f: FrameworkEntry) => find(f.id, 'bare', '3', 'allowed');
  const gatehouse = (f: FrameworkEntry, list: ListId, kind: RequestKind) => find(f.id, 'gatehouse', list, kind);
  const peer = (f: FrameworkEntry, list: ListId, kind: RequestKind) => find(f.id, 'peer', peerListFor(list), kind);
  const book = new RatioBook(TARGETS, run.method.foreignLimit);
  const ratio = book.ratio.bind(book);
  const cpuRatio = book.cpuRatio.bind(book);
  const ratioWithCpu = book.ratioWithCpu.bind(book);

  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const table = (header: readonly string[], rows: readonly (readonly string[])[]) => push(...markdownTable(header, rows));
  const withPeer = FRAMEWORKS.filter((f) => f.peer !== undefined);
  const kindHeaders = REQUEST_KINDS.map((k) => KIND_LABELS[k]);

  // ---- the sections whose cells tally the targets come first, the summary is put on top at the end
  const sections: string[] = [];
  const section = (build: () => void): void => {
    const before = out.length;
    build();
    sections.push(out.splice(before).join('\n'));
  };

  section(() => {
    push('### Gatehouse / peer', '', 'Requests per second of Gatehouse divided by those of the framework\'s own CORS package, same framework, same policy, same allowlist. Target: ≥ 1.00. In the pattern rows the peer ran with the same rules as 100 RegExp (peers have no wildcard patterns), so its numbers are the regex rows\'.', '');
    const rows: string[][] = [];
    for (const f of withPeer) {
      for (const list of LISTS) {
        rows.push([`${f.label} vs ${f.peer!.name}, ${LIST_LABELS[list]}`, ...REQUEST_KINDS.map((k) => ratioWithCpu(gatehouse(f, list, k), peer(f, list, k), 'peer', `${f.id} ${list} ${k}`))]);
      }
    }
    table(['framework, allowlist', ...kindHeaders], rows);
  });

  section(() => {
    push(
      '### Gatehouse / no CORS',
      '',
      'Requests per second with Gatehouse (3 origins) divided by the same app without any CORS handling, which answers the same GET. Target: ≥ 0.95 for the two GETs. A preflight has no counterpart without CORS (the app has no OPTIONS route), so its column compares Gatehouse\'s preflight answer with the bare GET, for information. The peer columns show what the framework\'s CORS package costs on the same scale.',
      '',
    );
    table(
      ['framework', 'GET allowed', 'GET refused', 'preflight (info)', 'peer: GET allowed', 'peer: GET refused'],
      FRAMEWORKS.map((f) => [
        f.label,
        ratioWithCpu(gatehouse(f, '3', 'allowed'), bare(f), 'noCors', `${f.id} allowed`),
        ratioWithCpu(gatehouse(f, '3', 'refused'), bare(f), 'noCors', `${f.id} refused`),
        ratioWithCpu(gatehouse(f, '3', 'preflight'), bare(f)),
        f.peer ? ratioWithCpu(peer(f, '3', 'allowed'), bare(f)) : 'no peer',
        f.peer ? ratioWithCpu(peer(f, '3', 'refused'), bare(f)) : 'no peer',
      ]),
    );
  });

  section(() => {
    push('### 10,000 origins / 3 origins', '', 'Requests per second with 10,000 exact origins (the allowed one last) divided by those with 3. Target for Gatehouse: ≥ 0.95. The peer columns show what an array scan costs.', '');
    table(
      ['framework', ...kindHeaders.map((k) => `Gatehouse: ${k}`), ...kindHeaders.map((k) => `peer: ${k}`)],
      FRAMEWORKS.map((f) => [
        f.label,
        ...REQUEST_KINDS.map((k) => ratioWithCpu(gatehouse(f, '10k', k), gatehouse(f, '3', k), 'size', `${f.id} ${k}`)),
        ...REQUEST_KINDS.map((k) => (f.peer ? ratioWithCpu(peer(f, '10k', k), peer(f, '3', k)) : 'no peer')),
      ]),
    );
  });

  section(() => {
    push('### 100 patterns and 100 regexes / 3 exact origins', '', 'Requests per second with 100 wildcard patterns (Gatehouse `allowedOriginPatterns`) or 100 regexes (`allowedOriginRegexes`; peers: 100 RegExp) divided by those with 3 exact origins. No target; for information.', '');
    table(
      ['framework', ...kindHeaders.map((k) => `patterns: ${k}`), ...kindHeaders.map((k) => `regexes: ${k}`), ...kindHeaders.map((k) => `peer regexes: ${k}`)],
      FRAMEWORKS.map((f) => [
        f.label,
        ...REQUEST_KINDS.map((k) => ratio(gatehouse(f, 'patterns', k), gatehouse(f, '3', k))),
        ...REQUEST_KINDS.map((k) => ratio(gatehouse(f, 'regexes', k), gatehouse(f, '3', k))),
        ...REQUEST_KINDS.map((k) => (f.peer ? ratio(peer(f, 'regexes', k), peer(f, '3', k)) : 'no peer')),
      ]),
    );
  });

  section(() => {
    const node = FRAMEWORKS.find((f) => f.id === 'node')!;
    const cached = gatehouse(node, '3', 'refused');
    const distinct = gatehouse(node, '3', 'refused-distinct');
    const logged = find('node', 'gatehouse-logged', '3', 'refused');
    push('### What a refusal costs (node:http, 3 origins)', '', 'Gatehouse explains every refusal (the nearest allowed origin, what differs) and remembers the answer per origin. The common case is one refused origin over and over; a scanner sends a new one each time, which defeats the caches. With its default logger Gatehouse also writes one JSON line per refusal (here to a file); every other row runs with the logger off, as the peers log nothing.', '');
    table(
      ['comparison', 'req/s ratio', 'cpu ratio'],
      [
        ['a new refused origin each time / the same refused origin', ratio(distinct, cached), cpuRatio(distinct, cached)],
        ['a new refused origin each time / no CORS', ratio(distinct, bare(node)), cpuRatio(distinct, bare(node))],
        ['default logger on / logger off (same refused origin)', ratio(logged, cached), cpuRatio(logged, cached)],
      ],
    );
  });

  // ---- assemble
  const head: string[] = ['## CORS', ''];
  if (run.method.quick) head.push('**Quick smoke run (BENCH_QUICK=1): too short to trust.**', '');
  if (run.method.filter) head.push(`**Filtered run (BENCH_FILTER=${run.method.filter}).**`, '');
  if (run.provenance) head.push(run.provenance, '');
  head.push('### Targets', '', ...book.targetsTable(), '');
  head.push('### Headline ratios', '', ...headlines(run, find), '');
  head.push('### Machine and method', '', ...methodSection(run), '');
  if (run.engine !== undefined && run.engine.results.length > 0) head.push(...engineSection(run.engine), '');

  const tail: string[] = ['### How each implementation matches a list of origins', '', ...MATCHING_NOTES, ''];
  const mounted = Object.entries(run.notes).filter(([, notes]) => notes.length > 0);
  if (mounted.length > 0) tail.push('### Variant notes', '', ...mounted.map(([key, notes]) => `- ${key}: ${notes.join('; ')}`), '');
  if (run.skipped.length > 0) tail.push('### Not measured', '', ...run.skipped.map((s) => `- ${s.id}: ${s.why}`), '');
  tail.push(...appendix(run.results));
  return {
    title: 'CORS',
    comparedWith: withPeer.map((f) => f.peer!.name).join(', '),
    run,
    met: book.met,
    missed: book.missed,
    lines: [...head, ...sections.map((s) => `${s}\n`), ...tail],
  };
}

function headlines(run: RunReport, find: (framework: string, role: Role, list: ListId, kind: RequestKind) => CaseResult | undefined): string[] {
  const r = (a: CaseResult | undefined, b: CaseResult | undefined): string => (a && b ? fixed(a.rps / b.rps, 2) : '–');
  const lines: string[] = [];
  const nodeBare = find('node', 'bare', '3', 'allowed');
  lines.push(
    `- node:http + Gatehouse / bare node:http (3 origins): GET allowed ${r(find('node', 'gatehouse', '3', 'allowed'), nodeBare)}, GET refused ${r(find('node', 'gatehouse', '3', 'refused'), nodeBare)}.`,
  );
  const peerRatios = run.results
    .filter((c) => c.role === 'gatehouse' && c.kind !== 'refused-distinct')
    .map((c) => {
      const p = find(c.framework, 'peer', peerListFor(c.list), c.kind);
      return p ? { c, ratio: c.rps / p.rps } : undefined;
    })
    .filter((x) => x !== undefined);
  if (peerRatios.length > 0) {
    const by = (list: ListId) => peerRatios.filter((x) => x.c.list === list).map((x) => x.ratio);
    for (const list of LISTS) {
      const ratios = by(list);
      if (ratios.length > 0) lines.push(`- Gatehouse / peer, ${LIST_LABELS[list]}: from ${fixed(Math.min(...ratios), 2)} to ${fixed(Math.max(...ratios), 2)} over ${ratios.length} framework × request cases.`);
    }
  }
  const sizes = run.results
    .filter((c) => c.role === 'gatehouse' && c.list === '10k')
    .map((c) => {
      const small = find(c.framework, 'gatehouse', '3', c.kind);
      return small ? c.rps / small.rps : undefined;
    })
    .filter((x) => x !== undefined);
  if (sizes.length > 0) lines.push(`- Gatehouse 10,000 origins / 3 origins over HTTP: from ${fixed(Math.min(...sizes), 2)} to ${fixed(Math.max(...sizes), 2)}.`);
  const engine = run.engine?.results ?? [];
  const ns = (list: ListId, kind: EngineKind) => engine.find((e) => e.list === list && e.kind === kind)?.nsPerOp;
  const engineRatios = (['allowed', 'refused', 'preflight'] as const).map((k) => {
    const big = ns('10k', k);
    const small = ns('3', k);
    return big !== undefined && small !== undefined ? `${k} ${fixed(big / small, 2)}` : undefined;
  });
  if (engineRatios.some((x) => x !== undefined)) lines.push(`- Engine alone (decide(), ns/op), 10,000 / 3 origins: ${engineRatios.filter(Boolean).join(', ')}.`);
  return lines;
}
