// Which local user a Principal is. Only credentials this server vouches for name local users: its own
// tokens and sessions (issuer tokens.issuer) and API keys from its store (owned by a user id). A token
// from another configured issuer whose `sub` happens to be "1" is not user 1: for the owner rules it is
// given a subject no local post can have.

import type { Principal } from '../auth/principal.ts';
import type { ServerContext } from './serverContext.ts';

export function localUserId(principal: Principal | undefined, ctx: Pick<ServerContext, 'tokenSettings'>): number | undefined {
  if (principal === undefined || !/^\d{1,15}$/.test(principal.subject)) return undefined;
  const ours = principal.method === 'api-key' || ((principal.method === 'jwt' || principal.method === 'session') && principal.issuer === ctx.tokenSettings.issuer);
  return ours ? Number(principal.subject) : undefined;
}

/** The Principal as the owner rules should see it: a foreign numeric subject is namespaced by its issuer. */
export function ownerView(principal: Principal | undefined, ctx: Pick<ServerContext, 'tokenSettings'>): Principal | undefined {
  if (principal === undefined || localUserId(principal, ctx) !== undefined || !/^\d+$/.test(principal.subject)) return principal;
  return { ...principal, subject: `${principal.issuer ?? principal.method}#${principal.subject}` };
}
