// Checks what a caller asks a key to be, before anything is written: every problem at once, each
// naming the field, so the CLI and the HTTP endpoint can show them as they are.

import type { ApiKeyInputIssue } from './apiKeyErrors.ts';
import { parseAllowedIps } from './allowedIps.ts';

export interface CreateApiKeyInput {
  readonly name: string;
  /** Who the key acts for: becomes the Principal's subject. */
  readonly owner: string;
  readonly scopes?: readonly string[];
  /** null or absent: never expires. */
  readonly expiresAt?: Date | null;
  /** CIDRs or single addresses; empty or absent: any address. */
  readonly allowedIps?: readonly string[];
  readonly enabled?: boolean;
}

export interface ValidCreateInput {
  readonly name: string;
  readonly owner: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
  readonly allowedIps: readonly string[];
  readonly enabled: boolean;
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const CONTROL = /[\x00-\x1F\x7F]/;
const MAX_TEXT = 200;

export function checkCreateInput(input: CreateApiKeyInput, now: number): { ok: true; value: ValidCreateInput } | { ok: false; issues: ApiKeyInputIssue[] } {
  const issues: ApiKeyInputIssue[] = [];
  checkText('name', input.name, issues);
  checkText('owner', input.owner, issues);

  const scopes = input.scopes ?? [];
  if (!Array.isArray(scopes)) issues.push({ field: 'scopes', message: 'must be a list of scope names' });
  else {
    scopes.forEach((scope: unknown, i) => {
      if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
        issues.push({ field: `scopes[${i}]`, value: scope, message: 'is not a scope name (RFC 6749 §3.3: printable ASCII without spaces, quotes or backslashes)', hint: 'write e.g. "posts:read"' });
      }
    });
  }

  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime()))) {
    issues.push({ field: 'expiresAt', value: String(expiresAt), message: 'is not a date' });
  } else if (expiresAt !== null && expiresAt.getTime() <= now) {
    issues.push({ field: 'expiresAt', value: expiresAt.toISOString(), message: 'is not in the future', hint: 'give a later date, or none for a key that does not expire' });
  }

  let allowedIps: readonly string[] = [];
  if (input.allowedIps !== undefined && !Array.isArray(input.allowedIps)) issues.push({ field: 'allowedIps', message: 'must be a list of CIDRs' });
  else {
    const parsed = parseAllowedIps(input.allowedIps ?? []);
    if (parsed.ok) allowedIps = parsed.cidrs;
    else for (const issue of parsed.issues) issues.push({ field: `allowedIps[${issue.index}]`, value: issue.value, message: issue.message, ...(issue.hint ? { hint: issue.hint } : {}) });
  }

  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') issues.push({ field: 'enabled', value: input.enabled, message: 'must be true or false' });

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: { name: input.name.trim(), owner: input.owner.trim(), scopes: [...new Set(scopes)], expiresAt: expiresAt?.getTime() ?? null, allowedIps, enabled: input.enabled ?? true },
  };
}

export function checkText(field: string, value: unknown, issues: ApiKeyInputIssue[]): void {
  if (typeof value !== 'string' || value.trim() === '') issues.push({ field, message: 'is required' });
  else if (value.length > MAX_TEXT || CONTROL.test(value)) issues.push({ field, value, message: `must be at most ${MAX_TEXT} characters, with no control characters` });
}
