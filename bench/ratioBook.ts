// What every suite's section of docs/benchmarks.md is made of: ratios of two measurements, each
// marked ✅/❌ against its target (with the shortfall, and † when the miss is within the noise), the
// tally of the targets, and markdown tables.

import type { MeasuredCase } from './results.ts';

export const fixed = (n: number, digits: number): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export interface TargetDefinition {
  readonly name: string;
  /** The ratio the target asks for at least. */
  readonly min: number;
}

export interface Target extends TargetDefinition {
  met: number;
  missed: string[];
}

/** Formats ratios and tallies, per target, the cells that meet it and those that miss it. */
export class RatioBook<K extends string> {
  readonly targets: Map<K, Target>;

  constructor(
    definitions: Readonly<Record<K, TargetDefinition>>,
    /** The share of a core other processes may take before a number is marked ‡. */
    private readonly foreignLimit: number,
  ) {
    this.targets = new Map((Object.entries(definitions) as [K, TargetDefinition][]).map(([key, t]) => [key, { ...t, met: 0, missed: [] }]));
  }

  /** num/den of req/s, marked against `targetKey` when given. */
  ratio(num: MeasuredCase | undefined, den: MeasuredCase | undefined, targetKey?: K, what?: string): string {
    if (num === undefined || den === undefined) return '–';
    const r = num.rps / den.rps;
    const contended = num.foreignCpu > this.foreignLimit || den.foreignCpu > this.foreignLimit ? ' ‡' : '';
    const text = fixed(r, 2);
    if (targetKey === undefined) return `${text}${contended}`;
    const target = this.targets.get(targetKey)!;
    if (r >= target.min) {
      target.met++;
      return `${text} ✅${contended}`;
    }
    const short = (target.min - r) * 100;
    // A miss smaller than the round-to-round spread of the two cases is not distinguishable from noise.
    const noise = short < ((num.rpsSpread + den.rpsSpread) / 2) * 100 ? ' †' : '';
    target.missed.push(`${what ?? num.id}: ${text}, short ${fixed(short, 1)}%${noise}${contended}`);
    return `${text} ❌ short ${fixed(short, 1)}%${noise}${contended}`;
  }

  /**
   * The same comparison by server CPU time per request, turned so it reads like a req/s ratio (above 1:
   * `num` is cheaper). It holds even when the load generator, or another process, was the limit.
   */
  cpuRatio(num: MeasuredCase | undefined, den: MeasuredCase | undefined): string {
    return num === undefined || den === undefined ? '–' : fixed(den.serverCpuUsPerRequest / num.serverCpuUsPerRequest, 2);
  }

  ratioWithCpu(num: MeasuredCase | undefined, den: MeasuredCase | undefined, targetKey?: K, what?: string): string {
    return num === undefined || den === undefined ? '–' : `${this.ratio(num, den, targetKey, what)} · cpu ${this.cpuRatio(num, den)}`;
  }

  /** The tally as a table: target, met, missed, the misses. */
  targetsTable(): string[] {
    const lines = ['| target | met | missed | misses (ratio, shortfall) |', '|---|---:|---:|---|'];
    for (const t of this.targets.values()) lines.push(`| ${t.name} | ${t.met} | ${t.missed.length} | ${t.missed.join('<br>') || '–'} |`);
    return lines;
  }

  get met(): number {
    return [...this.targets.values()].reduce((n, t) => n + t.met, 0);
  }

  get missed(): number {
    return [...this.targets.values()].reduce((n, t) => n + t.missed.length, 0);
  }
}

/** A markdown table, first column left-aligned, the others right-aligned, and a blank line. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`), ''];
}

/** The appendix table of medians, one row per measurement, in the order given. */
export function mediansTable(rows: readonly (readonly [label: string, c: MeasuredCase])[]): string[] {
  const lines = [
    '| case | req/s | spread | p50 ms | p99 ms | server CPU | server µs CPU/req | client CPU | other load |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [label, c] of rows) {
    lines.push(
      `| ${label}${c.failures > 0 ? ` (${c.failures} failed)` : ''} | ${fixed(c.rps, 0)} | ${fixed(c.rpsSpread * 100, 1)}% | ${fixed(c.p50Ms, 2)} | ${fixed(c.p99Ms, 2)} | ${fixed(c.serverCpu * 100, 0)}% | ${fixed(c.serverCpuUsPerRequest, 1)} | ${fixed(c.clientCpu * 100, 0)}% | ${fixed(c.foreignCpu * 100, 0)}% |`,
    );
  }
  return lines;
}

/** The shared explanation of how to read every ratio in the report. */
export function readingNotes(foreignLimit: number): string[] {
  return [
    'Every ratio reads "higher is better for the first named": req/s of the first / req/s of the second. "cpu" gives the same comparison by server CPU time per request (second / first), which holds even when the load generator or another process was the limit; the targets are judged on req/s.',
    '',
    `Shortfall: how far the ratio is below the target, in % of the reference's req/s. † marks a miss smaller than the round-to-round spread of the two numbers compared: measured, but not distinguishable from noise. ‡ marks a ratio one of whose numbers kept a round during which other processes took more than ${fixed(foreignLimit * 100, 0)}% of a core.`,
    '',
  ];
}
