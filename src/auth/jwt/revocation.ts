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

/** Keys are scoped by issuer when one is given: `jti` is unique per issuer only (RFC 7519 §4.1.7). */
const scoped = (value: string, issuer: string | undefined) => `${issuer ?? '*'}\u0000${value}`;

export class InMemoryRevocationList implements RevocationCheck {
  readonly #now: () => number;
  readonly #retainSeconds: number;
  /** scoped jti → exp + retainSeconds: after that the verifier refuses the token anyway, so the entry goes. */
  readonly #deniedIds = new Map<string, number>();
  /** scoped subject → seconds: tokens issued before it are refused. */
  readonly #cutOffs = new Map<string, number>();
  #checksSincePurge = 0;

  constructor(options: InMemoryRevocationOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#retainSeconds = options.retainSeconds ?? 300;
  }

  /** Refuses the token with this `jti`; `expiresAt` is its `exp` (seconds). Omit issuer to match any issuer. */
  revokeToken(jti: string, expiresAt: number, issuer?: string): void {
    const key = scoped(jti, issuer);
    this.#deniedIds.set(key, Math.max(expiresAt + this.#retainSeconds, this.#deniedIds.get(key) ?? 0));
    this.#purge();
  }

  /**
   * Refuses every token of `subject` whose `iat` is before `issuedBefore` (seconds), and every token of
   * theirs without `iat`, which cannot prove it came later. Omit issuer to match any issuer.
   */
  revokeSubject(subject: string, issuedBefore: number, issuer?: string): void {
    const key = scoped(subject, issuer);
    this.#cutOffs.set(key, Math.max(issuedBefore, this.#cutOffs.get(key) ?? -Infinity));
  }

  isRevoked(query: RevocationQuery): boolean {
    if (++this.#checksSincePurge >= 1000) this.#purge();
    const nowSeconds = this.#now() / 1000;
    if (query.jti !== undefined) {
      for (const key of [scoped(query.jti, undefined), scoped(query.jti, query.issuer)]) {
        const until = this.#deniedIds.get(key);
        if (until !== undefined && until > nowSeconds) return true;
      }
    }
    for (const key of [scoped(query.subject, undefined), scoped(query.subject, query.issuer)]) {
      const cutOff = this.#cutOffs.get(key);
      if (cutOff !== undefined && (query.issuedAt === undefined || query.issuedAt < cutOff)) return true;
    }
    return false;
  }

  #purge(): void {
    this.#checksSincePurge = 0;
    const nowSeconds = this.#now() / 1000;
    for (const [key, until] of this.#deniedIds) if (until <= nowSeconds) this.#deniedIds.delete(key);
  }
}
