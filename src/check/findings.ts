// What `gatehouse check` can report: one entry per finding id, with its severity (with and without
// credentials), a sentence that explains the proof, and the fix in Gatehouse's and in
// django-cors-headers' vocabulary. docs/check.md documents the same ids; test/check/docs.test.ts
// keeps the two in step.
//
// Severities follow the scanners' and PortSwigger's reading: a hole matters when a page on another
// site can read a response made with the user's credentials (Fetch "CORS check": the response is
// readable when Access-Control-Allow-Origin equals the page's origin, or is `*` for a request without
// credentials, and with credentials only when Access-Control-Allow-Credentials is `true`).

import { getDomain } from 'tldts';
import type { Severity } from './severity.ts';

export type FindingId =
  | 'origin-reflected'
  | 'origin-null'
  | 'origin-prefix-match'
  | 'origin-suffix-match'
  | 'origin-unescaped-dot'
  | 'origin-http-downgrade'
  | 'origin-any-subdomain'
  | 'origin-wildcard'
  | 'wildcard-with-credentials'
  | 'vary-origin-missing'
  | 'preflight-any-origin'
  | 'preflight-any-method'
  | 'preflight-any-header'
  | 'private-network-allowed'
  | 'private-network-any-origin'
  | 'expected-origin-refused';

/** What a finding's sentence and fix are built from. */
export interface FindingContext {
  /** The Origin of the request that proves it. */
  readonly origin: string | undefined;
  /** The allowed origin (or the target's own origin) a look-alike was made from. */
  readonly basis: string | undefined;
  /** The response allowed credentials (Access-Control-Allow-Credentials: true). */
  readonly credentials: boolean;
  /** The exact origins given with --origin, for the examples in fixes. */
  readonly allowed: readonly string[];
  /** A response header value the sentence quotes (Access-Control-Allow-Methods, ...). */
  readonly quoted?: string;
  /** The made-up method or header a preflight asked for. */
  readonly asked?: string;
  /** How many distinct Access-Control-Allow-Origin answers the probes got. */
  readonly distinctAnswers?: number;
}

export interface Fix {
  /** In Gatehouse settings (docs/cors.md). */
  readonly gatehouse: string;
  /** In django-cors-headers settings. */
  readonly django: string;
}

export interface FindingKind {
  readonly title: string;
  readonly severity: { readonly withCredentials: Severity; readonly withoutCredentials: Severity };
  describe(context: FindingContext): string;
  fix(context: FindingContext): Fix;
  readonly references: readonly string[];
}

export const REFERENCES = {
  kettle: 'PortSwigger Research, J. Kettle, "Exploiting CORS misconfigurations for Bitcoins and bounties" (2016)',
  corsCheck: 'WHATWG Fetch, "CORS check" (Access-Control-Allow-Origin and -Credentials)',
  caches: 'WHATWG Fetch, "CORS protocol and HTTP caches" (Vary: Origin)',
  preflight: 'WHATWG Fetch, "CORS-preflight fetch" (methods and headers, `*` only without credentials)',
  corscanner: 'CORScanner misconfiguration types; Chen et al., "We Still Don\'t Have Secure Cross-Domain Requests", USENIX Security 2018',
  corsy: 'Corsy test list (s0md3v)',
  pna: 'WICG Private Network Access, "CORS preflight" (Access-Control-Request-Private-Network)',
} as const;

const PLACEHOLDER = 'https://app.example.com';

function examples(context: FindingContext): readonly string[] {
  const listed = context.allowed.filter((o) => o !== 'null' && o !== context.origin);
  return listed.length > 0 ? listed : [PLACEHOLDER];
}
const yamlList = (origins: readonly string[]): string => `[${origins.join(', ')}]`;
const pythonList = (origins: readonly string[]): string => `[${origins.map((o) => `"${o}"`).join(', ')}]`;
/** The regex that matches exactly this origin, dots escaped and both ends anchored. */
export const exactRegex = (origin: string): string => `^${origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
const withCredentials = (context: FindingContext): string => (context.credentials ? ' with Access-Control-Allow-Credentials: true' : ' (without credentials)');
const hostOf = (origin: string | undefined): string => (origin === undefined ? '' : origin.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/:\d+$/, ''));
const schemeOf = (origin: string | undefined): string => (origin === undefined ? 'https' : origin.slice(0, Math.max(0, origin.indexOf('://'))) || 'https');
const domainOf = (origin: string | undefined): string => getDomain(hostOf(origin), { allowPrivateDomains: true }) ?? hostOf(origin);

function readsWith(context: FindingContext): string {
  return context.credentials
    ? "a page on that site can read this API's responses with the user's cookies or HTTP authentication, and act as the user"
    : 'a page on that site can read responses that need no credentials (a problem for data that depends on where the request comes from: an intranet, an IP allowlist)';
}

const KINDS: Readonly<Record<FindingId, FindingKind>> = {
  'origin-reflected': {
    title: 'Any origin is allowed: the Origin header is reflected',
    severity: { withCredentials: 'critical', withoutCredentials: 'low' },
    describe: (c) => `The server echoed ${c.origin}, an origin nobody configured, in Access-Control-Allow-Origin${withCredentials(c)}. Any website can do the same: ${readsWith(c)}.`,
    fix: (c) => ({
      gatehouse: `List the front ends instead of allowing every origin: cors.allowedOrigins: ${yamlList(examples(c))}. Gatehouse refuses allowAllOrigins with allowCredentials at start-up, so behind Gatehouse the cause is an isRequestAllowed hook that returns true: make it compare against a list. For public data without credentials: allowAllOrigins: true with publicData: true.`,
      django: `Set CORS_ALLOW_ALL_ORIGINS = False (old name CORS_ORIGIN_ALLOW_ALL) and list CORS_ALLOWED_ORIGINS = ${pythonList(examples(c))}: with CORS_ALLOW_CREDENTIALS = True, django-cors-headers answers every origin with itself. Check check_request_enabled signal handlers too.`,
    }),
    references: [REFERENCES.kettle, REFERENCES.corscanner, REFERENCES.corsCheck],
  },
  'origin-null': {
    title: 'The null origin is allowed',
    severity: { withCredentials: 'high', withoutCredentials: 'low' },
    describe: (c) => `Origin: null was allowed${withCredentials(c)}. Any website can send Origin: null from a sandboxed iframe or a data: URL, so ${readsWith(c)}.`,
    fix: () => ({
      gatehouse: 'Remove "null" from cors.allowedOrigins (CORS_ALLOWED_ORIGINS); Gatehouse warns about it at start-up. Any site can pretend to be a sandboxed page of yours.',
      django: 'Remove "null" from CORS_ALLOWED_ORIGINS, and make sure no CORS_ALLOWED_ORIGIN_REGEXES entry matches "null" (such as ".*").',
    }),
    references: [REFERENCES.kettle, REFERENCES.corscanner, REFERENCES.corsy],
  },
  'origin-prefix-match': {
    title: 'An attacker domain that starts with an allowed origin is allowed',
    severity: { withCredentials: 'high', withoutCredentials: 'low' },
    describe: (c) => `${c.origin}, a subdomain of an attacker's domain that begins with ${c.basis}, was allowed${withCredentials(c)}. The origin check compares only the start (a regex without a closing $, or startsWith): ${readsWith(c)}.`,
    fix: (c) => ({
      gatehouse: `Gatehouse matches allowedOriginRegexes against the whole origin and patterns label by label, so behind Gatehouse the cause is an isRequestAllowed hook or a layer in front: compare whole origins. Simplest: cors.allowedOrigins: ${yamlList(examples(c))}.`,
      django: `End every CORS_ALLOWED_ORIGIN_REGEXES entry with $ (django-cors-headers uses re.match, which anchors only the start): r"${exactRegex(c.basis ?? PLACEHOLDER)}"; or list CORS_ALLOWED_ORIGINS = ${pythonList(examples(c))}.`,
    }),
    references: [REFERENCES.kettle, REFERENCES.corscanner, REFERENCES.corsy],
  },
  'origin-suffix-match': {
    title: 'An attacker domain that ends with an allowed domain is allowed',
    severity: { withCredentials: 'high', withoutCredentials: 'low' },
    describe: (c) => `${c.origin} was allowed${withCredentials(c)}; anyone can register ${hostOf(c.origin)}. The check accepts any host that ends with ${domainOf(c.basis)} (endsWith, or a regex such as .*example\\.com$ with no dot before the domain): ${readsWith(c)}.`,
    fix: (c) => ({
      gatehouse: `Use cors.allowedOriginPatterns: ["${schemeOf(c.basis)}://*.${domainOf(c.basis)}"] (whole labels only, never "${hostOf(c.origin)}") or exact cors.allowedOrigins: ${yamlList(examples(c))}, not a regex that checks only the end.`,
      django: `Require a dot before the domain: r"^${schemeOf(c.basis)}://([a-z0-9-]+\\.)*${domainOf(c.basis).replace(/\./g, '\\.')}$", not r".*${domainOf(c.basis).replace(/\./g, '\\.')}$"; or list CORS_ALLOWED_ORIGINS = ${pythonList(examples(c))}.`,
    }),
    references: [REFERENCES.kettle, REFERENCES.corscanner, REFERENCES.corsy],
  },
  'origin-unescaped-dot': {
    title: 'A look-alike domain passes an unescaped dot in an origin regex',
    severity: { withCredentials: 'high', withoutCredentials: 'low' },
    describe: (c) => `${c.origin} (${c.basis} with a dot replaced by a letter) was allowed${withCredentials(c)}: an origin regex has an unescaped "." that matches any character, and anyone can register ${hostOf(c.origin)}; ${readsWith(c)}.`,
    fix: (c) => ({
      gatehouse: `Escape every literal dot in cors.allowedOriginRegexes: "${exactRegex(c.basis ?? PLACEHOLDER)}" (Gatehouse warns about unescaped dots at start-up), or put ${c.basis ?? PLACEHOLDER} in cors.allowedOrigins and need no regex.`,
      django: `Escape every literal dot in CORS_ALLOWED_ORIGIN_REGEXES: r"${exactRegex(c.basis ?? PLACEHOLDER)}"; or list "${c.basis ?? PLACEHOLDER}" in CORS_ALLOWED_ORIGINS.`,
    }),
    references: [REFERENCES.corscanner, REFERENCES.corsy, REFERENCES.kettle],
  },
  'origin-http-downgrade': {
    title: 'The http:// twin of an allowed origin is allowed',
    severity: { withCredentials: 'medium', withoutCredentials: 'low' },
    describe: (c) => `${c.origin}, the plain-HTTP twin of ${c.basis}, was allowed${withCredentials(c)}. Anyone on the user's network path (public Wi-Fi) can inject a script into that http:// page; then ${readsWith(c)}.`,
    fix: (c) => ({
      gatehouse: `Allow only https:// origins: remove ${c.origin} from cors.allowedOrigins, and write https:// (not https?://) in allowedOriginRegexes and allowedOriginPatterns.`,
      django: `Remove "${c.origin}" from CORS_ALLOWED_ORIGINS, and write ^https:// (not ^https?://) in CORS_ALLOWED_ORIGIN_REGEXES.`,
    }),
    references: [REFERENCES.kettle, REFERENCES.corscanner, REFERENCES.corsy],
  },
  'origin-any-subdomain': {
    title: 'Any subdomain of an allowed origin is allowed',
    severity: { withCredentials: 'medium', withoutCredentials: 'low' },
    describe: (c) => `${c.origin}, a made-up subdomain of ${hostOf(c.basis)}, was allowed${withCredentials(c)}. Every subdomain then holds the keys to this API: one with an XSS, user content or a dangling DNS record (subdomain takeover) is enough, since ${readsWith(c)}. If every subdomain is yours and trusted, say so with --origin ${schemeOf(c.basis)}://*.${domainOf(c.basis)}.`,
    fix: (c) => ({
      gatehouse: `Name the front ends in cors.allowedOrigins: ${yamlList(examples(c))} instead of an allowedOriginPatterns entry or regex that covers every subdomain.`,
      django: `List them in CORS_ALLOWED_ORIGINS = ${pythonList(examples(c))} instead of a CORS_ALLOWED_ORIGIN_REGEXES entry that matches every subdomain.`,
    }),
    references: [REFERENCES.corscanner, REFERENCES.kettle],
  },
  'origin-wildcard': {
    title: 'Every origin may read responses without credentials (Access-Control-Allow-Origin: *)',
    severity: { withCredentials: 'info', withoutCredentials: 'info' },
    describe: () => 'The server answers Access-Control-Allow-Origin: *: every website can read the responses that need no credentials. Browsers never send cookies for it (Fetch, CORS check), so this is right for public data, and only for that.',
    fix: (c) => ({
      gatehouse: `Fine for public data: allowAllOrigins: true with publicData: true. Otherwise list cors.allowedOrigins: ${yamlList(examples(c))}.`,
      django: `Fine for public data: CORS_ALLOW_ALL_ORIGINS = True without CORS_ALLOW_CREDENTIALS. Otherwise set it to False and list CORS_ALLOWED_ORIGINS = ${pythonList(examples(c))}.`,
    }),
    references: [REFERENCES.corsCheck, REFERENCES.corsy],
  },
  'wildcard-with-credentials': {
    title: 'Access-Control-Allow-Origin: * is sent with Access-Control-Allow-Credentials: true',
    severity: { withCredentials: 'low', withoutCredentials: 'low' },
    describe: () => 'The server answers Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true. Browsers refuse that combination for requests with credentials (Fetch, CORS check), so cookies are not exposed yet, but every site reads the responses without credentials, and the configuration means to share credentialed responses with everyone: one step from reflecting every origin.',
    fix: (c) => ({
      gatehouse: `Gatehouse never sends this: it refuses allowAllOrigins with allowCredentials at start-up. List cors.allowedOrigins: ${yamlList(examples(c))} with allowCredentials: true, or drop credentials for public data.`,
      django: `django-cors-headers never sends * with credentials (it reflects the origin instead, which is worse), so another layer (a proxy, a web server's add_header) sends this. Set CORS_ALLOW_ALL_ORIGINS = False and list CORS_ALLOWED_ORIGINS = ${pythonList(examples(c))}.`,
    }),
    references: [REFERENCES.corsCheck, REFERENCES.corscanner],
  },
  'vary-origin-missing': {
    title: 'Access-Control-Allow-Origin varies by Origin but the response lacks Vary: Origin',
    severity: { withCredentials: 'medium', withoutCredentials: 'medium' },
    describe: (c) => `Access-Control-Allow-Origin differs from one Origin to another (${c.distinctAnswers ?? 2} distinct answers to the probes), but this response to Origin: ${c.origin} has no Vary: Origin. A shared or browser cache can then hand one origin's answer to another: a cached answer carrying another origin's permission is replayed (cache poisoning), or the allowed front end gets a refused copy.`,
    fix: () => ({
      gatehouse: 'Gatehouse adds Vary: Origin to every response of a CORS-enabled path (urlsRegex, paths), so a layer in front (proxy, CDN) or a handler that overwrites Vary drops it: keep Origin in Vary there, or key the cache on Origin.',
      django: 'django-cors-headers adds Vary: Origin (patch_vary_headers) to every path CORS_URLS_REGEX enables; a middleware that runs after it on the response and replaces Vary, or a cache in front, drops it: put CorsMiddleware first in MIDDLEWARE and keep Origin in the cache key.',
    }),
    references: [REFERENCES.caches, REFERENCES.kettle],
  },
  'preflight-any-origin': {
    title: 'Preflights are granted to any origin',
    severity: { withCredentials: 'high', withoutCredentials: 'low' },
    describe: (c) => `A preflight from ${c.origin}, an origin nobody configured, asking for DELETE was granted${withCredentials(c)}, though a plain GET from it was not. The browser then sends the DELETE${c.credentials ? " with the user's cookies" : ''}: any website can make the state-changing calls a preflight is meant to stop (cross-site request forgery).`,
    fix: (c) => ({
      gatehouse: `Gatehouse answers preflights with the same origin rules as other requests; the cause is an isRequestAllowed hook or a layer that answers OPTIONS itself. List cors.allowedOrigins: ${yamlList(examples(c))}; strict: true also refuses a disallowed origin with 403 before the handler runs.`,
      django: `CorsMiddleware answers preflights with the same rules as other requests; a view or proxy that answers OPTIONS with the request's Origin is the cause. List CORS_ALLOWED_ORIGINS = ${pythonList(examples(c))} and let CorsMiddleware answer.`,
    }),
    references: [REFERENCES.preflight, REFERENCES.kettle],
  },
  'preflight-any-method': {
    title: 'Preflights grant any method',
    severity: { withCredentials: 'low', withoutCredentials: 'low' },
    describe: (c) => `A preflight from ${c.origin} asking for the made-up method ${c.asked} was granted (Access-Control-Allow-Methods: ${c.quoted}). The server grants whatever is asked, so its method list protects nothing.`,
    fix: () => ({
      gatehouse: 'List the methods in cors.allowMethods (default DELETE, GET, OPTIONS, PATCH, POST, PUT) instead of "*"; strict: true also refuses a preflight for an unlisted method with 403.',
      django: 'List CORS_ALLOW_METHODS: django-cors-headers sends the list as configured and never echoes Access-Control-Request-Method, so a layer that echoes it is the cause.',
    }),
    references: [REFERENCES.preflight],
  },
  'preflight-any-header': {
    title: 'Preflights grant any request header',
    severity: { withCredentials: 'low', withoutCredentials: 'low' },
    describe: (c) => `A preflight from ${c.origin} asking to send the made-up header ${c.asked} was granted (Access-Control-Allow-Headers: ${c.quoted}). Custom headers serve as CSRF defences and switches (X-Requested-With, X-CSRFToken, X-HTTP-Method-Override); a policy that grants any header lets an allowed page send all of them.`,
    fix: () => ({
      gatehouse: 'List the headers in cors.allowHeaders (default accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with) instead of "*".',
      django: 'List CORS_ALLOW_HEADERS: django-cors-headers sends the list as configured and never echoes Access-Control-Request-Headers, so a layer that echoes it is the cause.',
    }),
    references: [REFERENCES.preflight],
  },
  'private-network-allowed': {
    title: 'Private-network preflights are granted',
    severity: { withCredentials: 'low', withoutCredentials: 'low' },
    describe: (c) => `A private-network preflight from ${c.origin} (Access-Control-Request-Private-Network: true) was granted with Access-Control-Allow-Private-Network: true: this server opts in to being called by public websites while it sits on a private network or localhost. Right only if ${c.origin} must reach it there.`,
    fix: () => ({
      gatehouse: 'Set cors.allowPrivateNetwork: false (CORS_ALLOW_PRIVATE_NETWORK=false) unless a public page must call this private service; then enable it in a paths entry for just the routes that need it.',
      django: 'Set CORS_ALLOW_PRIVATE_NETWORK = False (django-cors-headers 4.x; 3.x has no such setting, so there another layer sends the header).',
    }),
    references: [REFERENCES.pna],
  },
  'private-network-any-origin': {
    title: 'Private-network preflights are granted to any origin',
    severity: { withCredentials: 'high', withoutCredentials: 'high' },
    describe: (c) => `A private-network preflight from ${c.origin}, an origin nobody configured, was granted with Access-Control-Allow-Private-Network: true: any public website can call this service from inside the user's network, the attack on routers and local services that Private Network Access exists to stop.`,
    fix: (c) => ({
      gatehouse: `Gatehouse grants private-network preflights to allowed origins only: list cors.allowedOrigins: ${yamlList(examples(c))}, and keep allowPrivateNetwork off unless needed.`,
      django: `List CORS_ALLOWED_ORIGINS = ${pythonList(examples(c))} instead of CORS_ALLOW_ALL_ORIGINS, and set CORS_ALLOW_PRIVATE_NETWORK = False unless needed.`,
    }),
    references: [REFERENCES.pna, REFERENCES.kettle],
  },
  'expected-origin-refused': {
    title: 'An origin that should be allowed is refused',
    severity: { withCredentials: 'low', withoutCredentials: 'low' },
    describe: (c) => `${c.origin} was given with --origin, but the response carries no Access-Control-Allow-Origin for it${c.quoted ? ` (it answered ${c.quoted})` : ''}: pages on that front end cannot read this API.`,
    fix: (c) => ({
      gatehouse: `Add ${c.origin} to cors.allowedOrigins as browsers send it (scheme://host[:port], no trailing slash), and check that urlsRegex and paths enable CORS on this path. debugHeader: true makes each response say why it was refused (X-Gatehouse-Cors).`,
      django: `Add "${c.origin}" to CORS_ALLOWED_ORIGINS (no path, no trailing slash), and check that CORS_URLS_REGEX matches this path.`,
    }),
    references: [REFERENCES.corsCheck],
  },
};

export const FINDING_IDS = Object.keys(KINDS) as FindingId[];

export function findingKind(id: FindingId): FindingKind {
  return KINDS[id];
}
