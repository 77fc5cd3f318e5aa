/**
 * End to end on one VirtualClock shared by the real agent and the real simulator: refusals back
 * off far longer than faults, asserted by moving time, never by waiting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../common/clock.js';
import { LocalNetworkGate } from '../simulator/index.js';
import { advanceUntil, startPair, type Pair } from './support/agent-harness.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

const MIN = 60_000;

describe('agent backoff on refusals (virtual time)', () => {
  it('registration rejected (EMM #7, permanent) → T3402-like 12 min, no attempt before it', async () => {
    const clock = new VirtualClock();
    pair = await startPair({ dialect: 'bg96', exposure: 'in-process', clock });
    const p = pair;
    p.sim.modem.faults.rejectRegistration(7);
    let backoffAt = 0;
    p.agent.onStateChange((change) => {
      if (change.to === 'backoff') backoffAt = change.at;
    });
    p.agent.start();
    expect(await advanceUntil(clock, () => (p.agent.metrics()['failures_registration-rejected'] ?? 0) === 1, 10 * MIN)).toBe(true);
    expect(p.agent.status().lastFailure).toMatchObject({ kind: 'registration-rejected', cause: 7, severity: 'permanent' });
    const failedAt = backoffAt;
    const attempts = p.agent.metrics().attempts ?? 0;
    expect(p.agent.status().nextAttemptAt! - failedAt).toBe(12 * MIN);
    await advanceUntil(clock, () => false, 11 * MIN, 5_000);
    expect(p.agent.metrics().attempts).toBe(attempts);
    // The operator lifts the reject: the next attempt (a radio cycle) attaches.
    p.sim.modem.faults.rejectRegistration(undefined);
    expect(await advanceUntil(clock, () => p.agent.status().online, 5 * MIN)).toBe(true);
    expect(p.agent.metrics().attempts).toBe(attempts + 1);
    expect(clock.now() - failedAt).toBeGreaterThanOrEqual(12 * MIN);
  });

  it('refused session with a permanent cause (suspended SIM) → 12 min, then a 1 h rest', async () => {
    const clock = new VirtualClock();
    const gate = new LocalNetworkGate();
    gate.setSessionRefusal('*', { esmCause: 33, permanent: true });
    pair = await startPair({ dialect: 'sim7080', exposure: 'in-process', clock, gate });
    const p = pair;
    p.agent.start();
    const refusals = (): number => p.agent.metrics()['failures_session-refused'] ?? 0;
    expect(await advanceUntil(clock, () => refusals() === 1, 10 * MIN)).toBe(true);
    expect(p.agent.status().lastFailure).toMatchObject({ kind: 'session-refused', cause: 33, severity: 'permanent' });
    const firstAt = clock.now();
    expect(await advanceUntil(clock, () => refusals() === 2, 20 * MIN, 5_000)).toBe(true);
    expect(clock.now() - firstAt).toBeGreaterThanOrEqual(12 * MIN);
    expect(p.agent.metrics().rests).toBe(1);
    const restFrom = clock.now();
    expect(p.agent.status().nextAttemptAt! - restFrom).toBeGreaterThan(59 * MIN);
    await advanceUntil(clock, () => false, 55 * MIN, 10_000);
    expect(refusals()).toBe(2);
    gate.setSessionRefusal('*', undefined);
    expect(await advanceUntil(clock, () => p.agent.status().online, 10 * MIN, 5_000)).toBe(true);
  });

  it('refused session with a temporary cause (inactive SIM) → 12 min between tries, no early rest', async () => {
    const clock = new VirtualClock();
    const gate = new LocalNetworkGate();
    gate.setSessionRefusal('*', { esmCause: 26, permanent: false });
    pair = await startPair({ dialect: 'generic', exposure: 'in-process', clock, gate });
    const p = pair;
    p.agent.start();
    const refusals = (): number => p.agent.metrics()['failures_session-refused'] ?? 0;
    expect(await advanceUntil(clock, () => refusals() === 1, 10 * MIN)).toBe(true);
    expect(p.agent.status().lastFailure).toMatchObject({ severity: 'temporary' });
    expect(await advanceUntil(clock, () => refusals() === 3, 30 * MIN, 5_000)).toBe(true);
    expect(p.agent.metrics().rests ?? 0).toBe(0);
  });
});
