import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { ActivityMeter, meteredClock, onTimerGrid } from './time-driver.js';

describe('timer grid', () => {
  it('keeps sub-second delays exact and moves longer ones to the next whole second or minute, never earlier', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0, 250);
    expect(onTimerGrid(now, 0)).toBe(0);
    expect(onTimerGrid(now, 40)).toBe(40);
    expect(onTimerGrid(now, 999)).toBe(999);
    expect(onTimerGrid(now, 1_500)).toBe(1_750); // ends at 00:00:02.000
    expect(onTimerGrid(now, 30_000)).toBe(30_750); // 00:00:31.000
    expect(onTimerGrid(now, 6 * 3_600_000)).toBe(6 * 3_600_000 + 60_000 - 250); // 06:01:00.000
    for (const ms of [1_000, 1_001, 59_999, 60_000, 61_234, 86_400_000]) {
      const d = onTimerGrid(now, ms);
      expect(d).toBeGreaterThanOrEqual(ms);
      expect(d - ms).toBeLessThan(ms >= 60_000 ? 60_000 : 1_000);
    }
  });

  it('lets many gateways’ periodic timers share one instant', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const view = meteredClock(clock, new ActivityMeter());
    const fired: number[] = [];
    // 100 gateways started 37 ms apart, each with a 6 h probe.
    for (let i = 0; i < 100; i++) {
      clock.set(Date.UTC(2026, 0, 1) + 1 + i * 37);
      view.setTimeout(() => fired.push(clock.now()), 6 * 3_600_000);
    }
    await clock.advance(7 * 3_600_000);
    expect(fired).toHaveLength(100);
    expect(new Set(fired).size).toBe(1);
  });
});
