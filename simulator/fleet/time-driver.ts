/**
 * Moves one shared clock for the whole fleet (platform, modems, agents).
 *
 * Virtual mode — the algorithm (docs/fleet.md "How virtual time is driven"):
 *  1. settle: give the event loop turns (`setImmediate`) until the fleet is quiet, i.e. for
 *     `quietTurns` consecutive turns no timer was set or cleared, no modem wrote a byte and no
 *     network-gate call is in flight. Real I/O (the in-process serial ports, the platform's SQLite
 *     and HTTP) finishes here while virtual time stands still, so a command's answer is never
 *     overtaken by its own timeout.
 *  2. hop: jump to the earliest pending timer (never past the target) and fire every timer due
 *     at that instant (through the platform scheduler's `advance` when given, so each job sees
 *     its own due time).
 *  3. repeat until the target time.
 * An idle month therefore costs one hop per distinct timer instant, not one per millisecond.
 *
 * Real mode: the wall clock runs; the driver only sleeps until the target.
 */
import { sleepOn, type Clock, type TimerHandle, type VirtualClock } from '../../common/clock.js';
import type { NetworkGate } from '../../platform/contract/network-gate.js';

/** Counts what the fleet is doing so the driver can tell when it is quiet. */
export class ActivityMeter {
  private ticks = 0;
  private inFlight = 0;
  private holds = 0;
  private readonly probes: Array<() => boolean> = [];

  /**
   * Adds a check that holds time still while it says busy. It is asked on every event-loop turn
   * of a settle: prefer `hold` (O(1)) for anything a fleet has thousands of.
   */
  addProbe(busy: () => boolean): void {
    this.probes.push(busy);
  }

  /**
   * Holds time still until the returned release is called (once; later calls do nothing). A
   * host reports "my link is connecting" this way, so asking whether anything is busy costs the
   * same for ten gateways as for ten thousand.
   */
  hold(): () => void {
    this.holds++;
    this.ticks++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.ticks++;
    };
  }

  /** Holds in force (hosts connecting, see `hold`). */
  get held(): number {
    return this.holds;
  }

  bump(): void {
    this.ticks++;
  }
  /** Wraps an async call that must finish before virtual time moves on. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.ticks++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      this.ticks++;
    }
  }
  /** A value that changes whenever anything happened; `busy` while calls are in flight. */
  snapshot(): { ticks: number; busy: boolean } {
    return { ticks: this.ticks, busy: this.inFlight > 0 || this.holds > 0 || this.probes.some((busy) => busy()) };
  }
}

/**
 * [choice] The timer grid of a virtual-time fleet (docs/fleet.md, "Timer grid"): a delay of
 * 1 s or more ends on the next whole second, one of 1 min or more on the next whole minute of
 * the clock; shorter delays (simulated AT latencies, command round trips) stay exact. A timer is
 * never early and at most a grid step late (≤ 1 s late on a 30 s ack timeout, ≤ 1 min on a 6 h
 * liveness probe), and the thousands of gateways' periodic timers fall on the same few instants,
 * so the driver makes one hop for them instead of one per gateway.
 */
export function onTimerGrid(now: number, ms: number): number {
  const step = ms >= 60_000 ? 60_000 : ms >= 1_000 ? 1_000 : 0;
  if (step === 0) return ms;
  return Math.ceil((now + ms) / step) * step - now;
}

/**
 * A `Clock` view of the shared clock for the whole fleet that reports every timer set or cleared
 * to the meter, so the driver can tell a quiet fleet from a busy one; with `grid` (the default)
 * delays are put on the timer grid (`onTimerGrid`).
 */
export function meteredClock(clock: Clock, meter: ActivityMeter, options: { grid?: boolean } = {}): Clock {
  const grid = options.grid ?? true;
  const view: Clock = {
    now: () => clock.now(),
    setTimeout(fn: () => void, ms: number): TimerHandle {
      meter.bump();
      return clock.setTimeout(fn, grid ? onTimerGrid(clock.now(), ms) : ms);
    },
    clearTimeout(handle: TimerHandle): void {
      meter.bump();
      clock.clearTimeout(handle);
    },
    sleep: (ms, signal) => sleepOn(view, ms, signal),
  };
  return view;
}

export interface TimeDriver {
  readonly mode: 'virtual' | 'real';
  now(): number;
  /** Moves time to `target`, calling `onProgress` now and then. */
  runUntil(target: number, onProgress?: () => void): Promise<void>;
  /** Lets in-flight work finish without moving time (virtual) or yields once (real). */
  settle(): Promise<void>;
  /** Hops made so far (virtual mode). */
  readonly hops: number;
  /** Waits until every shard of the run got here (barrier drivers; others go on at once). */
  rendezvous?(): Promise<void>;
  /** The run is over: stop holding shared time back (barrier drivers). */
  close?(): void;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Lets the event loop run until the fleet is quiet: `quietTurns` turns in a row with no new
 * activity and nothing busy (at most `maxTurns`), so every reaction to the last clock move has
 * happened before the next one.
 */
export async function settleUntilQuiet(meter: ActivityMeter, quietTurns: number, maxTurns: number): Promise<void> {
  let quiet = 0;
  let last = meter.snapshot().ticks;
  for (let i = 0; i < maxTurns && quiet < quietTurns; i++) {
    await turn();
    const s = meter.snapshot();
    quiet = s.ticks === last && !s.busy ? quiet + 1 : 0;
    last = s.ticks;
  }
}

export interface VirtualDriverOptions {
  clock: VirtualClock;
  meter: ActivityMeter;
  /** Moves the clock by `ms` (default `clock.advance`); the platform scheduler's advance. */
  advance?: (ms: number) => Promise<void>;
  /** Consecutive quiet event-loop turns that count as settled (default 3). */
  quietTurns?: number;
  /** Gives up settling after this many turns (a gateway chattering forever; default 5000). */
  maxTurns?: number;
}

export class VirtualTimeDriver implements TimeDriver {
  readonly mode = 'virtual' as const;
  hops = 0;
  private readonly quietTurns: number;
  private readonly maxTurns: number;

  constructor(private readonly options: VirtualDriverOptions) {
    this.quietTurns = options.quietTurns ?? 3;
    this.maxTurns = options.maxTurns ?? 5000;
  }

  now(): number {
    return this.options.clock.now();
  }

  settle(): Promise<void> {
    return settleUntilQuiet(this.options.meter, this.quietTurns, this.maxTurns);
  }

  async runUntil(target: number, onProgress?: () => void): Promise<void> {
    const { clock } = this.options;
    const advance = this.options.advance ?? ((ms: number) => clock.advance(ms));
    let lastReport = 0;
    for (;;) {
      await this.settle();
      const now = clock.now();
      if (now >= target) break;
      const next = clock.nextDue();
      const hop = next === undefined ? target : Math.min(Math.max(next, now), target);
      await advance(hop - now);
      this.hops++;
      if (onProgress && this.hops - lastReport >= 200) {
        lastReport = this.hops;
        onProgress();
      }
    }
    onProgress?.();
  }
}

/** Real-time mode for soak runs: the wall clock moves; this only waits. */
export class RealTimeDriver implements TimeDriver {
  readonly mode = 'real' as const;
  readonly hops = 0;
  constructor(private readonly clock: Clock) {}
  now(): number {
    return this.clock.now();
  }
  async settle(): Promise<void> {
    await turn();
  }
  async runUntil(target: number, onProgress?: () => void): Promise<void> {
    while (this.clock.now() < target) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(1, target - this.clock.now()))));
      onProgress?.();
    }
  }
}

/** The platform's gate, with every call tracked so the driver waits for it before moving time. */
export function meteredGate(gate: NetworkGate, meter: ActivityMeter): NetworkGate {
  return {
    attach: (r) => meter.track(() => gate.attach(r)),
    createSession: (r) => meter.track(() => gate.createSession(r)),
    ...(gate.modifySession ? { modifySession: (r) => meter.track(() => gate.modifySession!(r)) } : {}),
    closeSession: (c) => meter.track(() => gate.closeSession(c)),
    reportUsage: (u) => meter.track(() => gate.reportUsage(u)),
    onSessionDeleteOrder: (handler) =>
      gate.onSessionDeleteOrder((order) => {
        meter.bump();
        handler(order);
      }),
  };
}

/** Keeps the clock moving until `pending` settle (commands whose answer needs device work). */
export async function runWhilePending(driver: TimeDriver, pending: readonly Promise<void>[]): Promise<void> {
  let done = false;
  const all = Promise.allSettled(pending).then(() => {
    done = true;
  });
  // One virtual second per real millisecond at most: MQTT over loopback keeps up with that.
  for (let i = 0; !done && i < 3600; i++) {
    if (driver.mode === 'virtual') await driver.runUntil(driver.now() + 1000);
    await new Promise((resolve) => setTimeout(resolve, driver.mode === 'virtual' ? 1 : 100));
  }
  await all;
}

/** Stops every host; agents deactivate politely, which needs the clock to keep moving. */
export async function stopWhileRunning(driver: TimeDriver, stops: readonly Promise<void>[]): Promise<void> {
  let stopped = false;
  const stopping = Promise.allSettled(stops).then(() => {
    stopped = true;
  });
  for (let i = 0; !stopped && i < 600; i++) {
    if (driver.mode === 'virtual') await driver.runUntil(driver.now() + 1000);
    else await driver.settle();
  }
  await stopping;
}
