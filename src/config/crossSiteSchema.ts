// `crossSite` in the configuration: Fetch Metadata resource isolation, token-free CSRF protection and
// the headers JSON responses carry. Shapes, start-up checks (every problem at once, with the Django
// name and the fix), and Django's CSRF_TRUSTED_ORIGINS / SECURE_CONTENT_TYPE_NOSNIFF names.

import { getDomain } from 'tldts';
import { z } from 'zod';
import { canonicaliseConfiguredOrigin } from '../cors/originSyntax.ts';
import { NO_TRUSTED_ORIGINS, type ResolvedTrustedOrigins } from '../csrf/trustedOrigins.ts';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { EMPTY_PATH_LIST, pathEntryProblem, pathList, type PathList } from '../https/pathList.ts';
import type { Resolved, ResolveContext } from './corsSettings.ts';
import { parseEnvValue } from './djangoSettings.ts';
import { setPath } from './httpsSchema.ts';
import { settingIssues } from './zodIssues.ts';

const stringList = z.array(z.string());

export const fetchMetadataSettingsSchema = z.strictObject({
  enabled: z.boolean().optional(),
  exemptPaths: stringList.optional(),
});

export const csrfSettingsSchema = z.strictObject({
  enabled: z.boolean().optional(),
  trustedOrigins: stringList.optional(),
  exemptPaths: stringList.optional(),
  /** Origins CORS allows with credentials may send cookie-authenticated requests too (default true). */
  trustCorsOrigins: z.boolean().optional(),
});

export const responseHeaderSettingsSchema = z.strictObject({
  nosniff: z.boolean().optional(),
  crossOriginResourcePolicy: z.union([z.enum(['same-site', 'same-origin', 'cross-origin']), z.literal(false)]).optional(),
  noStore: z.boolean().optional(),
});

export const crossSiteSettingsSchema = z.strictObject({
  fetchMetadata: fetchMetadataSettingsSchema.optional(),
  csrf: csrfSettingsSchema.optional(),
  headers: responseHeaderSettingsSchema.optional(),
});

export type CrossSiteSettings = z.input<typeof crossSiteSettingsSchema>;

export interface ResolvedCrossSite {
  readonly fetchMetadata: { readonly enabled: boolean; readonly exempt: PathList };
  readonly csrf: { readonly enabled: boolean; readonly trusted: ResolvedTrustedOrigins; readonly exempt: PathList; readonly trustCorsOrigins: boolean };
  readonly headers: { readonly nosniff: boolean; readonly crossOriginResourcePolicy: string | undefined; readonly noStore: boolean };
}

export const CROSS_SITE_DJANGO_NAMES: Readonly<Record<string, string>> = {
  trustedOrigins: 'CSRF_TRUSTED_ORIGINS',
  nosniff: 'SECURE_CONTENT_TYPE_NOSNIFF',
};

const KNOWN_KEYS = [
  ...Object.keys(crossSiteSettingsSchema.shape),
  ...Object.keys(fetchMetadataSettingsSchema.shape),
  ...Object.keys(csrfSettingsSchema.shape),
  ...Object.keys(responseHeaderSettingsSchema.shape),
];

export function resolveCrossSiteSettings(input: CrossSiteSettings, context: ResolveContext = {}): Resolved<ResolvedCrossSite> {
  const prefix = context.prefix ?? 'crossSite';
  const parsed = crossSiteSettingsSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(settingIssues(parsed.error, prefix, CROSS_SITE_DJANGO_NAMES, KNOWN_KEYS));
  const settings = parsed.data;
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];

  const fetchMetadataExempt = paths(settings.fetchMetadata?.exemptPaths, `${prefix}.fetchMetadata.exemptPaths`, issues);
  const csrfExempt = paths(settings.csrf?.exemptPaths, `${prefix}.csrf.exemptPaths`, issues);
  const trusted = trustedOrigins(settings.csrf?.trustedOrigins ?? [], `${prefix}.csrf.trustedOrigins`, issues, warnings);
  if (context.nodeEnv === 'production') {
    for (const [key, label] of [['fetchMetadata', 'Fetch Metadata resource isolation'], ['csrf', 'CSRF protection']] as const) {
      if (settings[key]?.enabled === false) {
        warnings.push({ setting: `${prefix}.${key}.enabled`, value: false, message: `turns ${label} off in production`, hint: `exempt the paths that need it with ${prefix}.${key}.exemptPaths instead` });
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const corp = settings.headers?.crossOriginResourcePolicy;
  return {
    value: Object.freeze({
      fetchMetadata: Object.freeze({ enabled: settings.fetchMetadata?.enabled ?? true, exempt: fetchMetadataExempt }),
      csrf: Object.freeze({ enabled: settings.csrf?.enabled ?? true, trusted, exempt: csrfExempt, trustCorsOrigins: settings.csrf?.trustCorsOrigins ?? true }),
      headers: Object.freeze({
        nosniff: settings.headers?.nosniff ?? true,
        crossOriginResourcePolicy: corp === false ? undefined : (corp ?? 'same-site'),
        noStore: settings.headers?.noStore ?? true,
      }),
    }),
    warnings,
  };
}

function paths(entries: readonly string[] | undefined, at: string, issues: ConfigIssue[]): PathList {
  if (entries === undefined || entries.length === 0) return EMPTY_PATH_LIST;
  entries.forEach((path, i) => {
    const problem = pathEntryProblem(path);
    if (problem !== undefined) issues.push({ setting: `${at}[${i}]`, value: path, message: problem, hint: 'write "/webhooks/stripe" for one path or "/webhooks/*" for everything under it' });
  });
  return pathList(entries);
}

/** CSRF_TRUSTED_ORIGINS entries, checked as Django ≥ 4.0 checks them (4_0.E001: a scheme is required), and stricter. */
function trustedOrigins(entries: readonly string[], at: string, issues: ConfigIssue[], warnings: ConfigIssue[]): ResolvedTrustedOrigins {
  if (entries.length === 0) return NO_TRUSTED_ORIGINS;
  const exact = new Set<string>();
  const wildcards = new Set<string>();
  const hosts = new Set<string>();
  const wildcardHosts = new Set<string>();
  entries.forEach((raw, i) => {
    const setting = { setting: `${at}[${i}]`, djangoName: 'CSRF_TRUSTED_ORIGINS', value: raw };
    const value = raw.trim();
    const schemeEnd = value.indexOf('://');
    if (schemeEnd <= 0) {
      // Django < 4.0 took bare hosts (`.example.com`); 4.0 requires the scheme.
      const example = value.startsWith('.') ? `https://*${value}` : `https://${value.replace(/^\/+/, '')}`;
      issues.push({ ...setting, message: 'must start with a scheme, as Django 4.0 and later require', hint: `write "${example}"` });
      return;
    }
    const scheme = value.slice(0, schemeEnd).toLowerCase();
    const rest = value.slice(schemeEnd + 3);
    if (!rest.includes('*')) {
      const canonical = canonicaliseConfiguredOrigin(value);
      if (!canonical.ok) {
        issues.push({ ...setting, message: canonical.message, hint: canonical.hint });
        return;
      }
      if (canonical.origin !== value) warnings.push({ ...setting, message: `canonicalised to "${canonical.origin}", the form browsers send`, hint: `write "${canonical.origin}"` });
      exact.add(canonical.origin);
      hosts.add(canonical.origin.slice(canonical.origin.indexOf('://') + 3));
      return;
    }
    if (!rest.startsWith('*.') || rest.slice(2).includes('*')) {
      issues.push({ ...setting, message: 'may only have a wildcard as its leftmost label ("*.")', hint: 'write e.g. "https://*.example.com"' });
      return;
    }
    const canonical = canonicaliseConfiguredOrigin(`${scheme}://${rest.slice(2)}`);
    if (!canonical.ok) {
      issues.push({ ...setting, message: canonical.message, hint: canonical.hint.replace('://', '://*.') });
      return;
    }
    const domain = canonical.parsed.host;
    if (domain !== 'localhost' && getDomain(domain, { allowPrivateDomains: true }) === null) {
      issues.push({ ...setting, message: `spans the public suffix "${domain}", so it would trust sites owned by anyone`, hint: `name your own registered domain, e.g. "${scheme}://*.your-company.${domain}"` });
      return;
    }
    const hostAndPort = canonical.parsed.port === '' ? domain : `${domain}:${canonical.parsed.port}`;
    wildcards.add(`${scheme}://${hostAndPort}`);
    wildcardHosts.add(hostAndPort);
  });
  return Object.freeze({ exact, wildcards, hosts, wildcardHosts, sources: Object.freeze([...entries]) });
}

// ---------------------------------------------------------------------------------------------------
// Django's names
// ---------------------------------------------------------------------------------------------------

const DJANGO_SETTINGS = {
  CSRF_TRUSTED_ORIGINS: { path: ['csrf', 'trustedOrigins'], kind: 'list' },
  SECURE_CONTENT_TYPE_NOSNIFF: { path: ['headers', 'nosniff'], kind: 'bool' },
} as const;

/** Reads CSRF_TRUSTED_ORIGINS (`a,b` or a JSON list) and SECURE_CONTENT_TYPE_NOSNIFF from the environment. */
export function crossSiteSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): { crossSite?: CrossSiteSettings } {
  const issues: ConfigIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, mapping] of Object.entries(DJANGO_SETTINGS)) {
    const raw = env[name];
    if (raw === undefined) continue;
    const parsed = parseEnvValue(raw, mapping.kind, { intHint: 'write a whole number' });
    if (parsed.ok) setPath(out, mapping.path, parsed.value);
    else issues.push({ setting: `${name} (environment)`, djangoName: name, value: raw, message: parsed.message, hint: parsed.hint });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.keys(out).length === 0 ? {} : { crossSite: out as CrossSiteSettings };
}

/** Maps a dict of Django settings to Gatehouse's `crossSite`. */
export function crossSiteSettingsFromDjango(django: Readonly<Record<string, unknown>>): { crossSite?: CrossSiteSettings } {
  const out: Record<string, unknown> = {};
  for (const [name, mapping] of Object.entries(DJANGO_SETTINGS)) {
    if (django[name] !== undefined && django[name] !== null) setPath(out, mapping.path, django[name]);
  }
  return Object.keys(out).length === 0 ? {} : { crossSite: out as CrossSiteSettings };
}
