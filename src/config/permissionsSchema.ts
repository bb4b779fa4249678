// Start-up validation of the `permissions` routes and `defaultRule`: every rule is parsed, every path
// and method checked, and every problem reported at once with its setting (`permissions[2].rule`).
// What comes out is the compiled PermissionTable; matchRoute never parses or validates anything.

import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { methodMatches, type PermissionRoute, type PermissionTable } from '../permissions/permissionRoutes.ts';
import { parseRuleSource, ruleIssue, type RuleParseOptions } from '../permissions/ruleParser.ts';
import { closest } from '../text/editDistance.ts';
import { settingIssues as zodIssues } from './zodIssues.ts';

/** Requests no route matches need a Principal: secure by default, unlike DRF's AllowAny default. */
export const DEFAULT_PERMISSION_RULE = 'authenticated';

export const permissionRouteSchema = z.strictObject({
  /** Default: every method. */
  methods: z.array(z.string()).optional(),
  /** Exact (`/api/health`) or a prefix ending in `*` (`/api/posts/*`), as CORS `paths`. */
  path: z.string(),
  /** The string form: `posts:write AND (owner OR admin)`. */
  rule: z.string(),
});

/** The top-level keys this module owns, to spread into the whole configuration's schema. */
export const permissionsShape = {
  permissions: z.array(permissionRouteSchema).optional(),
  defaultRule: z.string().default(DEFAULT_PERMISSION_RULE),
};

export const permissionsSchema = z.strictObject(permissionsShape);

export type PermissionsInput = z.input<typeof permissionsSchema>;

export interface ResolvePermissionsOptions extends RuleParseOptions {
  /** Prefix for setting names in messages, e.g. `auth`; default none (`permissions[2].rule`). */
  readonly prefix?: string;
}

const KEYS = ['permissions', 'defaultRule', 'methods', 'path', 'rule'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function resolvePermissionRoutes(input: unknown, options: ResolvePermissionsOptions = {}): PermissionTable {
  const prefix = options.prefix ?? '';
  const at = (setting: string) => (prefix === '' ? setting : `${prefix}.${setting}`);
  const parsed = permissionsSchema.safeParse(input ?? {});
  if (!parsed.success) throw new ConfigError(zodIssues(parsed.error, prefix).map(withKeyHint));
  const issues: ConfigIssue[] = [];

  const defaultResult = parseRuleSource(parsed.data.defaultRule, options);
  if (!defaultResult.ok) issues.push(ruleIssue(at('defaultRule'), parsed.data.defaultRule, defaultResult));

  const routes: PermissionRoute[] = [];
  const shapes: RouteShape[] = [];
  (parsed.data.permissions ?? []).forEach((entry, i) => {
    const setting = at(`permissions[${i}]`);
    let valid = true;
    const { path } = entry;
    if (!path.startsWith('/') || path.slice(0, -1).includes('*') || path.includes('?') || path.includes('#')) {
      issues.push({ setting: `${setting}.path`, value: path, message: 'must start with "/", may only end with "*", and has no query or fragment', hint: 'write "/api/health" for one path or "/api/posts/*" for everything under it' });
      valid = false;
    }
    let methods: Set<string> | undefined;
    if (entry.methods !== undefined) {
      if (entry.methods.length === 0) {
        issues.push({ setting: `${setting}.methods`, value: [], message: 'lists no method, so the entry would never match', hint: 'omit methods for every method' });
        valid = false;
      }
      entry.methods.forEach((method, j) => {
        if (TOKEN.test(method)) return;
        issues.push({ setting: `${setting}.methods[${j}]`, value: method, message: 'is not an HTTP method name', hint: 'methods are tokens such as "GET" or "DELETE"' });
        valid = false;
      });
      methods = new Set(entry.methods.map((method) => method.toUpperCase()));
    }
    const result = parseRuleSource(entry.rule, options);
    if (!result.ok) issues.push(ruleIssue(`${setting}.rule`, entry.rule, result));
    if (!valid) return;

    const where: RouteShape = { methods, path: path.endsWith('*') ? path.slice(0, -1) : path, prefix: path.endsWith('*'), setting };
    // First match wins, so an entry an earlier one covers never applies: almost always an ordering
    // mistake, and one that silently applies a weaker (or stronger) rule than written. Checked even
    // when the rule is broken, so that every problem is reported at once.
    const shadow = shapes.find((earlier) => covers(earlier, where));
    if (shadow !== undefined) {
      issues.push({
        setting,
        value: entry.path,
        message: `never applies: ${shadow.setting} ("${shadow.path}${shadow.prefix ? '*' : ''}"${shadow.methods === undefined ? '' : ` ${[...shadow.methods].join(', ')}`}) comes first and matches every request it would`,
        hint: `move ${setting} above ${shadow.setting}, or remove it`,
      });
    }
    shapes.push(where);
    if (result.ok) routes.push(Object.freeze({ ...where, rule: result.rule }));
  });

  if (issues.length > 0 || !defaultResult.ok) throw new ConfigError(issues);
  return Object.freeze({ routes: Object.freeze(routes), defaultRule: defaultResult.rule });
}

type RouteShape = Omit<PermissionRoute, 'rule'>;

/** Whether every request `later` matches is matched by `earlier` first. */
function covers(earlier: RouteShape, later: RouteShape): boolean {
  const methods = later.methods === undefined ? earlier.methods === undefined : [...later.methods].every((method) => methodMatches(earlier.methods, method));
  const paths = earlier.prefix ? later.path.startsWith(earlier.path) : !later.prefix && later.path === earlier.path;
  return methods && paths;
}

/** zodIssues suggests among the CORS keys; a misspelt key here should get a suggestion among ours. */
function withKeyHint(issue: ConfigIssue): ConfigIssue {
  if (issue.message !== 'is not a Gatehouse setting') return issue;
  const key = issue.setting.slice(issue.setting.lastIndexOf('.') + 1);
  const suggestion = closest(key, KEYS);
  const { hint: _ignored, ...rest } = issue;
  return suggestion === undefined ? rest : { ...rest, hint: `did you mean "${suggestion}"?` };
}
