// The CORS settings a user writes, with django-cors-headers' names in camelCase and the same defaults
// as its newest release (4.x): see docs/cors.md for the full table.

/** Facts about a request that the `isRequestAllowed` hook may look at. */
export interface CorsHookRequest {
  readonly method: string;
  readonly path: string;
  readonly origin: string | undefined;
  /** Reads a request header by its lower-case name. */
  header(name: string): string | undefined;
}

/**
 * django-cors-headers' `check_request_enabled` signal: return true to enable CORS for a request whose
 * path is outside `urlsRegex`, or to allow an origin that no list allows.
 */
export type IsRequestAllowed = (request: CorsHookRequest) => boolean | Promise<boolean>;

/** Settings that may differ per path. */
export interface CorsPathSettings {
  allowedOrigins?: readonly string[];
  allowedOriginRegexes?: readonly string[];
  allowedOriginPatterns?: readonly string[];
  allowAllOrigins?: boolean;
  allowMethods?: readonly string[];
  allowHeaders?: readonly string[];
  exposeHeaders?: readonly string[];
  preflightMaxAge?: number;
  allowCredentials?: boolean;
  allowPrivateNetwork?: boolean;
  /** Refuse (403, problem+json) a request whose Origin is neither allowed nor the server's own. */
  strict?: boolean;
  /** Adds `X-Gatehouse-Cors` to every response of the path, saying why CORS allowed or refused it. */
  debugHeader?: boolean;
  /** States that the data is public, which lets allowAllOrigins start under NODE_ENV=production. */
  publicData?: boolean;
}

export interface CorsPathPolicy extends CorsPathSettings {
  /** `/api/public/` (exact) or `/api/public/*` (that prefix); the first matching entry wins. */
  path: string;
}

export interface CorsSettings extends CorsPathSettings {
  /** Python `re.match` semantics, as django-cors-headers: anchored at the start only. */
  urlsRegex?: string;
  paths?: readonly CorsPathPolicy[];
  isRequestAllowed?: IsRequestAllowed;
}

// django-cors-headers 4.0 dropped accept-encoding, dnt and origin from the default list: they are
// forbidden request-header names that page scripts can never set (Fetch §2.2.2).
export const DEFAULT_ALLOW_HEADERS: readonly string[] = Object.freeze([
  'accept',
  'authorization',
  'content-type',
  'user-agent',
  'x-csrftoken',
  'x-requested-with',
]);

export const DEFAULT_ALLOW_METHODS: readonly string[] = Object.freeze([
  'DELETE',
  'GET',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
]);

export const DEFAULT_PREFLIGHT_MAX_AGE = 86400;
export const DEFAULT_URLS_REGEX = '^.*$';
