// A list of paths written as CORS `paths` entries are: `/healthz` (that path) or `/hooks/*` (every path
// starting with `/hooks/`). Used for the exemptions of the HTTPS redirect, Fetch Metadata and CSRF.
// Exact paths are one hash look-up; prefixes are few and checked in order.

export interface PathList {
  readonly exact: ReadonlySet<string>;
  readonly prefixes: readonly string[];
  /** As configured, for logs and docs. */
  readonly sources: readonly string[];
}

export const EMPTY_PATH_LIST: PathList = Object.freeze({ exact: new Set<string>(), prefixes: Object.freeze([]), sources: Object.freeze([]) });

/** Why `path` is not a valid entry, or undefined when it is. */
export function pathEntryProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (path.slice(0, -1).includes('*')) return 'may only end with "*" (a prefix), never contain one elsewhere';
  if (path.includes('?') || path.includes('#')) return 'is a path only, without a query or fragment';
  return undefined;
}

/** Builds the list from entries already checked with pathEntryProblem. */
export function pathList(entries: readonly string[]): PathList {
  if (entries.length === 0) return EMPTY_PATH_LIST;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const entry of entries) {
    if (entry.endsWith('*')) prefixes.push(entry.slice(0, -1));
    else exact.add(entry);
  }
  return Object.freeze({ exact, prefixes: Object.freeze(prefixes), sources: Object.freeze([...entries]) });
}

/** `path` is requestPath()'s: decoded, without the query. */
export function pathListed(list: PathList, path: string): boolean {
  if (list.exact.has(path)) return true;
  for (const prefix of list.prefixes) if (path.startsWith(prefix)) return true;
  return false;
}
