/**
 * End to end, on a virtual clock: how each platform subscriber status shows on the device side,
 * with the agent's backoff asserted in (virtual) time. Real platform, HTTP API, MQTT, simulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../common/clock.js';
import { advanceUntil } from './support/agent-harness.js';
import { startStack, type Stack } from './support/stack-harness.js';

const REJECT_BACKOFF = 720_000;
const REST = 3_600_000;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The waits the agent chose, measured when it entered each backoff. */
let waits: number[] = [];

async function started(clock: VirtualClock): Promise<Stack> {
  stack = await startStack({ clock });
  waits = [];
  stack.agent.onStateChange((change) => {
    if (change.to === 'backoff' && change.status.nextAttemptAt !== undefined) waits.push(change.status.nextAttemptAt - change.at);
  });
  return stack;
}

const waitOf = (_s: Stack, _clock: VirtualClock): number => waits[waits.length - 1] ?? Number.NaN;

describe('subscriber status seen from the device (virtual clock)', () => {
  it('ready → active and online on the first session', async () => {
    const clock = new VirtualClock(Date.UTC(2025, 0, 6));
    const s = await started(clock);
    s.agent.start();
    expect(await advanceUntil(clock, () => s.agent.status().online, 120_000)).toBe(true);
    const sub = await s.api.call<{ status: string }>('GET', `/v1/subscribers/${s.gateway.imsi}`);
    expect(sub.status).toBe('active');
  });

  it('inactive: registered but no session, temporary refusal, T3402-like backoff', async () => {
    const clock = new VirtualClock(Date.UTC(2025, 0, 6));
    const s = await started(clock);
    await s.api.call('POST', `/v1/subscribers/${s.gateway.imsi}/deactivate`);
    s.agent.start();
    expect(await advanceUntil(clock, () => s.agent.status().state === 'backoff', 120_000)).toBe(true);
    const status = s.agent.status();
    expect(status.registration?.stat).toBe(1);
    expect(status.online).toBe(false);
    expect(status.lastFailure).toMatchObject({ kind: 'session-refused', severity: 'temporary' });
    expect(waitOf(s, clock)).toBe(REJECT_BACKOFF);
    const sub = await s.api.call<{ status: string }>('GET', `/v1/subscribers/${s.gateway.imsi}`);
    expect(sub.status).toBe('inactive');
  });

  it('suspended: permanent refusal, and after two of them the long rest', async () => {
    const clock = new VirtualClock(Date.UTC(2025, 0, 6));
    const s = await started(clock);
    await s.api.call('POST', `/v1/subscribers/${s.gateway.imsi}/suspend`);
    s.agent.start();
    expect(await advanceUntil(clock, () => s.agent.status().state === 'backoff', 120_000)).toBe(true);
    expect(s.agent.status().lastFailure).toMatchObject({ kind: 'session-refused', severity: 'permanent' });
    expect(waitOf(s, clock)).toBe(REJECT_BACKOFF);
    const failures = (): number => s.agent.metrics().failures_session_refused ?? s.agent.metrics()['failures_session-refused'] ?? 0;
    expect(await advanceUntil(clock, () => failures() >= 2 && s.agent.status().state === 'backoff', REJECT_BACKOFF + 120_000, 5_000)).toBe(true);
    expect(waitOf(s, clock)).toBe(REST);
  });

  it('terminated: registration denied with a permanent cause', async () => {
    const clock = new VirtualClock(Date.UTC(2025, 0, 6));
    const s = await started(clock);
    await s.api.call('POST', `/v1/subscribers/${s.gateway.imsi}/enable_termination`);
    await s.api.call('POST', `/v1/subscribers/${s.gateway.imsi}/terminate`);
    s.agent.start();
    expect(await advanceUntil(clock, () => s.agent.status().state === 'backoff', 400_000)).toBe(true);
    expect(s.agent.status().lastFailure).toMatchObject({ kind: 'registration-rejected', severity: 'permanent' });
    expect(s.agent.status().registration?.stat).toBe(3);
    expect(waitOf(s, clock)).toBe(REJECT_BACKOFF);
  });

  it('suspending an online SIM through the API drops its session and the device backs off long; activating brings it back', async () => {
    const clock = new VirtualClock(Date.UTC(2025, 0, 6));
    const s = await started(clock);
    s.agent.start();
    expect(await advanceUntil(clock, () => s.agent.status().online, 120_000)).toBe(true);
    await s.api.call('POST', `/v1/subscribers/${s.gateway.imsi}/suspend`);
    expect(await advanceUntil(clock, () => s.agent.status().state === 'backoff', 120_000)).toBe(true);
    expect(s.agent.status().lastLoss).toBe('pdp-deactivated');
    expect(s.agent.status().lastFailure).toMatchObject({ kind: 'session-refused', severity: 'permanent' });
    const wait = waitOf(s, clock);
    expect(wait).toBe(REJECT_BACKOFF);

    await s.api.call('POST', `/v1/subscribers/${s.gateway.imsi}/activate`);
    // Nothing happens before the backoff ends: the device does not hammer the network.
    await advanceUntil(clock, () => false, wait - 10_000, 5_000);
    expect(s.agent.status().online).toBe(false);
    expect(await advanceUntil(clock, () => s.agent.status().online, 60_000)).toBe(true);
  });
});
