// The options an HTTPS server is built with, and rebuilt with on every certificate change: Node's
// setSecureContext() resets every option it is not given (minVersion, ciphers…), so the start-up
// options and the reload options must come from this one function.

import type { SecureServerOptions } from 'node:http2';
import type { SecureContextOptions } from 'node:tls';
import type { TlsPair } from './tlsFiles.ts';

export function secureContextOptions(pair: TlsPair): SecureContextOptions {
  // RFC 9113 §9.2: HTTP/2 over TLS needs TLS 1.2 or later. Node's default is 1.2 too, but a
  // `--tls-min-v1.0` node flag would lower it; stating it keeps the server at 1.2 whatever node is told.
  return { key: pair.key, cert: pair.cert, minVersion: 'TLSv1.2' };
}

/** Options for `fastify({ ...fastifyTlsOptions(pair), ... })`: HTTP/2, with HTTP/1.1 for clients that do not offer h2 in ALPN. */
export function fastifyTlsOptions(pair: TlsPair): { http2: true; https: SecureServerOptions } {
  // allowHTTP1: RFC 7301 ALPN picks h2 when the client offers it, http/1.1 otherwise (curl --http1.1,
  // older clients, anything without ALPN).
  return { http2: true, https: { ...secureContextOptions(pair), allowHTTP1: true } };
}
