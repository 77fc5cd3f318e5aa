import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RealClock, VirtualClock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { ClockControl, VirtualTimeError, openVirtualClock, savedVirtualTime } from './clock-control.js';
import { Scheduler } from './scheduler.js';

const dir = mkdtempSync(join(tmpdir(), 'cellgate-clock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

function setUp(clock = new VirtualClock(T0), store = new SqliteStore(':memory:')) {
  const scheduler = new Scheduler(clock, store, silentLogger());
  scheduler.handle('own', async (p) => ({ summary: `ran ${(p as { n: number }).n}`, operatorIds: ['OP0000000001'] }));
  scheduler.handle('other', async () => ({ summary: 'secret of another operator', operatorIds: ['OP0000000002'] }));
  scheduler.handle('quiet', async () => undefined);
  scheduler.start();
  return { clock, store, scheduler, control: new ClockControl(clock, scheduler, store) };
}

describe('ClockControl', () => {
  it('runs the jobs due on the way in order and reports them, each summary to whom it concerns', async () => {
    const { scheduler, control } = setUp();
    await scheduler.at(T0 + 3 * HOUR, 'c', 'quiet', {});
    await scheduler.at(T0 + 1 * HOUR, 'a', 'own', { n: 1 });
    await scheduler.at(T0 + 2 * HOUR, 'b', 'other', {});
    await scheduler.at(T0 + 9 * HOUR, 'late', 'own', { n: 9 });
    const viewer = { admin: false as const, operatorId: 'OP0000000001' };
    const moved = await control.move({ advance: 'PT5H' }, viewer);
    expect(moved).toMatchObject({ virtual: true, from: T0, now: T0 + 5 * HOUR, ranCount: 3, truncated: false });
    expect(moved.ran).toEqual([
      { job: 'own', due: T0 + HOUR, dueIso: '2026-01-01T01:00:00.000Z', ranAt: T0 + HOUR, outcome: 'done', summary: 'ran 1' },
      { job: 'other', due: T0 + 2 * HOUR, dueIso: '2026-01-01T02:00:00.000Z', ranAt: T0 + 2 * HOUR, outcome: 'done' },
      { job: 'quiet', due: T0 + 3 * HOUR, dueIso: '2026-01-01T03:00:00.000Z', ranAt: T0 + 3 * HOUR, outcome: 'done' },
    ]);
    expect(moved.nextJobs).toEqual([{ job: 'own', due: T0 + 9 * HOUR, dueIso: '2026-01-01T09:00:00.000Z' }]);
    // The admin sees every summary and the job keys.
    const admin = await control.move({ to: '2026-01-01T10:00:00Z' }, { admin: true });
    expect(admin.ran).toEqual([{ job: 'own', jobKey: 'late', due: T0 + 9 * HOUR, dueIso: '2026-01-01T09:00:00.000Z', ranAt: T0 + 9 * HOUR, outcome: 'done', summary: 'ran 9' }]);
  });

  it('serialises concurrent moves and refuses to go backwards or to move a real clock', async () => {
    const { control } = setUp();
    const [a, b] = await Promise.all([control.move({ advance: HOUR }, { admin: true }), control.move({ advance: HOUR }, { admin: true })]);
    expect([a.from, a.now, b.from, b.now]).toEqual([T0, T0 + HOUR, T0 + HOUR, T0 + 2 * HOUR]);
    await expect(control.move({ to: T0 }, { admin: true })).rejects.toMatchObject({ code: 'CGW0002' });
    const real = setUp(new RealClock() as unknown as VirtualClock).control;
    expect(real.virtual).toBe(false);
    await expect(real.move({ advance: 1 }, { admin: true })).rejects.toMatchObject({ code: 'CGW0001' });
  });

  it('keeps the virtual time in the store: a restart resumes it, an earlier --start is refused', async () => {
    const path = join(dir, 'clock.sqlite');
    const store = new SqliteStore(path);
    const clock = await openVirtualClock(store, T0, new RealClock());
    expect(clock.now()).toBe(T0);
    const { control, scheduler } = setUp(clock, store);
    await control.move({ advance: 'P40D' }, { admin: true });
    await scheduler.stop();
    await store.close();

    const reopened = new SqliteStore(path);
    expect(await savedVirtualTime(reopened)).toBe(T0 + 40 * 24 * HOUR);
    expect((await openVirtualClock(reopened, undefined, new RealClock())).now()).toBe(T0 + 40 * 24 * HOUR);
    await expect(openVirtualClock(reopened, T0, new RealClock())).rejects.toBeInstanceOf(VirtualTimeError);
    expect((await openVirtualClock(reopened, T0 + 50 * 24 * HOUR, new RealClock())).now()).toBe(T0 + 50 * 24 * HOUR);
    await reopened.close();
  });
});
