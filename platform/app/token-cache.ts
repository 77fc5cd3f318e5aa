/**
 * Verified API tokens, remembered for a short while so an authenticated request does not read the
 * token, the operator and the SAM user from the store every time.
 *
 * [choice] Correctness across processes (several platform processes on one database,
 * docs/platform.md "Token cache"):
 * - an entry lives at most `ttlMs` (default 1 s of the platform clock) after it was read from the
 *   store; after that the token is verified against the store again. With a shared store every
 *   forget is also sent to the other processes (NOTIFY), which drop the entry on receipt
 *   (milliseconds); the TTL bounds what a missed notification could leave behind;
 * - in this process, logout and every SAM user / operator change drop the affected entries at
 *   once (`forgetApiKey`, `forgetOperator`);
 * - expiry is checked on every hit against the token's own `expiresAt`, so a cached token never
 *   outlives its lifetime, and the presented token is compared (constant time, by digest) with
 *   the stored digest on every hit: the cache is keyed by API key, never trusting the token alone.
 */
/** The verified caller as auth sees it (`auth.ts` `Principal`; only its operator matters here). */
export interface CachedPrincipal {
  operatorId: string;
}

export interface CachedToken<P extends CachedPrincipal = CachedPrincipal> {
  tokenHash: string;
  expiresAt: number;
  principal: P;
  /** Platform clock time the entry was read from the store. */
  verifiedAt: number;
}

export class TokenCache<P extends CachedPrincipal = CachedPrincipal> {
  private readonly entries = new Map<string, CachedToken<P>>();

  constructor(readonly ttlMs = 1_000, private readonly maxEntries = 10_000) {}

  /** The entry for `apiKey` if it was verified within the TTL (expiry is the caller's check). */
  get(apiKey: string, now: number): CachedToken<P> | undefined {
    const entry = this.entries.get(apiKey);
    if (!entry) return undefined;
    if (now - entry.verifiedAt >= this.ttlMs || now < entry.verifiedAt) {
      this.entries.delete(apiKey);
      return undefined;
    }
    return entry;
  }

  set(apiKey: string, entry: CachedToken<P>): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(apiKey);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(apiKey, entry);
  }

  /**
   * Called with `key:<apiKey>` / `operator:<id>` on every forget of this process: a shared store
   * tells the other processes (`shareTokenCache` in platform-app.ts), which `receive` it.
   */
  onForget: ((what: string) => void) | undefined;

  forgetApiKey(apiKey: string): void {
    this.entries.delete(apiKey);
    this.onForget?.(`key:${apiKey}`);
  }

  /** Drops every token of an operator (its SAM users or the operator itself changed). */
  forgetOperator(operatorId: string): void {
    this.dropOperator(operatorId);
    this.onForget?.(`operator:${operatorId}`);
  }

  /** A forget from another process (`null`: notifications may have been missed, drop everything). */
  receive(what: string | null): void {
    if (what === null) this.entries.clear();
    else if (what.startsWith('key:')) this.entries.delete(what.slice(4));
    else if (what.startsWith('operator:')) this.dropOperator(what.slice(9));
  }

  private dropOperator(operatorId: string): void {
    for (const [key, entry] of this.entries) if (entry.principal.operatorId === operatorId) this.entries.delete(key);
  }
}
