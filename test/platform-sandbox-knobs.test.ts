import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOperator, startTestApi, type Api } from './platform-support.js';

/** Sandbox knobs (docs/time-control.md): failures a tester scripts over HTTP (seeds 002 and 004). */
let api: Api;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.platform.close());

const OUTCOMES = '/_cellgate/sandbox/payment_methods/current/charge_outcomes';

describe('sandbox knobs', () => {
  it('makes the next eSIM provisioning fail with a reason, once', async () => {
    const auth = await newOperator(api);
    const knob = await api.call('POST', '/_cellgate/sandbox/sim_profile_orders/fail_next_provisioning', { auth, body: { reason: 'SM-DP+ unreachable' } });
    expect(knob.json()).toEqual({ reason: 'SM-DP+ unreachable' });
    const orderIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const id = (await api.call('POST', '/v1/sim_profile_orders', { auth, body: { subscription: 'planX1', quantity: 1 } })).json().profileOrderId as string;
      await api.call('POST', `/v1/sim_profile_orders/${id}/confirm`, { auth });
      orderIds.push(id);
      await api.platform.scheduler.advance(api.clock, 60_000);
    }
    const [failed, done] = await Promise.all(orderIds.map(async (id) => (await api.call('GET', `/v1/sim_profile_orders/${id}`, { auth })).json()));
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'SM-DP+ unreachable' });
    expect((await api.call('GET', `/v1/sim_profile_orders/${orderIds[0]}/profiles`, { auth })).json()).toEqual([]);
    expect(done).toMatchObject({ status: 'COMPLETED' });
  });

  it('scripts the next card charges: an order payment declined, then the card behaves again', async () => {
    const auth = await newOperator(api);
    expect((await api.call('PUT', OUTCOMES, { auth, body: { outcomes: ['expired_card'] } })).statusCode).toBe(200);
    const order = async () => {
      const id = (await api.call('POST', '/v1/sim_profile_orders', { auth, body: { subscription: 'planX1', quantity: 1 } })).json().profileOrderId as string;
      return (await api.call('POST', `/v1/sim_profile_orders/${id}/confirm`, { auth })).json();
    };
    expect(await order()).toMatchObject({ status: 'FAILED', failureReason: expect.stringContaining('expired_card') });
    expect((await api.call('GET', OUTCOMES, { auth })).json()).toEqual({ outcomes: [] });
    expect(await order()).toMatchObject({ status: 'CONFIRMED' });
  });

  it('refuses bad outcomes, and keeps payment knobs from SAM users', async () => {
    const auth = await newOperator(api);
    expect((await api.call('PUT', OUTCOMES, { auth, body: { outcomes: ['stolen_card'] } })).json()).toMatchObject({ code: 'COM0001' });
    expect((await api.call('PUT', OUTCOMES, { auth, body: { outcomes: Array(101).fill('success') } })).json()).toMatchObject({ code: 'COM0001' });
    const op = `/v1/operators/${auth.operatorId}`;
    await api.call('POST', `${op}/users/tester`, { auth, body: {} });
    await api.call('POST', `${op}/users/tester/password`, { auth, body: { password: 'tester password' } });
    await api.call('PUT', `${op}/users/tester/permission`, { auth, body: { permission: '{"statements":[{"effect":"allow","api":"*"}]}' } });
    const sam = (await api.call('POST', '/v1/auth', { body: { operatorId: auth.operatorId, userName: 'tester', password: 'tester password' } })).json();
    expect((await api.call('PUT', OUTCOMES, { auth: sam, body: { outcomes: ['success'] } })).statusCode).toBe(403);
    expect((await api.call('POST', '/_cellgate/sandbox/sim_profile_orders/fail_next_provisioning', { auth: sam, body: {} })).statusCode).toBe(200);
  });
});
