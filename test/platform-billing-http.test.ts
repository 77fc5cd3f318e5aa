import { afterEach, describe, expect, it } from 'vitest';
import { newOperator, newSim, startTestApi, type Api, type Creds } from './platform-support.js';

const DAY = 86_400_000;
let api: Api;
afterEach(async () => api?.platform.close());

/** Moves the virtual clock (running due jobs), then signs the root user in again: tokens expire after a day. */
async function advance(root: Creds & { email: string; password: string }, ms: number): Promise<void> {
  const res = await api.call('POST', '/_cellgate/clock', { auth: root, body: { advance: ms } });
  expect(res.statusCode).toBe(200);
  const auth = await api.call('POST', '/v1/auth', { body: { email: root.email, password: root.password } });
  Object.assign(root, auth.json());
}

async function samUser(root: Creds, name: string, permission: object): Promise<Creds> {
  const op = `/v1/operators/${root.operatorId}/users/${name}`;
  expect((await api.call('POST', op, { auth: root, body: {} })).statusCode).toBe(201);
  expect((await api.call('POST', `${op}/password`, { auth: root, body: { password: 'sam password 1' } })).statusCode).toBe(201);
  expect((await api.call('PUT', `${op}/permission`, { auth: root, body: { permission: JSON.stringify(permission) } })).statusCode).toBe(200);
  const res = await api.call('POST', '/v1/auth', { body: { operatorId: root.operatorId, userName: name, password: 'sam password 1' } });
  expect(res.statusCode).toBe(200);
  return res.json() as Creds;
}

describe('billing over HTTP', () => {
  it('bills a plan01s SIM active for January, closes on Feb 1 and pays with the sandbox card', async () => {
    api = await startTestApi();
    const root = await newOperator(api);
    const sim = await newSim(api, root, 'plan01s');
    expect((await api.call('POST', `/v1/subscribers/${sim.imsi}/activate`, { auth: root })).statusCode).toBe(200);
    await advance(root, 10 * DAY);
    const latest = (await api.call('GET', '/v1/bills/latest', { auth: root })).json();
    expect(latest).toEqual({ amount: 0.6, currency: 'USD', lastEvaluatedTime: '20260111000000' });
    await advance(root, 21 * DAY); // 2026-02-01 00:00 UTC

    const list = await api.call('GET', '/v1/bills', { auth: root });
    expect(list.json().billList).toEqual([{ yearMonth: '202601', amount: 1.86, currency: 'USD', state: 'closed', paymentStatus: 'paid', paymentTransactionId: expect.any(String) }]);
    expect((await api.call('GET', '/v1/bills/202601', { auth: root })).json()).toMatchObject({ yearMonth: '202601', amount: 1.86, state: 'closed' });
    const daily = (await api.call('GET', '/v1/bills/202601/daily', { auth: root })).json().billList;
    expect(daily).toHaveLength(31);
    expect(daily[0]).toEqual({ date: '20260131', amount: 0.06, currency: 'USD' });

    const exported = await api.call('POST', '/v1/bills/202601/export', { auth: root });
    expect(exported.statusCode).toBe(200);
    const url = new URL(exported.json().url as string);
    const csv = await api.call('GET', url.pathname, { auth: root });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]).toBe('imsi,date,billItemName,unitPrice,quantity,amount');
    expect(lines).toHaveLength(32);
    expect(lines[1]).toBe(`${sim.imsi},20260101,plan01s basic fee (daily),0.06,1,0.06`);
    const other = await newOperator(api);
    expect((await api.call('GET', url.pathname, { auth: other })).statusCode).toBe(404);
    const asyncExport = (await api.call('POST', '/v1/bills/202601/export?export_mode=async', { auth: root })).json();
    expect(asyncExport.exportedFileId).toMatch(/^fe_[0-9a-f]{32}$/);

    const items = (await api.call('GET', '/v1/bills/summaries/bill_items', { auth: root })).json();
    expect(items[1]).toMatchObject({ yearMonth: '202601', costBreakdownList: [{ billItemCategory: 'Basic fee', billItemName: 'plan01s basic fee (daily)', amount: 1.86 }] });
    const sims = (await api.call('GET', '/v1/bills/summaries/sims', { auth: root })).json();
    expect(sims[1].costBreakdownList).toEqual([{ simId: sim.simId, amount: 1.86 }]);

    const statements = (await api.call('GET', '/v1/payment_statements', { auth: root })).json().paymentStatementsList;
    expect(statements).toMatchObject([{ amount: 1.86, currency: 'USD', chargedYearMonths: ['202601'], paymentMethod: 'CreditCard', paymentInstrument: 'Visa ****4242' }]);
    const tx = await api.call('GET', `/v1/payment_history/transactions/${list.json().billList[0].paymentTransactionId}`, { auth: root });
    expect(tx.json()).toMatchObject({ status: 'success', messageCode: 'success', amount: { currency: 'USD', totalAmount: 1.86 } });
  });

  it('bills jp in yen on JST days', async () => {
    api = await startTestApi();
    const root = await newOperator(api, ['g', 'jp']);
    const jp = { 'x-cellgate-coverage': 'jp' };
    await newSim(api, root, 'plan-D', 'jp'); // ready: reduced daily fee JPY 5
    await advance(root, 15 * 3_600_000); // 2026-01-01 15:00 UTC = Jan 2 00:00 JST
    const daily = (await api.call('GET', '/v1/bills/202601/daily', { auth: root, headers: jp })).json();
    expect(daily.billList).toEqual([{ date: '20260101', amount: 5, currency: 'JPY' }]);
    await advance(root, 1);
    expect((await api.call('GET', '/v1/bills/202601/daily', { auth: root, headers: jp })).json().billList.map((b: { date: string }) => b.date)).toEqual(['20260102', '20260101']);
    expect((await api.call('GET', '/v1/bills/latest', { auth: root })).json().amount).toBe(0);
  });

  it('retries a failed card daily until a good card is registered', async () => {
    api = await startTestApi();
    const root = await newOperator(api);
    const sim = await newSim(api, root, 'plan01s');
    await api.call('POST', `/v1/subscribers/${sim.imsi}/activate`, { auth: root });
    const reg = await api.call('POST', '/_cellgate/payment_methods/credit_card', { auth: root, body: { number: '4000 0000 0000 9987', expMonth: 12, expYear: 2030, cvc: '123' } });
    expect(reg.statusCode).toBe(200);
    expect(reg.json()).toMatchObject({ providerType: 'WebPay' });
    expect(reg.body).not.toContain('4000000000009987');
    await advance(root, 31 * DAY + 1);
    expect((await api.call('GET', '/v1/bills/202601', { auth: root })).json().paymentStatus).toBe('fail');
    expect((await api.call('GET', '/v1/payment_methods/current', { auth: root })).json()).toMatchObject({ errorCode: 'insufficient_funds' });
    await advance(root, 3 * DAY);
    const [charge] = (await api.call('GET', '/_cellgate/payment_charges', { auth: root })).json();
    expect(charge).toMatchObject({ yearMonth: '202601', status: 'failed', attempts: 4 });
    // Manual retry on the same card fails again; then a good card pays at once.
    expect((await api.call('POST', '/v1/payment_methods/current/activate', { auth: root })).statusCode).toBe(200);
    expect((await api.call('GET', '/_cellgate/payment_charges', { auth: root })).json()[0]).toMatchObject({ attempts: 5, status: 'failed' });
    await api.call('POST', '/_cellgate/payment_methods/credit_card', { auth: root, body: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' } });
    expect((await api.call('GET', '/v1/bills/202601', { auth: root })).json().paymentStatus).toBe('paid');
    const method = (await api.call('GET', '/v1/payment_methods/current', { auth: root })).json();
    expect(method.errorCode).toBeUndefined();
    const history = (await api.call('GET', '/_cellgate/payment_history/transactions', { auth: root })).json() as { status: string; purpose: string }[];
    expect(history.filter((t) => t.purpose === 'charge').map((t) => t.status)).toEqual(['success', 'error', 'error', 'error', 'error', 'error']);
    await advance(root, 2 * DAY);
    expect((await api.call('GET', '/_cellgate/payment_charges', { auth: root })).json()[0]).toMatchObject({ attempts: 6, status: 'paid' });
  });

  it('invoices on bank transfer and records the transfer received', async () => {
    api = await startTestApi();
    const root = await newOperator(api);
    const sim = await newSim(api, root, 'plan01s');
    await api.call('POST', `/v1/subscribers/${sim.imsi}/activate`, { auth: root });
    const bt = await api.call('POST', '/_cellgate/payment_methods/bank_transfer', { auth: root, body: { invoiceDueDays: 20 } });
    expect(bt.json()).toMatchObject({ providerType: 'BankTransfer' });
    await advance(root, 31 * DAY);
    const [charge] = (await api.call('GET', '/_cellgate/payment_charges', { auth: root })).json();
    expect(charge).toMatchObject({ status: 'invoiced', invoiceDueDate: '2026-02-21', amount: 1.86 });
    expect((await api.call('POST', '/v1/payment_methods/current/activate', { auth: root })).json().code).toBe('PAY0006');
    expect((await api.call('POST', `/_cellgate/payment_charges/${charge.chargeId}/bank_transfer_received`, { auth: root })).statusCode).toBe(200);
    const [statement] = (await api.call('GET', '/v1/payment_statements', { auth: root })).json().paymentStatementsList;
    expect(statement).toMatchObject({ paymentMethod: 'BankTransfer', amount: 1.86 });
    const exp = await api.call('POST', `/v1/payment_statements/${statement.paymentStatementId}/export`, { auth: root });
    const csv = await api.call('GET', new URL(exp.json().url).pathname, { auth: root });
    expect(csv.body).toContain(`${statement.paymentStatementId},2026-02-01T00:00:00.000Z,BankTransfer`);
  });
});

describe('payment access and bad input', () => {
  it('refuses SAM users on every payment route, even with Payment:* allowed; Billing works with permission', async () => {
    api = await startTestApi();
    const root = await newOperator(api);
    const sam = await samUser(root, 'accountant', { statements: [{ effect: 'allow', api: ['Payment:*', 'Billing:*', 'Cellgate:*'] }] });
    const payment = api.http.cellgateRoutes.filter((r) => r.spec.tag === 'Payment');
    expect(payment.length).toBeGreaterThanOrEqual(10);
    for (const r of payment) {
      const res = await api.call(r.method, r.url.replace(/:[a-z_]+/g, 'x'), { auth: sam, body: r.method === 'POST' ? {} : undefined });
      expect([r.method, r.url, res.statusCode, res.json().code]).toEqual([r.method, r.url, 403, 'AUM0006']);
    }
    expect((await api.call('GET', '/v1/bills', { auth: sam })).statusCode).toBe(200);
    expect((await api.call('GET', '/v1/payment_methods/current', { auth: root })).statusCode).toBe(200);
    const st = await api.call('POST', '/v1/payment_statements/x/export', { auth: root });
    expect([st.statusCode, st.json().code]).toEqual([404, 'PAY0010']);
    const none = await samUser(root, 'nobody', { statements: [{ effect: 'allow', api: ['Subscriber:*'] }] });
    expect((await api.call('GET', '/v1/bills', { auth: none })).statusCode).toBe(403);
  });

  it('answers malformed requests with 400 and a code, and changes nothing', async () => {
    api = await startTestApi();
    const root = await newOperator(api, ['g', 'jp']);
    const cases: [string, string, unknown, string | undefined, number, string][] = [
      ['POST', '/_cellgate/payment_methods/credit_card', { number: '4242424242424242', expMonth: 12, expYear: 2030 }, undefined, 400, 'COM0001'],
      ['POST', '/_cellgate/payment_methods/credit_card', { number: '4242424242424242', expMonth: '12', expYear: 2030, cvc: '1', extra: 1 }, undefined, 400, 'COM0001'],
      ['POST', '/_cellgate/payment_methods/credit_card', { number: 'abcd', expMonth: 13, expYear: 2030, cvc: '12' }, undefined, 400, 'PAY0005'],
      ['POST', '/_cellgate/payment_methods/credit_card', { number: '4000000000000002', expMonth: 12, expYear: 2030, cvc: '123' }, undefined, 400, 'PAY0002'],
      ['POST', '/_cellgate/payment_methods/credit_card', undefined, '{"number": ', 400, 'COM0002'],
      ['POST', '/_cellgate/payment_methods/bank_transfer', { invoiceDueDays: 0 }, undefined, 400, 'COM0001'],
      ['GET', '/v1/bills/2026-01', undefined, undefined, 400, 'BIL0006'],
      ['GET', '/v1/bills/202613/daily', undefined, undefined, 400, 'BIL0006'],
      ['POST', '/v1/bills/202601/export?export_mode=later', undefined, undefined, 400, 'COM0001'],
      ['GET', '/v1/bills/203001', undefined, undefined, 404, 'BIL0007'],
      ['GET', '/v1/payment_history/transactions/nope', undefined, undefined, 404, 'PAY0009'],
      ['POST', '/_cellgate/payment_charges/nope/bank_transfer_received', undefined, undefined, 404, 'PAY0003'],
    ];
    for (const [method, url, body, raw, status, code] of cases) {
      const res = await api.call(method, url, { auth: root, ...(body !== undefined ? { body } : {}), ...(raw !== undefined ? { raw } : {}) });
      expect([method, url, res.statusCode, res.json().code]).toEqual([method, url, status, code]);
    }
    // The sandbox card is still the method: nothing above replaced it.
    expect((await api.call('GET', '/v1/payment_methods/current', { auth: root })).json()).toMatchObject({ providerType: 'WebPay', properties: expect.stringContaining('"last4":"4242"') });
    const noMethod = await api.call('GET', '/v1/payment_methods/current', { auth: (await (async () => {
      const res = await api.call('POST', '/v1/sandbox/init', { body: { email: 'nopay@example.com', password: 'correct horse battery', registerPaymentMethod: false } });
      return res.json() as Creds;
    })()) });
    expect([noMethod.statusCode, noMethod.json().code]).toEqual([404, 'PAY0001']);
  });
});
