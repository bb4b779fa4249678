// How the client reached us, as the engine resolved it: through trusted proxies (proxy.trusted) the
// forwarded address, protocol and host; otherwise the socket's. Fastify's own request.ip, .protocol and
// .host follow Fastify's trustProxy, which the ready server leaves off: Gatehouse's setting decides.

import type { FastifyRequest } from 'fastify';
import { clientOf } from '../https/requestFacts.ts';

export interface ClientView {
  readonly ip: string | undefined;
  readonly secure: boolean;
  readonly host: string | undefined;
}

export function clientView(request: FastifyRequest): ClientView {
  const resolved = clientOf(request.raw);
  if (resolved !== undefined) return { ip: resolved.ip, secure: resolved.secure, host: resolved.host };
  return { ip: request.ip, secure: request.protocol === 'https', host: request.host === '' ? undefined : request.host };
}
