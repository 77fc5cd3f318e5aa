import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../common/clock.js';
import {
  completeProvisioning,
  confirmProfileOrder,
  createProfileOrder,
  deleteProfileOrder,
  expireDraftOrder,
  failProvisioning,
  profileOrderDueAt,
  startProvisioning,
  toProfileOrderResponse,
  type CreateProfileOrderRequest,
  type ProfileOrder,
  type ProvisioningOutcome,
} from './profile-order.js';
import { isValidIccid } from './profile-identifiers.js';
import { OPERATOR, SMDP, countingBytes, pool } from './test-fixtures.js';

const T0 = Date.UTC(2025, 5, 19, 0, 23, 5);
const HOUR = 3_600_000;

function create(request: Partial<CreateProfileOrderRequest> = {}, channel: 'api' | 'console' = 'api', now = T0) {
  return createProfileOrder({ profileOrderId: 'order-1', operatorId: OPERATOR, request: { subscription: 'plan01s', quantity: 3, ...request }, channel, now });
}

function draft(request: Partial<CreateProfileOrderRequest> = {}): ProfileOrder {
  const r = create(request);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.order;
}

describe('createProfileOrder', () => {
  it('starts an API order as DRAFT with the API response shape', () => {
    const order = draft({ quantity: 10, speedClass: 's1.4xfast', description: 'This is a test order' });
    expect(toProfileOrderResponse(order)).toEqual({
      profileOrderId: 'order-1',
      subscription: 'plan01s',
      quantity: 10,
      status: 'DRAFT',
      orderedTime: T0,
      speedClass: 's1.4xfast',
      description: 'This is a test order',
      bundles: [],
    });
  });

  it('confirms a console order at once', () => {
    const r = create({}, 'console');
    expect(r.ok && r.value.order).toMatchObject({ status: 'CONFIRMED', confirmedTime: T0 });
  });

  it('takes plan01s, planX1 and planP1 and 1 to 20 profiles; defaults the speed class', () => {
    for (const subscription of ['plan01s', 'planX1', 'planP1']) expect(create({ subscription }).ok).toBe(true);
    expect(create({ quantity: 1 }).ok).toBe(true);
    expect(create({ quantity: 20 }).ok).toBe(true);
    expect(draft().speedClass).toBe('s1.standard');
  });

  it.each([
    [{ subscription: 'plan-D' }, 'EPO0001'],
    [{ subscription: 'planX3' }, 'EPO0001'],
    [{ quantity: 0 }, 'EPO0002'],
    [{ quantity: 21 }, 'EPO0002'],
    [{ quantity: 2.5 }, 'EPO0002'],
    [{ speedClass: 'u1.standard' }, 'EPO0003'],
    [{ speedClass: 's1.8xfast' }, 'EPO0003'],
    [{ description: 'x'.repeat(101) }, 'EPO0004'],
  ])('refuses %o with %s', (request, code) => {
    const r = create(request as Partial<CreateProfileOrderRequest>);
    expect(r.ok ? 'ok' : r.error.code).toBe(code);
  });
});

describe('draft lifetime', () => {
  it('confirms a draft within 24 h; confirming twice or deleting a confirmed order is refused', () => {
    const order = draft();
    const confirmed = confirmProfileOrder({ order, now: T0 + 24 * HOUR - 1 });
    expect(confirmed.ok && confirmed.value.order).toMatchObject({ status: 'CONFIRMED', confirmedTime: T0 + 24 * HOUR - 1 });
    if (!confirmed.ok) return;
    expect(confirmProfileOrder({ order: confirmed.value.order, now: T0 + 1 })).toMatchObject({ ok: false, error: { code: 'EPO0006' } });
    expect(deleteProfileOrder({ order: confirmed.value.order, now: T0 + 1 })).toMatchObject({ ok: false, error: { code: 'EPO0006' } });
  });

  it('deletes an unconfirmed draft', () => {
    expect(deleteProfileOrder({ order: draft(), now: T0 + HOUR }).ok).toBe(true);
  });

  it('deletes a draft not confirmed within 24 hours, driven by a virtual clock', async () => {
    const clock = new VirtualClock(T0);
    const order = draft();
    const due = profileOrderDueAt(order)!;
    expect(due).toEqual({ step: 'expire-draft', at: T0 + 24 * HOUR });
    await clock.advance(24 * HOUR - 1);
    expect(expireDraftOrder({ order, now: clock.now() })).toBeUndefined();
    await clock.advanceTo(due.at);
    expect(expireDraftOrder({ order, now: clock.now() })).toEqual({ deleted: order });
    expect(confirmProfileOrder({ order, now: clock.now() })).toMatchObject({ ok: false, error: { code: 'EPO0007', kind: 'not-found' } });
  });
});

describe('provisioning', () => {
  /** The scheduler: run whatever step is due until the order is final. */
  async function drive(order: ProfileOrder, clock: VirtualClock, allocate = pool(100)): Promise<ProvisioningOutcome> {
    let outcome: ProvisioningOutcome | undefined;
    for (let due = profileOrderDueAt(order); due; due = profileOrderDueAt(order)) {
      await clock.advanceTo(due.at);
      const r =
        due.step === 'start-provisioning'
          ? startProvisioning({ order, now: clock.now() })
          : completeProvisioning({ order, allocate, randomBytes: countingBytes(), smdpAddress: SMDP, now: clock.now() });
      if (!r.ok) throw new Error(r.error.message);
      order = r.value.order;
      if (due.step === 'provision') outcome = r.value as ProvisioningOutcome;
    }
    return outcome!;
  }

  it('goes CONFIRMED → IN_PROGRESS → COMPLETED asynchronously and provisions one ready subscriber per profile', async () => {
    const clock = new VirtualClock(T0);
    const confirmed = confirmProfileOrder({ order: draft({ subscription: 'planX1', speedClass: 's1.fast' }), now: T0 });
    if (!confirmed.ok) throw new Error();
    expect(profileOrderDueAt(confirmed.value.order)).toEqual({ step: 'start-provisioning', at: T0 + 5_000 });
    const started = startProvisioning({ order: confirmed.value.order, now: T0 + 5_000 });
    expect(started.ok && profileOrderDueAt(started.value.order)).toEqual({ step: 'provision', at: T0 + 5_000 + 3 * 10_000 });

    const { order, profiles, subscribers, events } = await drive(confirmed.value.order, clock);
    expect(order).toMatchObject({ status: 'COMPLETED', completedTime: T0 + 35_000 });
    expect(toProfileOrderResponse(order)).toMatchObject({ status: 'COMPLETED', confirmedTime: T0, completedTime: T0 + 35_000 });
    expect(profiles).toHaveLength(3);
    expect(new Set(profiles.map((p) => p.matchingId)).size).toBe(3);
    for (const p of profiles) {
      expect(isValidIccid(p.iccid)).toBe(true);
      expect(p).toMatchObject({ subscription: 'planX1', smdpAddress: SMDP, profileStatus: 'SUBSCRIBER_REGISTRATION_SUCCEEDED', createdTime: T0 + 35_000, installedTime: null });
      expect(p.activationCode).toBe(`LPA:1$${SMDP}$${p.matchingId}`);
    }
    expect(subscribers.map((s) => [s.imsi, s.status, s.subscription, s.speedClass, s.operatorId])).toEqual(
      profiles.map((p) => [p.imsi, 'ready', 'planX1', 's1.fast', OPERATOR]),
    );
    expect(subscribers[0]!.iccid).toBe(profiles[0]!.iccid);
    expect(events).toEqual(profiles.map((p) => ({ type: 'fee-incurred', fee: 'esim-profile-initial', imsi: p.imsi, operatorId: OPERATOR, coverageType: 'g', subscription: 'planX1', at: T0 + 35_000 })));
    expect(profileOrderDueAt(order)).toBeUndefined();
  });

  it('fails with a reason and creates nothing when the number pool runs dry', async () => {
    const clock = new VirtualClock(T0);
    const confirmed = create({ quantity: 3 }, 'console');
    if (!confirmed.ok) throw new Error();
    const outcome = await drive(confirmed.value.order, clock, pool(2));
    expect(outcome.order).toMatchObject({ status: 'FAILED', failureReason: 'no SIM identity left for profile 3 of 3' });
    expect(toProfileOrderResponse(outcome.order)).toMatchObject({ status: 'FAILED', failureReason: 'no SIM identity left for profile 3 of 3' });
    expect(outcome.profiles).toEqual([]);
    expect(outcome.events).toEqual([]);
  });

  it('refuses steps out of order', () => {
    const order = draft();
    expect(startProvisioning({ order, now: T0 })).toMatchObject({ ok: false, error: { code: 'EPO0008' } });
    expect(completeProvisioning({ order, allocate: pool(3), randomBytes: countingBytes(), smdpAddress: SMDP, now: T0 })).toMatchObject({ ok: false, error: { code: 'EPO0008' } });
    expect(failProvisioning({ order, reason: 'x', now: T0 })).toMatchObject({ ok: false, error: { code: 'EPO0008' } });
  });
});
