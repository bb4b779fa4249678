// Who the client is, how it connected, which host it asked for: from the socket, unless the socket's
// peer is a configured proxy. Only then are X-Forwarded-For/-Proto/-Host (or RFC 7239 Forwarded)
// read, and only as far as the chain of trusted proxies reaches: what a client writes itself is never
// believed, so it cannot claim HTTPS or another address.
//
// The walk is proxy-addr's (the trust function is its compile()): start at the socket's peer; while
// the current hop is trusted, believe the entry it appended (the address it received the request
// from) and move to it. The first untrusted hop, or the leftmost entry, is the client.

import type { ResolvedProxy } from '../config/httpsSchema.ts';
import { forwardedForList, nodeAddress, parseForwarded, valueList, type ForwardedElement } from './forwardedHeader.ts';
import { isValidHost } from './hostSyntax.ts';

export type HeaderReader = (name: string) => string | undefined;

/** What the transport says, or what trusted proxies reported. */
export interface ClientFacts {
  /** The client's address; undefined when unknown (a proxy wrote `unknown` or an obfuscated name). */
  readonly ip: string | undefined;
  /** The client's request reached the first trusted hop over HTTPS. */
  readonly secure: boolean;
  /** The Host the client asked for. */
  readonly host: string | undefined;
}

/** Addresses remembered as trusted or not; the proxies' own are asked on every request. */
const MAX_REMEMBERED = 4096;

export class ProxyTrust {
  /** False: nobody is trusted, and facts come from the socket alone (the fast path). */
  readonly configured: boolean;
  private readonly trust: ((address: string, hop: number) => boolean) | undefined;
  private readonly remembered = new Map<string, boolean>();
  private readonly forwarded: boolean;
  private readonly useForwardedHost: boolean;
  private readonly protoHeader: string;
  private readonly sslValue: string | undefined;

  constructor(resolved: ResolvedProxy) {
    const compiled = resolved.trust;
    // proxy-addr parses the address on every call; a hash look-up answers the repeated ones.
    this.trust = compiled === undefined ? undefined : (address, hop) => {
      let trusted = this.remembered.get(address);
      if (trusted === undefined) {
        trusted = compiled(address, hop);
        if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
        this.remembered.set(address, trusted);
      }
      return trusted;
    };
    this.configured = compiled !== undefined;
    this.forwarded = resolved.header === 'forwarded';
    this.useForwardedHost = resolved.useForwardedHost;
    this.protoHeader = resolved.sslHeader?.name ?? 'x-forwarded-proto';
    this.sslValue = resolved.sslHeader?.value;
  }

  /**
   * `peer` is the socket's remote address, `encrypted` whether the socket is TLS, `host` the Host
   * header; `header` reads the other request headers by lower-case name.
   */
  resolve(peer: string | undefined, encrypted: boolean, host: string | undefined, header: HeaderReader): ClientFacts {
    const trust = this.trust;
    if (trust === undefined || peer === undefined || !trust(peer, 0)) return { ip: peer, secure: encrypted, host };
    return this.forwarded ? this.fromForwarded(peer, encrypted, host, header, trust) : this.fromXForwarded(peer, encrypted, host, header, trust);
  }

  private fromXForwarded(peer: string, encrypted: boolean, host: string | undefined, header: HeaderReader, trust: (address: string, hop: number) => boolean): ClientFacts {
    const hops = forwardedForList(header('x-forwarded-for'));
    // `trusted` counts the proxies on the path whose word is taken: the peer, then every hop that is
    // itself trusted. Each appended one X-Forwarded-For entry.
    let trusted = 1;
    let client: string | undefined = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      client = nodeAddress(hops[i]);
      if (i === 0 || client === undefined || !trust(client, trusted)) break;
      trusted++;
    }
    // X-Forwarded-Proto and -Host: proxies either replace the value or append theirs, so of m values
    // only the last `trusted` were written by trusted proxies; the leftmost of those is the one the
    // outermost trusted proxy wrote about the client's own connection. Values further left came
    // from the client (`X-Forwarded-Proto: https` typed into curl) and are never read.
    const protos = valueList(header(this.protoHeader));
    const secure = protos.length === 0 ? encrypted : this.isSecure(protos[Math.max(0, protos.length - trusted)]!, encrypted);
    let forwardedHost = host;
    if (this.useForwardedHost) {
      const hosts = valueList(header('x-forwarded-host'));
      const claimed = hosts[Math.max(0, hosts.length - trusted)];
      if (isValidHost(claimed)) forwardedHost = claimed;
    }
    return { ip: client, secure, host: forwardedHost };
  }

  private fromForwarded(peer: string, encrypted: boolean, host: string | undefined, header: HeaderReader, trust: (address: string, hop: number) => boolean): ClientFacts {
    const raw = header('forwarded');
    const elements = raw === undefined ? [] : parseForwarded(raw);
    // A trusted proxy that writes an unparsable Forwarded is not believed at all: the peer is the client.
    if (elements === undefined || elements.length === 0) return { ip: peer, secure: encrypted, host };
    // RFC 7239 §4: each proxy appends one element about the request it received, so the last element
    // is the peer's, and each element's `for` names the hop before it.
    let believed: ForwardedElement = elements[elements.length - 1]!;
    let client = nodeAddress(believed.for);
    for (let j = elements.length - 2; j >= 0 && client !== undefined && trust(client, elements.length - 1 - j); j--) {
      believed = elements[j]!;
      client = nodeAddress(believed.for);
    }
    // §5.4 proto and §5.3 host of the outermost believed element: the client's own connection.
    const proto = believed.proto?.toLowerCase();
    const secure = proto === 'https' || proto === 'wss' ? true : proto === 'http' || proto === 'ws' ? false : encrypted;
    const forwardedHost = this.useForwardedHost && isValidHost(believed.host) ? believed.host : host;
    return { ip: client, secure, host: forwardedHost };
  }

  private isSecure(value: string, encrypted: boolean): boolean {
    // Django's SECURE_PROXY_SSL_HEADER: that exact value means https, any other value http.
    if (this.sslValue !== undefined) return value === this.sslValue;
    const lower = value.toLowerCase();
    if (lower === 'https' || lower === 'wss') return true;
    if (lower === 'http' || lower === 'ws') return false;
    return encrypted;
  }
}
