// Revocation of self-contained tokens: a JWT stays valid until `exp` unless something says otherwise.
// Two ways to say so: deny one token by its `jti` (logout), or deny every token of a subject issued
// before a moment (password change, "log out everywhere"). The verifier asks on every call, even when
// the signature check itself came from its cache. A store-backed implementation will follow.

export interface RevocationQuery {
  readonly jti?: string;
  readonly subject: string;
  /** The token's `iat`, seconds since the epoch. */
  readonly issuedAt?: number;
  readonly issuer?: string;
}

export interface RevocationCheck {
  isRevoked(query: RevocationQuery): boolean | Promise<boolean>;
}

export interface InMemoryRevocationOptions {
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
  /**
   * How long a denied `jti` is kept after the token's `exp`; default 300. It must cover the verifier's
   * clock tolerance, which accepts a token that long after `exp`.
   */
  readonly retainSeconds?: number;
}

/**
 * Entries are scoped by issuer when one is given (`jti` is unique per issuer only, RFC 7519 §4.1.7),
 * under WILDCARD when not. Two levels of Map rather than one joined key: the check runs on every
 * request and then builds no string.
 */
const WILDCARD = '*';

class ScopedMap<V> {
  readonly #byScope = new Map<string, Map<string, V>>();

  get(scope: string, key: string): V | undefined {
    return this.#byScope.get(scope)?.get(key);
  }

  set(scope: string, key: string, value: V): void {
    let entries = this.#byScope.get(scope);
    if (entries === undefined) this.#byScope.set(scope, (entries = new Map()));
    entries.set(key, value);
  }

  /** Deletes every entry `expired` says yes to. */
  prune(expired: (value: V) => boolean): void {
    for (const [scope, entries] of this.#byScope) {
      for (const [key, value] of entries) if (expired(value)) entries.delete(key);
      if (entries.size === 0) this.#byScope.delete(scope);
    }
  }
}

export class InMemoryRevocationList implements RevocationCheck {
  readonly #now: () => number;
  readonly #retainSeconds: number;
  /** scope → jti → exp + retainSeconds: after that the verifier refuses the token anyway, so the entry goes. */
  readonly #deniedIds = new ScopedMap<number>();
  /** scope → subject → seconds: tokens issued before it are refused. */
  readonly #cutOffs = new ScopedMap<number>();
  #checksSincePurge = 0;

  constructor(options: InMemoryRevocationOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#retainSeconds = options.retainSeconds ?? 300;
  }

  /** Refuses the token with this `jti`; `expiresAt` is its `exp` (seconds). Omit issuer to match any issuer. */
  revokeToken(jti: string, expiresAt: number, issuer?: string): void {
    const scope = issuer ?? WILDCARD;
    this.#deniedIds.set(scope, jti, Math.max(expiresAt + this.#retainSeconds, this.#deniedIds.get(scope, jti) ?? 0));
    this.#purge();
  }

  /**
   * Refuses every token of `subject` whose `iat` is before `issuedBefore` (seconds), and every token of
   * theirs without `iat`, which cannot prove it came later. Omit issuer to match any issuer.
   */
  revokeSubject(subject: string, issuedBefore: number, issuer?: string): void {
    const scope = issuer ?? WILDCARD;
    this.#cutOffs.set(scope, subject, Math.max(issuedBefore, this.#cutOffs.get(scope, subject) ?? -Infinity));
  }

  isRevoked(query: RevocationQuery): boolean {
    if (++this.#checksSincePurge >= 1000) this.#purge();
    const nowSeconds = this.#now() / 1000;
    const scope = query.issuer ?? WILDCARD;
    if (query.jti !== undefined) {
      const any = this.#deniedIds.get(WILDCARD, query.jti);
      if (any !== undefined && any > nowSeconds) return true;
      const own = this.#deniedIds.get(scope, query.jti);
      if (own !== undefined && own > nowSeconds) return true;
    }
    return issuedBefore(query.issuedAt, this.#cutOffs.get(WILDCARD, query.subject)) || issuedBefore(query.issuedAt, this.#cutOffs.get(scope, query.subject));
  }

  #purge(): void {
    this.#checksSincePurge = 0;
    const nowSeconds = this.#now() / 1000;
    this.#deniedIds.prune((until) => until <= nowSeconds);
  }
}

/** A token without `iat` cannot prove it came after the cut-off. */
function issuedBefore(issuedAt: number | undefined, cutOff: number | undefined): boolean {
  return cutOff !== undefined && (issuedAt === undefined || issuedAt < cutOff);
}
