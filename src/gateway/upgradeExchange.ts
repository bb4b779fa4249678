// One WebSocket handshake through the gateway, as an undici dispatch handler with `upgrade`. On 101
// the client gets the upstream's handshake answer and the two sockets are joined; on any other answer
// the client gets that answer (the upstream refused: 400, 403, 404...), and the connection closes.

import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Header } from '../cors/corsPolicy.ts';
import type { Logger } from '../logger.ts';
import { clientResponseHeaders, type ResponseHeaders } from './responseHeaders.ts';
import { classifyFailure, failureBody } from './upstreamFailure.ts';

/** The refusal of an upstream that answered the handshake without upgrading is relayed up to this size. */
const MAX_RELAYED_BODY = 64 * 1024;

export interface UpgradeScope {
  readonly origin: string;
  readonly keepUpstreamCors: boolean;
  readonly logger: Logger;
  /** Open tunnels, destroyed when the gateway closes. */
  readonly tunnels: Set<Duplex>;
}

/** Writes a complete HTTP/1.1 response on a socket node handed over for an upgrade, then closes it. */
export function writeSocketResponse(socket: Duplex, status: number, headers: readonly Header[] | ResponseHeaders, body: string | Buffer): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  const lines: [string, string][] = Array.isArray(headers)
    ? headers.map(([name, value]) => [name, value])
    : Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value.map((v): [string, string] => [name, v]) : [[name, value] as [string, string]]));
  for (const [name, value] of lines) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'connection' || lower === 'transfer-encoding') continue;
    head += `${name}: ${value}\r\n`;
  }
  head += `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), typeof body === 'string' ? Buffer.from(body) : body]));
}

export class UpgradeExchange implements Dispatcher.DispatchHandler {
  private abortUpstream: ((reason?: Error) => void) | undefined;
  private refusal: { status: number; headers: ResponseHeaders; chunks: Buffer[]; size: number } | undefined;
  private done = false;

  constructor(
    private readonly scope: UpgradeScope,
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly head: Buffer,
  ) {
    socket.once('close', () => {
      if (!this.done) this.abortUpstream?.(new Error('the client closed the connection'));
    });
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.socket.destroyed) abort(new Error('the client closed the connection'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true;
    this.refusal = { status: statusCode, headers: clientResponseHeaders(rawHeaders, this.scope.keepUpstreamCors), chunks: [], size: 0 };
    return true;
  }

  onData(chunk: Buffer): boolean {
    const refusal = this.refusal!;
    if (refusal.size + chunk.length > MAX_RELAYED_BODY) throw Object.assign(new Error(`the refusal's body is over ${MAX_RELAYED_BODY} bytes`), { code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' });
    refusal.chunks.push(chunk);
    refusal.size += chunk.length;
    return true;
  }

  onComplete(): void {
    this.done = true;
    const refusal = this.refusal!;
    this.scope.logger.info({ upstream: { url: this.scope.origin, status: refusal.status }, url: this.req.url }, `upstream ${this.scope.origin} answered the WebSocket handshake for ${this.req.url} with ${refusal.status} instead of 101; relayed`);
    writeSocketResponse(this.socket, refusal.status, refusal.headers, Buffer.concat(refusal.chunks));
  }

  onUpgrade(statusCode: number, rawHeaders: Buffer[] | string[] | null, upstream: Duplex): void {
    this.done = true;
    const client = this.socket;
    const { tunnels } = this.scope;
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      tunnels.delete(client);
    };
    upstream.on('error', closeBoth);
    client.on('error', closeBoth);
    if (client.destroyed) {
      closeBoth();
      return;
    }
    let head = `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Switching Protocols'}\r\n`;
    const headers = clientResponseHeaders(rawHeaders ?? [], this.scope.keepUpstreamCors, true);
    for (const name in headers) {
      const value = headers[name]!;
      for (const line of Array.isArray(value) ? value : [value]) head += `${name}: ${line}\r\n`;
    }
    client.write(`${head}\r\n`, 'latin1');
    if (this.head.length > 0) upstream.write(this.head);
    tunnels.add(client);
    client.once('close', closeBoth);
    upstream.once('close', closeBoth);
    upstream.pipe(client);
    client.pipe(upstream);
  }

  onError(error: Error): void {
    this.done = true;
    if (this.socket.destroyed) return;
    const failure = classifyFailure(error);
    this.scope.logger.error(
      { upstream: { url: this.scope.origin, code: failure.code, cause: failure.cause }, method: this.req.method, url: this.req.url },
      `upstream ${this.scope.origin} failed on the WebSocket handshake for ${this.req.url}: ${failure.cause}; answered ${failure.status}`,
    );
    writeSocketResponse(this.socket, failure.status, [['Content-Type', 'application/problem+json'], ['Cache-Control', 'no-store']], failureBody(failure));
  }
}
