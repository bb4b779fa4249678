// The built-in rules, DRF's permission classes: AllowAny, IsAuthenticated, IsAdminUser,
// IsAuthenticatedOrReadOnly, and the owner rule of DRF's tutorial (IsOwnerOrReadOnly's object part).

import { or } from './combinators.ts';
import { assertWord, atom, type PermissionContext, type Refusal, type Rule } from './rule.ts';

export { hasScope } from './scopeRule.ts';

/** RFC 9110 §9.2.1 safe methods, as DRF's SAFE_METHODS. */
export const SAFE_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.includes(method.toUpperCase());
}

const NEEDS_PRINCIPAL: Refusal = { reason: 'the rule needs an authenticated caller' };

function needsPrincipal(ctx: PermissionContext): Refusal | undefined {
  return ctx.principal === undefined ? NEEDS_PRINCIPAL : undefined;
}

/** DRF AllowAny. String form `any`. */
export const allowAny: Rule = atom('any', false, () => undefined);

/** Refuses everyone. String form `deny`; useful as `defaultRule` for a strict allow-list of routes. */
export const denyAll: Rule = atom('deny', false, () => ({ reason: 'the rule "deny" refuses every request' }));

/** DRF IsAuthenticated: any Principal (user, API key or OAuth2 client). String form `authenticated`. */
export const isAuthenticated: Rule = atom('authenticated', false, needsPrincipal);

/** DRF IsAuthenticatedOrReadOnly: GET, HEAD and OPTIONS for anyone. String form `readonly`. */
export const isAuthenticatedOrReadOnly: Rule = atom('readonly', false, (ctx) =>
  ctx.principal !== undefined || isSafeMethod(ctx.method) ? undefined : { reason: `${ctx.method.toUpperCase()} needs an authenticated caller; anonymous callers may only use GET, HEAD and OPTIONS` },
);

/**
 * The request uses a safe method (GET, HEAD, OPTIONS), whoever sends it. String form `safe`: with it,
 * DRF's tutorial IsOwnerOrReadOnly is `safe OR owner` (`readonly OR owner` would let any signed-in
 * caller write, since `readonly` allows every method to them).
 */
export const isSafeRequest: Rule = atom('safe', false, (ctx) =>
  isSafeMethod(ctx.method) ? undefined : { reason: `${ctx.method.toUpperCase()} is not a safe method (GET, HEAD, OPTIONS)` },
);

/** DRF IsAdminUser, with `is_staff` read as "the principal has role `role`". String form `admin`. */
export function adminRole(role = 'admin'): Rule {
  assertWord(role, 'the admin role');
  return atom('admin', false, (ctx) => needsPrincipal(ctx) ?? (ctx.principal!.roles.has(role) ? undefined : { reason: `the caller lacks the "${role}" role (admin)` }));
}

/** The principal has role `admin`. */
export const isAdmin: Rule = adminRole();

/** The principal has `role` (case-sensitive). String form `role:NAME`. */
export function hasRole(role: string): Rule {
  assertWord(role, 'a role');
  return atom(`role:${role}`, false, (ctx) => needsPrincipal(ctx) ?? (ctx.principal!.roles.has(role) ? undefined : { reason: `the caller lacks the "${role}" role` }));
}

/** Reads an object's owner: the principal's `subject` is compared with what it returns. */
export type OwnerOf = (object: unknown) => unknown;

/** The owner is the object's `field` property. */
export function ownerField(field: string): OwnerOf {
  return (object) => (typeof object === 'object' && object !== null ? (object as Record<string, unknown>)[field] : undefined);
}

/** The default owner: the object's `owner` property, as in DRF's tutorial (`obj.owner == request.user`). */
export const defaultOwnerOf: OwnerOf = ownerField('owner');

function isSubject(owner: unknown, subject: string): boolean {
  // A numeric id (owner: 42) matches subject "42"; nothing else is coerced, so undefined, null or an
  // object never matches, not even a principal whose subject is "undefined".
  if (typeof owner === 'string') return owner === subject;
  return typeof owner === 'number' && Number.isSafeInteger(owner) && String(owner) === subject;
}

/**
 * The object's owner is the principal's subject. Request part: authenticated (there is no owner to be
 * without a principal). String form `owner`.
 */
export function isOwner(ownerOf: OwnerOf = defaultOwnerOf): Rule {
  return atom('owner', true, needsPrincipal, (ctx, object) =>
    isSubject(ownerOf(object), ctx.principal!.subject) ? undefined : { reason: `"${ctx.principal!.subject}" is not the object's owner` },
  );
}

/** `owner OR admin`: the owner, or an admin on any object. */
export function ownerOrAdmin(ownerOf: OwnerOf = defaultOwnerOf, role = 'admin'): Rule {
  return or(isOwner(ownerOf), adminRole(role));
}
