import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmsDeliverOrder } from '../platform/contract/network-gate.js';
import { newOperator, newSim, startTestApi, type Api } from './platform-support.js';

/** The platform side of SMS (docs/sms.md): limits of the reference, statuses, orders, delivery. */
let api: Api;
const orders: SmsDeliverOrder[] = [];
beforeAll(async () => {
  api = await startTestApi();
  api.platform.gate.onSmsDeliverOrder((o) => orders.push(o));
});
afterAll(async () => api.platform.close());

describe('sendSms', () => {
  it('accepts up to 160 GSM characters or 70 UCS2 ones, orders delivery, and records it when reported', async () => {
    const auth = await newOperator(api, ['g', 'jp']);
    const sim = await newSim(api, auth, 'plan-D', 'jp');
    const jp = { 'x-cellgate-coverage': 'jp' };
    await api.call('POST', `/v1/subscribers/${sim.imsi}/activate`, { auth, headers: jp });
    const send = (body: unknown) => api.call('POST', `/v1/subscribers/${sim.imsi}/send_sms`, { auth, headers: jp, body });
    const ok = await send({ encodingType: 1, payload: 'x'.repeat(160) });
    expect(ok.statusCode).toBe(202);
    expect((await send({ payload: 'あ'.repeat(70) })).statusCode).toBe(202);
    const refusals: [unknown, string][] = [
      [{ encodingType: 1, payload: 'x'.repeat(161) }, 'SMS0001'],
      [{ encodingType: 1, payload: '€'.repeat(81) }, 'SMS0001'],
      [{ payload: 'あ'.repeat(71) }, 'SMS0001'],
      [{ encodingType: 1, payload: 'テスト' }, 'SMS0002'],
      [{ payload: '' }, 'SMS0001'],
      [{ encodingType: 3, payload: 'x' }, 'COM0001'],
      [{}, 'COM0001'],
    ];
    for (const [body, code] of refusals) {
      const res = await send(body);
      expect([res.statusCode, res.json().code], JSON.stringify(body).slice(0, 60)).toEqual([400, code]);
    }
    const order = orders.find((o) => o.messageId === ok.json().messageId)!;
    // The SMSC stamps JST for a jp SIM.
    expect(order).toMatchObject({ imsi: sim.imsi, originator: '900100', encoding: 'gsm7', utcOffsetMinutes: 540, sentAt: api.clock.now() });
    const list = () => api.call('GET', `/_cellgate/subscribers/${sim.imsi}/sms`, { auth, headers: jp }).then((r) => r.json() as { messageId: string; status: string }[]);
    expect((await list()).map((m) => m.status)).toEqual(['sent', 'sent']);
    await api.platform.gate.reportSmsDelivery({ imsi: sim.imsi, messageId: order.messageId, outcome: 'delivered' });
    expect((await list()).find((m) => m.messageId === order.messageId)).toMatchObject({ status: 'delivered', deliveredTime: api.clock.now() });
  });

  it('refuses SIMs that cannot take messages, and unknown MSISDNs', async () => {
    const auth = await newOperator(api);
    const sim = await newSim(api, auth);
    await api.call('POST', `/v1/subscribers/${sim.imsi}/suspend`, { auth });
    const res = await api.call('POST', `/v1/subscribers/${sim.imsi}/send_sms`, { auth, body: { payload: 'hi' } });
    expect([res.statusCode, res.json().code]).toEqual([400, 'SMS0003']);
    const unknown = await api.call('POST', '/v1/subscribers/msisdn/423000000000/send_sms', { auth, body: { payload: 'hi' } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'SEM0001']);
    const other = await newOperator(api);
    const foreign = await api.call('POST', `/v1/subscribers/msisdn/${sim.msisdn}/send_sms`, { auth: other, body: { payload: 'hi' } });
    expect(foreign.statusCode).toBe(404);
  });
});
