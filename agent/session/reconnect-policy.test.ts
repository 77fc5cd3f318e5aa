import { describe, expect, it } from 'vitest';
import { defaultReconnectConfig, firstPlanFor, ReconnectPolicy } from './reconnect-policy.js';

const transient = { kind: 'transient' as const, reason: 'timeout' };
const HOUR = 3_600_000;

describe('reconnect policy', () => {
  it('backs off exponentially with full jitter under a cap', () => {
    const policy = new ReconnectPolicy({ ...defaultReconnectConfig, maxAttemptsPerHour: 1000 }, () => 0.999999);
    const delays = Array.from({ length: 12 }, () => policy.afterFailure(transient, 0).delayMs);
    expect(delays.slice(0, 4)).toEqual([1999, 3999, 7999, 15999]);
    expect(Math.max(...delays)).toBeLessThan(defaultReconnectConfig.maxDelayMs);
    expect(delays.at(-1)).toBe(299_999);
    const low = new ReconnectPolicy(defaultReconnectConfig, () => 0);
    expect(low.afterFailure(transient, 0).delayMs).toBe(0);
  });

  it('waits T3402 after a reject and rests after the configured number of refusals', () => {
    const policy = new ReconnectPolicy(defaultReconnectConfig, () => 0.5);
    const temporary = { kind: 'registration-rejected' as const, reason: 'denied', cause: 22, severity: 'temporary' as const };
    const kinds = Array.from({ length: 5 }, () => policy.afterFailure(temporary, 0));
    expect(kinds.slice(0, 4).map((d) => d.delayMs)).toEqual([720_000, 720_000, 720_000, 720_000]);
    expect(kinds[4]).toMatchObject({ kind: 'rest', delayMs: HOUR });
  });

  it('rests sooner after permanent refusals', () => {
    const policy = new ReconnectPolicy(defaultReconnectConfig);
    const refused = { kind: 'session-refused' as const, reason: 'refused', cause: 33, severity: 'permanent' as const };
    expect(policy.afterFailure(refused, 0)).toMatchObject({ kind: 'reject-backoff', delayMs: 720_000 });
    expect(policy.afterFailure(refused, 0)).toMatchObject({ kind: 'rest', delayMs: HOUR });
  });

  it('bounds attempts per sliding hour', () => {
    const policy = new ReconnectPolicy({ ...defaultReconnectConfig, maxAttemptsPerHour: 3 }, () => 0);
    for (const t of [0, 1000, 2000]) policy.recordAttempt(t);
    const delay = policy.afterFailure(transient, 3000);
    expect(delay.delayMs).toBe(HOUR - 3000);
    expect(delay.rateLimitedMs).toBe(HOUR - 3000);
  });

  it('climbs the ladder: reactivate → radio cycle → reset (once an hour) → reopen', () => {
    const policy = new ReconnectPolicy(defaultReconnectConfig, () => 0);
    const plans: string[] = [];
    for (let i = 0; i < 8; i++) {
      const plan = policy.planFor('reactivate', 0, true);
      plans.push(plan);
      if (plan === 'reset') policy.recordReset(0);
      policy.afterFailure(transient, 0);
    }
    expect(plans).toEqual(['reactivate', 'reactivate', 'radio-cycle', 'radio-cycle', 'reset', 'reopen', 'reopen', 'reopen']);
    expect(policy.planFor('reactivate', 0, false)).toBe('reopen');
  });

  it('retries a registration reject with a radio cycle and a refused session with a reactivation', () => {
    const policy = new ReconnectPolicy(defaultReconnectConfig);
    policy.afterFailure({ kind: 'registration-rejected', reason: 'x', severity: 'permanent' }, 0);
    expect(policy.planFor('full', 0, true)).toBe('radio-cycle');
    policy.afterFailure({ kind: 'session-refused', reason: 'x', severity: 'temporary' }, 0);
    expect(policy.planFor('full', 0, true)).toBe('reactivate');
  });

  it('starts each recovery where the loss says', () => {
    expect(firstPlanFor('start')).toBe('full');
    expect(firstPlanFor('pdp-deactivated')).toBe('reactivate');
    expect(firstPlanFor('module-restarted')).toBe('resync');
    expect(firstPlanFor('port-closed')).toBe('reopen');
    expect(firstPlanFor('unresponsive')).toBe('reset');
  });
});
