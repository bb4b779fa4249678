// The callers and objects the permission tests share, and a one-word outcome for table rows.

import { principal, type Principal } from '../../src/auth/principal.ts';
import type { PermissionDecision } from '../../src/permissions/permissionCheck.ts';
import type { PermissionContext } from '../../src/permissions/rule.ts';

function user(subject: string, fields: { scopes?: string[]; roles?: string[] } = {}): Principal {
  return principal({ subject, kind: 'user', method: 'jwt', claims: { sub: subject }, ...fields });
}

export const callers: Readonly<Record<string, Principal | undefined>> = {
  anonymous: undefined,
  alice: user('alice', { scopes: ['posts:read', 'posts:write'] }),
  bob: user('bob', { scopes: ['posts:read', 'posts:write'] }),
  admin: user('root', { roles: ['admin'], scopes: ['posts:read', 'posts:write'] }),
  staff: user('sam', { roles: ['staff'] }),
  editor: user('eve', { roles: ['editor'], scopes: ['posts:read'] }),
  reader: user('rita', { scopes: ['posts:read'] }),
  noScopes: user('nick'),
  numericId: user('42'),
};

export type Caller = keyof typeof callers;

export const alicePost = Object.freeze({ id: 1, owner: 'alice', title: 'by alice' });
export const bobPost = Object.freeze({ id: 2, owner: 'bob', title: 'by bob' });

export function ctx(caller: Caller, method = 'GET', path = '/api/posts/1'): PermissionContext {
  return { principal: callers[caller], method, path };
}

/** `allow`, or `<status> <code>` with the required scopes when there are any: one cell of a table. */
export function outcome(decision: PermissionDecision): string {
  if (decision.allowed) return 'allow';
  const scopes = decision.requiredScopes === undefined ? '' : ` [${decision.requiredScopes.join(' ')}]`;
  return `${decision.status} ${decision.code}${scopes}`;
}
