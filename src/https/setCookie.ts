// Set-Cookie values for cookies that carry credentials (a session id, a refresh token), safe unless
// told otherwise: Secure (sent over HTTPS only), HttpOnly (no page script reads it), SameSite=Lax
// (not sent on cross-site subresource requests and POSTs), Path=/. Syntax per RFC 6265 §4.1.1 and the
// cookie prefixes of RFC 6265bis §4.1.3. A value that would be mangled or refused by browsers throws
// at the call, where the mistake is, instead of producing a cookie that silently never comes back.

export interface CookieOptions {
  /** Default true. Only a development server on plain http://localhost should turn it off. */
  secure?: boolean;
  /** Default true: page scripts cannot read the cookie (document.cookie). */
  httpOnly?: boolean;
  /** Default `Lax`. `None` requires Secure (browsers drop the cookie otherwise). */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** Default `/`. */
  path?: string;
  /** Omitted by default: the cookie goes back to this host only, not its subdomains. */
  domain?: string;
  /** Seconds; 0 or less deletes the cookie. Omitted: a session cookie. */
  maxAge?: number;
  expires?: Date;
  /** CHIPS: a cookie partitioned by the top-level site (requires Secure). */
  partitioned?: boolean;
}

// RFC 6265 §4.1.1: cookie-name is a token; cookie-value is *cookie-octet or the same in DQUOTEs.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^(?:[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*|"[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*")$/;
// av-octet: any CHAR except CTLs or ";".
const ATTRIBUTE_VALUE = /^[\x20-\x3A\x3C-\x7E]+$/;

/**
 * The value of one Set-Cookie header: `res.setHeader('Set-Cookie', setCookieHeader('sid', id))`.
 * Encode a value that is not plain text yourself (encodeURIComponent, base64url).
 */
export function setCookieHeader(name: string, value: string, options: CookieOptions = {}): string {
  const secure = options.secure ?? true;
  const sameSite = options.sameSite ?? 'Lax';
  const path = options.path ?? '/';
  if (!TOKEN.test(name)) throw new TypeError(`cookie name ${JSON.stringify(name)} is not a token (RFC 6265 §4.1.1)`);
  if (!COOKIE_VALUE.test(value)) throw new TypeError(`the value of cookie ${name} has characters a cookie cannot carry (space, comma, semicolon, backslash, quote, control); encode it first`);
  if (!['Strict', 'Lax', 'None'].includes(sameSite)) throw new TypeError(`sameSite must be Strict, Lax or None, not ${JSON.stringify(sameSite)}`);
  if (!secure && (sameSite === 'None' || options.partitioned === true)) throw new TypeError(`cookie ${name}: SameSite=None and Partitioned need Secure; browsers drop the cookie otherwise`);
  const lower = name.toLowerCase();
  if (lower.startsWith('__secure-') && !secure) throw new TypeError(`cookie ${name}: the __Secure- prefix requires Secure (RFC 6265bis §4.1.3.1)`);
  if (lower.startsWith('__host-') && (!secure || path !== '/' || options.domain !== undefined)) {
    throw new TypeError(`cookie ${name}: the __Host- prefix requires Secure, Path=/ and no Domain (RFC 6265bis §4.1.3.2)`);
  }
  if (!path.startsWith('/') || !ATTRIBUTE_VALUE.test(path)) throw new TypeError(`cookie ${name}: path ${JSON.stringify(path)} must start with "/" and contain no ";" or control characters`);
  const parts = [`${name}=${value}`, `Path=${path}`];
  if (options.domain !== undefined) {
    if (!/^\.?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/.test(options.domain)) throw new TypeError(`cookie ${name}: domain ${JSON.stringify(options.domain)} is not a domain name`);
    parts.push(`Domain=${options.domain}`);
  }
  if (options.maxAge !== undefined) {
    if (!Number.isFinite(options.maxAge)) throw new TypeError(`cookie ${name}: maxAge must be a number of seconds`);
    parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
  }
  if (options.expires !== undefined) {
    if (Number.isNaN(options.expires.getTime())) throw new TypeError(`cookie ${name}: expires is an invalid Date`);
    parts.push(`Expires=${options.expires.toUTCString()}`); // IMF-fixdate (RFC 9110 §5.6.7)
  }
  if (secure) parts.push('Secure');
  if (options.httpOnly ?? true) parts.push('HttpOnly');
  parts.push(`SameSite=${sameSite}`);
  if (options.partitioned === true) parts.push('Partitioned');
  return parts.join('; ');
}

/** A Set-Cookie value that deletes the cookie: the same name, path and domain, expired. */
export function clearCookieHeader(name: string, options: Omit<CookieOptions, 'maxAge' | 'expires'> = {}): string {
  return setCookieHeader(name, '', { ...options, maxAge: 0, expires: new Date(0) });
}
