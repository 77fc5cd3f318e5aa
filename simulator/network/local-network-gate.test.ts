import { describe, expect, it } from 'vitest';
import { LocalNetworkGate } from './local-network-gate.js';

const cell = { radioType: 'lte-m' as const, mcc: '440', mnc: '10', tac: 1, eci: 2 };

describe('LocalNetworkGate', () => {
  it('allows attach unless a reject cause is configured (per IMSI or for all)', async () => {
    const gate = new LocalNetworkGate();
    expect(await gate.attach({ imsi: '1', imei: 'a' })).toEqual({ allowed: true });
    gate.setAttachReject('1', 7);
    expect(await gate.attach({ imsi: '1', imei: 'a' })).toEqual({ allowed: false, emmCause: 7 });
    expect(await gate.attach({ imsi: '2', imei: 'a' })).toEqual({ allowed: true });
    gate.setAttachReject('*', 22);
    expect(await gate.attach({ imsi: '2', imei: 'a' })).toEqual({ allowed: false, emmCause: 22 });
  });

  it('hands out addresses from the pool, reuses them, and refuses when it runs dry', async () => {
    const gate = new LocalNetworkGate({ ipPool: '192.168.7.0/30' });
    const first = await gate.createSession({ imsi: '1', imei: 'a', apn: 'x', cell });
    const second = await gate.createSession({ imsi: '2', imei: 'b', apn: 'x', cell });
    expect(first).toMatchObject({ allowed: true, ueIpAddress: '192.168.7.1' });
    expect(second).toMatchObject({ allowed: true, ueIpAddress: '192.168.7.2' });
    expect(await gate.createSession({ imsi: '3', imei: 'c', apn: 'x', cell })).toEqual({ allowed: false, esmCause: 26, permanent: false });
    if (!first.allowed) throw new Error('unreachable');
    await gate.closeSession({ imsi: '1', sessionId: first.sessionId, reason: 'device' });
    expect(await gate.createSession({ imsi: '3', imei: 'c', apn: 'x', cell })).toMatchObject({ ueIpAddress: '192.168.7.1' });
  });

  it('refuses sessions with a configured ESM cause, counts usage, and pushes delete orders', async () => {
    const gate = new LocalNetworkGate();
    gate.setSessionRefusal('9', { esmCause: 33, permanent: true });
    expect(await gate.createSession({ imsi: '9', imei: 'a', apn: 'x', cell })).toEqual({ allowed: false, esmCause: 33, permanent: true });
    const s = await gate.createSession({ imsi: '1', imei: 'a', apn: 'x', cell });
    if (!s.allowed) throw new Error('expected a session');
    await gate.reportUsage({ imsi: '1', sessionId: s.sessionId, uplinkBytes: 10, downlinkBytes: 20 });
    await gate.reportUsage({ imsi: '1', sessionId: s.sessionId, uplinkBytes: 1, downlinkBytes: 2 });
    expect(gate.usage('1')).toEqual({ uplinkBytes: 11, downlinkBytes: 22 });
    const orders: unknown[] = [];
    gate.onSessionDeleteOrder((o) => orders.push(o));
    expect(gate.deleteSession('1')).toBe(1);
    expect(orders).toEqual([{ imsi: '1', sessionId: s.sessionId }]);
    expect(gate.listSessions()).toEqual([]);
    expect(() => new LocalNetworkGate({ ipPool: 'nonsense' })).toThrow(/invalid IPv4 pool/);
  });
});
