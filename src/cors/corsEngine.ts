// The CORS decision: request facts in, a decision out. No framework, no I/O besides the log line
// that explains a refusal. Adapters translate a framework's request into CorsRequest and write the
// decision back; they decide nothing themselves.

import type { ResolvedCors } from '../config/corsSettings.ts';
import type { Logger } from '../logger.ts';
import { problemJson, PROBLEM_CONTENT_TYPE } from '../problem.ts';
import { CorsPolicy, type Header } from './corsPolicy.ts';
import type { OriginExplanation } from './nearestOrigin.ts';
import type { OriginMatch } from './originMatcher.ts';
import { firstRefusedHeader } from './requestHeaderList.ts';
import type { CorsHookRequest, IsRequestAllowed } from './settings.ts';

export interface CorsRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  /** The Origin header as received; repeated lines joined with ", " (as node and Fetch do). */
  readonly origin: string | undefined;
  /** Reads a request header by lower-case name (used for preflight headers and the hook). */
  header(name: string): string | undefined;
  /** The server's own origin for strict mode: the request's scheme and Host. */
  readonly secure: boolean;
  readonly host: string | undefined;
}

export type CorsReason =
  | 'path-not-enabled'
  | 'no-origin'
  | 'origin-allowed'
  | 'origin-not-allowed'
  | 'origin-invalid'
  | 'null-origin-not-allowed'
  | 'preflight-method-not-allowed'
  | 'preflight-header-not-allowed'
  | 'same-origin';

export interface CorsDecision {
  /** True: the engine answers now (a preflight, or a strict-mode refusal); the handler never runs. */
  readonly respond: boolean;
  readonly status: number;
  /** Add `Origin` to the response's Vary header. */
  readonly vary: boolean;
  /** The Access-Control-Allow-Origin value, when the origin is allowed. */
  readonly allowOrigin: string | undefined;
  readonly headers: readonly Header[];
  /** The body when `respond` is true: empty for a preflight, problem+json for a refusal. */
  readonly body: string;
  readonly allowed: boolean;
  readonly reason: CorsReason;
}

const NOT_EXPLAINED: OriginExplanation = Object.freeze({});
const PREFLIGHT_OK: readonly Header[] = Object.freeze([['Content-Length', '0'] as const]);
const EMPTY: readonly Header[] = Object.freeze([]);

function frozen(decision: CorsDecision): CorsDecision {
  return Object.freeze(decision);
}

const SKIPPED = frozen({ respond: false, status: 0, vary: false, allowOrigin: undefined, headers: EMPTY, body: '', allowed: false, reason: 'path-not-enabled' });
const NO_ORIGIN = frozen({ respond: false, status: 0, vary: true, allowOrigin: undefined, headers: EMPTY, body: '', allowed: false, reason: 'no-origin' });

interface PathEntry {
  readonly path: string;
  readonly prefix: boolean;
  readonly policy: CorsPolicy;
}

export class CorsEngine {
  private readonly global: CorsPolicy;
  private readonly paths: readonly PathEntry[];
  private readonly urlsRegex: RegExp | undefined;
  private readonly hook: IsRequestAllowed | undefined;
  private readonly logger: Logger;
  /** Refusals are explained (nearest origin, message) only when someone will read it. */
  private readonly explainRefusals: boolean;

  constructor(resolved: ResolvedCors, logger: Logger) {
    this.global = new CorsPolicy(resolved.global);
    this.paths = resolved.paths.map((p) => ({ path: p.path, prefix: p.prefix, policy: new CorsPolicy(p.policy) }));
    this.urlsRegex = resolved.urlsRegex;
    this.hook = resolved.isRequestAllowed;
    this.logger = logger;
    this.explainRefusals = logger.isLevelEnabled?.('info') ?? true;
  }

  decide(request: CorsRequest): CorsDecision | Promise<CorsDecision> {
    if (this.urlsRegex !== undefined && !this.urlsRegex.test(request.path)) {
      // django-cors-headers' check_request_enabled signal may enable a path outside CORS_URLS_REGEX.
      if (this.hook === undefined) return this.debugSkipped(request);
      return then(this.hook(hookRequest(request)), (enabled) =>
        enabled ? this.decideFor(request, this.policyFor(request.path)) : this.debugSkipped(request),
      );
    }
    return this.decideFor(request, this.policyFor(request.path));
  }

  private policyFor(path: string): CorsPolicy {
    for (const entry of this.paths) {
      if (entry.prefix ? path.startsWith(entry.path) : path === entry.path) return entry.policy;
    }
    return this.global;
  }

  private decideFor(request: CorsRequest, policy: CorsPolicy): CorsDecision | Promise<CorsDecision> {
    const origin = request.origin;
    if (origin === undefined || origin === '') {
      return policy.debugHeader ? withDebug(NO_ORIGIN, 'skipped; reason=no-origin') : NO_ORIGIN;
    }
    const match = policy.matcher.match(origin);
    if (!match.allowed && this.hook !== undefined) {
      return then(this.hook(hookRequest(request)), (allowed) =>
        this.finish(request, policy, origin, allowed ? { allowed: true, by: 'exact', rule: 'isRequestAllowed' } : match),
      );
    }
    return this.finish(request, policy, origin, match);
  }

  private finish(request: CorsRequest, policy: CorsPolicy, origin: string, match: OriginMatch): CorsDecision {
    const method = request.method;
    const requestMethod = method === 'OPTIONS' ? request.header('access-control-request-method') : undefined;
    const preflight = requestMethod !== undefined;
    if (match.allowed) {
      const allowOrigin = policy.wildcardOrigin ? '*' : origin;
      if (!preflight) {
        const headers = method === 'OPTIONS' ? policy.optionsHeaders : policy.actualHeaders;
        const decision: CorsDecision = { respond: false, status: 0, vary: true, allowOrigin, headers, body: '', allowed: true, reason: 'origin-allowed' };
        return policy.debugHeader ? withDebug(decision, `allowed; by=${match.by}${match.rule ? `; rule=${match.rule}` : ''}`) : decision;
      }
      return this.preflight(request, policy, origin, allowOrigin, requestMethod, match);
    }
    return this.refuse(request, policy, origin, match.why, preflight);
  }

  private preflight(request: CorsRequest, policy: CorsPolicy, origin: string, allowOrigin: string, requestMethod: string, match: OriginMatch & { allowed: true }): CorsDecision {
    const privateNetwork = policy.allowPrivateNetwork && request.header('access-control-request-private-network') === 'true';
    let reason: CorsReason = 'origin-allowed';
    let detail = '';
    const requestHeaders = request.header('access-control-request-headers');
    const refusedHeader = requestHeaders === undefined ? undefined : firstRefusedHeader(requestHeaders, policy.headerAllowed);
    if (!policy.methodAllowed(requestMethod)) {
      reason = 'preflight-method-not-allowed';
      detail = `method ${requestMethod} is not in allowMethods (${policy.allowMethods.join(', ')})`;
    } else if (refusedHeader !== undefined) {
      reason = 'preflight-header-not-allowed';
      detail = `header ${refusedHeader} is not in allowHeaders (${policy.allowHeaders.join(', ')})`;
    }
    if (reason !== 'origin-allowed' && this.explainRefusals) {
      this.logger.info({ cors: { reason, origin, method: requestMethod, path: request.path, header: refusedHeader } }, `CORS preflight from ${origin} for ${request.path}: ${detail}; the browser will block the request`);
    }
    if (reason !== 'origin-allowed' && policy.strict) return this.strictRefusal(policy, reason, `The preflight asked for what this API does not allow: ${detail}.`);
    const headers = [...PREFLIGHT_OK, ...(privateNetwork ? policy.privateNetworkHeaders : policy.optionsHeaders)];
    if (policy.debugHeader) {
      const debug = reason === 'origin-allowed' ? `allowed; preflight; by=${match.by}` : `refused; reason=${reason}; ${detail}`;
      headers.push(['X-Gatehouse-Cors', debug]);
    }
    return { respond: true, status: 200, vary: true, allowOrigin, headers, body: '', allowed: reason === 'origin-allowed', reason };
  }

  private refuse(request: CorsRequest, policy: CorsPolicy, origin: string, why: 'invalid' | 'null-not-listed' | 'not-listed', preflight: boolean): CorsDecision {
    const reason: CorsReason = why === 'invalid' ? 'origin-invalid' : why === 'null-not-listed' ? 'null-origin-not-allowed' : 'origin-not-allowed';
    const ownOrigin = request.host === undefined ? undefined : `${request.secure ? 'https' : 'http'}://${request.host.toLowerCase()}`;
    if (origin === ownOrigin) {
      // Same-origin requests carry Origin on POST and the like; they need no CORS headers.
      const decision: CorsDecision = { respond: false, status: 0, vary: true, allowOrigin: undefined, headers: EMPTY, body: '', allowed: false, reason: 'same-origin' };
      return policy.debugHeader ? withDebug(decision, 'skipped; reason=same-origin') : decision;
    }
    const explanation = this.explainRefusals || policy.debugHeader ? policy.explainer.explain(origin) : NOT_EXPLAINED;
    if (this.explainRefusals) {
      const nearest = explanation.nearest === undefined ? '' : `; nearest allowed ${explanation.nearest}${explanation.differs?.length ? ` (differs in ${explanation.differs.join(', ')})` : ''}`;
      const note = explanation.note === undefined ? '' : `; ${explanation.note}`;
      this.logger.info(
        { cors: { reason, origin, method: request.method, path: request.path, preflight, nearest: explanation.nearest, differs: explanation.differs, strict: policy.strict } },
        `CORS refused origin ${origin} on ${request.method} ${request.path}: ${reason}${nearest}${note}`,
      );
    }
    if (policy.strict) return this.strictRefusal(policy, reason, `The origin ${origin} is not allowed to call this API.`);
    const headers = preflight ? [...PREFLIGHT_OK] : [];
    if (policy.debugHeader) {
      const differs = explanation.differs?.length ? `; differs=${explanation.differs.join(',')}` : '';
      headers.push(['X-Gatehouse-Cors', `refused; reason=${reason}${explanation.nearest ? `; nearest=${explanation.nearest}${differs}` : ''}`]);
    }
    return { respond: preflight, status: preflight ? 200 : 0, vary: true, allowOrigin: undefined, headers, body: '', allowed: false, reason };
  }

  private strictRefusal(policy: CorsPolicy, reason: CorsReason, detail: string): CorsDecision {
    const code = reason.startsWith('preflight') ? 'cors-preflight-refused' : 'cors-origin-refused';
    const body = problemJson(code, 403, 'Cross-origin request refused', detail);
    const headers: Header[] = [
      ['Content-Type', PROBLEM_CONTENT_TYPE],
      ['Content-Length', String(Buffer.byteLength(body))],
    ];
    if (policy.debugHeader) headers.push(['X-Gatehouse-Cors', `refused; reason=${reason}; strict`]);
    return { respond: true, status: 403, vary: true, allowOrigin: undefined, headers, body, allowed: false, reason };
  }

  private debugSkipped(request: CorsRequest): CorsDecision {
    return this.global.debugHeader && request.origin ? withDebug(SKIPPED, 'skipped; reason=path-not-enabled') : SKIPPED;
  }
}

function withDebug(decision: CorsDecision, value: string): CorsDecision {
  return { ...decision, headers: [...decision.headers, ['X-Gatehouse-Cors', value]] };
}

function hookRequest(request: CorsRequest): CorsHookRequest {
  return { method: request.method, path: request.path, origin: request.origin, header: (name) => request.header(name) };
}

function then<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
