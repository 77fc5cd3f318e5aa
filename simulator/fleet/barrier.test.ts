import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { BarrierCoordinator, BarrierTimeDriver, joinBarrier } from './barrier.js';
import { ActivityMeter } from './time-driver.js';

const START = Date.UTC(2026, 0, 1);

describe('barrier: one virtual clock for shards in other processes', () => {
  let coordinator: BarrierCoordinator | undefined;
  afterEach(async () => coordinator?.close());

  it('moves every shard and the platform through the union of their instants, in order', async () => {
    const platformClock = new VirtualClock(START);
    const platformFired: number[] = [];
    platformClock.setTimeout(() => platformFired.push(platformClock.now() - START), 2_500);
    coordinator = await BarrierCoordinator.start({ clock: platformClock, advance: (ms) => platformClock.advance(ms), shards: 2 });
    const fired: Array<[string, number]> = [];
    const shard = async (name: string, index: number, delays: number[]): Promise<void> => {
      const barrier = await joinBarrier(coordinator!.address, index);
      const clock = new VirtualClock(barrier.startTime);
      const driver = new BarrierTimeDriver({ clock, meter: new ActivityMeter(), barrier });
      for (const d of delays) clock.setTimeout(() => fired.push([name, clock.now() - START]), d);
      await driver.rendezvous();
      await driver.runUntil(START + 10_000);
      expect(clock.now()).toBe(START + 10_000);
      driver.close();
    };
    await Promise.all([shard('a', 1, [1_000, 3_000]), shard('b', 2, [2_000, 4_000, 12_000])]);
    await coordinator.allDone;
    expect(fired).toEqual([
      ['a', 1_000],
      ['b', 2_000],
      ['a', 3_000],
      ['b', 4_000],
    ]);
    expect(platformFired).toEqual([2_500]);
    expect(platformClock.now()).toBe(START + 10_000);
  });

  it('holds time until every shard applied the network orders the platform issued (they cross on another connection)', async () => {
    const platformClock = new VirtualClock(START);
    let ordersEnd = 0;
    coordinator = await BarrierCoordinator.start({ clock: platformClock, advance: (ms) => platformClock.advance(ms), shards: 2, ordersEnd: async () => ordersEnd });
    const effects: number[] = [];
    // Shard a's own order stream: an order reaches it 30 ms of wall time after the platform issued it.
    const arrivals: Array<() => void> = [];
    const feed = {
      seen: 0,
      whenSeen: (seq: number) => new Promise<void>((resolve) => (feed.seen >= seq ? resolve() : arrivals.push(resolve))),
    };
    const [a, b] = await Promise.all([
      joinBarrier(coordinator.address, 1).then((barrier) => {
        const clock = new VirtualClock(barrier.startTime);
        return { clock, driver: new BarrierTimeDriver({ clock, meter: new ActivityMeter(), barrier, orders: feed }) };
      }),
      joinBarrierPair(coordinator.address, 2),
    ]);
    // At 1 s shard a's action makes the platform issue an order (a session delete, say) whose effect
    // on the gateway follows 100 ms after it lands.
    a.clock.setTimeout(() => {
      ordersEnd = 1;
      setTimeout(() => {
        feed.seen = 1;
        a.clock.setTimeout(() => effects.push(a.clock.now() - START), 100);
        for (const resolve of arrivals.splice(0)) resolve();
      }, 30);
    }, 1_000);
    b.clock.setTimeout(() => effects.push(b.clock.now() - START), 5_000);
    await Promise.all([a.driver.runUntil(START + 10_000), b.driver.runUntil(START + 10_000)]);
    // Without the sync the clock would have jumped to b's 5 s before the order landed (effect at 5.1 s).
    expect(effects).toEqual([1_100, 5_000]);
    expect(coordinator.syncs).toBeGreaterThan(0);
    a.driver.close();
    b.driver.close();
  });

  it('holds time while one shard is busy, and lets the others go on once it is done', async () => {
    const platformClock = new VirtualClock(START);
    coordinator = await BarrierCoordinator.start({ clock: platformClock, advance: (ms) => platformClock.advance(ms), shards: 2 });
    // Every shard joins before time starts.
    const [a, b] = await Promise.all([joinBarrierPair(coordinator.address, 1), joinBarrierPair(coordinator.address, 2)]);
    let moved = false;
    const running = a.driver.runUntil(START + 5_000).then(() => (moved = true));
    // b has not asked yet (busy with real work): a may not move.
    await new Promise((r) => setTimeout(r, 50));
    expect(moved).toBe(false);
    b.driver.close();
    await running;
    expect(a.clock.now()).toBe(START + 5_000);
    a.driver.close();
  });
});

async function joinBarrierPair(address: string, index: number) {
  const barrier = await joinBarrier(address, index);
  const clock = new VirtualClock(barrier.startTime);
  return { clock, driver: new BarrierTimeDriver({ clock, meter: new ActivityMeter(), barrier }) };
}
