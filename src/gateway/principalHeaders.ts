// The authenticated Principal as request headers for the upstream: who (Subject, Kind), with what
// (Scopes, Roles) and how (Auth-Method). Every client-sent header with the same prefix is removed
// first, so no client can pose as another user by sending X-Gatehouse-Subject itself.

import type { Principal } from '../auth/principal.ts';

export interface PrincipalHeaderNames {
  /** Lower case, for comparing with node's header names. */
  readonly lowerPrefix: string;
  readonly subject: string;
  readonly kind: string;
  readonly scopes: string;
  readonly roles: string;
  readonly authMethod: string;
}

export function principalHeaderNames(prefix: string): PrincipalHeaderNames {
  return Object.freeze({
    lowerPrefix: prefix.toLowerCase(),
    subject: `${prefix}Subject`,
    kind: `${prefix}Kind`,
    scopes: `${prefix}Scopes`,
    roles: `${prefix}Roles`,
    authMethod: `${prefix}Auth-Method`,
  });
}

/** Visible ASCII but `%` stays as it is; everything else is percent-encoded UTF-8 (RFC 3986 §2.1). */
const UNSAFE = /[^\x21-\x24\x26-\x7e]/gu;

/**
 * A value that is safe in a header and decodes back exactly (`urllib.parse.unquote`,
 * `decodeURIComponent`): a subject such as `alice@example.com` arrives unchanged, `José Díaz` as
 * `Jos%C3%A9%20D%C3%ADaz`. Lists (scopes, roles) are space-separated, each item encoded alone.
 */
export function headerText(value: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(value)) return value;
  // A lone surrogate (possible in a JSON claim) cannot be UTF-8 encoded; it becomes U+FFFD.
  const wellFormed = (value as string & { toWellFormed(): string }).toWellFormed();
  return wellFormed.replace(UNSAFE, encodeURIComponent);
}

function list(values: ReadonlySet<string>): string {
  let out = '';
  for (const value of values) out = out === '' ? headerText(value) : `${out} ${headerText(value)}`;
  return out;
}

/** Appends the Principal's headers to a flat name/value list; scopes and roles only when there are some. */
export function appendPrincipalHeaders(lines: string[], names: PrincipalHeaderNames, principal: Principal): void {
  lines.push(names.subject, headerText(principal.subject), names.kind, principal.kind, names.authMethod, principal.method);
  if (principal.scopes.size > 0) lines.push(names.scopes, list(principal.scopes));
  if (principal.roles.size > 0) lines.push(names.roles, list(principal.roles));
}
