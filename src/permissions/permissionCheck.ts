// Evaluating a rule: request facts in, a PermissionDecision out. The status follows DRF, plus one
// rule DRF leaves to each view: an object the caller may not even read is answered 404, not 403, so
// a refusal never tells the caller that the object exists.
//
//   401 not-authenticated   no Principal and the rule refused (DRF's NotAuthenticated: authenticating
//                           might help, so the adapter adds WWW-Authenticate)
//   403 insufficient-scope  a Principal whose token lacks scopes that would make the rule pass
//                           (RFC 6750 §3.1); `requiredScopes` goes into the Bearer challenge
//   403 permission-denied   any other refusal of a Principal
//   404 not-found           an object rule refused an object the caller may not read, where "may read"
//                           is the same rule evaluated on that object with method GET

import type { PermissionContext, Refusal, Rule } from './rule.ts';

export type PermissionDeniedCode = 'not-authenticated' | 'insufficient-scope' | 'permission-denied' | 'not-found';

export interface PermissionRefused {
  readonly allowed: false;
  readonly status: 401 | 403 | 404;
  /** Stable: the problem+json `code`, the log line and docs/permissions.md use it. */
  readonly code: PermissionDeniedCode;
  /** For the log line only: it may name roles, owners and, for a 404, why the object is hidden. */
  readonly reason: string;
  /** The scopes that would let the request through (RFC 6750 §3 `scope`), when scopes are the problem. */
  readonly requiredScopes?: readonly string[];
}

export type PermissionDecision = { readonly allowed: true } | PermissionRefused;

const ALLOWED: PermissionDecision = Object.freeze({ allowed: true });

/**
 * The request-level part only (DRF's check_permissions), before any object is loaded. For a rule that
 * uses objects (`rule.usesObject`) an allow means "may proceed": the handler must still call
 * checkObject, filterObjects or checkCreate.
 */
export function checkRequest(rule: Rule, ctx: PermissionContext): PermissionDecision {
  const refusal = rule.requestRefusal(ctx);
  return refusal === undefined ? ALLOWED : refused(rule, ctx, refusal);
}

/** One existing object (DRF's check_object_permissions), the request part included. */
export function checkObject(rule: Rule, ctx: PermissionContext, object: unknown): PermissionDecision {
  const requestRefusal = rule.requestRefusal(ctx);
  // Refused before looking at the object: the answer is the same for every object, so it leaks nothing.
  if (requestRefusal !== undefined) return refused(rule, ctx, requestRefusal);
  const refusal = rule.objectRefusal(ctx, object);
  if (refusal === undefined) return ALLOWED;
  if (!mayRead(rule, ctx, object)) {
    return { allowed: false, status: 404, code: 'not-found', reason: `hidden as not found: the caller may not read this object: ${refusal.reason} (rule: ${rule.source})` };
  }
  return refused(rule, ctx, refusal);
}

/** The objects of a list the rule allows, one by one (DRF applies object rules to single objects only). */
export function filterObjects<T>(rule: Rule, ctx: PermissionContext, objects: Iterable<T>): T[] {
  const allowed: T[] = [];
  // The built-in rules and combinators already refuse every object then; a hand-written Rule might not.
  if (rule.requestRefusal(ctx) !== undefined) return allowed;
  for (const object of objects) if (rule.objectRefusal(ctx, object) === undefined) allowed.push(object);
  return allowed;
}

/**
 * The object a request is about to create (POST), checked as if it existed: with `owner`, the caller
 * must be the owner of what they create. Never 404: the object does not exist yet, so nothing leaks.
 */
export function checkCreate(rule: Rule, ctx: PermissionContext, candidate: unknown): PermissionDecision {
  const refusal = rule.requestRefusal(ctx) ?? rule.objectRefusal(ctx, candidate);
  return refusal === undefined ? ALLOWED : refused(rule, ctx, refusal);
}

function mayRead(rule: Rule, ctx: PermissionContext, object: unknown): boolean {
  if (ctx.method.toUpperCase() === 'GET') return false; // the rule just refused exactly that
  return rule.objectRefusal({ ...ctx, method: 'GET' }, object) === undefined;
}

function refused(rule: Rule, ctx: PermissionContext, refusal: Refusal): PermissionRefused {
  const reason = `${refusal.reason} (rule: ${rule.source})`;
  const scopes = refusal.scopes === undefined ? {} : { requiredScopes: refusal.scopes };
  if (ctx.principal === undefined) return { allowed: false, status: 401, code: 'not-authenticated', reason, ...scopes };
  if (refusal.scopes !== undefined) return { allowed: false, status: 403, code: 'insufficient-scope', reason, ...scopes };
  return { allowed: false, status: 403, code: 'permission-denied', reason };
}
