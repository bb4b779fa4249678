// django-cors-headers' setting names, read from the environment or from a dict of Django settings,
// so a Django project's configuration carries over unchanged.

import { ConfigError, type ConfigIssue } from '../errors.ts';
import type { CorsSettings } from '../cors/settings.ts';

/** The value forms of Django settings in the environment (CORS_*, SECURE_*, CSRF_*). */
export type EnvKind = 'list' | 'regexList' | 'patternList' | 'bool' | 'int' | 'string' | 'pair';

interface Mapping {
  readonly key: keyof CorsSettings;
  readonly kind: EnvKind;
}

/** Django name (and its older alias) → Gatehouse setting. */
export const DJANGO_SETTINGS: Readonly<Record<string, Mapping>> = {
  CORS_ALLOWED_ORIGINS: { key: 'allowedOrigins', kind: 'list' },
  CORS_ORIGIN_WHITELIST: { key: 'allowedOrigins', kind: 'list' },
  CORS_ALLOWED_ORIGIN_REGEXES: { key: 'allowedOriginRegexes', kind: 'regexList' },
  CORS_ORIGIN_REGEX_WHITELIST: { key: 'allowedOriginRegexes', kind: 'regexList' },
  CORS_ALLOWED_ORIGIN_PATTERNS: { key: 'allowedOriginPatterns', kind: 'patternList' },
  CORS_ALLOW_ALL_ORIGINS: { key: 'allowAllOrigins', kind: 'bool' },
  CORS_ORIGIN_ALLOW_ALL: { key: 'allowAllOrigins', kind: 'bool' },
  CORS_URLS_REGEX: { key: 'urlsRegex', kind: 'string' },
  CORS_ALLOW_METHODS: { key: 'allowMethods', kind: 'list' },
  CORS_ALLOW_HEADERS: { key: 'allowHeaders', kind: 'list' },
  CORS_EXPOSE_HEADERS: { key: 'exposeHeaders', kind: 'list' },
  CORS_PREFLIGHT_MAX_AGE: { key: 'preflightMaxAge', kind: 'int' },
  CORS_ALLOW_CREDENTIALS: { key: 'allowCredentials', kind: 'bool' },
  CORS_ALLOW_PRIVATE_NETWORK: { key: 'allowPrivateNetwork', kind: 'bool' },
  CORS_STRICT: { key: 'strict', kind: 'bool' },
  CORS_DEBUG_HEADER: { key: 'debugHeader', kind: 'bool' },
  CORS_PUBLIC_DATA: { key: 'publicData', kind: 'bool' },
};

const REMOVED: Readonly<Record<string, string>> = {
  CORS_REPLACE_HTTPS_REFERER: 'was removed in django-cors-headers 4.0; Django 4+ checks CSRF_TRUSTED_ORIGINS instead',
  CORS_MODEL: 'was removed from django-cors-headers; use isRequestAllowed (the check_request_enabled signal) for dynamic origins',
};

/** Reads CORS_* environment variables: `a,b` or a JSON list; `true`/`false`; integers. */
export function corsSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): CorsSettings {
  const issues: ConfigIssue[] = [];
  const settings: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('CORS_') || raw === undefined) continue;
    const removed = REMOVED[name];
    if (removed !== undefined) {
      issues.push({ setting: name, value: raw, message: removed, hint: `unset ${name}` });
      continue;
    }
    const mapping = DJANGO_SETTINGS[name];
    if (mapping === undefined) continue; // Other tools' CORS_* variables are none of our business.
    const parsed = parseEnvValue(raw, mapping.kind, { intHint: 'write e.g. 86400, or 0 to send no Access-Control-Max-Age' });
    if (parsed.ok) settings[mapping.key] = parsed.value;
    else issues.push({ setting: `${name} (environment)`, djangoName: name, value: raw, message: parsed.message, hint: parsed.hint });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return settings as CorsSettings;
}

/** Maps a dict of Django settings (already typed, as in settings.py) to Gatehouse's names. */
export function corsSettingsFromDjango(django: Readonly<Record<string, unknown>>): CorsSettings {
  const settings: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(django)) {
    const mapping = DJANGO_SETTINGS[name];
    if (mapping !== undefined) settings[mapping.key] = value;
  }
  return settings as CorsSettings;
}

export type ParsedEnv = { ok: true; value: unknown } | { ok: false; message: string; hint: string };

/**
 * One environment value in the form Django settings take there: true/false (and 1/0, yes/no, on/off),
 * whole numbers, text, and lists as `a,b` or a JSON list (regexes one per line, since they may hold
 * commas; a `pair` is a list of exactly two, SECURE_PROXY_SSL_HEADER's header and value).
 */
export function parseEnvValue(raw: string, kind: EnvKind, hints: { readonly intHint: string }): ParsedEnv {
  const value = raw.trim();
  switch (kind) {
    case 'bool': {
      const lower = value.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return { ok: true, value: true };
      if (['false', '0', 'no', 'off', ''].includes(lower)) return { ok: true, value: false };
      return { ok: false, message: 'is not a boolean', hint: 'write true or false' };
    }
    case 'int': {
      if (!/^\d+$/.test(value)) return { ok: false, message: 'is not a whole number of seconds', hint: hints.intHint };
      return { ok: true, value: Number(value) };
    }
    case 'string':
      return { ok: true, value };
    default: {
      const list = parseList(value, kind);
      if (kind === 'pair' && list.ok && (list.value as string[]).length !== 2) {
        return { ok: false, message: 'must be two values, the header and the value meaning HTTPS', hint: 'write HTTP_X_FORWARDED_PROTO,https' };
      }
      return list;
    }
  }
}

function parseList(value: string, kind: EnvKind): ParsedEnv {
  if (value.startsWith('[')) {
    try {
      const list: unknown = JSON.parse(value);
      if (Array.isArray(list) && list.every((item) => typeof item === 'string')) return { ok: true, value: list };
    } catch {
      // Fall through to the message below.
    }
    return { ok: false, message: 'is not a JSON list of strings', hint: 'write ["https://a.example","https://b.example"] or a,b' };
  }
  if (value === '') return { ok: true, value: [] };
  // A regex may itself contain commas (`\d{1,3}`), so regexes are one per line unless given as JSON.
  if (kind === 'regexList') return { ok: true, value: value.split('\n').map((s) => s.trim()).filter((s) => s !== '') };
  return { ok: true, value: splitOutsideBrackets(value) };
}

/** Splits on commas, except inside `[...]` (a pattern's port list: `https://*.a.com:[8080,8443]`). */
function splitOutsideBrackets(value: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    const c = value[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if ((c === ',' && depth === 0) || i === value.length) {
      const item = value.slice(start, i).trim();
      if (item !== '') items.push(item);
      start = i + 1;
    }
  }
  return items;
}
