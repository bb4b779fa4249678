// docs/benchmarks.md from one run: ratios first (never a lone absolute number as a headline), each
// target marked ✅/❌ with its shortfall, then the medians the ratios come from.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EngineKind } from './engine.ts';
import { appendix, engineSection, fixed, MATCHING_NOTES, methodSection } from './reportContext.ts';
import type { CaseResult, RunReport } from './results.ts';
import { FRAMEWORKS, peerListFor, type FrameworkEntry, type Role } from './variants.ts';
import { KIND_LABELS, LIST_LABELS, LISTS, REQUEST_KINDS, type ListId, type RequestKind } from './workload.ts';

interface Target {
  readonly name: string;
  /** The ratio the target asks for at least. */
  readonly min: number;
  met: number;
  missed: string[];
}

const TARGETS = {
  peer: { name: 'Gatehouse ≥ peer (req/s)', min: 1 },
  noCors: { name: 'Gatehouse within 5% of no CORS (req/s, GET)', min: 0.95 },
  size: { name: 'Gatehouse with 10,000 origins within 5% of 3 origins (req/s)', min: 0.95 },
} as const;

export function renderReport(run: RunReport): string {
  const find = (framework: string, role: Role, list: ListId, kind: RequestKind): CaseResult | undefined =>
    run.results.find((r) => r.framework === framework && r.role === role && r.list === list && r.kind === kind);
  const bare = (f: FrameworkEntry) => find(f.id, 'bare', '3', 'allowed');
  const gatehouse = (f: FrameworkEntry, list: ListId, kind: RequestKind) => find(f.id, 'gatehouse', list, kind);
  const peer = (f: FrameworkEntry, list: ListId, kind: RequestKind) => find(f.id, 'peer', peerListFor(list), kind);
  const targets = new Map(Object.entries(TARGETS).map(([key, t]) => [key, { ...t, met: 0, missed: [] } as Target]));

  /** num/den of req/s, marked against `target` when given. */
  const ratio = (num: CaseResult | undefined, den: CaseResult | undefined, targetKey?: keyof typeof TARGETS, what?: string): string => {
    if (num === undefined || den === undefined) return '–';
    const r = num.rps / den.rps;
    const contended = num.foreignCpu > run.method.foreignLimit || den.foreignCpu > run.method.foreignLimit ? ' ‡' : '';
    const text = fixed(r, 2);
    if (targetKey === undefined) return `${text}${contended}`;
    const target = targets.get(targetKey)!;
    if (r >= target.min) {
      target.met++;
      return `${text} ✅${contended}`;
    }
    const short = (target.min - r) * 100;
    // A miss smaller than the round-to-round spread of the two cases is not distinguishable from noise.
    const noise = short < ((num.rpsSpread + den.rpsSpread) / 2) * 100 ? ' †' : '';
    target.missed.push(`${what ?? num.id}: ${text}, short ${fixed(short, 1)}%${noise}${contended}`);
    return `${text} ❌ short ${fixed(short, 1)}%${noise}${contended}`;
  };
  /**
   * The same comparison by server CPU time per request, turned so it reads like a req/s ratio (above 1:
   * `num` is cheaper). It holds even when the load generator, or another process, was the limit.
   */
  const cpuRatio = (num: CaseResult | undefined, den: CaseResult | undefined): string =>
    num === undefined || den === undefined ? '–' : fixed(den.serverCpuUsPerRequest / num.serverCpuUsPerRequest, 2);
  const ratioWithCpu = (num: CaseResult | undefined, den: CaseResult | undefined, targetKey?: keyof typeof TARGETS, what?: string): string =>
    num === undefined || den === undefined ? '–' : `${ratio(num, den, targetKey, what)} · cpu ${cpuRatio(num, den)}`;

  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const table = (header: readonly string[], rows: readonly (readonly string[])[]) => {
    push(`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const row of rows) push(`| ${row.join(' | ')} |`);
    push('');
  };
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
    push('## Gatehouse / peer', '', 'Requests per second of Gatehouse divided by those of the framework\'s own CORS package, same framework, same policy, same allowlist. Target: ≥ 1.00. In the pattern rows the peer ran with the same rules as 100 RegExp (peers have no wildcard patterns), so its numbers are the regex rows\'.', '');
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
      '## Gatehouse / no CORS',
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
    push('## 10,000 origins / 3 origins', '', 'Requests per second with 10,000 exact origins (the allowed one last) divided by those with 3. Target for Gatehouse: ≥ 0.95. The peer columns show what an array scan costs.', '');
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
    push('## 100 patterns and 100 regexes / 3 exact origins', '', 'Requests per second with 100 wildcard patterns (Gatehouse `allowedOriginPatterns`) or 100 regexes (`allowedOriginRegexes`; peers: 100 RegExp) divided by those with 3 exact origins. No target; for information.', '');
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
    push('## What a refusal costs (node:http, 3 origins)', '', 'Gatehouse explains every refusal (the nearest allowed origin, what differs) and remembers the answer per origin. The common case is one refused origin over and over; a scanner sends a new one each time, which defeats the caches. With its default logger Gatehouse also writes one JSON line per refusal (here to a file); every other row runs with the logger off, as the peers log nothing.', '');
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
  const head: string[] = [];
  const started = new Date(run.started);
  head.push(
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/run.ts) on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; do not edit by hand.${run.method.quick ? ' **Quick smoke run (BENCH_QUICK=1): too short to trust.**' : ''}${run.method.filter ? ` **Filtered run (BENCH_FILTER=${run.method.filter}).**` : ''}`,
    '',
    '## Targets',
    '',
    '| target | met | missed | misses (ratio, shortfall) |',
    '|---|---:|---:|---|',
  );
  for (const t of targets.values()) head.push(`| ${t.name} | ${t.met} | ${t.missed.length} | ${t.missed.join('<br>') || '–'} |`);
  head.push('', 'Every ratio reads "higher is better for the first named": req/s of the first / req/s of the second. "cpu" gives the same comparison by server CPU time per request (second / first), which holds even when the load generator or another process was the limit; the targets are judged on req/s.', '');
  head.push(`Shortfall: how far the ratio is below the target, in % of the reference\'s req/s. † marks a miss smaller than the round-to-round spread of the two numbers compared: measured, but not distinguishable from noise. ‡ marks a ratio one of whose numbers kept a round during which other processes took more than ${fixed(run.method.foreignLimit * 100, 0)}% of a core.`, '');
  head.push('## Headline ratios', '', ...headlines(run, find), '');
  head.push('## Machine and method', '', ...methodSection(run), '');
  if (run.engine !== undefined && run.engine.results.length > 0) head.push(...engineSection(run.engine), '');

  const tail: string[] = ['## How each implementation matches a list of origins', '', ...MATCHING_NOTES, ''];
  const mounted = Object.entries(run.notes).filter(([, notes]) => notes.length > 0);
  if (mounted.length > 0) tail.push('## Variant notes', '', ...mounted.map(([key, notes]) => `- ${key}: ${notes.join('; ')}`), '');
  if (run.skipped.length > 0) tail.push('## Not measured', '', ...run.skipped.map((s) => `- ${s.id}: ${s.why}`), '');
  tail.push(...appendix(run.results));
  return [...head, ...sections.map((s) => `${s}\n`), ...tail].join('\n');
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

// `node --import tsx bench/report.ts .bench-out/results.json [out.md]` renders a report again from a
// run's raw results, without measuring anything.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [input = join('.bench-out', 'results.json'), output = join('.bench-out', 'benchmarks.md')] = process.argv.slice(2);
  writeFileSync(output, renderReport(JSON.parse(readFileSync(input, 'utf8')) as RunReport));
  console.log(`wrote ${output}`);
}
