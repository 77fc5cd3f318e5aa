import { describe, expect, it } from 'vitest';
import { applyExpiry } from './expiry.js';
import { EXPIRY_ACTIONS, type ExpiryAction, type SubscriberStatus } from './subscriber.js';
import { subscriberIn } from './test-fixtures.js';

const online = {
  sessionStatus: { online: true, lastUpdatedAt: 0, imsi: '295050000000001', sessionId: 's', subscription: 'plan01s' },
  lastActivityAt: 0,
  sessionCreatedAt: 0,
};

describe('expiry actions', () => {
  const expected: Record<ExpiryAction, { status: SubscriberStatus; online: boolean }> = {
    doNothing: { status: 'active', online: true },
    deleteSession: { status: 'active', online: false },
    deactivate: { status: 'inactive', online: false },
    suspend: { status: 'suspended', online: false },
    terminate: { status: 'terminated', online: false },
  };
  it.each(EXPIRY_ACTIONS)('%s on an online active subscriber', (action) => {
    const s = subscriberIn('active', 'plan01s', { ...online, expiryTime: 100, expiryAction: action, terminationEnabled: true });
    expect(applyExpiry(s, 99)).toMatchObject({ ok: true, value: { applied: 'none' } });
    const r = applyExpiry(s, 100);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.applied).toBe(action);
    expect(r.value.subscriber.status).toBe(expected[action].status);
    expect(r.value.subscriber.sessionStatus?.online).toBe(expected[action].online);
    expect(r.value.subscriber.expiryTime).toBeNull();
  });

  it('skips terminate when protection was turned back on', () => {
    const s = subscriberIn('active', 'plan01s', { expiryTime: 100, expiryAction: 'terminate', terminationEnabled: false });
    const r = applyExpiry(s, 100);
    expect(r).toMatchObject({ ok: true, value: { applied: 'skipped', reason: 'SEM0004', subscriber: { status: 'active', expiryTime: null } } });
  });
});
