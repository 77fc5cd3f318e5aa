import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { ActivityMeter, meteredClock, onTimerGrid } from './time-driver.js';

describe('timer grid', () => {
  it('moves delays to the next 10 ms, whole second, minute or 5 minutes, never earlier', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0, 250);
    expect(onTimerGrid(now, 0)).toBe(0);
    expect(onTimerGrid(now, 3)).toBe(10); // ends at 00:00:00.260
    expect(onTimerGrid(now, 40)).toBe(40);
    expect(onTimerGrid(now, 41)).toBe(50);
    expect(onTimerGrid(now, 999)).toBe(1_000); // 00:00:01.250
    expect(onTimerGrid(now, 1_500)).toBe(1_750); // ends at 00:00:02.000
    expect(onTimerGrid(now, 30_000)).toBe(30_750); // 00:00:31.000
    expect(onTimerGrid(now, 30 * 60_000)).toBe(30 * 60_000 + 60_000 - 250); // 00:31:00.000
    expect(onTimerGrid(now, 6 * 3_600_000)).toBe(6 * 3_600_000 + 300_000 - 250); // 06:05:00.000
    const step = (ms: number): number => (ms >= 3_600_000 ? 300_000 : ms >= 60_000 ? 60_000 : ms >= 1_000 ? 1_000 : 10);
    for (const ms of [1, 9, 10, 11, 999, 1_000, 1_001, 59_999, 60_000, 61_234, 3_599_999, 3_600_000, 86_400_000]) {
      const d = onTimerGrid(now, ms);
      expect(d).toBeGreaterThanOrEqual(ms);
      expect(d - ms).toBeLessThan(step(ms));
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
