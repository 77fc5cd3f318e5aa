import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../domain/events.js';
import { STREAMS } from './context.js';
import { changeStatus, deleteSubscriberSession, getSubscriber, setExpiryTime, setTermination } from './subscribers.js';
import { operatorWithSims, testPlatform } from './test-support.js';
import type { SessionDeleteOrder } from '../contract/network-gate.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const cell = { radioType: 'lte-m' as const, mcc: '295', mnc: '05', tac: 100, eci: 2000 };

describe('subscriber use cases on a virtual clock', () => {
  it('records every status change in the durable status-history stream', async () => {
    const { app } = testPlatform();
    const { operatorId, sims } = await operatorWithSims(app);
    const imsi = sims[0]!.imsi;
    await changeStatus(app.ctx, { operatorId }, imsi, 'activate');
    await changeStatus(app.ctx, { operatorId }, imsi, 'set_to_standby');
    await changeStatus(app.ctx, { operatorId }, imsi, 'activate');
    const history = await app.ctx.store.transaction((tx) => tx.readStream(STREAMS.statusHistory, { key: imsi }));
    expect(history.map((h) => [(h.body as { fromStatus: string }).fromStatus, (h.body as { toStatus: string }).toStatus])).toEqual([
      [null, 'ready'],
      ['ready', 'active'],
      ['active', 'standby'],
      ['standby', 'active'],
    ]);
    const fees = await app.ctx.store.transaction((tx) => tx.readStream(STREAMS.fees, { key: imsi }));
    expect(fees.map((f) => (f.body as { fee: string }).fee)).toEqual(['reactivation']);
  });

  it('fires an expiry action at its time, not before, and clears the expiry', async () => {
    const { app, clock } = testPlatform();
    const { operatorId, sims } = await operatorWithSims(app);
    const imsi = sims[0]!.imsi;
    await changeStatus(app.ctx, { operatorId }, imsi, 'activate');
    await setExpiryTime(app.ctx, { operatorId }, imsi, clock.now() + 3 * DAY, 'suspend');
    await app.scheduler.advance(clock, 3 * DAY - 1);
    expect((await getSubscriber(app.ctx, { operatorId }, imsi)).status).toBe('active');
    await app.scheduler.advance(clock, 1);
    const s = await getSubscriber(app.ctx, { operatorId }, imsi);
    expect(s.status).toBe('suspended');
    expect(s.expiryTime).toBeNull();
    expect(s.statusChangedAt).toBe(Date.UTC(2026, 0, 4));
  });

  it('terminate expiry needs protection off, and terminated subscribers vanish after 30 days', async () => {
    const { app, clock } = testPlatform();
    const { operatorId, sims } = await operatorWithSims(app);
    const imsi = sims[0]!.imsi;
    await expect(setExpiryTime(app.ctx, { operatorId }, imsi, clock.now() + DAY, 'terminate')).rejects.toMatchObject({ code: 'SEM0011' });
    await setTermination(app.ctx, { operatorId }, imsi, true);
    await setExpiryTime(app.ctx, { operatorId }, imsi, clock.now() + DAY, 'terminate');
    await app.scheduler.advance(clock, DAY);
    expect((await getSubscriber(app.ctx, { operatorId }, imsi)).status).toBe('terminated');
    await app.scheduler.advance(clock, 30 * DAY - 1);
    expect((await getSubscriber(app.ctx, { operatorId }, imsi)).status).toBe('terminated');
    await app.scheduler.advance(clock, 1);
    await expect(getSubscriber(app.ctx, { operatorId }, imsi)).rejects.toMatchObject({ code: 'SEM0001' });
  });

  it('network gate: first session activates for free, standby reactivates with a fee, suspended is refused permanently', async () => {
    const { app } = testPlatform();
    const { operatorId, sims } = await operatorWithSims(app, 2);
    const [a, b] = sims.map((s) => s.imsi) as [string, string];
    const events: DomainEvent[] = [];
    app.ctx.listeners.add((e) => events.push(e));
    expect(await app.gate.attach({ imsi: a, imei: '860000000000001' })).toEqual({ allowed: true });
    const d = await app.gate.createSession({ imsi: a, imei: '860000000000001', apn: 'soracom.io', cell });
    expect(d).toMatchObject({ allowed: true, dnsServers: ['100.127.0.53', '100.127.1.53'] });
    const sa = await getSubscriber(app.ctx, { operatorId }, a);
    expect(sa.status).toBe('active');
    expect(sa.sessionStatus).toMatchObject({ online: true, imei: '860000000000001', cell: { radioType: 'LTE-M', mcc: 295, mnc: 5 } });
    expect(events.filter((e) => e.type === 'fee-incurred')).toEqual([]);

    await changeStatus(app.ctx, { operatorId }, b, 'set_to_standby');
    await app.gate.createSession({ imsi: b, imei: '860000000000002', apn: 'soracom.io', cell });
    expect(events.filter((e) => e.type === 'fee-incurred').map((e) => e.imsi)).toEqual([b]);

    await changeStatus(app.ctx, { operatorId }, b, 'deactivate');
    expect(await app.gate.createSession({ imsi: b, imei: '860000000000002', apn: 'soracom.io', cell })).toMatchObject({ allowed: false, permanent: false });
    await changeStatus(app.ctx, { operatorId }, b, 'suspend');
    expect(await app.gate.createSession({ imsi: b, imei: '860000000000002', apn: 'soracom.io', cell })).toMatchObject({ allowed: false, permanent: true });
    expect((await getSubscriber(app.ctx, { operatorId }, b)).status).toBe('suspended');
    await changeStatus(app.ctx, { operatorId }, b, 'activate');
    await setTermination(app.ctx, { operatorId }, b, true);
    await changeStatus(app.ctx, { operatorId }, b, 'terminate');
    expect(await app.gate.attach({ imsi: b, imei: '860000000000002' })).toEqual({ allowed: false, emmCause: 7 });
    expect(await app.gate.attach({ imsi: '999999999999999', imei: '860000000000002' })).toEqual({ allowed: false, emmCause: 7 });
  });

  it('delete_session orders the radio side to drop the session; offline is SEM0016', async () => {
    const { app } = testPlatform();
    const { operatorId, sims } = await operatorWithSims(app);
    const imsi = sims[0]!.imsi;
    const orders: SessionDeleteOrder[] = [];
    app.gate.onSessionDeleteOrder((o) => orders.push(o));
    await expect(deleteSubscriberSession(app.ctx, { operatorId }, imsi)).rejects.toMatchObject({ code: 'SEM0016' });
    const d = await app.gate.createSession({ imsi, imei: '860000000000001', apn: 'soracom.io', cell });
    if (!d.allowed) throw new Error('refused');
    const s = await deleteSubscriberSession(app.ctx, { operatorId }, imsi);
    expect(s.sessionStatus?.online).toBe(false);
    expect(orders).toEqual([{ imsi, sessionId: d.sessionId }]);
  });

  it('closes a session the device never closed after the idle timeout; usage keeps it alive', async () => {
    const { app, clock } = testPlatform({ sessionIdleTimeoutMs: HOUR });
    const { operatorId, sims } = await operatorWithSims(app);
    const imsi = sims[0]!.imsi;
    const d = await app.gate.createSession({ imsi, imei: '860000000000001', apn: 'soracom.io', cell });
    if (!d.allowed) throw new Error('refused');
    await app.scheduler.advance(clock, 50 * 60_000);
    await app.gate.reportUsage({ imsi, sessionId: d.sessionId, uplinkBytes: 10, downlinkBytes: 20 });
    await app.scheduler.advance(clock, 50 * 60_000);
    expect((await getSubscriber(app.ctx, { operatorId }, imsi)).sessionStatus?.online).toBe(true);
    await app.scheduler.advance(clock, 10 * 60_000);
    const s = await getSubscriber(app.ctx, { operatorId }, imsi);
    expect(s.sessionStatus?.online).toBe(false);
    expect(s.previousSession?.deletedTime).toBe(Date.UTC(2026, 0, 1) + 110 * 60_000);
    const events = await app.ctx.store.transaction((tx) => tx.readStream(STREAMS.sessionEvents, { key: imsi }));
    expect(events.map((e) => (e.body as { event: string }).event)).toEqual(['Created', 'Deleted']);
  });
});

describe('session modification', () => {
  it('records Modified when the IMEI or cell changes, nothing when it does not', async () => {
    const { app } = testPlatform();
    const { sims } = await operatorWithSims(app);
    const imsi = sims[0]!.imsi;
    const d = await app.gate.createSession({ imsi, imei: '860000000000001', apn: 'soracom.io', cell });
    if (!d.allowed) throw new Error('refused');
    await app.gate.modifySession({ imsi, sessionId: d.sessionId, imei: '860000000000001', apn: 'soracom.io', cell });
    await app.gate.modifySession({ imsi, sessionId: d.sessionId, imei: '860000000000001', apn: 'soracom.io', cell: { ...cell, eci: 2001 } });
    await app.gate.closeSession({ imsi, sessionId: d.sessionId, reason: 'device' });
    const events = await app.ctx.store.transaction((tx) => tx.readStream(STREAMS.sessionEvents, { key: imsi }));
    expect(events.map((e) => [(e.body as { event: string }).event, (e.body as { cell?: { eci: number } }).cell?.eci])).toEqual([
      ['Created', 2000],
      ['Modified', 2001],
      ['Deleted', 2001],
    ]);
  });
});
