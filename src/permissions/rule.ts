// What a permission rule is. A rule has DRF's two parts: a request-level part (has_permission), checked
// before any object is loaded, and an optional object-level part (has_object_permission). Unlike DRF, a
// rule exposes the request part and the *whole* rule on an object (request part AND object part), never
// the object part alone: that is what keeps `or` and `not` correct (DRF #6402, #7117, fixed for `|` in
// DRF PR #7522; `~` is still wrong there, #6598).

import type { Principal } from '../auth/principal.ts';

/** The request facts a rule sees. `path` is for log lines; no built-in rule looks at it. */
export interface PermissionContext {
  readonly principal: Principal | undefined;
  /** The HTTP method; compared case-insensitively (`get` is GET). */
  readonly method: string;
  readonly path?: string;
}

/** Why a rule refused. A rule that allows returns `undefined` instead. */
export interface Refusal {
  /** For the log line, never for the client: it may name roles or owners. */
  readonly reason: string;
  /**
   * Present only when holding these scopes would make the refusing rule pass, so that RFC 6750 §3.1
   * `insufficient_scope` (403) tells the client the truth: a token with these scopes gets in.
   */
  readonly scopes?: readonly string[];
}

/** Printing precedence: NOT binds tighter than AND, AND tighter than OR (see docs/permissions.md). */
export const PRECEDENCE = { or: 1, and: 2, not: 3, atom: 4 } as const;
export type Precedence = (typeof PRECEDENCE)[keyof typeof PRECEDENCE];

export interface Rule {
  /** The rule in the string form (`posts:write AND (owner OR admin)`): parseable, used in logs. */
  readonly source: string;
  readonly precedence: Precedence;
  /** True when the rule looks at objects: checkRequest alone then only lets the request proceed. */
  readonly usesObject: boolean;
  /**
   * The request-level part (has_permission). Invariant: whenever it refuses, objectRefusal refuses too
   * for every object, so a refused request never needs its object loaded.
   */
  requestRefusal(ctx: PermissionContext): Refusal | undefined;
  /** The whole rule on one object: request part AND object part (has_permission AND has_object_permission). */
  objectRefusal(ctx: PermissionContext, object: unknown): Refusal | undefined;
}

export interface RuleParts {
  /** A name for logs (`published`); also the word the string form uses if registered with the parser. */
  readonly name: string;
  /** The request-level part; allows when absent (DRF's has_permission default). */
  readonly request?: (ctx: PermissionContext) => boolean;
  /** The object-level part; allows when absent (DRF's has_object_permission default). */
  readonly object?: (ctx: PermissionContext, object: unknown) => boolean;
  /** What the log line says when the rule refuses; default `<name> refused`. */
  readonly reason?: string;
}

/** A custom rule, DRF's BasePermission subclass: the request part, the object part, or both. */
export function rule(parts: RuleParts): Rule {
  const refusal: Refusal = { reason: parts.reason ?? `${parts.name} refused` };
  const request = parts.request;
  const object = parts.object;
  return atom(
    parts.name,
    object !== undefined,
    request === undefined ? () => undefined : (ctx) => (request(ctx) ? undefined : refusal),
    object === undefined ? undefined : (ctx, value) => (object(ctx, value) ? undefined : refusal),
  );
}

/**
 * A rule without sub-rules. `objectPart` is checked only after `requestPart` allowed, so the whole
 * rule on an object is the request part AND the object part by construction.
 */
export function atom(
  source: string,
  usesObject: boolean,
  requestPart: (ctx: PermissionContext) => Refusal | undefined,
  objectPart?: (ctx: PermissionContext, object: unknown) => Refusal | undefined,
): Rule {
  return Object.freeze({
    source,
    precedence: PRECEDENCE.atom,
    usesObject,
    requestRefusal: requestPart,
    objectRefusal: objectPart === undefined ? requestPart : (ctx: PermissionContext, object: unknown) => requestPart(ctx) ?? objectPart(ctx, object),
  });
}

/** `rule.source`, in parentheses when it binds looser than the operator it sits under. */
export function operandSource(operand: Rule, parent: Precedence): string {
  return operand.precedence < parent ? `(${operand.source})` : operand.source;
}

/**
 * The characters of one word of the string form (a name, role or scope): RFC 6749 §3.3 scope-token
 * characters (%x21 / %x23-5B / %x5D-7E) except the parentheses, which the string form uses.
 */
export function isWordChar(code: number): boolean {
  return code >= 0x21 && code <= 0x7e && code !== 0x22 && code !== 0x5c && code !== 0x28 && code !== 0x29;
}

/** For names given in code (`hasRole('editor')`): a name the string form could not say is a bug. */
export function assertWord(value: string, what: string): void {
  let ok = typeof value === 'string' && value.length > 0;
  for (let i = 0; ok && i < value.length; i++) ok = isWordChar(value.charCodeAt(i));
  if (!ok) {
    throw new TypeError(`${what} must be a non-empty word of printable ASCII without spaces, quotes, "\\" or parentheses, got ${JSON.stringify(value)}`);
  }
}
