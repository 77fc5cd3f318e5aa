import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEsimNotification } from '../platform/app/esim-orders.js';
import { STREAMS } from '../platform/app/context.js';
import { PlatformInboxStore } from '../platform/app/device-stores.js';
import { DEVICE_STREAMS, deviceHubHandlers } from '../platform/app/devices.js';
import { ESIM_KINDS } from '../platform/app/esim-kinds.js';
import { newOperator, startTestApi, type Api, type Creds } from './platform-support.js';

let api: Api;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.platform.close());

const EID = '89049032123451234512345678901234';
const advance = (ms: number) => api.platform.scheduler.advance(api.clock, ms);

async function order(auth: Creds, body: Record<string, unknown> = { subscription: 'plan01s', quantity: 2 }) {
  return api.call('POST', '/v1/sim_profile_orders', { auth, body });
}

/** An operator with a COMPLETED order of `quantity` profiles. */
async function provisioned(quantity = 2) {
  const auth = await newOperator(api);
  const id = (await order(auth, { subscription: 'planX1', quantity, speedClass: 's1.fast' })).json().profileOrderId as string;
  await api.call('POST', `/v1/sim_profile_orders/${id}/confirm`, { auth });
  await advance(5_000 + quantity * 10_000);
  const profiles = (await api.call('GET', `/v1/sim_profile_orders/${id}/profiles`, { auth })).json() as Record<string, string>[];
  return { auth, id, profiles };
}

describe('eSIM profile orders (SPEC §1.5) through the API', () => {
  it('creates a DRAFT (201), validates input, and only a DRAFT can be deleted', async () => {
    const auth = await newOperator(api);
    const created = await order(auth, { subscription: 'plan01s', quantity: 3, description: 'pilot' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ subscription: 'plan01s', quantity: 3, status: 'DRAFT', speedClass: 's1.standard', description: 'pilot', bundles: [], orderedTime: api.clock.now() });

    const cases: [Record<string, unknown>, number, string][] = [
      [{ subscription: 'plan01s', quantity: 0 }, 400, 'EPO0002'],
      [{ subscription: 'plan01s', quantity: 21 }, 400, 'EPO0002'],
      [{ subscription: 'plan-D', quantity: 1 }, 400, 'EPO0001'],
      [{ subscription: 'plan01s', quantity: 1, speedClass: 'u1.standard' }, 400, 'EPO0003'],
      [{ subscription: 'plan01s', quantity: 1, description: 'x'.repeat(101) }, 400, 'EPO0004'],
      [{ subscription: 'plan01s' }, 400, 'COM0001'],
      [{ subscription: 'plan01s', quantity: 'many' }, 400, 'COM0001'],
      [{ subscription: 'plan01s', quantity: 1, colour: 'red' }, 400, 'COM0001'],
    ];
    for (const [body, status, code] of cases) {
      const res = await order(auth, body);
      expect([res.statusCode, res.json().code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await order(auth, { subscription: 'plan01s', quantity: 20 })).statusCode).toBe(201);

    const list = await api.call('GET', '/v1/sim_profile_orders?limit=1', { auth });
    expect(list.json()).toHaveLength(1);
    const next = list.headers['x-soracom-next-key'] as string;
    expect((await api.call('GET', `/v1/sim_profile_orders?last_evaluated_key=${next}`, { auth })).json()).toHaveLength(1);

    const id = created.json().profileOrderId as string;
    const other = await newOperator(api);
    expect((await api.call('GET', `/v1/sim_profile_orders/${id}`, { auth: other })).statusCode).toBe(404);
    expect((await api.call('DELETE', `/v1/sim_profile_orders/${id}`, { auth })).statusCode).toBe(204);
    const gone = await api.call('GET', `/v1/sim_profile_orders/${id}`, { auth });
    expect([gone.statusCode, gone.json().code]).toEqual([404, 'EPO0005']);

    const confirmed = (await order(auth)).json().profileOrderId as string;
    const c = await api.call('POST', `/v1/sim_profile_orders/${confirmed}/confirm`, { auth });
    expect(c.json()).toMatchObject({ status: 'CONFIRMED', confirmedTime: api.clock.now() });
    const del = await api.call('DELETE', `/v1/sim_profile_orders/${confirmed}`, { auth });
    expect([del.statusCode, del.json().code]).toEqual([400, 'EPO0006']);
    const again = await api.call('POST', `/v1/sim_profile_orders/${confirmed}/confirm`, { auth });
    expect([again.statusCode, again.json().code]).toEqual([400, 'EPO0006']);
  });

  it('deletes an unconfirmed draft 24 h after ordering (scheduler)', async () => {
    const root = await newOperator(api);
    const auth = (await api.call('POST', '/v1/auth', { body: { email: root.email, password: root.password, tokenTimeoutSeconds: 172_800 } })).json() as Creds;
    const id = (await order(auth)).json().profileOrderId as string;
    await advance(24 * 3_600_000 - 1);
    expect((await api.call('GET', `/v1/sim_profile_orders/${id}`, { auth })).json().status).toBe('DRAFT');
    await advance(1);
    // Gone from the list, and the order names why: it expired (not "never existed").
    const res = await api.call('GET', `/v1/sim_profile_orders/${id}`, { auth });
    expect([res.statusCode, res.json().code]).toEqual([404, 'EPO0007']);
    const confirm = await api.call('POST', `/v1/sim_profile_orders/${id}/confirm`, { auth });
    expect([confirm.statusCode, confirm.json().code]).toEqual([404, 'EPO0007']);
    expect(((await api.call('GET', '/v1/sim_profile_orders', { auth })).json() as { profileOrderId: string }[]).map((o) => o.profileOrderId)).not.toContain(id);
    // Another operator still sees no such order.
    const other = await newOperator(api);
    expect((await api.call('GET', `/v1/sim_profile_orders/${id}`, { auth: other })).json().code).toBe('EPO0005');
  });

  it('provisions asynchronously: CONFIRMED → IN_PROGRESS → COMPLETED, each profile a ready subscriber, initial fee charged', async () => {
    const auth = await newOperator(api);
    const id = (await order(auth, { subscription: 'planP1', quantity: 3 })).json().profileOrderId as string;
    await api.call('POST', `/v1/sim_profile_orders/${id}/confirm`, { auth });
    expect((await api.call('GET', `/v1/sim_profile_orders/${id}/profiles`, { auth })).json()).toEqual([]);
    await advance(5_000);
    expect((await api.call('GET', `/v1/sim_profile_orders/${id}`, { auth })).json().status).toBe('IN_PROGRESS');
    await advance(30_000 - 1);
    expect((await api.call('GET', `/v1/sim_profile_orders/${id}`, { auth })).json().status).toBe('IN_PROGRESS');
    await advance(1);
    const done = (await api.call('GET', `/v1/sim_profile_orders/${id}`, { auth })).json();
    expect(done).toMatchObject({ status: 'COMPLETED', completedTime: api.clock.now() });

    const profiles = (await api.call('GET', `/v1/sim_profile_orders/${id}/profiles`, { auth })).json() as Record<string, string>[];
    expect(profiles).toHaveLength(3);
    for (const p of profiles) {
      expect(p).toMatchObject({ profileOrderId: id, subscription: 'planP1', profileStatus: 'SUBSCRIBER_REGISTRATION_SUCCEEDED', smdpAddress: 'smdp.cellgate.local' });
      expect(p.iccid).toMatch(/^89\d{18}$/);
      expect(p.activationCode).toBe(`LPA:1$smdp.cellgate.local$${p.matchingId}`);
      const sim = (await api.call('GET', `/v1/subscribers/${p.imsi}`, { auth })).json();
      expect(sim).toMatchObject({ imsi: p.imsi, iccid: p.iccid, simId: p.iccid, operatorId: auth.operatorId, status: 'ready', subscription: 'planP1' });
      // The sandbox's test card paid the initial fees at confirmation: nothing for the monthly bill.
      const fees = await api.platform.store.transaction((tx) => tx.readStream<{ fee: string; operatorId: string }>(STREAMS.fees, { key: p.imsi }));
      expect(fees).toEqual([]);
    }
    expect(new Set(profiles.map((p) => p.imsi)).size).toBe(3);
    const statements = (await api.call('GET', '/v1/payment_statements', { auth })).json().paymentStatementsList as Record<string, unknown>[];
    expect(statements).toEqual([expect.objectContaining({ paymentMethod: 'CreditCard', paymentStatementInfo: `Order ${id}`, amount: 5.4 })]);
  });

  it('applies device notifications through the ES9+-shaped endpoint, deduplicated by EID + sequence number', async () => {
    const { auth, id, profiles } = await provisioned(1);
    const iccid = profiles[0]!.iccid!;
    const send = (seqNumber: number, event: string, extra: Record<string, unknown> = {}, who: Creds = auth) =>
      api.call('POST', '/_cellgate/es9plus/handleNotification', { auth: who, body: { eid: EID, seqNumber, event, iccid, ...extra } });

    const installed = await send(1, 'install');
    expect(installed.json()).toEqual({ iccid, profileStatus: 'INSTALLATION_SUCCEEDED', duplicate: false });
    const installedAt = api.clock.now();
    await advance(1000);
    expect((await send(1, 'install')).json()).toEqual({ iccid, profileStatus: 'INSTALLATION_SUCCEEDED', duplicate: true });
    const second = await send(2, 'install');
    expect([second.statusCode, second.json().code]).toEqual([400, 'EPO0010']);
    expect((await send(3, 'enable')).json().profileStatus).toBe('ACTIVATION_SUCCEEDED');
    // A repeat of an old notification changes nothing even after later ones.
    expect((await send(1, 'install')).json()).toMatchObject({ duplicate: true, profileStatus: 'ACTIVATION_SUCCEEDED' });
    const listed = (await api.call('GET', `/v1/sim_profile_orders/${id}/profiles`, { auth })).json()[0];
    expect(listed).toMatchObject({ profileStatus: 'ACTIVATION_SUCCEEDED', installedTime: installedAt });

    const stranger = await newOperator(api);
    const foreign = await send(4, 'disable', {}, stranger);
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'CGW0003']);
    for (const bad of [{ eid: 'abc' }, { event: 'explode' }, { seqNumber: -1 }, { iccid: 'x' }]) {
      const res = await send(5, 'disable', bad);
      expect([res.statusCode, res.json().code], JSON.stringify(bad)).toEqual([400, 'COM0001']);
    }

    // The app use case (the MQTT path calls it) shares the dedupe store.
    const r = await applyEsimNotification(api.platform.app.ctx, { eid: EID, seqNumber: 3, event: 'enable', iccid });
    expect(r.duplicate).toBe(true);
    const deleted = await applyEsimNotification(api.platform.app.ctx, { eid: EID, seqNumber: 6, event: 'delete', iccid });
    expect(deleted).toMatchObject({ outcome: 'applied', profile: { profileStatus: 'DELETION_SUCCEEDED', deletedButNotTerminated: true } });
    // Deleting the profile does not terminate its SIM.
    const imsi = profiles[0]!.imsi!;
    expect((await api.call('GET', `/v1/subscribers/${imsi}`, { auth })).json().status).toBe('ready');

    // Terminating the SIM clears the "deleted but not terminated" flag.
    const flag = async () => (await api.platform.store.transaction((tx) => tx.get<{ deletedButNotTerminated: boolean }>(ESIM_KINDS.profile, iccid)))!.deletedButNotTerminated;
    expect(await flag()).toBe(true);
    expect((await api.call('POST', `/v1/subscribers/${imsi}/enable_termination`, { auth })).statusCode).toBe(200);
    expect((await api.call('POST', `/v1/subscribers/${imsi}/terminate`, { auth })).json().status).toBe('terminated');
    expect(await flag()).toBe(false);
  });

  it('refuses a notification for an ICCID the platform does not know with a typed outcome, never a throw', async () => {
    const ctx = api.platform.app.ctx;
    const unknown = await applyEsimNotification(ctx, { eid: EID, seqNumber: 90, event: 'enable', iccid: '89423100000000000000' });
    expect(unknown).toEqual({ outcome: 'refused', duplicate: false, error: { code: 'CGW0003', message: expect.stringContaining('89423100000000000000') } });
    const malformed = await applyEsimNotification(ctx, { eid: 'nope', seqNumber: 91, event: 'enable', iccid: '89423100000000000000' });
    expect(malformed).toMatchObject({ outcome: 'refused', error: { code: 'CGW0004' } });
    // The device path records the refusal and returns normally, so the hub acknowledges the message.
    const inbox = new PlatformInboxStore(api.platform.store, () => api.clock.now());
    const handlers = deviceHubHandlers(ctx, inbox);
    await expect(
      handlers.onEsimNotification!('gw-1', { key: 'k-1', eid: EID, seqNumber: 92, operation: 'enable', iccid: '89423100000000000000', createdAt: api.clock.now() } as never),
    ).resolves.toBeUndefined();
    const log = await api.platform.store.transaction((tx) => tx.readStream<{ outcome: string; error?: { code: string } }>(DEVICE_STREAMS.esimNotifications, { key: 'gw-1' }));
    expect(log.map((r) => r.body)).toEqual([expect.objectContaining({ outcome: 'refused', error: expect.objectContaining({ code: 'CGW0003' }) })]);
  });

  it('a card payer pays the initial fees as one ORDER charge at confirmation; a declined card fails the order, never retried', async () => {
    const auth = await newOperator(api);
    const card = await api.call('POST', '/_cellgate/payment_methods/credit_card', { auth, body: { number: '4000 0000 0000 0341', expMonth: 12, expYear: 2099, cvc: '123' } });
    expect(card.statusCode).toBe(200);
    const id = (await order(auth, { subscription: 'plan01s', quantity: 2 })).json().profileOrderId as string;
    const confirmed = await api.call('POST', `/v1/sim_profile_orders/${id}/confirm`, { auth });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'FAILED', failureReason: expect.stringContaining('card_declined') });
    await advance(3 * 86_400_000);
    Object.assign(auth, (await api.call('POST', '/v1/auth', { body: { email: auth.email, password: auth.password } })).json());
    expect((await api.call('GET', `/v1/sim_profile_orders/${id}`, { auth })).json().status).toBe('FAILED');
    expect((await api.call('GET', `/v1/sim_profile_orders/${id}/profiles`, { auth })).json()).toEqual([]);
    // One attempt only: the daily retry is for monthly charges, and the manual retry too.
    await api.call('POST', '/v1/payment_methods/current/activate', { auth });
    const charges = (await api.call('GET', '/_cellgate/payment_charges', { auth })).json() as { kind: string; orderId?: string; status: string; attempts: number }[];
    expect(charges.filter((c) => c.kind === 'order')).toEqual([expect.objectContaining({ orderId: id, status: 'failed', attempts: 1 })]);
    expect((await api.call('GET', '/v1/payment_statements', { auth })).json().paymentStatementsList).toEqual([]);

    // A bank-transfer payer is not charged per order: the fees go on the monthly bill.
    const bank = await newOperator(api);
    expect((await api.call('POST', '/_cellgate/payment_methods/bank_transfer', { auth: bank, body: {} })).statusCode).toBe(200);
    const bid = (await order(bank, { subscription: 'plan01s', quantity: 1 })).json().profileOrderId as string;
    expect((await api.call('POST', `/v1/sim_profile_orders/${bid}/confirm`, { auth: bank })).json().status).toBe('CONFIRMED');
    await advance(15_000);
    const [p] = (await api.call('GET', `/v1/sim_profile_orders/${bid}/profiles`, { auth: bank })).json() as { imsi: string }[];
    const fees = await api.platform.store.transaction((tx) => tx.readStream<{ fee: string }>(STREAMS.fees, { key: p!.imsi }));
    expect(fees.map((f) => f.body.fee)).toEqual(['esim-profile-initial']);
  });

  it('exports the console CSV with the seed 002 columns and spellings', async () => {
    const { auth, id, profiles } = await provisioned(2);
    const res = await api.call('GET', `/_cellgate/sim_profile_orders/${id}/profiles.csv`, { auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe('SIM ID,IMSI,Subscription,SM-DP,Matching ID,Activation Code,Profile Status,Installed Time,Last Modified Time');
    expect(lines.filter((l) => l.includes('SUBSCRIBER_REGISTRATION_SUCCEEDEDED'))).toHaveLength(2);
    const first = lines[1]!.split(',');
    expect(first.slice(0, 7)).toEqual([profiles[0]!.iccid, profiles[0]!.imsi, 'planX1', 'smdp.cellgate.local', profiles[0]!.matchingId, profiles[0]!.activationCode, 'SUBSCRIBER_REGISTRATION_SUCCEEDEDED']);
    expect(first[7]).toBe('');
    const other = await newOperator(api);
    expect((await api.call('GET', `/_cellgate/sim_profile_orders/${id}/profiles.csv`, { auth: other })).statusCode).toBe(404);
  });
});
