import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './login-throttle.js';

const attempt = { account: 'dev-1', source: '10.0.0.7' };

/** Fails `n` attempts as a client would that tries again at once: only checked attempts count. */
function hammer(throttle: LoginThrottle, n: number, now: number, who: { account: string; source?: string } = attempt): { checked: number; refused: number } {
  let checked = 0;
  let refused = 0;
  for (let i = 0; i < n; i++) {
    if (throttle.check(who, now).allowed) {
      checked++;
      throttle.failed(who, now);
    } else refused++;
  }
  return { checked, refused };
}

describe('LoginThrottle', () => {
  it('lets the first five failures through, then blocks the account for 1 s', () => {
    const throttle = new LoginThrottle();
    expect(hammer(throttle, 100, 0)).toEqual({ checked: 6, refused: 94 });
    expect(throttle.check(attempt, 999)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(throttle.check(attempt, 1_000)).toEqual({ allowed: true });
  });

  it('doubles the block with each checked failure, up to 30 s', () => {
    const throttle = new LoginThrottle();
    let now = 0;
    const blocks: number[] = [];
    for (let i = 0; i < 12; i++) {
      throttle.failed(attempt, now);
      const verdict = throttle.check(attempt, now);
      const wait = verdict.allowed ? 0 : verdict.retryAfterMs;
      blocks.push(wait);
      now += wait;
    }
    expect(blocks).toEqual([0, 0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('refused attempts do not extend the block: the right user waits at most the cap after the last checked failure', () => {
    const throttle = new LoginThrottle();
    let now = 0;
    for (let i = 0; i < 20; i++) {
      hammer(throttle, 50, now);
      const verdict = throttle.check(attempt, now);
      now += verdict.allowed ? 0 : verdict.retryAfterMs;
    }
    const lastBlock = throttle.check(attempt, now - 1);
    expect(lastBlock.allowed).toBe(false);
    expect((lastBlock as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(DEFAULT_LOGIN_THROTTLE.account.maxDelayMs);
    // 1 000 wrong guesses in a burst each time the block lifts: 20 checked, the rest refused.
    expect(throttle.check(attempt, now)).toEqual({ allowed: true });
  });

  it('a success clears the account but not the source', () => {
    const throttle = new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, source: { ...DEFAULT_LOGIN_THROTTLE.source, freeFailures: 6 } });
    hammer(throttle, 6, 0);
    throttle.succeeded(attempt);
    expect(throttle.check({ account: 'dev-1' }, 0)).toEqual({ allowed: true });
    // The source had 6 failures (its free count): one more from it, for any account, blocks it.
    throttle.failed({ account: 'dev-2', source: attempt.source }, 0);
    expect(throttle.check({ account: 'dev-3', source: attempt.source }, 0).allowed).toBe(false);
  });

  it('a source guessing many accounts is blocked after 50 failures; other sources are not', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 50; i++) throttle.failed({ account: `dev-${i}`, source: '10.0.0.9' }, 0);
    expect(throttle.check({ account: 'dev-new', source: '10.0.0.9' }, 0)).toEqual({ allowed: true });
    throttle.failed({ account: 'dev-50', source: '10.0.0.9' }, 0);
    expect(throttle.check({ account: 'dev-new', source: '10.0.0.9' }, 0)).toEqual({ allowed: false, retryAfterMs: 1_000 });
    expect(throttle.check({ account: 'dev-new', source: '10.0.0.10' }, 0)).toEqual({ allowed: true });
  });

  it('forgets failures after 15 minutes and keeps at most maxKeys keys', () => {
    const throttle = new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, maxKeys: 10 });
    hammer(throttle, 5, 0, { account: 'dev-1' });
    throttle.failed({ account: 'dev-1' }, 15 * 60_000 + 1);
    expect(throttle.check({ account: 'dev-1' }, 15 * 60_000 + 1)).toEqual({ allowed: true });
    for (let i = 0; i < 100; i++) throttle.failed({ account: `made-up-${i}` }, 0);
    expect(throttle.size).toBe(10);
  });
});
