// The headers Gatehouse adds to responses, never replacing one the handler set:
// - Strict-Transport-Security on HTTPS responses only (RFC 6797 §7.2: "MUST NOT include the STS
//   header field in HTTP responses conveyed over non-secure transport");
// - X-Content-Type-Options: nosniff on every response (Django's SECURE_CONTENT_TYPE_NOSNIFF), so a
//   JSON body is never run as a script or styled as CSS (Fetch, #x-content-type-options-header:
//   "should response to request be blocked due to nosniff?");
// - on JSON responses, Cross-Origin-Resource-Policy (same-site by default): a no-cors read such as
//   `<script src>` or `<img src>` from another site gets a network error instead of the bytes in its
//   process (Fetch, #cross-origin-resource-policy-header: the check runs only when the response
//   tainting is not "cors", so CORS requests from allowed origins are unaffected);
// - on JSON responses to requests that carried credentials, Cache-Control: no-store, so no shared or
//   browser cache keeps one caller's data for another (RFC 9111 §5.2.2.5).
// Four plans are precomputed (HTTPS or not × credentials or not); picking one is an index.

export interface SecurityHeaderPlan {
  readonly hsts: string | undefined;
  readonly nosniff: boolean;
  readonly resourcePolicy: string | undefined;
  readonly noStore: boolean;
}

export interface ResponseHeaderSettings {
  readonly nosniff: boolean;
  readonly crossOriginResourcePolicy: string | undefined;
  readonly noStore: boolean;
}

export class SecurityHeaders {
  private readonly plans: readonly SecurityHeaderPlan[];

  constructor(hsts: string | undefined, settings: ResponseHeaderSettings) {
    const plans: SecurityHeaderPlan[] = [];
    for (const secure of [false, true]) {
      for (const credentialed of [false, true]) {
        plans[(secure ? 1 : 0) | (credentialed ? 2 : 0)] = Object.freeze({
          hsts: secure ? hsts : undefined,
          nosniff: settings.nosniff,
          resourcePolicy: settings.crossOriginResourcePolicy,
          noStore: credentialed && settings.noStore,
        });
      }
    }
    this.plans = Object.freeze(plans);
  }

  plan(secure: boolean, credentialed: boolean): SecurityHeaderPlan {
    return this.plans[(secure ? 1 : 0) | (credentialed ? 2 : 0)]!;
  }
}

/** application/json, text/json and any +json type (problem+json, ld+json...), parameters ignored. */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const semicolon = value.indexOf(';');
  const essence = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  return essence === 'application/json' || essence === 'text/json' || (essence.startsWith('application/') && essence.endsWith('+json'));
}
