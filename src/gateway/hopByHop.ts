// Hop-by-hop fields (RFC 9110 §7.6.1): they describe one connection, so a proxy never forwards them.
// That is Connection and every field it names, plus the fields that are always connection-specific:
// Keep-Alive, Proxy-Connection (non-standard, still sent), Proxy-Authenticate/-Authorization (§11.7),
// TE, Trailer, Transfer-Encoding and Upgrade.

const ALWAYS = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Whether a lower-case field name is hop-by-hop whatever Connection says. */
export function isHopByHop(lowerName: string): boolean {
  return ALWAYS.has(lowerName) || lowerName.startsWith('proxy-');
}

/**
 * The field names listed in Connection values (lower case). Content-Length and Host are never taken
 * from that list: they frame and route the message, and a sender must not list them (§7.6.1).
 */
export function connectionListed(values: readonly string[]): Set<string> | undefined {
  let listed: Set<string> | undefined;
  for (const value of values) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name === '' || name === 'close' || name === 'keep-alive' || name === 'upgrade' || name === 'content-length' || name === 'host') continue;
      (listed ??= new Set()).add(name);
    }
  }
  return listed;
}
