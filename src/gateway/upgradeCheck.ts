// Who may open a WebSocket through the gateway. Browsers send Origin on every WebSocket handshake but
// never a preflight, and CORS does not apply to WebSockets: without a check, any site could open a
// socket with the user's cookies (cross-site WebSocket hijacking). Until the engine has its own
// WebSocket decision, the default check reuses the CORS policy: no Origin (not a browser), the
// server's own origin, or an origin the policy allows; then authentication and the route's rule, as
// for any request. Pass `checkUpgrade` to createGateway to replace it.

import type { IncomingMessage } from 'node:http';
import { accessRequestOf } from '../access/accessEngine.ts';
import { setPrincipal } from '../access/requestPrincipal.ts';
import { nodeRequestFacts } from '../adapters/node-http.ts';
import type { Header } from '../cors/corsPolicy.ts';
import type { Gatehouse } from '../gatehouse.ts';
import type { Logger } from '../logger.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { clientAddress } from './requestHeaders.ts';

export interface UpgradeDecision {
  readonly allowed: boolean;
  /** The refusal's status, headers and body (problem+json); ignored when allowed. */
  readonly status?: number;
  readonly headers?: readonly Header[];
  readonly body?: string;
}

/** Decides an upgrade request; may set the Principal (setPrincipal) for the principal headers. */
export type UpgradeCheck = (req: IncomingMessage) => UpgradeDecision | Promise<UpgradeDecision>;

const ALLOWED: UpgradeDecision = Object.freeze({ allowed: true });

function originRefused(detail: string): UpgradeDecision {
  return { allowed: false, status: 403, headers: [['Content-Type', PROBLEM_CONTENT_TYPE]], body: problemJson('websocket-origin-refused', 403, 'WebSocket origin refused', detail) };
}

/** The default check with a Gatehouse: its CORS policy for the Origin, then its access rules. */
export function gatehouseUpgradeCheck(gatehouse: Gatehouse): UpgradeCheck {
  return async (req) => {
    const facts = nodeRequestFacts(req);
    if (facts.origin !== undefined && facts.origin !== '') {
      const decision = await gatehouse.cors.decide(facts);
      if (decision.reason !== 'origin-allowed' && decision.reason !== 'same-origin') {
        logRefusal(gatehouse.logger, req, facts.origin, decision.reason === 'path-not-enabled' ? 'CORS is not enabled on this path, so only the server\'s own origin may open a WebSocket' : decision.reason);
        return originRefused(`The origin ${facts.origin} may not open a WebSocket here.`);
      }
    }
    return accessDecision(gatehouse, req, facts);
  };
}

/**
 * Authentication and the route's rule only, for a server whose upgrades already pass the engine's
 * own Origin check (the node adapter's protectUpgrades in front of gateway.upgrade).
 */
export function upgradeAccessCheck(gatehouse: Gatehouse): UpgradeCheck {
  return (req) => accessDecision(gatehouse, req, nodeRequestFacts(req, gatehouse.proxy));
}

async function accessDecision(gatehouse: Gatehouse, req: IncomingMessage, facts: ReturnType<typeof nodeRequestFacts>): Promise<UpgradeDecision> {
  if (gatehouse.access === undefined) return ALLOWED;
  const access = await gatehouse.access.check(accessRequestOf(facts, facts.clientIp ?? clientAddress(req)));
  if (!access.allowed) return { allowed: false, status: access.status, headers: access.headers, body: access.body };
  setPrincipal(req, access.principal);
  return ALLOWED;
}

/** The default check without a Gatehouse: no Origin, or the server's own origin only. */
export function sameOriginUpgradeCheck(logger: Logger): UpgradeCheck {
  return (req) => {
    const facts = nodeRequestFacts(req);
    if (facts.origin === undefined || facts.origin === '') return ALLOWED;
    const own = facts.host === undefined ? undefined : `${facts.secure ? 'https' : 'http'}://${facts.host.toLowerCase()}`;
    if (facts.origin === own) return ALLOWED;
    logRefusal(logger, req, facts.origin, 'not the server\'s own origin, and no CORS policy was given');
    return originRefused(`The origin ${facts.origin} may not open a WebSocket here.`);
  };
}

function logRefusal(logger: Logger, req: IncomingMessage, origin: string, why: string): void {
  logger.info({ websocket: { reason: 'origin-refused', origin, url: req.url } }, `WebSocket upgrade from ${origin} to ${req.url} refused: ${why}`);
}
