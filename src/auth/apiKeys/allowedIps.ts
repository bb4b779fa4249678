// An API key may be limited to a list of networks (CIDRs). The list is checked when the key is
// created, so a request only ever meets a valid one; matching uses node's net.BlockList.

import { BlockList, isIP } from 'node:net';

export interface CidrIssue {
  readonly index: number;
  readonly value: unknown;
  readonly message: string;
  readonly hint?: string;
}

export type ParsedAllowedIps = { readonly ok: true; readonly cidrs: readonly string[] } | { readonly ok: false; readonly issues: readonly CidrIssue[] };

/** RFC 4291 §2.5.5.2: `::ffff:a.b.c.d` is an IPv4 address carried in IPv6 (dual-stack sockets report it). */
const MAPPED_IPV4 = /^(?:::|0:0:0:0:0:)ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const PREFIX_LENGTH = /^\d{1,3}$/;

/** Validates and normalises a CIDR list: `10.0.0.0/8`, `2001:db8::/32`, or one address (`/32`, `/128`). */
export function parseAllowedIps(list: readonly unknown[]): ParsedAllowedIps {
  const cidrs: string[] = [];
  const issues: CidrIssue[] = [];
  list.forEach((value, index) => {
    const result = parseCidr(value);
    if (typeof result === 'string') cidrs.push(result);
    else issues.push({ index, value, ...result });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, cidrs };
}

function parseCidr(value: unknown): string | { message: string; hint?: string } {
  const example = { hint: 'write a network such as "203.0.113.0/24" or "2001:db8::/32", or one address such as "203.0.113.7"' };
  if (typeof value !== 'string') return { message: 'is not text', ...example };
  const [address = '', length, ...extra] = value.trim().split('/');
  if (address.includes('%')) return { message: 'has a zone id, which names an interface of this host, not a network', ...example };
  const family = isIP(address);
  if (family === 0 || extra.length > 0) return { message: 'is not an IP address or CIDR network', ...example };
  const mapped = MAPPED_IPV4.exec(address);
  if (mapped) return { message: 'is an IPv4-mapped IPv6 address; clients using one are matched as IPv4', hint: `write the IPv4 form, e.g. "${mapped[1]}"` };
  const max = family === 4 ? 32 : 128;
  if (length !== undefined && (!PREFIX_LENGTH.test(length) || Number(length) > max)) {
    return { message: `has a prefix length that is not a whole number from 0 to ${max}`, ...example };
  }
  return `${family === 6 ? address.toLowerCase() : address}/${length === undefined ? max : Number(length)}`;
}

/**
 * A matcher for a validated CIDR list (from parseAllowedIps). An empty list allows every address; an
 * address that is missing or not an IP is allowed by no list.
 */
export function allowedIpMatcher(cidrs: readonly string[]): (clientIp: string | undefined) => boolean {
  if (cidrs.length === 0) return () => true;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', length = ''] = cidr.split('/');
    list.addSubnet(address, Number(length), isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
  return (clientIp) => {
    const client = clientAddress(clientIp);
    return client !== undefined && list.check(client.address, client.family);
  };
}

function clientAddress(ip: string | undefined): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  if (ip === undefined) return undefined;
  // A zone id (`fe80::1%eth0`) names the local interface, not the peer.
  const address = ip.replace(/%.*$/, '');
  const mapped = MAPPED_IPV4.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  const family = isIP(address);
  return family === 4 ? { address, family: 'ipv4' } : family === 6 ? { address, family: 'ipv6' } : undefined;
}
