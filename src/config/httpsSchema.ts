// `proxy` (whose forwarded headers are believed) and `https` (HSTS, the redirect to HTTPS) in the
// configuration: shapes, the start-up checks that report every problem at once, Django's SECURE_* and
// USE_X_FORWARDED_HOST names (environment or settings dict). The engine gets the resolved values.

import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { compilePythonRegex } from '../cors/pythonRegex.ts';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { isValidHost } from '../https/hostSyntax.ts';
import { EMPTY_PATH_LIST, pathEntryProblem, pathList, type PathList } from '../https/pathList.ts';
import type { Resolved, ResolveContext } from './corsSettings.ts';
import { settingIssues } from './zodIssues.ts';
import { parseEnvValue, type EnvKind } from './djangoSettings.ts';

export const proxySettingsSchema = z.strictObject({
  /** proxy-addr notation: addresses, CIDRs, `loopback`, `linklocal`, `uniquelocal`. */
  trusted: z.array(z.string()).optional(),
  /** Which headers the proxies write: X-Forwarded-For/-Proto/-Host (default) or RFC 7239 Forwarded. */
  header: z.enum(['x-forwarded', 'forwarded']).optional(),
  /** Django's USE_X_FORWARDED_HOST: take the host from X-Forwarded-Host (or Forwarded's host=). */
  useForwardedHost: z.boolean().optional(),
  /** Django's SECURE_PROXY_SSL_HEADER: this header with this exact value means HTTPS. */
  sslHeader: z.strictObject({ name: z.string(), value: z.string() }).optional(),
});

export const hstsSettingsSchema = z.strictObject({
  maxAge: z.number().int().min(0).optional(),
  includeSubDomains: z.boolean().optional(),
  preload: z.boolean().optional(),
});

export const httpsSettingsSchema = z.strictObject({
  hsts: hstsSettingsSchema.optional(),
  redirect: z.boolean().optional(),
  redirectHost: z.string().optional(),
  redirectExempt: z.array(z.string()).optional(),
  redirectExemptRegexes: z.array(z.string()).optional(),
});

export type ProxySettings = z.input<typeof proxySettingsSchema>;
export type HttpsSettings = z.input<typeof httpsSettingsSchema>;

export interface ResolvedProxy {
  /** proxy-addr's compiled trust function; undefined when nobody is trusted. */
  readonly trust: ((address: string, hop: number) => boolean) | undefined;
  readonly header: 'x-forwarded' | 'forwarded';
  readonly useForwardedHost: boolean;
  readonly sslHeader: { readonly name: string; readonly value: string } | undefined;
}

export interface ResolvedHttps {
  /** The Strict-Transport-Security value, undefined while maxAge is 0 (off, as in Django). */
  readonly hsts: string | undefined;
  readonly redirect: boolean;
  readonly redirectHost: string | undefined;
  readonly redirectExempt: PathList;
  /** Django's SECURE_REDIRECT_EXEMPT: searched in the path without its leading "/". */
  readonly redirectExemptRegexes: readonly RegExp[];
}

/** The Django name of each setting, for messages a Django user recognises. */
export const HTTPS_DJANGO_NAMES: Readonly<Record<string, string>> = {
  maxAge: 'SECURE_HSTS_SECONDS',
  includeSubDomains: 'SECURE_HSTS_INCLUDE_SUBDOMAINS',
  preload: 'SECURE_HSTS_PRELOAD',
  redirect: 'SECURE_SSL_REDIRECT',
  redirectHost: 'SECURE_SSL_HOST',
  redirectExemptRegexes: 'SECURE_REDIRECT_EXEMPT',
  sslHeader: 'SECURE_PROXY_SSL_HEADER',
  useForwardedHost: 'USE_X_FORWARDED_HOST',
};

/** hstspreload.org's requirements for the preload list. */
export const HSTS_PRELOAD_MIN_AGE = 31_536_000;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TRUSTS_EVERYONE = /\/0+$/;

export function resolveProxySettings(input: ProxySettings, context: ResolveContext = {}): Resolved<ResolvedProxy> {
  const prefix = context.prefix ?? 'proxy';
  const parsed = proxySettingsSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(settingIssues(parsed.error, prefix, HTTPS_DJANGO_NAMES, Object.keys(proxySettingsSchema.shape)));
  const settings = parsed.data;
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const trusted = settings.trusted ?? [];
  trusted.forEach((entry, i) => {
    const setting = { setting: `${prefix}.trusted[${i}]`, value: entry };
    if (TRUSTS_EVERYONE.test(entry.trim())) {
      issues.push({ ...setting, message: 'trusts every address, so any client could claim HTTPS or another IP address', hint: 'list the addresses or networks of your proxies, e.g. "10.0.0.0/8" or "loopback"' });
      return;
    }
    try {
      proxyAddr.compile(entry.trim());
    } catch {
      issues.push({ ...setting, message: 'is not an IP address, a CIDR network, or one of "loopback", "linklocal", "uniquelocal"', hint: 'write e.g. "127.0.0.1", "10.0.0.0/8", "2001:db8::/32" or "loopback"' });
    }
  });
  let sslHeader: ResolvedProxy['sslHeader'];
  if (settings.sslHeader !== undefined) {
    const setting = { setting: `${prefix}.sslHeader`, djangoName: 'SECURE_PROXY_SSL_HEADER', value: settings.sslHeader };
    let name = settings.sslHeader.name.trim();
    if (/^HTTP_[A-Z0-9_]+$/.test(name)) {
      // Django names the header by its WSGI META key.
      const header = name.slice(5).toLowerCase().replace(/_/g, '-');
      warnings.push({ ...setting, message: `names the header the Django way (${name}); Gatehouse reads it as the header "${header}"`, hint: `write name: "${header}"` });
      name = header;
    }
    if (!TOKEN.test(name)) issues.push({ ...setting, message: `name "${name}" is not a header name`, hint: 'write e.g. { name: "x-forwarded-proto", value: "https" }' });
    else sslHeader = { name: name.toLowerCase(), value: settings.sslHeader.value };
    if (settings.header === 'forwarded') {
      issues.push({ ...setting, message: 'applies to X-Forwarded-* headers, but proxy.header is "forwarded", whose proto= says the scheme', hint: 'remove sslHeader, or set proxy.header to "x-forwarded"' });
    }
  }
  if (trusted.length === 0) {
    for (const key of ['sslHeader', 'useForwardedHost', 'header'] as const) {
      if (settings[key] === undefined || settings[key] === false) continue;
      issues.push({
        setting: `${prefix}.${key}`,
        ...(HTTPS_DJANGO_NAMES[key] ? { djangoName: HTTPS_DJANGO_NAMES[key] } : {}),
        value: settings[key],
        message: 'needs proxy.trusted: Gatehouse believes forwarded headers only from listed proxies (Django believes them from any client)',
        hint: 'add the address of your proxy to proxy.trusted, e.g. ["127.0.0.1"] for nginx on the same host',
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const trust = trusted.length === 0 ? undefined : proxyAddr.compile(trusted.map((entry) => entry.trim()));
  return { value: Object.freeze({ trust, header: settings.header ?? 'x-forwarded', useForwardedHost: settings.useForwardedHost ?? false, sslHeader }), warnings };
}

export function resolveHttpsSettings(input: HttpsSettings, context: ResolveContext = {}): Resolved<ResolvedHttps> {
  const prefix = context.prefix ?? 'https';
  const parsed = httpsSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(settingIssues(parsed.error, prefix, HTTPS_DJANGO_NAMES, [...Object.keys(httpsSettingsSchema.shape), ...Object.keys(hstsSettingsSchema.shape)]));
  }
  const settings = parsed.data;
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const name = (key: string, at = `${prefix}.${key}`) => ({ setting: at, ...(HTTPS_DJANGO_NAMES[key] ? { djangoName: HTTPS_DJANGO_NAMES[key] } : {}) });

  const maxAge = settings.hsts?.maxAge ?? 0;
  const includeSubDomains = settings.hsts?.includeSubDomains ?? false;
  const preload = settings.hsts?.preload ?? false;
  if (maxAge === 0) {
    for (const key of ['includeSubDomains', 'preload'] as const) {
      if (settings.hsts?.[key] === true) warnings.push({ ...name(key, `${prefix}.hsts.${key}`), value: true, message: 'has no effect while hsts.maxAge (SECURE_HSTS_SECONDS) is 0: no Strict-Transport-Security header is sent', hint: 'set hsts.maxAge, e.g. 31536000 (one year) once HTTPS works everywhere' });
    }
  } else if (preload && (maxAge < HSTS_PRELOAD_MIN_AGE || !includeSubDomains)) {
    warnings.push({
      ...name('preload', `${prefix}.hsts.preload`),
      value: true,
      message: `asks for the browsers' preload list, which requires maxAge of at least ${HSTS_PRELOAD_MIN_AGE} and includeSubDomains (hstspreload.org)`,
      hint: `set hsts.maxAge to ${HSTS_PRELOAD_MIN_AGE} or more and hsts.includeSubDomains to true, or remove preload`,
    });
  }
  // RFC 6797 §6.1: directive names are case-insensitive; Django's spelling.
  const hsts = maxAge === 0 ? undefined : `max-age=${maxAge}${includeSubDomains ? '; includeSubDomains' : ''}${preload ? '; preload' : ''}`;

  const redirectHost = settings.redirectHost?.trim() || undefined;
  if (redirectHost !== undefined && !isValidHost(redirectHost)) {
    issues.push({ ...name('redirectHost'), value: settings.redirectHost, message: 'is not a host[:port]', hint: 'write e.g. "secure.example.com" or "example.com:8443", without a scheme or path' });
  }
  const exempt = settings.redirectExempt ?? [];
  exempt.forEach((path, i) => {
    const problem = pathEntryProblem(path);
    if (problem !== undefined) issues.push({ setting: `${prefix}.redirectExempt[${i}]`, value: path, message: problem, hint: 'write "/healthz" for one path or "/.well-known/*" for everything under it' });
  });
  const regexes: RegExp[] = [];
  (settings.redirectExemptRegexes ?? []).forEach((source, i) => {
    const compiled = compileSearchRegex(source);
    if (compiled instanceof RegExp) regexes.push(compiled);
    else issues.push({ ...name('redirectExemptRegexes', `${prefix}.redirectExemptRegexes[${i}]`), value: source, message: compiled });
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    value: Object.freeze({ hsts, redirect: settings.redirect ?? false, redirectHost, redirectExempt: exempt.length === 0 ? EMPTY_PATH_LIST : pathList(exempt), redirectExemptRegexes: Object.freeze(regexes) }),
    warnings,
  };
}

/** Python's re.search (Django's SECURE_REDIRECT_EXEMPT): the pattern may match anywhere. */
function compileSearchRegex(source: string): RegExp | string {
  const inline = /^\(\?[aiLmsux]+\)/.exec(source)?.[0] ?? '';
  const compiled = compilePythonRegex(`${inline}[\\s\\S]*?(?:${source.slice(inline.length)})`, 'match');
  return compiled.ok ? compiled.regex : compiled.message;
}

// ---------------------------------------------------------------------------------------------------
// Django's names: from the environment, or from a dict of Django settings
// ---------------------------------------------------------------------------------------------------


interface DjangoMapping {
  readonly section: 'proxy' | 'https';
  readonly path: readonly string[];
  readonly kind: EnvKind;
}

const DJANGO_SETTINGS: Readonly<Record<string, DjangoMapping>> = {
  SECURE_HSTS_SECONDS: { section: 'https', path: ['hsts', 'maxAge'], kind: 'int' },
  SECURE_HSTS_INCLUDE_SUBDOMAINS: { section: 'https', path: ['hsts', 'includeSubDomains'], kind: 'bool' },
  SECURE_HSTS_PRELOAD: { section: 'https', path: ['hsts', 'preload'], kind: 'bool' },
  SECURE_SSL_REDIRECT: { section: 'https', path: ['redirect'], kind: 'bool' },
  SECURE_SSL_HOST: { section: 'https', path: ['redirectHost'], kind: 'string' },
  SECURE_REDIRECT_EXEMPT: { section: 'https', path: ['redirectExemptRegexes'], kind: 'regexList' },
  SECURE_PROXY_SSL_HEADER: { section: 'proxy', path: ['sslHeader'], kind: 'pair' },
  USE_X_FORWARDED_HOST: { section: 'proxy', path: ['useForwardedHost'], kind: 'bool' },
};

export interface HttpsSections {
  proxy?: ProxySettings;
  https?: HttpsSettings;
}

/** Reads Django's SECURE_* and USE_X_FORWARDED_HOST from the environment (same value forms as CORS_*). */
export function httpsSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): HttpsSections {
  const issues: ConfigIssue[] = [];
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, mapping] of Object.entries(DJANGO_SETTINGS)) {
    const raw = env[name];
    if (raw === undefined) continue;
    const parsed = parseEnvValue(raw, mapping.kind, { intHint: 'write e.g. 31536000 (one year), or 0 for off' });
    if (parsed.ok) setPath((out[mapping.section] ??= {}), mapping.path, mapping.kind === 'pair' ? pairToHeader(parsed.value as string[]) : parsed.value);
    else issues.push({ setting: `${name} (environment)`, djangoName: name, value: raw, message: parsed.message, hint: parsed.hint });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out as HttpsSections;
}

/** Maps a dict of Django settings (typed, as in settings.py) to Gatehouse's `proxy` and `https`. */
export function httpsSettingsFromDjango(django: Readonly<Record<string, unknown>>): HttpsSections {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, mapping] of Object.entries(DJANGO_SETTINGS)) {
    const value = django[name];
    // None is Django's "not set" (SECURE_SSL_HOST, SECURE_PROXY_SSL_HEADER): Gatehouse's default stays.
    if (value === undefined || value === null) continue;
    setPath((out[mapping.section] ??= {}), mapping.path, mapping.kind === 'pair' && Array.isArray(value) ? pairToHeader(value as string[]) : value);
  }
  return out as HttpsSections;
}

function pairToHeader(pair: readonly string[]): { name: string; value: string } {
  return { name: pair[0] ?? '', value: pair[1] ?? '' };
}

export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path.at(-1)!] = value;
}

/** Merges two configurations section by section, nested objects key by key; `override` wins. */
export function mergeSettings<T extends object>(base: T | undefined, override: T | undefined): T | undefined {
  if (base === undefined) return override;
  if (override === undefined) return base;
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    const bothObjects = isPlainObject(current) && isPlainObject(value);
    out[key] = bothObjects ? mergeSettings(current as object, value as object) : value;
  }
  return out as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

