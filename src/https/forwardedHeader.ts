// Parsing what proxies write about the hops before them: RFC 7239's `Forwarded` and the de-facto
// X-Forwarded-For list. Only parsing lives here; whether a hop is believed is trustedProxies.ts's call.

import { isIP } from 'node:net';

/** One forwarded-element (RFC 7239 §4): what one proxy says about the request it received. */
export interface ForwardedElement {
  /** §5.2: the node that made the request to the proxy (an address, `unknown`, or `_obfuscated`). */
  readonly for?: string;
  /** §5.3: the Host header the proxy received. */
  readonly host?: string;
  /** §5.4: the scheme the proxy received the request with (`http`, `https`). */
  readonly proto?: string;
  readonly by?: string;
}

/** A Forwarded or X-Forwarded-For value longer than this is not believed (no proxy chain is that long). */
export const MAX_FORWARDED_LENGTH = 8192;
const MAX_ELEMENTS = 64;

// RFC 9110 §5.6.2: tchar.
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const KNOWN_PARAMETERS = new Set(['for', 'host', 'proto', 'by']);

/**
 * Parses a Forwarded header value (repeated lines joined with ", "). Returns undefined when it is not
 * valid RFC 7239 syntax, or a parameter occurs twice in one element (§4: "MUST NOT occur more than
 * once"): a proxy that writes garbage is not believed at all.
 */
export function parseForwarded(value: string): ForwardedElement[] | undefined {
  if (value.length > MAX_FORWARDED_LENGTH) return undefined;
  const elements: ForwardedElement[] = [];
  let element: Record<string, string> = {};
  let i = 0;
  const n = value.length;
  const skipSpace = () => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  for (;;) {
    skipSpace();
    // An empty pair or element (`;;`, `, ,`) is allowed by the list rules (RFC 9110 §5.6.1).
    if (i < n && value[i] !== ';' && value[i] !== ',') {
      const nameStart = i;
      while (i < n && TCHAR.test(value[i]!)) i++;
      if (i === nameStart || value[i] !== '=') return undefined;
      const name = value.slice(nameStart, i).toLowerCase(); // §4: parameter names are case-insensitive
      i++;
      let parameter: string;
      if (value[i] === '"') {
        i++;
        parameter = '';
        for (;;) {
          if (i >= n) return undefined;
          const c = value[i]!;
          if (c === '"') break;
          if (c === '\\') {
            i++;
            if (i >= n) return undefined;
          }
          parameter += value[i];
          i++;
        }
        i++;
      } else {
        const start = i;
        while (i < n && TCHAR.test(value[i]!)) i++;
        if (i === start) return undefined;
        parameter = value.slice(start, i);
      }
      if (Object.hasOwn(element, name)) return undefined;
      element[name] = parameter;
      skipSpace();
    }
    if (i >= n || value[i] === ',') {
      if (Object.keys(element).length > 0) {
        elements.push(pickKnown(element));
        if (elements.length > MAX_ELEMENTS) return undefined;
      }
      element = {};
      if (i >= n) return elements;
      i++;
    } else if (value[i] === ';') {
      i++;
    } else {
      return undefined;
    }
  }
}

function pickKnown(element: Record<string, string>): ForwardedElement {
  const out: Record<string, string> = {};
  for (const key of Object.keys(element)) if (KNOWN_PARAMETERS.has(key)) out[key] = element[key]!;
  return out;
}

/**
 * The IP address in a node identifier (RFC 7239 §6: `192.0.2.43`, `192.0.2.43:47011`,
 * `[2001:db8:cafe::17]`, `[2001:db8:cafe::17]:4711`) or an X-Forwarded-For entry (which some proxies
 * also write with a port, and a bare IPv6 address without brackets). undefined for `unknown`, an
 * obfuscated identifier (`_hidden`) or anything that is not an address.
 */
export function nodeAddress(node: string | undefined): string | undefined {
  if (node === undefined) return undefined;
  const value = node.trim();
  let address = value;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    const rest = end === -1 ? '' : value.slice(end + 1);
    if (end === -1 || (rest !== '' && !/^:\d{1,5}$/.test(rest))) return undefined;
    address = value.slice(1, end);
  } else if (value.indexOf(':') !== -1 && value.indexOf(':') === value.lastIndexOf(':')) {
    // IPv4 with a port.
    const [host, port] = value.split(':') as [string, string];
    if (!/^\d{1,5}$/.test(port)) return undefined;
    address = host;
  }
  // `unknown`, `_obfuscated` and anything else that is not an address (RFC 7239 §6.2, §6.3).
  return isIP(address) === 0 ? undefined : address;
}

/** X-Forwarded-For's entries, left (the client, as the first proxy saw it) to right (the last hop). */
export function forwardedForList(value: string | undefined): string[] {
  if (value === undefined || value === '' || value.length > MAX_FORWARDED_LENGTH) return [];
  return value.split(',').map((entry) => entry.trim());
}

/** A comma-separated header (X-Forwarded-Proto, X-Forwarded-Host) as a list of trimmed values. */
export function valueList(value: string | undefined): string[] {
  if (value === undefined || value === '' || value.length > MAX_FORWARDED_LENGTH) return [];
  return value.split(',').map((entry) => entry.trim());
}
