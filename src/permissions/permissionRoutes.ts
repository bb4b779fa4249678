// Which rule guards a request: the compiled `permissions` table (built and checked at start-up by
// config/permissionsSchema.ts). First match wins; a request no entry matches gets `defaultRule`,
// which is `authenticated` unless configured, so a route nobody thought of is never public.

import type { Rule } from './rule.ts';

export interface PermissionRoute {
  /** Upper-case methods; undefined for every method. A route listing GET also matches HEAD. */
  readonly methods: ReadonlySet<string> | undefined;
  /** Without the trailing `*` when `prefix` is true. */
  readonly path: string;
  /** True when the configured path ended with `*`: every path starting with `path` matches. */
  readonly prefix: boolean;
  readonly rule: Rule;
  /** Where it was configured (`permissions[2]`), for log lines. */
  readonly setting: string;
}

export interface PermissionTable {
  readonly routes: readonly PermissionRoute[];
  /** The rule of requests no route matches. */
  readonly defaultRule: Rule;
}

/**
 * The rule for a request: the first matching route's, else the table's default rule. Never
 * undefined: an adapter cannot mistake "no route" for "no rule" and let the request through.
 * `path` is the adapter's requestPath() (decoded, without query), as for CORS `paths`.
 */
export function matchRoute(table: PermissionTable, method: string, path: string): Rule {
  return findRoute(table, method, path)?.rule ?? table.defaultRule;
}

/** The route entry that matches, or undefined when the default rule applies: for logs and `doctor`. */
export function findRoute(table: PermissionTable, method: string, path: string): PermissionRoute | undefined {
  const upper = method.toUpperCase();
  return table.routes.find((route) => methodMatches(route.methods, upper) && (route.prefix ? path.startsWith(route.path) : path === route.path));
}

/**
 * Method names are case-sensitive (RFC 9110 §9.1), but upper-casing keeps `delete` from skipping a
 * DELETE entry into a weaker one. HEAD is answered by GET handlers in every framework Gatehouse
 * adapts (RFC 9110 §9.3.2), so it gets GET's rule.
 */
export function methodMatches(methods: ReadonlySet<string> | undefined, upperMethod: string): boolean {
  return methods === undefined || methods.has(upperMethod) || (upperMethod === 'HEAD' && methods.has('GET'));
}
