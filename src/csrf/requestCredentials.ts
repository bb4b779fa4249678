// Which credentials a request carries, as far as cross-site protection cares:
// - ambient: what a browser attaches by itself to a request another site makes it send: cookies, and
//   the Authorization schemes browsers manage (Basic, Digest, Negotiate, NTLM, cached after a 401);
// - explicit: a Bearer token, another Authorization scheme or an API key header. Authorization and
//   X-API-Key are not CORS-safelisted request headers (Fetch §2.2.2), so a page on another origin
//   can only send them after a preflight the CORS policy allowed; such a request is no forgery.
// An explicit credential wins: the authenticator uses it and ignores the cookies.

export type HeaderReader = (name: string) => string | undefined;

const BROWSER_MANAGED_SCHEMES = new Set(['basic', 'digest', 'negotiate', 'ntlm']);

export type CredentialKind = 'none' | 'ambient' | 'explicit';

export function credentialKind(header: HeaderReader, apiKeyHeader: string): CredentialKind {
  const apiKey = header(apiKeyHeader);
  if (apiKey !== undefined && apiKey !== '') return 'explicit';
  const authorization = header('authorization');
  if (authorization !== undefined && authorization !== '') {
    const space = authorization.indexOf(' ');
    const scheme = (space === -1 ? authorization : authorization.slice(0, space)).toLowerCase();
    return BROWSER_MANAGED_SCHEMES.has(scheme) ? 'ambient' : 'explicit';
  }
  const cookie = header('cookie');
  return cookie !== undefined && cookie !== '' ? 'ambient' : 'none';
}

/** Whether the response may depend on who is asking: any credential at all (an empty header is none). */
export function carriesCredentials(header: HeaderReader, apiKeyHeader: string): boolean {
  return present(header('cookie')) || present(header('authorization')) || present(header(apiKeyHeader));
}

function present(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}
