// The authentication section of docs/benchmarks.md, from the auth suite's results: Gatehouse against
// each framework's JWT package per algorithm, a repeated asymmetric token against HS256 (what the
// verification cache buys), API keys against HS256, what authentication adds to the bare app, then
// the method and the medians.

import { AUTH_FRAMEWORKS, type AuthFramework } from './authSuite.ts';
import { AUTH_ALG_LABELS, AUTH_ALGS, AUTH_KINDS, kindsOf, type AuthAlg, type AuthKind } from './authWorkload.ts';
import { fixed, markdownTable, mediansTable, RatioBook } from './ratioBook.ts';
import type { SuiteReport } from './report.ts';
import type { AuthCaseResult, AuthRole, AuthRunReport } from './results.ts';

const TARGETS = {
  peer: { name: 'Gatehouse ≥ peer, same framework (req/s)', min: 1 },
  asymmetric: { name: 'A repeated ES256 / EdDSA token within 5% of HS256 (Gatehouse, req/s)', min: 0.95 },
} as const;

const KIND_HEADERS: Readonly<Record<AuthKind, string>> = {
  valid: 'valid token (200)',
  refused: 'expired token / revoked key (401)',
  'refused-distinct': 'a new expired token each time (401, info)',
};
const JWT_ALGS = ['HS256', 'ES256', 'EdDSA'] as const;

export function authSuiteReport(run: AuthRunReport): SuiteReport {
  const find = (framework: string, role: AuthRole, alg: AuthAlg | 'none', kind: AuthKind): AuthCaseResult | undefined =>
    run.results.find((r) => r.framework === framework && r.role === role && r.alg === alg && r.kind === kind);
  const gatehouse = (f: AuthFramework, alg: AuthAlg, kind: AuthKind) => find(f.id, 'gatehouse', alg, kind);
  const peer = (f: AuthFramework, alg: AuthAlg, kind: AuthKind) => find(f.id, 'peer', alg, kind);
  const bare = (f: AuthFramework) => find(f.id, 'bare', 'none', 'valid');
  const noAuth = (f: AuthFramework) => find(f.id, 'gatehouse-noauth', 'none', 'valid');
  const book = new RatioBook(TARGETS, run.method.foreignLimit);
  const withPeer = AUTH_FRAMEWORKS.filter((f) => f.peer !== undefined);
  const kindHeaders = AUTH_KINDS.map((k) => KIND_HEADERS[k]);
  const peerMissing = (f: AuthFramework, alg: AuthAlg): string | undefined => (f.peer === undefined || f.peer.algs.includes(alg) ? undefined : f.peer.missing[alg]);

  const sections: string[][] = [];

  // ---- Gatehouse / peer
  {
    const rows: string[][] = [];
    for (const f of withPeer) {
      for (const alg of JWT_ALGS) {
        const label = `${f.label}: Gatehouse / ${f.peer!.name}, ${AUTH_ALG_LABELS[alg]}`;
        if (peerMissing(f, alg) !== undefined) rows.push([label, ...AUTH_KINDS.map(() => 'n/a (see below)')]);
        // The distinct case is information: see the text.
        else rows.push([label, ...AUTH_KINDS.map((k) => book.ratioWithCpu(gatehouse(f, alg, k), peer(f, alg, k), k === 'refused-distinct' ? undefined : 'peer', `${f.id} ${alg} ${k}`))]);
      }
    }
    const missing = withPeer.flatMap((f) => JWT_ALGS.filter((alg) => peerMissing(f, alg) !== undefined).map((alg) => `- ${f.peer!.name}, ${alg}: ${peerMissing(f, alg)}.`));
    sections.push([
      '### Gatehouse / peer, same framework',
      '',
      'Requests per second of Gatehouse divided by those of the framework\'s JWT package, same framework, same app, same tokens. Target: ≥ 1.00 for the two cases that repeat one token. The valid token is the same on every request, as a client sends it until it expires: Gatehouse answers it from its verification cache, the peers verify it every time. The expired token (good signature) is never cached by anyone; Gatehouse lets concurrent requests carrying the same token share one verification in flight, so under 50 connections most of them wait for one check instead of making their own. The last column sends a new expired token each time: nothing can be shared or cached, so it prices one full signature verification; it is information, not a target (see "How each implementation verifies").',
      '',
      ...markdownTable(['framework, algorithm', ...kindHeaders], rows),
      ...(missing.length > 0 ? [...missing, ''] : []),
    ]);
  }

  // ---- node:http against the peers' whole stacks
  {
    const node = AUTH_FRAMEWORKS.find((f) => f.id === 'node')!;
    const rows: string[][] = [];
    for (const f of withPeer) {
      for (const alg of JWT_ALGS) {
        if (peerMissing(f, alg) !== undefined) continue;
        rows.push([`node:http + Gatehouse / ${f.label} + ${f.peer!.name}, ${AUTH_ALG_LABELS[alg]}`, ...AUTH_KINDS.map((k) => book.ratioWithCpu(gatehouse(node, alg, k), peer(f, alg, k)))]);
      }
    }
    sections.push([
      '### node:http + Gatehouse / each peer\'s whole stack (information)',
      '',
      'node:http has no JWT package of its own. For a service choosing its stack: Gatehouse on bare node:http against each framework with its JWT package. This compares frameworks as much as authentication, so it is not judged.',
      '',
      ...markdownTable(['comparison', ...kindHeaders], rows),
    ]);
  }

  // ---- asymmetric / HS256
  {
    const rows: string[][] = [];
    for (const f of AUTH_FRAMEWORKS) {
      rows.push([
        `Gatehouse, ${f.label}`,
        ...(['ES256', 'EdDSA'] as const).map((alg) => book.ratioWithCpu(gatehouse(f, alg, 'valid'), gatehouse(f, 'HS256', 'valid'), 'asymmetric', `${f.id} ${alg}`)),
        ...(['ES256', 'EdDSA'] as const).map((alg) => book.ratioWithCpu(gatehouse(f, alg, 'refused-distinct'), gatehouse(f, 'HS256', 'refused-distinct'))),
      ]);
    }
    for (const f of withPeer) {
      rows.push([
        `${f.peer!.name} (${f.label})`,
        ...(['ES256', 'EdDSA'] as const).map((alg) => (peerMissing(f, alg) ? 'n/a' : book.ratioWithCpu(peer(f, alg, 'valid'), peer(f, 'HS256', 'valid')))),
        ...(['ES256', 'EdDSA'] as const).map((alg) => (peerMissing(f, alg) ? 'n/a' : book.ratioWithCpu(peer(f, alg, 'refused-distinct'), peer(f, 'HS256', 'refused-distinct')))),
      ]);
    }
    sections.push([
      '### A repeated asymmetric token / HS256',
      '',
      'Requests per second with an ES256 or EdDSA token divided by those with an HS256 token, same server otherwise. Gatehouse verifies a token\'s signature once and then keeps the verified result, keyed by a SHA-256 hash of the whole token, until the token\'s own `exp` (plus the clock tolerance); the revocation list is still asked on every request. So a repeated asymmetric token should cost what an HMAC one does. Target for the valid token in Gatehouse rows: ≥ 0.95. The columns with a new expired token each time (a full signature check every request) and the peer rows (no cache) show what the signature check itself costs, for information.',
      '',
      ...markdownTable(['implementation', 'ES256 / HS256, valid', 'EdDSA / HS256, valid', 'ES256 / HS256, new expired token each time (info)', 'EdDSA / HS256, new expired token each time (info)'], rows),
    ]);
  }

  // ---- API key / HS256
  sections.push([
    '### API key / HS256 token (Gatehouse)',
    '',
    'Requests per second with an API key (`Authorization: Bearer gth_…`) divided by those with an HS256 token. An API key is checked against the key store on every request: shape and checksum, an HMAC-SHA-256 of the key, an indexed look-up in the SQLite file through kysely, a constant-time comparison, then its state (revoked, expired, disabled, networks). The refused column compares a revoked key with an expired HS256 token. No target; for information.',
    '',
    ...markdownTable(['adapter', KIND_HEADERS.valid, KIND_HEADERS.refused], AUTH_FRAMEWORKS.map((f) => [f.label, ...kindsOf('apikey').map((k) => book.ratioWithCpu(gatehouse(f, 'apikey', k), gatehouse(f, 'HS256', k)))])),
  ]);

  // ---- with / without authentication
  {
    const implementations: { label: string; f: AuthFramework; get: (alg: AuthAlg) => AuthCaseResult | undefined; algs: readonly AuthAlg[] }[] = [];
    for (const f of AUTH_FRAMEWORKS) {
      implementations.push({ label: `Gatehouse, ${f.label}`, f, get: (alg) => gatehouse(f, alg, 'valid'), algs: AUTH_ALGS });
      if (f.peer) implementations.push({ label: `${f.peer.name} (${f.label})`, f, get: (alg) => peer(f, alg, 'valid'), algs: f.peer.algs });
    }
    sections.push([
      '### With authentication / without',
      '',
      'Requests per second of each server with a valid credential divided by those of the same app without authentication (which ignores the header). The first column is Gatehouse with its defaults and no `auth`: besides authentication Gatehouse runs its CORS decision, Fetch Metadata and CSRF checks and adds its security headers on every request, which the peers do not. No target; for information.',
      '',
      ...markdownTable(
        ['implementation', 'Gatehouse without auth', ...AUTH_ALGS.map((a) => AUTH_ALG_LABELS[a])],
        implementations.map((impl) => [
          impl.label,
          impl.label.startsWith('Gatehouse') ? book.ratioWithCpu(noAuth(impl.f), bare(impl.f)) : '',
          ...AUTH_ALGS.map((alg) => (impl.algs.includes(alg) ? book.ratioWithCpu(impl.get(alg), bare(impl.f)) : 'n/a')),
        ]),
      ),
    ]);
    const added = (c: AuthCaseResult | undefined, base: AuthCaseResult | undefined): string => (c === undefined || base === undefined ? '–' : fixed(c.serverCpuUsPerRequest - base.serverCpuUsPerRequest, 1));
    sections.push([
      '### Server CPU time per request that authentication adds',
      '',
      'Microseconds of server CPU per request, a difference of two measured numbers (indicative within a few µs): for Gatehouse, its server with `auth` minus the same Gatehouse without `auth` (authentication and the permission rule alone); for the peers, their server minus the bare app. The first column is what Gatehouse without `auth` adds to the bare app.',
      '',
      ...markdownTable(
        ['framework', 'Gatehouse without auth', ...AUTH_ALGS.map((a) => `Gatehouse: ${AUTH_ALG_LABELS[a]}`), ...JWT_ALGS.map((a) => `peer: ${AUTH_ALG_LABELS[a]}`)],
        AUTH_FRAMEWORKS.map((f) => [
          f.label,
          added(noAuth(f), bare(f)),
          ...AUTH_ALGS.map((alg) => added(gatehouse(f, alg, 'valid'), noAuth(f))),
          ...JWT_ALGS.map((alg) => (f.peer === undefined ? 'no peer' : peerMissing(f, alg) ? 'n/a' : added(peer(f, alg, 'valid'), bare(f)))),
        ]),
      ),
    ]);
  }

  // ---- assemble
  const head: string[] = [
    '## Authentication',
    '',
    'An authenticated `GET /api/posts/1` (a small JSON post) through Gatehouse\'s node:http, Fastify and Express adapters, and through the JWT package of Fastify (@fastify/jwt) and of Express (express-jwt), with HS256, ES256 and EdDSA tokens and Gatehouse\'s API keys.',
    '',
  ];
  if (run.method.quick) head.push('**Quick smoke run (BENCH_QUICK=1): too short to trust.**', '');
  if (run.method.filter && run.method.filter !== 'auth') head.push(`**Filtered run (BENCH_FILTER=${run.method.filter}).**`, '');
  head.push('### Targets', '', ...book.targetsTable(), '');
  head.push('### Headline ratios', '', ...headlines(run, find), '');
  head.push('### Machine and method', '', ...methodLines(run), '');

  const tail: string[] = ['### How each implementation verifies', '', ...VERIFY_NOTES, ''];
  const noted = Object.entries(run.notes).filter(([, notes]) => notes.length > 0);
  if (noted.length > 0) tail.push('### Variant notes', '', ...noted.map(([key, notes]) => `- ${key}: ${notes.join('; ')}`), '');
  if (run.skipped.length > 0) tail.push('### Not measured', '', ...run.skipped.map((s) => `- ${s.id}: ${s.why}`), '');
  tail.push(...appendix(run.results));
  return {
    title: 'Authentication',
    comparedWith: withPeer.map((f) => f.peer!.name).join(', '),
    run,
    met: book.met,
    missed: book.missed,
    lines: [...head, ...sections.map((s) => s.join('\n')).map((s) => `${s}\n`), ...tail],
  };
}

function headlines(run: AuthRunReport, find: (framework: string, role: AuthRole, alg: AuthAlg | 'none', kind: AuthKind) => AuthCaseResult | undefined): string[] {
  const r = (a: AuthCaseResult | undefined, b: AuthCaseResult | undefined): string => (a && b ? fixed(a.rps / b.rps, 2) : '–');
  const lines: string[] = [];
  for (const kind of AUTH_KINDS) {
    const ratios = run.results
      .filter((c) => c.role === 'gatehouse' && c.kind === kind)
      .map((c) => {
        const p = find(c.framework, 'peer', c.alg, kind);
        return p ? c.rps / p.rps : undefined;
      })
      .filter((x) => x !== undefined);
    if (ratios.length > 0) lines.push(`- Gatehouse / peer, same framework, ${KIND_HEADERS[kind]}: from ${fixed(Math.min(...ratios), 2)} to ${fixed(Math.max(...ratios), 2)} over ${ratios.length} framework × algorithm cases.`);
  }
  const per = (alg: AuthAlg, den: AuthAlg, kind: AuthKind) =>
    AUTH_FRAMEWORKS.map((f) => `${f.label} ${r(find(f.id, 'gatehouse', alg, kind), find(f.id, 'gatehouse', den, kind))}`).join(', ');
  lines.push(`- Gatehouse, a repeated token, ES256 / HS256: ${per('ES256', 'HS256', 'valid')}; EdDSA / HS256: ${per('EdDSA', 'HS256', 'valid')}.`);
  lines.push(`- Gatehouse, API key / HS256 token: ${per('apikey', 'HS256', 'valid')}.`);
  lines.push(`- node:http + Gatehouse (HS256) / bare node:http: ${r(find('node', 'gatehouse', 'HS256', 'valid'), find('node', 'bare', 'none', 'valid'))}.`);
  return lines;
}

function methodLines(run: AuthRunReport): string[] {
  const m = run.method;
  const v = Object.entries(run.versions).map(([name, version]) => `${name} ${version}`).join(', ');
  const minutes = (new Date(run.finished).getTime() - new Date(run.started).getTime()) / 60_000;
  return [
    `- Machine: ${run.machine.nproc} cores, ${run.machine.cpuModel}, ${run.machine.kernel}, Node ${run.machine.node}. Load average before ${run.machine.loadBefore}, after ${run.machine.loadAfter}.`,
    `- Packages: ${v}.`,
    `- Pinning: ${m.pinNote}. Loopback only (127.0.0.1), HTTP/1.1 keep-alive. Load: autocannon in-process, ${m.connections} connections, pipelining ${m.pipelining}, ${m.durationS} s per measurement after a ${m.warmupS} s warm-up per server that sends all of its requests (so Gatehouse has seen the valid token before it is measured).`,
    `- Rounds: ${m.rounds}. The servers of one framework are started once and kept running; each round measures all of that framework's cases in turn, in the opposite order every other round (ABC CBA ABC). Every number is the MEDIAN over the rounds; the appendix gives the spread.`,
    '- Workload, the same for every server: `GET /api/posts/1` with `Authorization: Bearer <credential>`, the same credential on every request. Tokens carry `iss`, `sub`, `scope`, `jti`, `iat` and `exp` (24 h ahead), header `typ: JWT`; the expired token has the same claims with `exp` an hour ago and a good signature; the distinct case cycles through 2,000 such expired tokens, each with its own `jti`. API keys: a `gth_…` key from the run\'s key store, and a revoked one. Keys, tokens and the store are made afresh by each run (bench/authWorkload.ts).',
    '- Gatehouse (bench/authGatehouseOptions.ts): `auth.jwt` with one issuer, `algorithms: [<alg>]` and `secret` (HS256) or `publicKey` (SPKI PEM, ES256 and EdDSA), an `InMemoryRevocationList` holding 100 other revoked tokens and asked on every request, `defaultRule: \'authenticated\'`, the logger off; or `auth.apiKeys` with a key store on a temporary SQLite file (WAL), looked up on every request. Loaded from its TypeScript sources through tsx, as the package ships.',
    `- Peers, as their READMEs set them up. @fastify/jwt: registered with the key (\`secret\`, or \`{ public }\` for a PEM key) and \`verify: { algorithms: [<alg>], allowedIss }\`, checked by a global onRequest hook \`await request.jwtVerify()\` that sends the error on failure. Its verification cache (\`verify.cache\`, fast-jwt's LRU keyed by the token, which keeps failures too) is off by default, and was measured so; with it on, a repeated token would skip the signature check as Gatehouse's does. express-jwt: \`app.use(expressjwt({ secret, algorithms: [<alg>], issuer }))\` and the UnauthorizedError handler its README shows (401, small JSON body); it has no cache (jsonwebtoken verifies every token), and its \`isRevoked\` hook is not set. Both are told the issuer and the one algorithm, as Gatehouse is.`,
    '- Before measuring, every server is checked: the valid credential gets 200 and the post; the expired token (revoked key), a token signed by another key (a key of another store) and no credentials get 401. A server that answers wrong is not measured and is listed under "Not measured". During the measurement every answer must have the expected status (200, or 401 for the refused case); any other counts as a failure.',
    `- Shared machine: a run during which other processes took more than ${fixed(m.foreignLimit * 100, 0)}% of a core was measured again after the machine had been quiet for a second (at most ${m.maxRetries} times); ${m.retries} run(s) were repeated this way. The appendix shows what remained.`,
    `- Run time: ${fixed(minutes, 1)} min.`,
  ];
}

const VERIFY_NOTES = [
  '- **Gatehouse**: the first time it sees a token, jose\'s `jwtVerify` checks the signature and the claims with the issuer\'s settings; the verified result is cached (10,000 tokens, least recently used first) under a SHA-256 hash of the whole token until the token\'s `exp` plus the clock tolerance, so a repeated token costs a hash and a map look-up. Requests that bring the same token while its check is running wait for that check instead of starting their own; a refused token is not cached. The revocation list is asked on every request, cached or not, and every request gets a fresh Principal, then the route\'s permission rule. jose verifies through WebCrypto: every signature check is an asynchronous job, which costs more CPU than a synchronous node:crypto call, so a token seen for the first time (the "new expired token each time" column) costs Gatehouse more than the peers; a repeated one costs far less. API keys: shape and checksum, HMAC-SHA-256, one indexed SQLite look-up per request, constant-time comparison, state checks; the last-use time is written at most once a minute, without waiting.',
  '- **@fastify/jwt** (fast-jwt): one verifier built at registration; per request it decodes the token and checks the signature with node:crypto, synchronously, then the claims. No cache unless `verify.cache` is set.',
  '- **express-jwt** (jsonwebtoken): per request, `jwt.verify` decodes the token and checks the signature with node:crypto (through jws), then the claims. No cache. No EdDSA.',
];

function appendix(results: readonly AuthCaseResult[]): string[] {
  const order = (c: AuthCaseResult) => [AUTH_FRAMEWORKS.findIndex((f) => f.id === c.framework), ['bare', 'gatehouse-noauth', 'peer', 'gatehouse'].indexOf(c.role), ['none', ...AUTH_ALGS].indexOf(c.alg), AUTH_KINDS.indexOf(c.kind)];
  const sorted = [...results].sort((a, b) => {
    const x = order(a);
    const y = order(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return 0;
  });
  return [
    '### Appendix: medians',
    '',
    'Median over the rounds of each measurement; the columns as in the CORS appendix. Ids: `auth/<framework>/<role>/<algorithm>/<kind>`; "bare" rows are the app without authentication, "gatehouse without auth" rows the same app behind Gatehouse with its defaults and no `auth`.',
    '',
    ...mediansTable(sorted.map((c) => [c.role === 'bare' ? `auth/${c.framework}/bare (no auth) GET` : c.role === 'gatehouse-noauth' ? `auth/${c.framework}/gatehouse without auth GET` : c.id, c] as const)),
  ];
}
