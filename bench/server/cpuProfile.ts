// Where a `node --cpu-prof` profile spends its time: self time per function, per source area (a
// Gatehouse file, a package, Node's internals, GC), and inclusive time of Gatehouse's own functions.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly startTime: number;
  readonly endTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  readonly ms: number;
  /** Share of the non-idle time. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly selfByFunction: readonly ProfileEntry[];
  readonly selfByArea: readonly ProfileEntry[];
  /** Time in a Gatehouse (src/) function and everything it called. */
  readonly inclusiveGatehouse: readonly ProfileEntry[];
}

/** src/server/app.ts, node_modules/fastify, node:internal, (garbage collector)... */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules !== null) return `node_modules/${modules[1]}`;
  const src = /\/((?:src|bin|bench)\/.+)$/.exec(url);
  if (src !== null) return src[1]!;
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node:internal' : url;
  return url;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  // Sources compiled by tsx report line 0: their name and file are what identify them.
  return `${functionName || '(anonymous)'} ${areaOf(url, functionName)}${lineNumber > 0 ? `:${lineNumber + 1}` : ''}`;
}

function top(map: Map<string, number>, busyMs: number, n: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busyMs > 0 ? ms / busyMs : 0 }));
}

/**
 * Only the samples taken between `window.fromEndMs` and `window.toEndMs` before the profile's end (so
 * start-up, module loading and the idle time before the load are left out); all when not given.
 */
export function summarizeProfile(profile: CpuProfile, window?: { fromEndMs: number; toEndMs: number }, topN = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfFn = new Map<string, number>();
  const selfArea = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  let atUs = profile.startTime;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    atUs += profile.timeDeltas[i] ?? 0;
    const beforeEndMs = (profile.endTime - atUs) / 1000;
    if (window !== undefined && (beforeEndMs > window.fromEndMs || beforeEndMs < window.toEndMs)) return;
    const node = byId.get(id);
    if (node === undefined) return;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    add(selfFn, frameName(node), ms);
    add(selfArea, areaOf(node.callFrame.url, node.callFrame.functionName), ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      if (!/\/src\//.test(frame.callFrame.url)) continue;
      const name = frameName(frame);
      if (seen.has(name)) continue; // recursion counts once
      seen.add(name);
      add(inclusive, name, ms);
    }
  });
  return {
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    selfByFunction: top(selfFn, busyMs, topN),
    selfByArea: top(selfArea, busyMs, topN),
    inclusiveGatehouse: top(inclusive, busyMs, topN),
  };
}

/** Reads the one .cpuprofile `node --cpu-prof` wrote into `dir`. */
export function readProfile(dir: string): CpuProfile {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
}
