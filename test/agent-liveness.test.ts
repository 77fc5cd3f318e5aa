/**
 * A module that stops answering — muted, or spewing garbage instead of result codes — is seen by
 * an online agent within its liveness bound (docs/agent.md, "Loss detection"), on a virtual clock
 * with the default liveness settings; and the agent is online again once the module answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../common/clock.js';
import { livenessBoundMs } from '../agent/session/liveness-probe.js';
import { defaultLiveness } from '../agent/session/session-config.js';
import { advanceUntil, startPair, type Pair } from './support/agent-harness.js';

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

describe('liveness bound (virtual time, default settings)', () => {
  it('the bound is 107 s with the defaults', () => {
    expect(livenessBoundMs(defaultLiveness)).toBe(107_000);
  });

  it.each([
    ['mute', (p: Pair) => p.sim.modem.faults.mute(), (p: Pair) => p.sim.modem.faults.unmute()],
    ['garbage instead of answers', (p: Pair) => p.sim.modem.faults.garbage('replace'), (p: Pair) => p.sim.modem.faults.garbage('off')],
  ] as const)('%s: unresponsive within the bound, online again after', async (_name, fault, heal) => {
    const clock = new VirtualClock();
    pair = await startPair({ dialect: 'bg96', exposure: 'in-process', clock });
    const p = pair;
    p.agent.start();
    expect(await advanceUntil(clock, () => p.agent.status().online, 60_000)).toBe(true);
    // Let a probe answer, so the bound is counted from a known last answer.
    let lastAnswer = clock.now();
    const probes = (): number => p.agent.metrics().probe_timeouts ?? 0;
    await advanceUntil(clock, () => false, defaultLiveness.intervalMs + 1_000, 500);
    lastAnswer = clock.now() - 1_000;
    expect(probes()).toBe(0);
    fault(p);
    const unresponsive = (): boolean => (p.agent.metrics().losses_unresponsive ?? 0) >= 1;
    expect(await advanceUntil(clock, unresponsive, 3 * livenessBoundMs(defaultLiveness), 500)).toBe(true);
    const took = clock.now() - lastAnswer;
    expect(took).toBeLessThanOrEqual(livenessBoundMs(defaultLiveness) + 1_000);
    expect(took).toBeGreaterThan(defaultLiveness.intervalMs * (defaultLiveness.maxMisses - 1));
    heal(p);
    expect(await advanceUntil(clock, () => p.agent.status().online && (p.agent.metrics().online ?? 0) >= 2, 10 * 60_000, 1_000)).toBe(true);
  }, 60_000);
});
