// A permission rule a route declares in code (each adapter's requirePermission, Fastify's
// `config.permission`): bound to one Gatehouse and parsed at start-up, checked per request by
// AccessEngine.authorize. The adapters only choose where the check runs; the rule, the decision and
// the refusal are the engine's.

import type { AccessDecision } from '../access/accessEngine.ts';
import { requestIdOf } from '../access/requestPrincipal.ts';
import type { Principal } from '../auth/principal.ts';
import type { CorsRequest } from '../cors/corsEngine.ts';
import { ConfigError } from '../errors.ts';
import { isGatehouse, type Gatehouse } from '../gatehouse.ts';
import type { Rule } from '../permissions/rule.ts';
import { parseRule } from '../permissions/ruleParser.ts';

export interface RoutePermission {
  /** The rule, parsed: what an object rule's handler passes to checkObject. */
  readonly rule: Rule;
  /** The engine's decision for the Principal the adapter's access check found (undefined: anonymous). */
  check(principal: Principal | undefined, facts: Pick<CorsRequest, 'method' | 'path' | 'header'>): AccessDecision;
}

/**
 * Binds `rule` to the Gatehouse whose middleware authenticates the requests. Throws a ConfigError at
 * start-up when that Gatehouse has no access engine (no `auth` and no `permissions`): every caller
 * would be anonymous, and a route that means to be protected must not quietly start unprotected.
 * `setting` names the rule in a parse error (`requirePermission`, a Fastify route's config), `where`
 * the whole declaration in the other messages.
 */
export function routePermission(gatehouse: Gatehouse, rule: Rule | string, setting: string, where = `${setting}(${JSON.stringify(typeof rule === 'string' ? rule : rule.source)})`): RoutePermission {
  if (!isGatehouse(gatehouse)) {
    throw new TypeError(`${where} needs the Gatehouse from createGatehouse(...) that the Gatehouse middleware of this app uses, not options`);
  }
  const access = gatehouse.access;
  if (access === undefined) {
    throw new ConfigError([
      {
        setting: 'auth',
        message: `is not configured, so ${where} has no caller to check: every request would be anonymous`,
        hint: 'give createGatehouse(...) the auth settings (jwt, apiKeys, introspection or methods) and register its middleware before this route',
      },
    ]);
  }
  // A string parses now, so a typo stops the start with the column, as a `permissions` entry does.
  const compiled = typeof rule === 'string' ? parseRule(rule, { setting }) : rule;
  return {
    rule: compiled,
    check: (principal, facts) => access.authorize({ method: facts.method, path: facts.path, requestId: requestIdOf(facts.header) }, principal, compiled),
  };
}
