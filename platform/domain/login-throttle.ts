/**
 * Backoff on failed logins, per key — an account (MQTT client id, email, auth key id) and a
 * source address — so that guessing secrets is slow while the right user is never locked out
 * for long (docs/api.md "Login limits", docs/mqtt-contract.md "Limits").
 *
 * Rules, per key:
 * - the first `freeFailures` failures cost nothing;
 * - each later failure blocks the key for `baseDelayMs · 2^k` (k = 0, 1, 2…), at most `maxDelayMs`;
 * - while a key is blocked, attempts are refused without checking the secret and are not
 *   counted: a stream of wrong guesses cannot push the block further out, so the right user
 *   waits at most `maxDelayMs` after the last checked failure;
 * - a success clears the account's failures (never the source's: one valid login must not
 *   reset the count of a source that is guessing other accounts);
 * - failures older than `forgetAfterMs` are forgotten; at most `maxKeys` keys are kept (the
 *   oldest are dropped first), so memory stays bounded under a flood of made-up names.
 *
 * Pure bookkeeping: time is passed in, nothing is read from the wall clock.
 */
export interface ThrottlePolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
}

export interface LoginThrottlePolicy {
  /** Per account (client id, email, auth key id). */
  account: ThrottlePolicy;
  /** Per source address; generous, since many devices share one address behind a carrier NAT. */
  source: ThrottlePolicy;
  maxKeys: number;
}

/** [choice] See docs/mqtt-contract.md "Limits" for why these numbers. */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = {
  account: { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 30_000, forgetAfterMs: 15 * 60_000 },
  source: { freeFailures: 50, baseDelayMs: 1_000, maxDelayMs: 60_000, forgetAfterMs: 15 * 60_000 },
  maxKeys: 100_000,
};

/** Who is logging in: the account name and, when known, the address it comes from. */
export interface LoginAttempt {
  account: string;
  source?: string;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

interface KeyState {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

export class LoginThrottle {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly policy: LoginThrottlePolicy = DEFAULT_LOGIN_THROTTLE) {}

  /** Whether an attempt may be checked now; when not, how long until it may. */
  check(attempt: LoginAttempt, now: number): ThrottleVerdict {
    let wait = 0;
    for (const [key, policy] of this.keysOf(attempt)) {
      const state = this.current(key, policy, now);
      if (state && state.blockedUntil > now) wait = Math.max(wait, state.blockedUntil - now);
    }
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
  }

  /** A checked attempt failed. */
  failed(attempt: LoginAttempt, now: number): void {
    for (const [key, policy] of this.keysOf(attempt)) {
      const state = this.current(key, policy, now) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
      state.failures++;
      state.lastFailureAt = now;
      const over = state.failures - policy.freeFailures;
      if (over > 0) state.blockedUntil = now + Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(over - 1, 30));
      // Re-inserting keeps the map in order of last failure: the first key is the stalest.
      this.keys.delete(key);
      this.keys.set(key, state);
    }
    while (this.keys.size > this.policy.maxKeys) this.keys.delete(this.keys.keys().next().value!);
  }

  /** A checked attempt succeeded: the account starts afresh. */
  succeeded(attempt: LoginAttempt): void {
    this.keys.delete(accountKey(attempt.account));
  }

  /** Keys currently remembered (for tests and metrics). */
  get size(): number {
    return this.keys.size;
  }

  private keysOf(attempt: LoginAttempt): Array<[string, ThrottlePolicy]> {
    const keys: Array<[string, ThrottlePolicy]> = [[accountKey(attempt.account), this.policy.account]];
    if (attempt.source) keys.push([`source:${attempt.source}`, this.policy.source]);
    return keys;
  }

  private current(key: string, policy: ThrottlePolicy, now: number): KeyState | undefined {
    const state = this.keys.get(key);
    if (state && now - state.lastFailureAt > policy.forgetAfterMs && state.blockedUntil <= now) {
      this.keys.delete(key);
      return undefined;
    }
    return state;
  }
}

function accountKey(account: string): string {
  return `account:${account}`;
}
