import { describe, expect, it } from 'vitest';
import { getBillingPerDay, getBillingSummaryOfBillItems, getBillingSummaryOfSims, getLatestBilling } from './billing.js';
import { STATEMENT_REUSE_MS } from './statement-memo.js';
import { changeStatus, insertSandboxUsage } from './subscribers.js';
import { operatorWithSims, testPlatform } from './test-support.js';

/**
 * The open month's statement is rated once for the several Billing API reads of a console page,
 * and a kept one never hides a change: new records, a new day, or time passing beyond the bound.
 * `lastEvaluatedTime` / `updatedTime` say which evaluation a read shows ("when calculated").
 */
describe('kept statements of the open month', () => {
  it('answers the reads of one page from one evaluation, with the same figures a fresh one gives', async () => {
    const { app, clock } = testPlatform();
    const { operatorId, sims } = await operatorWithSims(app, 3);
    await changeStatus(app.ctx, { operatorId }, sims[0]!.imsi, 'activate');
    await clock.advanceTo(Date.UTC(2026, 0, 12, 10));
    const first = await getLatestBilling(app.ctx, operatorId, 'g');
    expect(first.lastEvaluatedTime).toBe('20260112100000');
    await clock.advance(2_000);
    const items = await getBillingSummaryOfBillItems(app.ctx, operatorId, 'g');
    const perSim = await getBillingSummaryOfSims(app.ctx, operatorId, 'g');
    const daily = await getBillingPerDay(app.ctx, operatorId, 'g', '202601');
    const again = await getLatestBilling(app.ctx, operatorId, 'g');
    // One evaluation (at 10:00:00) behind every read; its figures are those of the platform now.
    expect(again).toEqual(first);
    expect(items[0]!.updatedTime).toBe(Date.UTC(2026, 0, 12, 10) / 1000);
    expect(perSim[0]!.updatedTime).toBe(Date.UTC(2026, 0, 12, 10) / 1000);
    expect(daily.billList).toHaveLength(12);
    // A platform that never kept anything gives the same amount at this instant.
    const { app: fresh, clock: freshClock } = testPlatform();
    const other = await operatorWithSims(fresh, 3);
    await changeStatus(fresh.ctx, { operatorId: other.operatorId }, other.sims[0]!.imsi, 'activate');
    await freshClock.advanceTo(clock.now());
    expect((await getLatestBilling(fresh.ctx, other.operatorId, 'g')).amount).toBe(first.amount);
  });

  it('evaluates again after a new record, a new day, or the bound', async () => {
    const { app, clock } = testPlatform();
    const { operatorId, sims } = await operatorWithSims(app, 1);
    const imsi = sims[0]!.imsi;
    await changeStatus(app.ctx, { operatorId }, imsi, 'activate');
    await clock.advanceTo(Date.UTC(2026, 0, 5, 23, 59, 55));
    const before = await getLatestBilling(app.ctx, operatorId, 'g');

    // New usage: shown at once, even one second later.
    await clock.advance(1_000);
    await insertSandboxUsage(app.ctx, { operatorId }, imsi, { unixtime: Date.UTC(2026, 0, 5, 12) / 1000, dataTrafficStatsMap: { 's1.standard': { downloadByteSizeTotal: 10_000_000 } } });
    const withUsage = await getLatestBilling(app.ctx, operatorId, 'g');
    expect(withUsage.amount).toBeGreaterThan(before.amount);
    expect(withUsage.lastEvaluatedTime).toBe('20260105235956');

    // Midnight passes 5 s later: the 6th's daily fee is there, though nothing was recorded.
    await clock.advance(5_000);
    const nextDay = await getLatestBilling(app.ctx, operatorId, 'g');
    expect(nextDay.lastEvaluatedTime).toBe('20260106000001');
    expect(nextDay.amount).toBeGreaterThan(withUsage.amount);
    expect((await getBillingPerDay(app.ctx, operatorId, 'g', '202601')).billList).toHaveLength(6);

    // Within the bound the evaluation stands; past it, the platform evaluates again.
    await clock.advance(STATEMENT_REUSE_MS);
    expect((await getLatestBilling(app.ctx, operatorId, 'g')).lastEvaluatedTime).toBe('20260106000001');
    await clock.advance(1);
    expect((await getLatestBilling(app.ctx, operatorId, 'g')).lastEvaluatedTime).toBe('20260106000011');

    // A status change is a record too: evaluated anew one second later, within the bound.
    await clock.advance(1_000);
    await changeStatus(app.ctx, { operatorId }, imsi, 'suspend');
    expect((await getLatestBilling(app.ctx, operatorId, 'g')).lastEvaluatedTime).toBe('20260106000012');
  });
});
