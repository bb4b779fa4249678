// WebSocket upgrades and cross-site WebSocket hijacking: a handshake is an HTTP GET that browsers send
// with the page's cookies from any site, and the Same-Origin Policy does not guard the connection
// that follows. RFC 6455 §10.2 leaves it to the server to check the Origin header browsers always send
// (§4.1). Gatehouse allows an upgrade when its Origin is the server's own or one the CORS policy of
// the path allows, and when it has no Origin (not a browser: nothing ambient to abuse). Anything else,
// `null` included unless CORS lists it, is refused with 403 before the application sees the socket.

import type { CorsEngine } from '../cors/corsEngine.ts';
import type { Logger } from '../logger.ts';
import { problemAnswer, type EngineAnswer } from '../https/engineAnswer.ts';
import { ownOrigin } from '../https/hostSyntax.ts';
import type { RequestFacts } from '../https/requestFacts.ts';

const REFUSAL = problemAnswer('websocket-origin-refused', 403, 'WebSocket origin refused', 'This origin may not open a WebSocket to this service.');

export class UpgradeOriginCheck {
  constructor(
    private readonly cors: CorsEngine,
    private readonly logger: Logger,
  ) {}

  /** undefined: the upgrade may proceed; otherwise the refusal to write on the socket. */
  decide(facts: RequestFacts): EngineAnswer | undefined | Promise<EngineAnswer | undefined> {
    const origin = facts.origin;
    if (origin === undefined || origin === '' || origin === ownOrigin(facts.secure, facts.host)) return undefined;
    // The same allowlist as every other request of the path, asked as for the GET the handshake is.
    const decision = this.cors.decide({ ...facts, method: 'GET' });
    return decision instanceof Promise ? decision.then((d) => this.finish(facts, d.allowed)) : this.finish(facts, decision.allowed);
  }

  private finish(facts: RequestFacts, allowed: boolean): EngineAnswer | undefined {
    if (allowed) return undefined;
    this.logger.info(
      { websocket: { reason: 'origin-not-allowed', origin: facts.origin, path: facts.path } },
      `WebSocket upgrade of ${facts.path} refused: Origin ${facts.origin} is neither this server's origin nor allowed by cors for the path`,
    );
    return REFUSAL;
  }
}
