import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOperator } from './accounts.js';
import { computeStatement, getBilling, getBillingHistory, recordOneOffFee } from './billing.js';
import { FeeScheduleLoadError, loadFeeSchedules } from './fee-schedules.js';
import { getPaymentMethod, hasOutstandingCharges, hasValidPaymentMethod, listCharges, registerCreditCard } from './payments.js';
import { changeStatus, createSandboxSubscriber, insertSandboxUsage, registerSubscriber } from './subscribers.js';
import { testPlatform } from './test-support.js';
import { createPlatformApp } from './platform-app.js';
import type { PlatformApp } from './platform-app.js';
import type { CoverageType } from '../domain/ids.js';
import type { Subscription } from '../domain/subscriber.js';

const DAY = 86_400_000;

async function simOf(app: PlatformApp, operatorId: string, coverage: CoverageType, subscription: Subscription): Promise<string> {
  const sim = await createSandboxSubscriber(app.ctx, operatorId, coverage, { subscription });
  await registerSubscriber(app.ctx, { operatorId, coverageType: coverage }, sim.imsi, { registrationSecret: sim.registrationSecret });
  return sim.imsi;
}

let n = 0;
const newOp = async (app: PlatformApp, registerPaymentMethod = true) =>
  (await createOperator(app.ctx, { email: `bill${n++}@example.com`, password: 'p@ssw0rd!', coverageTypes: ['g', 'jp'], registerPaymentMethod })).operatorId;

describe('billing from the store streams', () => {
  it('rates a plan01s SIM active all January plus its data, and closes the month on the 1st', async () => {
    const { app, clock } = testPlatform();
    const op = await newOp(app);
    const imsi = await simOf(app, op, 'g', 'plan01s');
    await changeStatus(app.ctx, { operatorId: op }, imsi, 'activate');
    // 2 MB at s1.standard (no speed-class rate: plan rate USD 0.08/MB) on Jan 10.
    await insertSandboxUsage(app.ctx, { operatorId: op }, imsi, { unixtime: (Date.UTC(2026, 0, 10) / 1000) | 0, dataTrafficStatsMap: { 's1.standard': { uploadByteSizeTotal: 1_000_000, downloadByteSizeTotal: 1_000_000 } } });
    await app.scheduler.advance(clock, 30 * DAY);
    expect((await getBillingHistory(app.ctx, op, 'g')).billList).toEqual([]);
    const open = await getBilling(app.ctx, op, 'g', '202601');
    expect(open).toMatchObject({ state: 'temporary', amount: 1.96 });
    await app.scheduler.advance(clock, DAY); // → 2026-02-01 00:00 UTC: month close
    const history = await getBillingHistory(app.ctx, op, 'g');
    // 31 days × 0.06 + 2 MB × 0.08 = 1.86 + 0.16
    expect(history.billList).toEqual([{ yearMonth: '202601', amount: 2.02, currency: 'USD', state: 'closed', paymentStatus: 'paid', paymentTransactionId: expect.any(String) }]);
    // The closed statement is persisted: later usage back-dated into January changes nothing.
    await insertSandboxUsage(app.ctx, { operatorId: op }, imsi, { unixtime: (Date.UTC(2026, 0, 20) / 1000) | 0, dataTrafficStatsMap: { 's1.standard': { uploadByteSizeTotal: 5_000_000 } } });
    expect((await getBilling(app.ctx, op, 'g', '202601')).amount).toBe(2.02);
  });

  it('bills plan-D (jp) reduced daily while ready, a suspension fee, and JST days', async () => {
    const { app, clock } = testPlatform();
    const op = await newOp(app);
    // Registered 2026-01-01 00:00 UTC = 09:00 JST on Jan 1.
    const imsi = await simOf(app, op, 'jp', 'plan-D');
    await clock.advanceTo(Date.UTC(2026, 0, 1, 14, 59)); // 23:59 JST Jan 1
    await changeStatus(app.ctx, { operatorId: op, coverageType: 'jp' }, imsi, 'activate');
    await clock.advanceTo(Date.UTC(2026, 0, 1, 15, 30)); // 00:30 JST Jan 2
    await changeStatus(app.ctx, { operatorId: op, coverageType: 'jp' }, imsi, 'suspend');
    await clock.advanceTo(Date.UTC(2026, 0, 3, 16)); // 01:00 JST Jan 4
    await app.scheduler.advance(clock, 0);
    const st = await app.ctx.store.transaction((tx) => computeStatement(app.ctx, tx, op, 'jp', '202601', clock.now()));
    const lines = st.items.map((i) => `${i.date} ${i.feeKind} ${i.amount / 1_000_000n}`);
    // Jan 1 (JST): active for a minute → dailyBasic 11; Jan 2: active then suspended → 11 + suspension 300;
    // Jan 3, Jan 4: suspended → reducedDaily 5.
    expect(lines).toEqual(['20260101 dailyBasic 11', '20260102 dailyBasic 11', '20260102 suspension 300', '20260103 reducedDaily 5', '20260104 reducedDaily 5']);
    expect(st.amount).toBe(332_000_000n);
  });

  it('rates one-off fees from the fees stream but not the reactivation records (derived from history)', async () => {
    const { app } = testPlatform();
    const op = await newOp(app);
    const imsi = await simOf(app, op, 'g', 'plan01s');
    await changeStatus(app.ctx, { operatorId: op }, imsi, 'set_to_standby');
    await changeStatus(app.ctx, { operatorId: op }, imsi, 'activate'); // reactivation 0.50, once
    await app.ctx.store.transaction((tx) => recordOneOffFee(tx, { fee: 'simTransfer', imsi, operatorId: op, coverageType: 'g', subscription: 'plan01s', at: app.ctx.clock.now(), reference: 'STR-1' }));
    const st = await app.ctx.store.transaction((tx) => computeStatement(app.ctx, tx, op, 'g', '202601', app.ctx.clock.now() + 1));
    expect(st.items.map((i) => i.feeKind).sort()).toEqual(['dailyBasic', 'reactivation', 'simTransfer']);
  });

  it('retries a failed monthly charge daily until a good card is registered, then is paid', async () => {
    const { app, clock } = testPlatform();
    const op = await newOp(app);
    const imsi = await simOf(app, op, 'g', 'plan01s');
    await changeStatus(app.ctx, { operatorId: op }, imsi, 'activate');
    await registerCreditCard(app.ctx, op, 'g', { number: '4000000000000341', expMonth: 1, expYear: 2030, cvc: '123' });
    await app.scheduler.advance(clock, 31 * DAY); // Feb 1: charge fails
    let [charge] = await listCharges(app.ctx, op, 'g');
    expect(charge).toMatchObject({ yearMonth: '202601', status: 'failed', attempts: 1, errorCode: 'card_declined', nextRetryTime: Date.UTC(2026, 1, 2) });
    expect(await app.ctx.store.transaction((tx) => hasOutstandingCharges(tx, op, 'g', clock.now()))).toBe(true);
    expect(await app.ctx.store.transaction((tx) => hasValidPaymentMethod(tx, op, 'g', clock.now()))).toBe(false);
    expect((await getPaymentMethod(app.ctx, op, 'g')).errorCode).toBe('card_declined');
    await app.scheduler.advance(clock, 2 * DAY); // retried on Feb 2 and Feb 3
    [charge] = await listCharges(app.ctx, op, 'g');
    expect(charge).toMatchObject({ status: 'failed', attempts: 3, nextRetryTime: Date.UTC(2026, 1, 4) });
    await clock.advanceTo(Date.UTC(2026, 1, 3, 12));
    await registerCreditCard(app.ctx, op, 'g', { number: '4242424242424242', expMonth: 1, expYear: 2030, cvc: '123' });
    [charge] = await listCharges(app.ctx, op, 'g');
    expect(charge).toMatchObject({ status: 'paid', attempts: 4, paidTime: Date.UTC(2026, 1, 3, 12) });
    expect(await app.ctx.store.transaction((tx) => hasOutstandingCharges(tx, op, 'g', clock.now()))).toBe(false);
    expect(await app.ctx.store.transaction((tx) => hasValidPaymentMethod(tx, op, 'g', clock.now()))).toBe(true);
    const job = await app.ctx.store.transaction((tx) => tx.getJob(`payment-retry:${op}:g`));
    expect(job).toBeNull();
    expect((await getBillingHistory(app.ctx, op, 'g')).billList[0]).toMatchObject({ yearMonth: '202601', paymentStatus: 'paid' });
  });

  it('leaves the charge outstanding without a payment method; the operator record follows the method', async () => {
    const { app, clock } = testPlatform();
    const op = await newOp(app, false);
    const imsi = await simOf(app, op, 'g', 'plan01s');
    await changeStatus(app.ctx, { operatorId: op }, imsi, 'activate');
    expect(await app.ctx.store.transaction((tx) => hasValidPaymentMethod(tx, op, 'g'))).toBe(false);
    await app.scheduler.advance(clock, 31 * DAY);
    expect((await listCharges(app.ctx, op, 'g'))[0]).toMatchObject({ status: 'pending' });
    expect(await app.ctx.store.transaction((tx) => hasOutstandingCharges(tx, op, 'g', clock.now()))).toBe(true);
    await registerCreditCard(app.ctx, op, 'g', { number: '5555555555554444', expMonth: 1, expYear: 2030, cvc: '123' });
    const record = await app.ctx.store.transaction((tx) => tx.get<{ coverage: Record<string, { paymentMethod: unknown }> }>('operator', op));
    expect(record!.coverage.g!.paymentMethod).toEqual({ providerType: 'creditCard', valid: true, properties: { brand: 'MasterCard', last4: '4444', expMonth: 1, expYear: 2030 } });
    expect((await listCharges(app.ctx, op, 'g'))[0]).toMatchObject({ status: 'paid' });
  });
});

describe('month close across a restart', () => {
  it('closes and charges a month that ended while the platform was down, once', async () => {
    const { app, clock, store } = testPlatform();
    const op = await newOp(app);
    const imsi = await simOf(app, op, 'g', 'plan01s');
    await changeStatus(app.ctx, { operatorId: op }, imsi, 'activate');
    await app.scheduler.advance(clock, 20 * DAY);
    await app.stop();
    await clock.advanceTo(Date.UTC(2026, 1, 3)); // down over Feb 1
    const again = createPlatformApp({ store, clock });
    again.start();
    await vi.waitFor(async () => expect((await getBillingHistory(again.ctx, op, 'g')).billList).toHaveLength(1));
    expect((await getBillingHistory(again.ctx, op, 'g')).billList[0]).toMatchObject({ yearMonth: '202601', amount: 1.86, paymentStatus: 'paid' });
    await again.scheduler.advance(clock, 40 * DAY);
    const charges = await listCharges(again.ctx, op, 'g');
    expect(charges.map((c) => c.yearMonth)).toEqual(['202602', '202601']);
    await again.stop();
  });
});

describe('fee schedule loading', () => {
  it('loads a user directory and refuses a broken file naming the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fees-'));
    for (const c of ['g', 'jp']) writeFileSync(join(dir, `${c}.json`), readFileSync(join(import.meta.dirname, '..', 'fees', `${c}.json`)));
    const g = JSON.parse(readFileSync(join(dir, 'g.json'), 'utf8'));
    g.plans.plan01s.dailyBasic.amount = '0.07';
    writeFileSync(join(dir, 'g.json'), JSON.stringify(g));
    expect(loadFeeSchedules(dir).g.plans.plan01s!.dailyBasic!.rate.amount).toBe(70_000n);
    g.plans.plan01s.dailyBasic.amount = 0.07;
    writeFileSync(join(dir, 'g.json'), JSON.stringify(g));
    expect(() => loadFeeSchedules(dir)).toThrow(FeeScheduleLoadError);
    expect(() => loadFeeSchedules(dir)).toThrow(/plans\.plan01s\.dailyBasic\.amount/);
  });
});
