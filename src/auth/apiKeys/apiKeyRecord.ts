// An API key as the rest of Gatehouse sees it (never with its secret), and the pure rules that decide
// whether a found key may be used now, from this address.

import type { Selectable } from 'kysely';
import type { AuthFailureReason } from '../authErrors.ts';
import { principal, type Principal } from '../principal.ts';
import type { ApiKeysTable } from '../../store/schema.ts';
import { allowedIpMatcher } from './allowedIps.ts';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  /** `gth_` and the first 6 body characters. */
  readonly prefix: string;
  readonly scopes: readonly string[];
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly enabled: boolean;
  /** When the key stops (or stopped) working; in the future during a rotation's grace period. */
  readonly revokedAt: Date | null;
  readonly revokedReason: string | null;
  readonly allowedIps: readonly string[];
  readonly lastUsedAt: Date | null;
  readonly replacedBy: string | null;
}

export type ApiKeyStatus = 'active' | 'rotating' | 'revoked' | 'expired' | 'disabled';

export function toApiKeyRecord(row: ApiKeyRow): ApiKeyRecord {
  return Object.freeze({
    id: row.id,
    name: row.name,
    owner: row.owner,
    prefix: row.prefix,
    scopes: Object.freeze(JSON.parse(row.scopes) as string[]),
    createdAt: new Date(Number(row.created_at)),
    expiresAt: optionalDate(row.expires_at),
    enabled: Number(row.enabled) === 1,
    revokedAt: optionalDate(row.revoked_at),
    revokedReason: row.revoked_reason,
    allowedIps: Object.freeze(JSON.parse(row.allowed_ips) as string[]),
    lastUsedAt: optionalDate(row.last_used_at),
    replacedBy: row.replaced_by,
  });
}

function optionalDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(Number(ms));
}

/** For lists and the CLI: what using the key would do now (before any address check). */
export function apiKeyStatus(record: ApiKeyRecord, now: number): ApiKeyStatus {
  if (record.revokedAt !== null) return record.revokedAt.getTime() <= now ? 'revoked' : 'rotating';
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now) return 'expired';
  return record.enabled ? 'active' : 'disabled';
}

export interface ApiKeyRefusal {
  readonly reason: AuthFailureReason;
  readonly detail: string;
}

/**
 * Why this key may not be used now from `clientIp`, or undefined when it may. The most lasting
 * refusal wins: revoked, then expired, then disabled, then the address.
 */
export function apiKeyRefusal(record: ApiKeyRecord, now: number, clientIp: string | undefined): ApiKeyRefusal | undefined {
  const key = `API key ${record.id} (${record.prefix})`;
  if (record.revokedAt !== null && record.revokedAt.getTime() <= now) {
    return { reason: 'api-key-revoked', detail: `${key} was revoked at ${record.revokedAt.toISOString()}: ${record.revokedReason ?? 'no reason given'}` };
  }
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now) {
    return { reason: 'api-key-expired', detail: `${key} expired at ${record.expiresAt.toISOString()}` };
  }
  if (!record.enabled) return { reason: 'api-key-disabled', detail: `${key} is disabled` };
  if (!allowedIpMatcher(record.allowedIps)(clientIp)) {
    return { reason: 'api-key-ip-refused', detail: `${key} may not be used from ${clientIp ?? 'an unknown address'}` };
  }
  return undefined;
}

/** The Principal of an accepted key; it expires at the key's expiry or the end of its rotation grace. */
export function apiKeyPrincipal(record: ApiKeyRecord): Principal {
  const ends = [record.expiresAt, record.revokedAt].filter((d): d is Date => d !== null).map((d) => d.getTime());
  return principal({
    subject: record.owner,
    kind: 'api-key',
    method: 'api-key',
    scopes: record.scopes,
    credentialId: record.id,
    claims: Object.freeze({ keyId: record.id, name: record.name, prefix: record.prefix, owner: record.owner }),
    ...(ends.length > 0 ? { expiresAt: Math.floor(Math.min(...ends) / 1000) } : {}),
  });
}
