// Start-up validation of the CORS settings (the role of django-cors-headers' checks.py, and stricter):
// every problem names the setting, the bad value and the fix, and all problems are reported at once.
// What comes out is resolved: canonical origins, parsed patterns, compiled regexes. The engine then
// only precomputes headers from it and never validates anything at request time.

import { ConfigError, type ConfigIssue } from '../errors.ts';
import { canonicaliseConfiguredOrigin } from '../cors/originSyntax.ts';
import { parseOriginPattern, type OriginPattern } from '../cors/originPattern.ts';
import { compilePythonRegex, isEndAnchored, unescapedDomainDots } from '../cors/pythonRegex.ts';
import {
  DEFAULT_ALLOW_HEADERS,
  DEFAULT_ALLOW_METHODS,
  DEFAULT_PREFLIGHT_MAX_AGE,
  DEFAULT_URLS_REGEX,
  type CorsPathSettings,
  type CorsSettings,
  type IsRequestAllowed,
} from '../cors/settings.ts';
import { corsSettingsSchema, zodIssues } from './schema.ts';

export interface ResolvedCorsPolicy {
  readonly exactOrigins: readonly string[];
  readonly patterns: readonly OriginPattern[];
  readonly regexes: readonly { readonly source: string; readonly regex: RegExp }[];
  readonly allowAllOrigins: boolean;
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly preflightMaxAge: number;
  readonly allowCredentials: boolean;
  readonly allowPrivateNetwork: boolean;
  readonly strict: boolean;
  readonly debugHeader: boolean;
}

export interface ResolvedPathPolicy {
  readonly path: string;
  /** True when `path` ended with `*`: it then matches every path starting with `path`. */
  readonly prefix: boolean;
  readonly policy: ResolvedCorsPolicy;
}

export interface ResolvedCors {
  readonly global: ResolvedCorsPolicy;
  /** undefined when every path is enabled (the default `^.*$`). */
  readonly urlsRegex: RegExp | undefined;
  readonly paths: readonly ResolvedPathPolicy[];
  readonly isRequestAllowed: IsRequestAllowed | undefined;
}

export interface ResolveContext {
  /** NODE_ENV; `production` refuses allowAllOrigins unless publicData states the data is public. */
  readonly nodeEnv?: string | undefined;
  /** Prefix for setting names in messages, e.g. `cors`. */
  readonly prefix?: string;
}

export interface Resolved<T> {
  readonly value: T;
  readonly warnings: readonly ConfigIssue[];
}

/** The django-cors-headers name of each setting, for messages a Django user recognises. */
export const DJANGO_NAMES: Readonly<Record<string, string>> = {
  allowedOrigins: 'CORS_ALLOWED_ORIGINS',
  allowedOriginRegexes: 'CORS_ALLOWED_ORIGIN_REGEXES',
  allowedOriginPatterns: 'CORS_ALLOWED_ORIGIN_PATTERNS',
  allowAllOrigins: 'CORS_ALLOW_ALL_ORIGINS',
  urlsRegex: 'CORS_URLS_REGEX',
  allowMethods: 'CORS_ALLOW_METHODS',
  allowHeaders: 'CORS_ALLOW_HEADERS',
  exposeHeaders: 'CORS_EXPOSE_HEADERS',
  preflightMaxAge: 'CORS_PREFLIGHT_MAX_AGE',
  allowCredentials: 'CORS_ALLOW_CREDENTIALS',
  allowPrivateNetwork: 'CORS_ALLOW_PRIVATE_NETWORK',
  strict: 'CORS_STRICT',
  debugHeader: 'CORS_DEBUG_HEADER',
  publicData: 'CORS_PUBLIC_DATA',
};

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function resolveCorsSettings(input: CorsSettings, context: ResolveContext = {}): Resolved<ResolvedCors> {
  const prefix = context.prefix ?? 'cors';
  const { isRequestAllowed, ...data } = input;
  const parsed = corsSettingsSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(zodIssues(parsed.error, prefix, DJANGO_NAMES));
  if (isRequestAllowed !== undefined && typeof isRequestAllowed !== 'function') {
    throw new ConfigError([{ setting: `${prefix}.isRequestAllowed`, message: 'must be a function (request) => boolean | Promise<boolean>' }]);
  }
  const settings = parsed.data as CorsSettings;
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];

  const global = resolvePolicy(settings, undefined, prefix, context, issues, warnings);

  let urlsRegex: RegExp | undefined;
  const urls = settings.urlsRegex ?? DEFAULT_URLS_REGEX;
  if (urls !== DEFAULT_URLS_REGEX) {
    const compiled = compilePythonRegex(urls, 'match');
    if (compiled.ok) urlsRegex = compiled.regex;
    else issues.push({ setting: `${prefix}.urlsRegex`, djangoName: 'CORS_URLS_REGEX', value: urls, message: compiled.message, hint: 'write a regex such as "^/api/.*$"' });
  }

  const paths: ResolvedPathPolicy[] = [];
  (settings.paths ?? []).forEach((entry, i) => {
    const at = `${prefix}.paths[${i}]`;
    const { path, ...overrides } = entry;
    if (!path.startsWith('/') || path.slice(0, -1).includes('*')) {
      issues.push({ setting: `${at}.path`, value: path, message: 'must start with "/" and may only end with "*"', hint: 'write "/api/public/" for one path or "/api/public/*" for everything under it' });
      return;
    }
    const merged: CorsPathSettings = { ...settings, ...overrides };
    const policy = resolvePolicy(merged, overrides, at, context, issues, warnings);
    const prefixMatch = path.endsWith('*');
    paths.push({ path: prefixMatch ? path.slice(0, -1) : path, prefix: prefixMatch, policy });
  });

  if (issues.length > 0) throw new ConfigError(issues);
  return { value: Object.freeze({ global, urlsRegex, paths, isRequestAllowed }), warnings };
}

function resolvePolicy(
  settings: CorsPathSettings,
  overrides: CorsPathSettings | undefined,
  at: string,
  context: ResolveContext,
  issues: ConfigIssue[],
  warnings: ConfigIssue[],
): ResolvedCorsPolicy {
  // A path entry reports only on what it sets itself; the global settings were checked once already.
  const own = (key: keyof CorsPathSettings): boolean => overrides === undefined || key in overrides;
  const name = (key: string) => ({ setting: `${at}.${key}`, djangoName: DJANGO_NAMES[key] });

  const allowAllOrigins = settings.allowAllOrigins ?? false;
  const allowCredentials = settings.allowCredentials ?? false;

  const exactOrigins: string[] = [];
  (settings.allowedOrigins ?? []).forEach((origin, i) => {
    // `null` (opaque origins) and `file://` (Chrome on Android's file pages) are literal values, as
    // in django-cors-headers.
    if (origin === 'null' || origin === 'file://') {
      exactOrigins.push(origin);
      return;
    }
    const result = canonicaliseConfiguredOrigin(origin);
    if (!result.ok) {
      if (own('allowedOrigins')) issues.push({ ...name(`allowedOrigins`), setting: `${at}.allowedOrigins[${i}]`, value: origin, message: result.message, hint: result.hint });
      return;
    }
    if (result.origin !== origin && own('allowedOrigins')) {
      warnings.push({ ...name('allowedOrigins'), setting: `${at}.allowedOrigins[${i}]`, value: origin, message: `canonicalised to "${result.origin}", the form browsers send`, hint: `write "${result.origin}"` });
    }
    exactOrigins.push(result.origin);
  });

  const patterns: OriginPattern[] = [];
  (settings.allowedOriginPatterns ?? []).forEach((source, i) => {
    const result = parseOriginPattern(source);
    if (result.ok) patterns.push(result.pattern);
    else if (own('allowedOriginPatterns')) issues.push({ ...name('allowedOriginPatterns'), setting: `${at}.allowedOriginPatterns[${i}]`, value: source, message: result.message, hint: result.hint });
  });

  const regexes: { source: string; regex: RegExp }[] = [];
  (settings.allowedOriginRegexes ?? []).forEach((source, i) => {
    const setting = { ...name('allowedOriginRegexes'), setting: `${at}.allowedOriginRegexes[${i}]`, value: source };
    const compiled = compilePythonRegex(source, 'fullmatch');
    if (!compiled.ok) {
      if (own('allowedOriginRegexes')) issues.push({ ...setting, message: compiled.message });
      return;
    }
    regexes.push({ source, regex: compiled.regex });
    if (!own('allowedOriginRegexes')) return;
    if (!isEndAnchored(source)) {
      warnings.push({
        ...setting,
        message: 'is not anchored at the end. Gatehouse matches the whole origin, but django-cors-headers (re.match) would also allow e.g. "https://app.example.com.evil.net"',
        hint: `end it with "$": "${source}$"`,
      });
    }
    const dots = unescapedDomainDots(source);
    if (dots.length > 0) {
      warnings.push({
        ...setting,
        message: `has ${dots.length} unescaped "." that match(es) any character, so look-alike hosts such as "evil-example.com" pass`,
        hint: `escape literal dots: "${escapeDots(source, dots)}"`,
      });
    }
  });

  const allowMethods = [...(settings.allowMethods ?? DEFAULT_ALLOW_METHODS)];
  if (own('allowMethods')) checkTokens(allowMethods, 'allowMethods', at, issues, 'methods are tokens such as "GET" or "PATCH"');
  const allowHeaders = [...(settings.allowHeaders ?? DEFAULT_ALLOW_HEADERS)];
  if (own('allowHeaders')) checkTokens(allowHeaders, 'allowHeaders', at, issues, 'header names are tokens such as "x-request-id"');
  const exposeHeaders = [...(settings.exposeHeaders ?? [])];
  if (own('exposeHeaders')) checkTokens(exposeHeaders, 'exposeHeaders', at, issues, 'header names are tokens such as "x-request-id"');

  if (allowAllOrigins && allowCredentials && (own('allowAllOrigins') || own('allowCredentials'))) {
    // Fetch §3.2.5: `*` never works with credentials, and reflecting every origin instead (what
    // django-cors-headers does) hands every site on the web the user's session.
    issues.push({
      ...name('allowAllOrigins'),
      value: true,
      message: 'cannot be combined with allowCredentials (CORS_ALLOW_CREDENTIALS): any website could then read responses with the user\'s cookies',
      hint: 'list the trusted front ends in allowedOrigins (or allowedOriginPatterns) instead, or set allowCredentials to false',
    });
  }
  if (allowAllOrigins && context.nodeEnv === 'production' && !(settings.publicData ?? false) && own('allowAllOrigins')) {
    issues.push({
      ...name('allowAllOrigins'),
      value: true,
      message: 'is refused under NODE_ENV=production: every website could read this API\'s responses',
      hint: 'list the allowed front ends in allowedOrigins, or set publicData: true (CORS_PUBLIC_DATA=true) if the data really is public',
    });
  }
  if (allowAllOrigins && own('allowAllOrigins') && (exactOrigins.length > 0 || patterns.length > 0 || regexes.length > 0)) {
    warnings.push({ ...name('allowAllOrigins'), value: true, message: 'makes allowedOrigins, allowedOriginPatterns and allowedOriginRegexes pointless: every origin is allowed' });
  }
  if (exactOrigins.includes('null') && own('allowedOrigins')) {
    warnings.push({ ...name('allowedOrigins'), value: 'null', message: 'allows the null origin, which every sandboxed iframe and data: page on any website can send', hint: 'remove "null" unless a sandboxed page of your own must call the API' });
  }
  if (allowCredentials && allowHeaders.includes('*') && own('allowHeaders')) {
    warnings.push({ ...name('allowHeaders'), value: '*', message: 'is a literal header name, not a wildcard, for requests with credentials (Fetch §3.2.5)', hint: 'list the header names instead' });
  }
  if ((settings.debugHeader ?? false) && context.nodeEnv === 'production' && own('debugHeader')) {
    warnings.push({ ...name('debugHeader'), value: true, message: 'tells every caller why their origin was refused; it is meant for development', hint: 'set debugHeader to false in production' });
  }
  const preflightMaxAge = settings.preflightMaxAge ?? DEFAULT_PREFLIGHT_MAX_AGE;

  return Object.freeze({
    exactOrigins,
    patterns,
    regexes,
    allowAllOrigins,
    allowMethods,
    allowHeaders,
    exposeHeaders,
    preflightMaxAge,
    allowCredentials,
    allowPrivateNetwork: settings.allowPrivateNetwork ?? false,
    strict: settings.strict ?? false,
    debugHeader: settings.debugHeader ?? false,
  });
}

function checkTokens(values: readonly string[], key: string, at: string, issues: ConfigIssue[], hint: string): void {
  values.forEach((value, i) => {
    if (!TOKEN.test(value)) {
      issues.push({ setting: `${at}.${key}[${i}]`, djangoName: DJANGO_NAMES[key], value, message: 'is not a valid HTTP token', hint });
    }
  });
}

function escapeDots(source: string, positions: readonly number[]): string {
  let out = '';
  let last = 0;
  for (const p of positions) {
    out += `${source.slice(last, p)}\\.`;
    last = p + 1;
  }
  return out + source.slice(last);
}
