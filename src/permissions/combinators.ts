// and, or, not: DRF's `&`, `|` and `~`, composed on the whole rule so object rules stay correct.
//
// Each rule denotes two predicates: R (request part) and W (whole rule on an object, W implies R).
//   and(A, B):  R = R_A ∧ R_B            W = W_A ∧ W_B
//   or(A, B):   R = R_A ∨ R_B            W = W_A ∨ W_B   (= (R_A ∧ O_A) ∨ (R_B ∧ O_B), DRF PR #7522)
//   not(A):     R = ¬R_A, or "allow" when A uses objects (¬W_A can hold on some object even when
//               R_A holds, and holds on every object when R_A fails)       W = ¬W_A
// DRF's `~` negates both parts separately, so `~IsOwner` refuses everybody (DRF #6598); not here.

import { operandSource, PRECEDENCE, type PermissionContext, type Refusal, type Rule } from './rule.ts';
import { hasScope, scopesOf } from './scopeRule.ts';

const operandsOf = new WeakMap<Rule, { readonly op: 'and' | 'or'; readonly operands: readonly Rule[] }>();

/** Every rule must allow. Nested ANDs are flattened and hasScope rules merged into one. */
export function and(...rules: Rule[]): Rule {
  const operands = mergeScopes(flatten('and', rules));
  if (operands.length === 1) return operands[0]!;
  const combine = (refusalOf: (operand: Rule) => Refusal | undefined): Refusal | undefined => {
    let scopeRefusal: Refusal | undefined;
    for (const operand of operands) {
      const refusal = refusalOf(operand);
      if (refusal === undefined) continue;
      // More scopes cannot help past a refusal that is not about scopes: report that one.
      if (refusal.scopes === undefined) return refusal;
      scopeRefusal ??= refusal;
    }
    return scopeRefusal;
  };
  return composite('and', operands, {
    requestRefusal: (ctx) => combine((operand) => operand.requestRefusal(ctx)),
    objectRefusal: (ctx, object) => combine((operand) => operand.objectRefusal(ctx, object)),
  });
}

/** At least one rule must allow; on an object, one rule must allow both its parts. */
export function or(...rules: Rule[]): Rule {
  const operands = flatten('or', rules);
  if (operands.length === 1) return operands[0]!;
  const combine = (refusalOf: (operand: Rule) => Refusal | undefined): Refusal | undefined => {
    const refusals: Refusal[] = [];
    for (const operand of operands) {
      const refusal = refusalOf(operand);
      if (refusal === undefined) return undefined;
      refusals.push(refusal);
    }
    // A branch refused for scopes alone is one the client can satisfy: name its scopes (the first).
    const scoped = refusals.find((refusal) => refusal.scopes !== undefined);
    const reason = `no alternative allows: ${refusals.map((refusal) => refusal.reason).join('; ')}`;
    return scoped === undefined ? { reason } : { reason, scopes: scoped.scopes! };
  };
  return composite('or', operands, {
    requestRefusal: (ctx) => combine((operand) => operand.requestRefusal(ctx)),
    objectRefusal: (ctx, object) => combine((operand) => operand.objectRefusal(ctx, object)),
  });
}

/**
 * The rule must refuse. On objects: allowed exactly when `operand` refuses that object (request part
 * included), so `not(isOwner())` is "anyone but the owner", anonymous callers included: write
 * `and(isAuthenticated, not(isOwner()))` for "signed-in, but not the owner". A refusal by `not` never
 * names scopes: holding more scopes cannot make it allow.
 */
export function not(operand: Rule): Rule {
  const source = `NOT ${operandSource(operand, PRECEDENCE.not)}`;
  const refusal: Refusal = { reason: `${source} refuses what ${operand.source} allows` };
  return Object.freeze({
    source,
    precedence: PRECEDENCE.not,
    usesObject: operand.usesObject,
    requestRefusal: operand.usesObject ? () => undefined : (ctx: PermissionContext) => (operand.requestRefusal(ctx) === undefined ? refusal : undefined),
    objectRefusal: (ctx: PermissionContext, object: unknown) => (operand.objectRefusal(ctx, object) === undefined ? refusal : undefined),
  });
}

function composite(op: 'and' | 'or', operands: readonly Rule[], parts: Pick<Rule, 'requestRefusal' | 'objectRefusal'>): Rule {
  const precedence = op === 'and' ? PRECEDENCE.and : PRECEDENCE.or;
  const rule: Rule = Object.freeze({
    source: operands.map((operand) => operandSource(operand, precedence)).join(op === 'and' ? ' AND ' : ' OR '),
    precedence,
    usesObject: operands.some((operand) => operand.usesObject),
    ...parts,
  });
  operandsOf.set(rule, { op, operands });
  return rule;
}

function flatten(op: 'and' | 'or', rules: readonly Rule[]): Rule[] {
  if (rules.length === 0) throw new TypeError(`${op}() needs at least one rule`);
  return rules.flatMap((rule) => {
    const inner = operandsOf.get(rule);
    return inner !== undefined && inner.op === op ? inner.operands : [rule];
  });
}

/** `scope:a AND owner AND scope:b` → `scope:a AND scope:b AND owner`: one refusal names both scopes. */
function mergeScopes(operands: readonly Rule[]): Rule[] {
  const scopeRules = operands.filter((operand) => scopesOf(operand) !== undefined);
  if (scopeRules.length < 2) return [...operands];
  const merged = hasScope(...scopeRules.flatMap((operand) => scopesOf(operand)!));
  // In the place of the first scope rule, so that printing and parsing again gives the same source.
  const first = operands.findIndex((operand) => scopesOf(operand) !== undefined);
  return operands.flatMap((operand, i) => (i === first ? [merged] : scopesOf(operand) === undefined ? [operand] : []));
}
