/**
 * In-process memory of token ids (`jti`) that must not be accepted again:
 * authorization codes and consent steps already used, refresh tokens already
 * rotated or revoked, revoked access tokens, and grants revoked because their
 * code was replayed.
 *
 * NOTE: this memory belongs to one server process. Behind several serverless
 * instances, a replayed code or an old refresh token can pass on an instance
 * that has not seen the first use. Only the expiry of the token limits that.
 */
export class JtiRegistry {
  private readonly expiries = new Map<string, number>();

  /**
   * Record `jti` until `expiresAt` (seconds since the epoch). Returns false when
   * it was already recorded, so the caller must reject the token.
   */
  markUsed(jti: string, expiresAt: number, now: Date = new Date()): boolean {
    this.prune(now);
    if (this.expiries.has(jti)) return false;
    this.expiries.set(jti, expiresAt);
    return true;
  }

  /** Return true when `jti` is recorded and has not expired yet. */
  has(jti: string, now: Date = new Date()): boolean {
    const expiresAt = this.expiries.get(jti);
    return expiresAt !== undefined && expiresAt > now.getTime() / 1000;
  }

  private prune(now: Date): void {
    const nowSeconds = now.getTime() / 1000;
    for (const [jti, expiresAt] of this.expiries) {
      if (expiresAt <= nowSeconds) this.expiries.delete(jti);
    }
  }
}

/** Revocation requests seen by this process, by the kind of token revoked (RFC 7009). */
export interface RevocationCounts {
  total: number;
  refreshTokens: number;
  accessTokens: number;
  /** Tokens that were invalid, expired or issued to another client; the endpoint still responds with 200 (RFC 7009 §2.2). */
  ignored: number;
}

interface ReplayState {
  spentTokens: JtiRegistry;
  revokedGrants: JtiRegistry;
  revocations: RevocationCounts;
}

// Kept on globalThis because Next.js may load this module once per route
// bundle, and every route of the process must share one memory.
const STATE_KEY = Symbol.for("smart-descope.sandbox.auth.replay");

function state(): ReplayState {
  const holder = globalThis as { [STATE_KEY]?: ReplayState };
  holder[STATE_KEY] ??= {
    spentTokens: new JtiRegistry(),
    revokedGrants: new JtiRegistry(),
    revocations: { total: 0, refreshTokens: 0, accessTokens: 0, ignored: 0 },
  };
  return holder[STATE_KEY];
}

/** Used codes and consent steps, rotated or revoked refresh tokens, and revoked access tokens. */
export function spentTokens(): JtiRegistry {
  return state().spentTokens;
}

/** Grants (identified by the `jti` of the code that started them) whose refresh tokens no longer work. */
export function revokedGrants(): JtiRegistry {
  return state().revokedGrants;
}

/** Return the live revocation counters of this process. */
export function revocationCounts(): RevocationCounts {
  return state().revocations;
}

/**
 * Return true when the access token with `jti` was revoked in this process.
 * The sandbox FHIR server may call it; across instances see the note above.
 */
export function isAccessTokenRevoked(jti: string): boolean {
  return state().spentTokens.has(jti);
}
