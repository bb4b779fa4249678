// One request through the gateway, as an undici dispatch handler: the response head is written when
// the upstream's arrives, body chunks go to the client as they come (undici pauses the upstream
// socket while the client is slow: onData returns res.write's answer, 'drain' resumes), and the
// upstream request is aborted when the client goes away.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Logger } from '../logger.ts';
import { PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { clientResponseHeaders } from './responseHeaders.ts';
import { classifyFailure, failureBody, type UpstreamFailure } from './upstreamFailure.ts';
import type { UpstreamExchange } from './upstreamPool.ts';

/** What every exchange of one gateway shares. */
export interface ExchangeScope {
  readonly origin: string;
  readonly keepUpstreamCors: boolean;
  readonly logger: Logger;
}

const EXCHANGE = Symbol('gatehouse.gateway.exchange');
type WithExchange = ServerResponse & { [EXCHANGE]?: ProxyExchange };

// Listeners are module functions reading the exchange from the response, not closures made per
// request (see the note in adapters/node-http.ts on per-request functions under tsx).
function onClientClose(this: WithExchange): void {
  this[EXCHANGE]?.clientClosed();
}
function onClientDrain(this: WithExchange): void {
  this[EXCHANGE]?.resume();
}

class ClientGoneError extends Error {
  readonly code = 'GATEHOUSE_CLIENT_GONE';
  constructor() {
    super('the client closed the connection');
  }
}

export class ProxyExchange implements Dispatcher.DispatchHandler, UpstreamExchange {
  private abortUpstream: ((reason?: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  private finished = false;
  private clientGone = false;

  constructor(
    private readonly scope: ExchangeScope,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    (res as WithExchange)[EXCHANGE] = this;
    res.once('close', onClientClose);
  }

  /** The client went away before the answer was complete (upstreamPool.ts then keeps no connection open for it). */
  get abandoned(): boolean {
    return this.clientGone;
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.clientGone) abort(new ClientGoneError());
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx answers are interim (RFC 9110 §15.2); node has already sent the client its own 100 Continue.
    if (statusCode < 200) return true;
    if (statusCode > 599) throw Object.assign(new Error(`status code ${statusCode} is outside 100-599 (RFC 9110 §15)`), { code: 'gateway-invalid-status' });
    this.res.writeHead(statusCode, clientResponseHeaders(rawHeaders, this.scope.keepUpstreamCors));
    this.resumeUpstream = resume;
    this.res.on('drain', onClientDrain);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.res.write(chunk);
  }

  onComplete(): void {
    this.finished = true;
    this.res.end();
  }

  onError(error: Error): void {
    this.finished = true;
    const res = this.res;
    if (this.clientGone || res.destroyed || this.req.destroyed) {
      this.scope.logger.debug({ upstream: { url: this.scope.origin }, method: this.req.method, url: this.req.url, err: error.message }, 'gateway: the client went away; upstream request abandoned');
      return;
    }
    const failure = classifyFailure(error);
    if (res.headersSent) {
      this.log(failure, 'after the response had started; closing the client connection');
      res.destroy();
      return;
    }
    this.log(failure, `answered ${failure.status}`);
    writeFailure(res, failure, !this.req.complete);
  }

  resume(): void {
    this.resumeUpstream?.();
  }

  clientClosed(): void {
    if (this.finished) return;
    this.clientGone = true;
    this.abortUpstream?.(new ClientGoneError());
  }

  private log(failure: UpstreamFailure, outcome: string): void {
    this.scope.logger.error(
      { upstream: { url: this.scope.origin, code: failure.code, cause: failure.cause }, method: this.req.method, url: this.req.url },
      `upstream ${this.scope.origin} failed on ${this.req.method} ${this.req.url}: ${failure.cause}; ${outcome}`,
    );
  }
}

/**
 * Gatehouse's own answer in place of the upstream's. The CORS headers are added by the node adapter
 * when the head is written, so a page can read the 502. When the client's body was not read to its
 * end, the connection closes rather than reading the rest of a large upload only to discard it.
 */
export function writeFailure(res: ServerResponse, failure: UpstreamFailure, closeConnection: boolean): void {
  const body = failureBody(failure);
  res.statusCode = failure.status;
  res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  if (closeConnection) res.setHeader('Connection', 'close');
  res.end(body);
}
