// The ready server's own tokens, as djangorestframework-simplejwt issues them: a short-lived access
// token and a longer refresh token, HMAC-signed with the server's key, `token_type` telling them
// apart. Unlike simplejwt's defaults, refresh tokens always rotate, and each login's tokens form a
// family: a refresh token used twice was stolen or replayed (OAuth 2.0 Security BCP, RFC 9700 §4.14.2),
// so the family is revoked, its refresh tokens in the database and its access tokens in the shared
// revocation list.
//
// Access tokens are verified like any other JWT, by the engine's JWT method (this issuer, this key,
// `token_type: access` required), which asks the revocation list on every request.

import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Kysely } from 'kysely';
import type { ResolvedTokenSettings } from '../../config/serverSchema.ts';
import { GatehouseError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { GatehouseDatabase } from '../../store/schema.ts';
import type { User, UserStore } from '../../store/users.ts';
import type { SharedRevocationList } from '../jwt/sharedRevocation.ts';

export interface TokenPair {
  readonly access: string;
  readonly refresh: string;
}

/** simplejwt's error codes: `token_not_valid` for every bad token, `no_active_account` for a failed login. */
export class TokenError extends GatehouseError {
  /** What exactly was wrong, for the log only. */
  readonly reason: string;
  constructor(code: 'token_not_valid' | 'no_active_account', reason: string) {
    super(code, reason);
    this.reason = reason;
  }
}

export interface TokenServiceOptions {
  readonly db: Kysely<GatehouseDatabase>;
  readonly users: UserStore;
  readonly settings: ResolvedTokenSettings;
  /** At least 64 characters; its UTF-8 bytes key the HMAC (as `auth.jwt.issuers[].secret`). */
  readonly signingKey: string;
  readonly revocation: SharedRevocationList;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** The engine's JWT issuer entry that verifies this service's access tokens. */
export function ownIssuerSettings(settings: ResolvedTokenSettings, signingKey: string) {
  return {
    issuer: settings.issuer,
    algorithms: [settings.algorithm],
    // The engine keys HMAC with the secret's UTF-8 bytes, as the service signs.
    secret: signingKey,
    ...(settings.audience === undefined ? {} : { audience: settings.audience }),
    requiredClaims: ['sub', 'jti', 'iat'],
    requiredClaimValues: { token_type: 'access' },
    rolesClaim: 'roles',
  };
}

export class TokenService {
  readonly #o: TokenServiceOptions;
  readonly #now: () => number;
  readonly #key: Uint8Array;

  constructor(options: TokenServiceOptions) {
    this.#o = options;
    this.#key = new TextEncoder().encode(options.signingKey);
    this.#now = options.now ?? Date.now;
  }

  /** POST /api/token/: a new family for a user who just proved their password. */
  async issue(user: User): Promise<TokenPair> {
    return this.#pair(user, randomUUID());
  }

  /** An access token alone, outside any family: `gatehouse token --user` and the start-up banner. */
  async accessToken(user: User, lifetimeSeconds?: number): Promise<{ token: string; jti: string; expiresAt: number }> {
    return this.#sign(user, 'access', lifetimeSeconds ?? this.#o.settings.accessTokenLifetimeSeconds);
  }

  /**
   * A valid, unrevoked access token's claims (a session cookie's token), or a TokenError. The engine's
   * JWT method verifies Bearer tokens; this is for credentials that arrive another way.
   */
  async verifyAccess(token: unknown): Promise<JWTPayload> {
    const claims = await this.#verify(token, 'access');
    if (this.#o.revocation.isRevoked({ jti: claims.jti!, subject: claims.sub!, issuer: claims.iss!, ...(claims.iat === undefined ? {} : { issuedAt: claims.iat }) })) {
      throw new TokenError('token_not_valid', `access token ${claims.jti} is revoked`);
    }
    return claims;
  }

  /** Revokes one access token (a session's) in every process. */
  async revokeAccess(claims: JWTPayload): Promise<void> {
    await this.#o.revocation.revokeToken(claims.jti!, claims.exp!, this.#o.settings.issuer);
  }

  /** POST /api/token/refresh/: rotates. A refresh token presented a second time revokes its family. */
  async refresh(token: unknown): Promise<TokenPair> {
    const claims = await this.#verify(token, 'refresh');
    const jti = claims.jti!;
    const now = this.#now();
    const row = await this.#o.db.selectFrom('refresh_tokens').selectAll().where('jti', '=', jti).executeTakeFirst();
    if (row === undefined) throw new TokenError('token_not_valid', `refresh token ${jti} is not on record`);
    if (row.revoked_at !== null && row.revoked_at <= now) throw new TokenError('token_not_valid', `refresh token ${jti} was revoked (${row.revoked_reason ?? 'no reason'})`);
    const rotating = this.#o.settings.rotateRefreshTokens;
    if (rotating) {
      // Claim the token atomically: of two requests racing with it, exactly one wins; the other is a reuse.
      const claimed = await this.#o.db.updateTable('refresh_tokens').set({ used_at: now }).where('jti', '=', jti).where('used_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) {
        await this.revokeFamily(row.family, 'reuse');
        this.#o.logger.warn({ token: { family: row.family, jti, userId: row.user_id } }, `refresh token ${jti} was used twice: its family ${row.family} is revoked (stolen or replayed token)`);
        throw new TokenError('token_not_valid', `refresh token ${jti} was already used; family ${row.family} revoked`);
      }
    }
    const user = await this.#o.users.get(row.user_id);
    if (user === undefined || !user.isActive) {
      await this.revokeFamily(row.family, 'user-disabled');
      throw new TokenError('token_not_valid', `user ${row.user_id} is missing or inactive`);
    }
    let pair: TokenPair;
    if (rotating) pair = await this.#pair(user, row.family);
    else {
      // simplejwt without rotation: a new access token, the same refresh token (reusable, so never
      // claimed). The access token is still recorded with the family, so a logout revokes it too.
      const access = await this.#sign(user, 'access', this.#o.settings.accessTokenLifetimeSeconds, row.family);
      await this.#record(`access:${access.jti}`, row.family, user.id, access.expiresAt, { used: true, access });
      pair = { access: access.token, refresh: String(token) };
    }
    // A revocation racing with this refresh (a reuse detected by a concurrent request, a logout) updated
    // the family's rows before the new one existed: look again now that it does, and revoke it too.
    if (await this.#familyRevoked(row.family)) {
      await this.revokeFamily(row.family, 'revoked-during-refresh');
      throw new TokenError('token_not_valid', `family ${row.family} was revoked while refresh token ${jti} was being exchanged`);
    }
    return pair;
  }

  async #familyRevoked(family: string): Promise<boolean> {
    const found = await this.#o.db.selectFrom('refresh_tokens').select('jti').where('family', '=', family).where('revoked_at', 'is not', null).limit(1).executeTakeFirst();
    return found !== undefined;
  }

  /** POST /api/token/verify/: any token of ours that is currently valid, access or refresh. */
  async verify(token: unknown): Promise<void> {
    const claims = await this.#verify(token, undefined);
    if (claims.token_type === 'refresh') {
      const row = await this.#o.db.selectFrom('refresh_tokens').select(['revoked_at', 'used_at']).where('jti', '=', claims.jti!).executeTakeFirst();
      if (row === undefined || (row.revoked_at !== null && row.revoked_at <= this.#now())) throw new TokenError('token_not_valid', `refresh token ${claims.jti} is revoked or unknown`);
      // Rotated away: it can never be exchanged again (simplejwt's blacklist refuses it too).
      if (this.#o.settings.rotateRefreshTokens && row.used_at !== null) throw new TokenError('token_not_valid', `refresh token ${claims.jti} was already exchanged`);
    } else if (this.#o.revocation.isRevoked({ jti: claims.jti!, subject: claims.sub!, issuer: claims.iss!, ...(claims.iat === undefined ? {} : { issuedAt: claims.iat }) })) {
      throw new TokenError('token_not_valid', `access token ${claims.jti} is revoked`);
    }
  }

  /** POST /api/token/blacklist/: logs this session out: the refresh token's whole family. */
  async blacklist(token: unknown): Promise<void> {
    const claims = await this.#verify(token, 'refresh');
    const row = await this.#o.db.selectFrom('refresh_tokens').select(['family']).where('jti', '=', claims.jti!).executeTakeFirst();
    if (row === undefined) throw new TokenError('token_not_valid', `refresh token ${claims.jti} is not on record`);
    await this.revokeFamily(row.family, 'logout');
  }

  /** Revokes a family: its refresh tokens now, its unexpired access tokens in every process within a poll. */
  async revokeFamily(family: string, reason: string): Promise<void> {
    const now = this.#now();
    await this.#o.db.updateTable('refresh_tokens').set({ revoked_at: now, revoked_reason: reason }).where('family', '=', family).where('revoked_at', 'is', null).execute();
    const live = await this.#o.db
      .selectFrom('refresh_tokens')
      .select(['access_jti', 'access_expires_at'])
      .where('family', '=', family)
      .where('access_jti', 'is not', null)
      .where('access_expires_at', '>', now)
      .execute();
    for (const { access_jti, access_expires_at } of live) await this.#o.revocation.revokeToken(access_jti!, access_expires_at! / 1000, this.#o.settings.issuer);
  }

  /** Every token of the user stops working: deactivation, password change. */
  async revokeUser(userId: number, reason: string): Promise<void> {
    const now = this.#now();
    await this.#o.db.updateTable('refresh_tokens').set({ revoked_at: now, revoked_reason: reason }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    // iat has a one-second resolution: the cut-off is the next second, so tokens issued earlier in this
    // second are refused too (and so, for under a second, are tokens issued right after: safe side).
    await this.#o.revocation.revokeSubject(String(userId), Math.floor(now / 1000) + 1, this.#o.settings.issuer);
  }

  async #pair(user: User, family: string): Promise<TokenPair> {
    const access = await this.#sign(user, 'access', this.#o.settings.accessTokenLifetimeSeconds, family);
    const refresh = await this.#sign(user, 'refresh', this.#o.settings.refreshTokenLifetimeSeconds, family);
    await this.#record(refresh.jti, family, user.id, refresh.expiresAt, { used: false, access });
    return { access: access.token, refresh: refresh.token };
  }

  /** A row of the family: a refresh token, or (used, never exchangeable) an access token alone. */
  async #record(jti: string, family: string, userId: number, expiresAt: number, options: { used: boolean; access: { jti: string; expiresAt: number } }): Promise<void> {
    const now = this.#now();
    await this.#o.db
      .insertInto('refresh_tokens')
      .values({ jti, family, user_id: userId, created_at: now, expires_at: expiresAt * 1000, used_at: options.used ? now : null, revoked_at: null, revoked_reason: null, access_jti: options.access.jti, access_expires_at: options.access.expiresAt * 1000 })
      .execute();
  }

  /** Deletes rows that expired a day ago or more: they can no longer be exchanged or revoked. */
  async purge(): Promise<number> {
    const result = await this.#o.db.deleteFrom('refresh_tokens').where('expires_at', '<', this.#now() - 86_400_000).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async #sign(user: User, type: 'access' | 'refresh', lifetimeSeconds: number, family?: string): Promise<{ token: string; jti: string; expiresAt: number }> {
    const { settings } = this.#o;
    const issuedAt = Math.floor(this.#now() / 1000);
    const jti = randomUUID().replace(/-/g, '');
    const expiresAt = issuedAt + lifetimeSeconds;
    const claims: JWTPayload = { token_type: type, user_id: user.id };
    if (type === 'access') {
      claims.username = user.username;
      claims.roles = user.isAdmin ? ['admin'] : [];
      if (user.scopes.length > 0) claims.scope = user.scopes.join(' ');
    }
    if (family !== undefined) claims.fam = family;
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: settings.algorithm, typ: 'JWT' })
      .setIssuer(settings.issuer)
      .setSubject(String(user.id))
      .setJti(jti)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt);
    if (settings.audience !== undefined) jwt = jwt.setAudience(settings.audience);
    return { token: await jwt.sign(this.#key), jti, expiresAt };
  }

  async #verify(token: unknown, type: 'access' | 'refresh' | undefined): Promise<JWTPayload> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) throw new TokenError('token_not_valid', 'no token, or not a string');
    const { settings } = this.#o;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        algorithms: [settings.algorithm],
        issuer: settings.issuer,
        ...(settings.audience === undefined ? {} : { audience: settings.audience }),
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        currentDate: new Date(this.#now()),
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JOSEError ? `${error.code}: ${error.message}` : 'malformed token';
      throw new TokenError('token_not_valid', reason);
    }
    if (type !== undefined && payload.token_type !== type) throw new TokenError('token_not_valid', `expected a ${type} token, got token_type ${JSON.stringify(payload.token_type)}`);
    if (payload.token_type !== 'access' && payload.token_type !== 'refresh') throw new TokenError('token_not_valid', 'unknown token_type');
    return payload;
  }
}
