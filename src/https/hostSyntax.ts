// The Host header's syntax (RFC 9110 §7.2: uri-host [ ":" port ], RFC 3986 §3.2.2), and the server's
// own origin built from it. A Host that does not parse is never copied into a Location header or
// compared as an origin.

// Disjoint classes, no nested quantifiers over the same characters: linear on any input.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*\.?)(?::(\d{1,5}))?$/;
const MAX_HOST_LENGTH = 262; // a 253-byte name, brackets, a colon and five digits

export function isValidHost(value: string | undefined): value is string {
  if (value === undefined || value.length === 0 || value.length > MAX_HOST_LENGTH) return false;
  const m = HOST.exec(value);
  return m !== null && (m[1] === undefined || Number(m[1]) <= 65535);
}

/** The host without its port (`example.com:8080` → `example.com`, `[::1]:8080` → `[::1]`). */
export function hostName(host: string): string {
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.indexOf(':');
  return end <= 0 ? host : host.slice(0, end);
}

/**
 * The server's own origin as a browser serialises it (HTML §7.5): lower-case, the scheme's default
 * port dropped, so `Host: API.example.com:443` over HTTPS is `https://api.example.com`.
 */
export function ownOrigin(secure: boolean, host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  const lower = host.toLowerCase();
  const defaultPort = secure ? ':443' : ':80';
  const bare = lower.endsWith(defaultPort) ? lower.slice(0, -defaultPort.length) : lower;
  return `${secure ? 'https' : 'http'}://${bare}`;
}
