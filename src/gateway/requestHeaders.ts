// The request head the upstream receives: the client's end-to-end fields, less hop-by-hop fields and
// anything posing as Gatehouse's principal headers, plus where the request came from
// (X-Forwarded-For/-Proto/-Host and RFC 7239 Forwarded) and who sent it (the principal headers).

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Principal } from '../auth/principal.ts';
import { connectionListed, isHopByHop } from './hopByHop.ts';
import { appendPrincipalHeaders, type PrincipalHeaderNames } from './principalHeaders.ts';

/** How the client reached Gatehouse once trusted proxies are taken into account (clientOf(req)). */
export interface ClientView {
  readonly protocol: 'http' | 'https';
  readonly host: string | undefined;
}

export interface ForwardingRules {
  readonly principalHeaders: PrincipalHeaderNames;
  /** Send the client's Host instead of letting undici send the upstream's. */
  readonly preserveHost: boolean;
}

/** The client's address without the IPv4-mapped IPv6 prefix node reports on dual-stack sockets. */
export function clientAddress(req: IncomingMessage): string | undefined {
  const address = req.socket.remoteAddress;
  return address !== undefined && address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** An RFC 7239 §4 value: a token as it is, anything else (an IPv6 node, host:port) as a quoted-string. */
export function forwardedValue(value: string): string {
  return TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** One Forwarded element for this hop (RFC 7239 §4, §6: IPv6 nodes are bracketed and quoted). */
export function forwardedElement(address: string | undefined, proto: string, host: string | undefined): string {
  const node = address === undefined ? 'unknown' : address.includes(':') ? `[${address}]` : address;
  let element = `for=${forwardedValue(node)}`;
  if (host !== undefined && host !== '') element += `;host=${forwardedValue(host)}`;
  return `${element};proto=${proto}`;
}

/**
 * The flat name/value list undici sends upstream. Client values of X-Forwarded-For and Forwarded are
 * kept and this hop appended (the upstream decides how many hops it trusts); X-Forwarded-Proto and
 * -Host are replaced by what this gateway saw (or, given `client`, what trusted proxies reported). Expect is dropped: node has already answered
 * `100-continue`, and the body follows as a stream. For a WebSocket upgrade, undici writes Connection
 * and Upgrade itself from the request's `upgrade` option.
 */
export function upstreamRequestHeaders(req: IncomingMessage, rules: ForwardingRules, principal: Principal | undefined, client?: ClientView): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  const lowerPrefix = rules.principalHeaders.lowerPrefix;
  const connection = req.headers.connection;
  const listed = connection === undefined ? undefined : connectionListed([connection]);
  let forwardedFor: string | undefined;
  let forwarded: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'expect' || lower === 'x-forwarded-proto' || lower === 'x-forwarded-host') continue;
    if (isHopByHop(lower) || lower.startsWith(lowerPrefix) || listed?.has(lower)) continue;
    if (lower === 'x-forwarded-for') forwardedFor = forwardedFor === undefined ? raw[i + 1]! : `${forwardedFor}, ${raw[i + 1]!}`;
    else if (lower === 'forwarded') forwarded = forwarded === undefined ? raw[i + 1]! : `${forwarded}, ${raw[i + 1]!}`;
    else out.push(name, raw[i + 1]!);
  }
  const address = clientAddress(req);
  // Behind a trusted proxy (a TLS-terminating load balancer) the client's protocol and host are the
  // ones it reported; otherwise what this socket saw.
  const proto = client?.protocol ?? ((req.socket as TLSSocket).encrypted === true ? 'https' : 'http');
  const host = client?.host ?? req.headers.host;
  if (rules.preserveHost && req.headers.host !== undefined) out.push('Host', req.headers.host);
  if (address !== undefined) out.push('X-Forwarded-For', forwardedFor === undefined || forwardedFor.trim() === '' ? address : `${forwardedFor}, ${address}`);
  out.push('X-Forwarded-Proto', proto);
  if (host !== undefined) out.push('X-Forwarded-Host', host);
  const element = forwardedElement(address, proto, host);
  out.push('Forwarded', forwarded === undefined || forwarded.trim() === '' ? element : `${forwarded}, ${element}`);
  if (principal !== undefined) appendPrincipalHeaders(out, rules.principalHeaders, principal);
  return out;
}
