// Authentication and permissions, part two: composable rules with Django REST framework's meaning.
// See docs/permissions.md.

export { and, not, or } from './combinators.ts';
export {
  adminRole,
  allowAny,
  defaultOwnerOf,
  denyAll,
  hasRole,
  hasScope,
  isAdmin,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  isOwner,
  isSafeMethod,
  isSafeRequest,
  ownerField,
  ownerOrAdmin,
  SAFE_METHODS,
  type OwnerOf,
} from './builtinRules.ts';
export { checkCreate, checkObject, checkRequest, filterObjects, type PermissionDecision, type PermissionDeniedCode, type PermissionRefused } from './permissionCheck.ts';
export { permissionResponse, type PermissionResponse } from './permissionResponse.ts';
export { findRoute, matchRoute, type PermissionRoute, type PermissionTable } from './permissionRoutes.ts';
export { rule, type PermissionContext, type Refusal, type Rule, type RuleParts } from './rule.ts';
export { MAX_RULE_DEPTH, MAX_RULE_LENGTH, parseRule, parseRuleSource, type RuleParseOptions, type RuleParseResult } from './ruleParser.ts';
