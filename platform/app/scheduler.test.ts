import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { Scheduler, nextOccurrence } from './scheduler.js';

const dir = mkdtempSync(join(tmpdir(), 'cellgate-sched-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

describe('Scheduler', () => {
  it('runs keyed jobs at their due time, in order, replacing by key', async () => {
    const clock = new VirtualClock(T0);
    const s = new Scheduler(clock, new SqliteStore(':memory:'), silentLogger());
    const ran: [string, number][] = [];
    s.handle('n', async (p) => void ran.push([(p as { id: string }).id, clock.now()]));
    s.start();
    await s.at(T0 + 3 * HOUR, 'b', 'n', { id: 'b' });
    await s.at(T0 + 1 * HOUR, 'a', 'n', { id: 'a' });
    await s.at(T0 + 2 * HOUR, 'c', 'n', { id: 'c' });
    await s.at(T0 + 4 * HOUR, 'c', 'n', { id: 'c2' });
    await s.advance(clock, 2.5 * HOUR);
    expect(ran).toEqual([['a', T0 + HOUR]]);
    await s.advance(clock, 10 * HOUR);
    expect(ran).toEqual([
      ['a', T0 + HOUR],
      ['b', T0 + 3 * HOUR],
      ['c2', T0 + 4 * HOUR],
    ]);
  });

  it('keeps a job scheduled while a run is computing its next wake-up (no lost wake-up)', async () => {
    // A use case's `at(due, …, tx)` can commit in the same group as the run's "next job due"
    // read, after it: the run then knows only the far-away recurring work, and must not
    // replace the timer the new job armed (an eSIM order then stayed CONFIRMED forever).
    const clock = new VirtualClock(T0 + 30 * 60_000);
    const inner = new SqliteStore(':memory:');
    const late: { scheduler?: Scheduler } = {};
    let injected = false;
    const store = Object.assign(Object.create(inner) as SqliteStore, {
      transaction: <T>(fn: Parameters<SqliteStore['transaction']>[0]) =>
        inner.transaction((tx) =>
          fn(
            Object.assign(Object.create(tx) as typeof tx, {
              nextJobDue: async () => {
                const next = await tx.nextJobDue();
                if (!injected && next === null) {
                  injected = true;
                  void inner.transaction((other) => late.scheduler!.at(clock.now() + 1_000, 'order-step', 'n', { id: 'order' }, other));
                }
                return next;
              },
            }),
          ) as Promise<T>,
        ),
    });
    const s = new Scheduler(clock, store, silentLogger());
    late.scheduler = s;
    const ran: unknown[] = [];
    s.handle('n', async (p) => void ran.push(p));
    await s.every('daily', { daily: { hour: 0, minute: 0 } }, async () => undefined);
    s.start();
    await s.idle();
    expect(injected).toBe(true);
    await s.advance(clock, 2_000);
    expect(ran).toEqual([{ id: 'order' }]);
  });

  it('keeps due work across a restart and runs what fell due while down', async () => {
    const path = join(dir, 'restart.sqlite');
    const clock = new VirtualClock(T0);
    const store1 = new SqliteStore(path);
    const s1 = new Scheduler(clock, store1, silentLogger());
    s1.start();
    await s1.at(T0 + HOUR, 'job', 'n', { v: 1 });
    await s1.stop();
    await store1.close();
    clock.set(T0 + 2 * HOUR);
    const s2 = new Scheduler(clock, new SqliteStore(path), silentLogger());
    const ran: unknown[] = [];
    s2.handle('n', async (p) => void ran.push(p));
    s2.start();
    await s2.idle();
    expect(ran).toEqual([{ v: 1 }]);
  });

  it('runs recurring work once per occurrence and catches up missed ones after a restart', async () => {
    const path = join(dir, 'recurring.sqlite');
    const clock = new VirtualClock(T0 + 30 * 60_000);
    const store1 = new SqliteStore(path);
    const s1 = new Scheduler(clock, store1, silentLogger());
    const runs: number[] = [];
    await s1.every('daily', { daily: { hour: 0, minute: 0 } }, async (t) => void runs.push(t));
    s1.start();
    await s1.advance(clock, 2 * 24 * HOUR);
    expect(runs).toEqual([T0 + 24 * HOUR, T0 + 48 * HOUR]);
    await s1.stop();
    await store1.close();
    clock.set(T0 + 4 * 24 * HOUR + HOUR);
    const s2 = new Scheduler(clock, new SqliteStore(path), silentLogger());
    await s2.every('daily', { daily: { hour: 0, minute: 0 } }, async (t) => void runs.push(t));
    s2.start();
    await s2.idle();
    expect(runs.slice(2)).toEqual([T0 + 72 * HOUR, T0 + 96 * HOUR]);
  });

  it('computes daily occurrences in a fixed offset and monthly ones on the given day', () => {
    // 00:00 JST is 15:00 UTC the day before.
    expect(nextOccurrence({ daily: { hour: 0, minute: 0, utcOffsetMinutes: 540 } }, T0)).toBe(T0 + 15 * HOUR);
    expect(nextOccurrence({ monthly: { day: 1, hour: 0, minute: 5 } }, T0 + 10 * 60_000)).toBe(Date.UTC(2026, 1, 1, 0, 5));
    expect(nextOccurrence({ intervalMs: 5 }, 10)).toBe(15);
  });

  it('retries a failing job a minute later instead of losing it', async () => {
    const clock = new VirtualClock(T0);
    const s = new Scheduler(clock, new SqliteStore(':memory:'), silentLogger());
    let attempts = 0;
    s.handle('flaky', async () => {
      if (++attempts === 1) throw new Error('first attempt fails');
    });
    s.start();
    await s.at(T0 + 1000, 'k', 'flaky', null);
    await s.advance(clock, 2000);
    expect(attempts).toBe(1);
    await s.advance(clock, 60_000);
    expect(attempts).toBe(2);
    await s.advance(clock, 600_000);
    expect(attempts).toBe(2);
  });
});
