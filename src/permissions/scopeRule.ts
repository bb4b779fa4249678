// hasScope: OAuth2 scopes (RFC 6749 §3.3). Kept apart from the other built-in rules because `and`
// merges scope rules into one (so a refusal names every scope the request needs, as RFC 6750 §3's
// `scope` attribute should), and the other built-ins are themselves built with `and`/`or`.

import { assertWord, atom, PRECEDENCE, type Rule } from './rule.ts';

const scopesOfRule = new WeakMap<Rule, readonly string[]>();

/** The scopes a hasScope rule requires; undefined for any other rule. */
export function scopesOf(rule: Rule): readonly string[] | undefined {
  return scopesOfRule.get(rule);
}

/** How a scope is written in the string form: bare when it has a ':' and no reserved prefix. */
export function scopeWord(scope: string): string {
  const lower = scope.toLowerCase();
  return scope.includes(':') && !lower.startsWith('role:') && !lower.startsWith('scope:') ? scope : `scope:${scope}`;
}

/** The principal holds every one of `scopes` (scopes are case-sensitive, RFC 6749 §3.3). */
export function hasScope(...scopes: string[]): Rule {
  if (scopes.length === 0) throw new TypeError('hasScope() needs at least one scope');
  scopes.forEach((scope) => assertWord(scope, 'a scope'));
  const required = Object.freeze([...new Set(scopes)]);
  const source = required.map(scopeWord).join(' AND ');
  const base = atom(source, false, (ctx) => {
    if (ctx.principal === undefined) return { reason: `needs an authenticated caller with scope(s) ${required.join(' ')}`, scopes: required };
    const held = ctx.principal.scopes;
    const missing = required.filter((scope) => !held.has(scope));
    return missing.length === 0 ? undefined : { reason: `the credentials lack scope(s) ${missing.join(' ')}`, scopes: required };
  });
  // Several scopes print as `scope:a AND scope:b`: the precedence must say so for parenthesising.
  const rule: Rule = required.length === 1 ? base : Object.freeze({ ...base, precedence: PRECEDENCE.and });
  scopesOfRule.set(rule, required);
  return rule;
}
