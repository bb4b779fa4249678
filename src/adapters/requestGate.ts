// The order every adapter asks the engines in, kept in this one place: the facts arrive already
// resolved through the trusted proxies; then the redirect to HTTPS, CORS (a preflight or a strict
// refusal answers here), Fetch Metadata resource isolation, CSRF. Authentication and permissions come
// after, in the adapter, since they may wait on a key store. Each step is the engine's decision; this
// file only sequences them and picks the response-header plan (HSTS, nosniff, CORP, no-store).

import type { CorsDecision } from '../cors/corsEngine.ts';
import type { Header } from '../cors/corsPolicy.ts';
import type { CsrfPolicy } from '../csrf/csrfPolicy.ts';
import { carriesCredentials } from '../csrf/requestCredentials.ts';
import type { ResourceIsolationPolicy } from '../fetch-metadata/resourceIsolation.ts';
import type { Gatehouse } from '../gatehouse.ts';
import type { EngineAnswer } from '../https/engineAnswer.ts';
import type { HttpsPolicy } from '../https/httpsPolicy.ts';
import type { RequestFacts } from '../https/requestFacts.ts';
import type { SecurityHeaderPlan, SecurityHeaders } from '../https/securityHeaders.ts';

export interface GateDecision {
  /** True: the engine answers now (a redirect, a preflight, a refusal); the handler never runs. */
  readonly respond: boolean;
  readonly status: number;
  /** The answer's own headers (Location, Content-Type...); the CORS ones are in `cors`. */
  readonly headers: readonly Header[];
  readonly body: string;
  /** The CORS decision, kept on every response; undefined for a redirect (decided before CORS). */
  readonly cors: CorsDecision | undefined;
  /** Which security headers the response gets. */
  readonly security: SecurityHeaderPlan;
  /** Who answered: `cors`, or the engine answer's code (`https-redirect`, `csrf-refused`...). */
  readonly answeredBy: string | undefined;
}

const NONE: readonly Header[] = Object.freeze([]);

export class RequestGate {
  private readonly cors: Gatehouse['cors'];
  private readonly https: HttpsPolicy;
  private readonly redirect: boolean;
  private readonly fetchMetadata: ResourceIsolationPolicy | undefined;
  private readonly csrf: CsrfPolicy | undefined;
  private readonly securityHeaders: SecurityHeaders;
  private readonly apiKeyHeader: string;

  constructor(gatehouse: Gatehouse) {
    this.cors = gatehouse.cors;
    this.https = gatehouse.https;
    this.redirect = gatehouse.https.redirectEnabled;
    this.fetchMetadata = gatehouse.fetchMetadata;
    this.csrf = gatehouse.csrf;
    this.securityHeaders = gatehouse.securityHeaders;
    this.apiKeyHeader = gatehouse.apiKeyHeader;
  }

  decide(facts: RequestFacts): GateDecision | Promise<GateDecision> {
    const security = this.securityHeaders.plan(facts.secure, carriesCredentials(facts.header, this.apiKeyHeader));
    if (this.redirect) {
      const redirect = this.https.redirect(facts);
      if (redirect !== undefined) return answer(redirect, undefined, security);
    }
    const cors = this.cors.decide(facts);
    return cors instanceof Promise ? cors.then((decision) => this.afterCors(facts, decision, security)) : this.afterCors(facts, cors, security);
  }

  private afterCors(facts: RequestFacts, cors: CorsDecision, security: SecurityHeaderPlan): GateDecision {
    if (cors.respond) return { respond: true, status: cors.status, headers: NONE, body: cors.body, cors, security, answeredBy: 'cors' };
    const origin = facts.origin;
    if (this.fetchMetadata !== undefined) {
      const allowed = cors.allowed || (origin !== undefined && this.csrf !== undefined && this.csrf.trusted.allowsOrigin(origin));
      const refusal = this.fetchMetadata.check(facts, allowed);
      if (refusal !== undefined) return answer(refusal, cors, security);
    }
    if (this.csrf !== undefined) {
      const refusal = this.csrf.check(facts, cors.allowed && allowsCredentials(cors));
      if (refusal !== undefined) return answer(refusal, cors, security);
    }
    return { respond: false, status: 0, headers: NONE, body: '', cors, security, answeredBy: undefined };
  }
}

function answer(engine: EngineAnswer, cors: CorsDecision | undefined, security: SecurityHeaderPlan): GateDecision {
  return { respond: true, status: engine.status, headers: engine.headers, body: engine.body, cors, security, answeredBy: engine.code };
}

function allowsCredentials(cors: CorsDecision): boolean {
  for (const [name, value] of cors.headers) if (name === 'Access-Control-Allow-Credentials') return value === 'true';
  return false;
}

const gates = new WeakMap<Gatehouse, RequestGate>();

/** The gate of a Gatehouse, built once and shared by every adapter that uses it. */
export function requestGate(gatehouse: Gatehouse): RequestGate {
  let gate = gates.get(gatehouse);
  if (gate === undefined) {
    gate = new RequestGate(gatehouse);
    gates.set(gatehouse, gate);
  }
  return gate;
}
