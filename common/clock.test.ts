import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.js';

describe('VirtualClock', () => {
  it('fires timers in due order, only when time is advanced past them', async () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@200'), 200);
    clock.setTimeout(() => fired.push('a@100'), 100);
    clock.setTimeout(() => fired.push('c@200'), 200);
    await clock.advance(150);
    expect(fired).toEqual(['a@100']);
    expect(clock.now()).toBe(150);
    await clock.advance(50);
    expect(fired).toEqual(['a@100', 'b@200', 'c@200']);
  });

  it('runs timers scheduled by a firing timer within the same advance, at their own due time', async () => {
    const clock = new VirtualClock(0);
    const times: number[] = [];
    clock.setTimeout(() => {
      times.push(clock.now());
      clock.setTimeout(() => times.push(clock.now()), 30);
    }, 10);
    await clock.advance(100);
    expect(times).toEqual([10, 40]);
  });

  it('lets promise chains started by a timer settle before the next timer fires', async () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    void clock.sleep(10).then(async () => {
      order.push('slept');
      await Promise.resolve();
      order.push('continued');
    });
    clock.setTimeout(() => order.push('later timer'), 20);
    await clock.advance(20);
    expect(order).toEqual(['slept', 'continued', 'later timer']);
  });

  it('cancels a cleared timer and rejects an aborted sleep', async () => {
    const clock = new VirtualClock(0);
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(handle);
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stopped'));
    await expect(sleeping).rejects.toThrow('stopped');
    await clock.advance(2000);
    expect(fired).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  it('fires exactly the timers not cleared, in (due, creation) order, for any mix of set and clear', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 50 }), cleared: fc.boolean() }), { maxLength: 60 }),
        async (plan) => {
          const clock = new VirtualClock(0);
          const fired: number[] = [];
          const handles = plan.map((p, i) => clock.setTimeout(() => fired.push(i), p.delay));
          plan.forEach((p, i) => p.cleared && clock.clearTimeout(handles[i]!));
          expect(clock.pending()).toBe(plan.filter((p) => !p.cleared).length);
          await clock.advance(100);
          const expected = plan
            .map((p, i) => ({ ...p, i }))
            .filter((p) => !p.cleared)
            .sort((a, b) => a.delay - b.delay || a.i - b.i)
            .map((p) => p.i);
          expect(fired).toEqual(expected);
          expect(clock.pending()).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});
