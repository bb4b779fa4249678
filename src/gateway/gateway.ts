// The gateway: a streaming reverse proxy to one upstream, meant to run behind Gatehouse's rules.
//
//   const gatehouse = createGatehouse({ cors, auth, permissions });
//   const gateway = createGateway({ upstream: 'http://127.0.0.1:8001', gatehouse });
//   const server = createServer(withGatehouse(gateway.handler, gatehouse));
//   server.on('upgrade', gateway.upgrade);
//
// withGatehouse answers preflights and refusals itself, so `handler` only sees requests Gatehouse lets
// through; it forwards them with undici (one connection pool, upstreamPool.ts), bodies streaming both ways.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { principalOf } from '../access/requestPrincipal.ts';
import { resolveUpstreamSettings, type ResolvedUpstream, type UpstreamSettingsInput } from '../config/gatewaySchema.ts';
import type { Gatehouse } from '../gatehouse.ts';
import { createLogger, type Logger, type LoggerOption } from '../logger.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { principalHeaderNames } from './principalHeaders.ts';
import { ProxyExchange, type ExchangeScope } from './proxyExchange.ts';
import { upstreamRequestHeaders, type ClientView, type ForwardingRules } from './requestHeaders.ts';
import { upstreamTarget } from './targetPath.ts';
import { createUpstreamPool, EXCHANGE_OF, type UpstreamDispatchOptions } from './upstreamPool.ts';
import { gatehouseUpgradeCheck, sameOriginUpgradeCheck, type UpgradeCheck, type UpgradeDecision } from './upgradeCheck.ts';
import { UpgradeExchange, writeSocketResponse, type UpgradeScope } from './upgradeExchange.ts';

export { gatehouseUpgradeCheck, upgradeAccessCheck, type UpgradeCheck, type UpgradeDecision } from './upgradeCheck.ts';
export type { ClientView } from './requestHeaders.ts';

export interface GatewayOptions {
  /** `http://host:port`, the object form of the `upstream` setting, or an already resolved one. */
  upstream: UpstreamSettingsInput | ResolvedUpstream;
  /** The Gatehouse in front: its CORS policy and access rules decide WebSocket upgrades, its logger logs. */
  gatehouse?: Gatehouse;
  /** Default: the Gatehouse's logger, else pino JSON lines on stderr. */
  logger?: LoggerOption;
  /** Replaces the default upgrade check (see upgradeCheck.ts). */
  checkUpgrade?: UpgradeCheck;
  /**
   * The client's protocol and host as trusted proxies reported them (the node adapter's clientOf):
   * X-Forwarded-Proto, -Host and Forwarded then carry those instead of what this socket saw.
   */
  clientOf?: (req: IncomingMessage) => ClientView | undefined;
}

export interface Gateway {
  readonly upstream: ResolvedUpstream;
  /** A node:http request handler; wrap it with withGatehouse(handler, gatehouse). */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** For the server's 'upgrade' event: WebSocket handshakes, checked and then tunnelled. */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Closes open tunnels and the connection pool (requests in flight finish first). */
  close(): Promise<void>;
}

function isResolved(upstream: GatewayOptions['upstream']): upstream is ResolvedUpstream {
  return typeof upstream === 'object' && upstream !== null && 'origin' in upstream;
}

/**
 * Whether the request has a body to forward (RFC 9112 §6.3): Transfer-Encoding, or a Content-Length
 * other than 0. A request with neither has none, and none is sent (no empty chunked body on a GET).
 */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function writeRefusedTarget(res: ServerResponse, logger: Logger, req: IncomingMessage, why: string): void {
  logger.info({ gateway: { reason: 'ambiguous-path', url: req.url } }, `gateway refused ${req.method} ${req.url}: ${why}; the upstream might route it differently from Gatehouse's rules`);
  const body = problemJson('gateway-ambiguous-path', 400, 'Bad Request', 'The request path is ambiguous; send it without encoded slashes, backslashes or dot segments.');
  res.statusCode = 400;
  res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

export function createGateway(options: GatewayOptions): Gateway {
  const upstream = isResolved(options.upstream) ? options.upstream : resolveUpstreamSettings(options.upstream);
  const logger = options.logger !== undefined ? createLogger(options.logger) : (options.gatehouse?.logger ?? createLogger(undefined));
  const pool = createUpstreamPool(upstream);
  const rules: ForwardingRules = { principalHeaders: principalHeaderNames(upstream.principalHeaderPrefix), preserveHost: upstream.preserveHost };
  const scope: ExchangeScope & UpgradeScope = { origin: upstream.origin, keepUpstreamCors: upstream.keepUpstreamCors, logger, tunnels: new Set() };
  const clientOf = options.clientOf;
  const checkUpgrade = options.checkUpgrade ?? (options.gatehouse === undefined ? sameOriginUpgradeCheck(logger) : gatehouseUpgradeCheck(options.gatehouse));

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const target = upstreamTarget(req.url ?? '/');
    if ('refused' in target) {
      writeRefusedTarget(res, logger, req, target.refused);
      return;
    }
    const exchange = new ProxyExchange(scope, req, res);
    let headers: string[];
    try {
      headers = upstreamRequestHeaders(req, rules, principalOf(req), clientOf?.(req));
    } catch (error) {
      exchange.onError(error as Error);
      return;
    }
    // dispatch() reports its own errors (a header undici refuses) through exchange.onError.
    const dispatchOptions: UpstreamDispatchOptions = { path: target.target, method: req.method ?? 'GET', headers, body: hasBody(req) ? req : null, [EXCHANGE_OF]: exchange };
    pool.dispatch(dispatchOptions, exchange);
  };

  const forwardUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, decision: UpgradeDecision): void => {
    if (!decision.allowed) {
      writeSocketResponse(socket, decision.status ?? 403, decision.headers ?? [], decision.body ?? '');
      return;
    }
    const target = upstreamTarget(req.url ?? '/');
    if ('refused' in target) {
      logger.info({ gateway: { reason: 'ambiguous-path', url: req.url } }, `gateway refused the WebSocket handshake for ${req.url}: ${target.refused}`);
      writeSocketResponse(socket, 400, [['Content-Type', PROBLEM_CONTENT_TYPE]], problemJson('gateway-ambiguous-path', 400, 'Bad Request', 'The request path is ambiguous.'));
      return;
    }
    const headers = upstreamRequestHeaders(req, rules, principalOf(req), clientOf?.(req));
    pool.dispatch({ path: target.target, method: 'GET', headers, upgrade: req.headers.upgrade ?? 'websocket', body: null }, new UpgradeExchange(scope, req, socket, head));
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    // Only WebSocket is forwarded: an h2c upgrade through a proxy is a known way around its rules.
    if (req.method !== 'GET' || (req.headers.upgrade ?? '').trim().toLowerCase() !== 'websocket') {
      logger.info({ gateway: { reason: 'upgrade-unsupported', upgrade: req.headers.upgrade, url: req.url } }, `gateway refused an upgrade to "${req.headers.upgrade}" on ${req.method} ${req.url}: only WebSocket handshakes (GET) are forwarded`);
      writeSocketResponse(socket, 400, [['Content-Type', PROBLEM_CONTENT_TYPE]], problemJson('gateway-upgrade-unsupported', 400, 'Bad Request', 'Only WebSocket upgrades are forwarded; send the request without Upgrade.'));
      return;
    }
    let decided: UpgradeDecision | Promise<UpgradeDecision>;
    try {
      decided = checkUpgrade(req);
    } catch (error) {
      decided = Promise.reject(error);
    }
    Promise.resolve(decided)
      .then((decision) => forwardUpgrade(req, socket, head, decision))
      .catch((error: unknown) => {
        logger.error({ err: error, url: req.url }, 'gateway: the WebSocket handshake could not be checked or forwarded');
        writeSocketResponse(socket, 500, [['Content-Type', PROBLEM_CONTENT_TYPE]], problemJson('internal-error', 500, 'Internal Server Error'));
      });
  };

  return Object.freeze({
    upstream,
    handler,
    upgrade,
    close: async () => {
      for (const socket of scope.tunnels) socket.destroy();
      scope.tunnels.clear();
      await pool.close();
    },
  });
}
