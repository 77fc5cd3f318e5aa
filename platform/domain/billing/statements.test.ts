import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { billingMonthRange, type CoverageType } from './calendar.js';
import { exportBillingCsv } from './csv-export.js';
import { defaultFeeSchedule } from './default-fee-schedules.js';
import type { StatusInterval } from './history.js';
import { rateCoverage, type BillLineItem, type UsageRecord } from './rating.js';
import {
  billItemSummaryView,
  billingHistoryView,
  buildMonthlyStatement,
  buildMonthlyStatements,
  dailyBillsView,
  latestBillView,
  monthlyBillView,
  simSummaryView,
} from './statements.js';
import type { SubscriberStatus, Subscription } from './types.js';

const t = (iso: string): number => Date.parse(iso);
const OP = 'OP0000000001';

function rateMonth(coverage: CoverageType, plan: Subscription, intervals: Omit<StatusInterval, 'plan' | 'operatorId'>[], usage: UsageRecord[], yearMonth: string, asOf: number): BillLineItem[] {
  const r = rateCoverage({
    schedule: defaultFeeSchedule(coverage),
    subscribers: [{ history: { imsi: '001010000000001', simId: 'SIM1', coverageType: coverage, intervals: intervals.map((i) => ({ ...i, plan, operatorId: OP })) }, usage }],
    events: [],
    window: { ...billingMonthRange(yearMonth, coverage), asOf },
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('monthly statement', () => {
  const items = rateMonth(
    'g',
    'plan01s-low_data_volume',
    [{ from: t('2026-03-30T00:00:00Z'), to: null, status: 'active', speedClass: 's1.standard' }],
    [
      { imsi: '001010000000001', time: t('2026-03-30T10:00:00Z'), uploadBytes: 1_234, downloadBytes: 0 },
      { imsi: '001010000000001', time: t('2026-03-31T10:00:00Z'), uploadBytes: 0, downloadBytes: 9_999 },
    ],
    '202603',
    t('2026-04-01T00:00:00Z'),
  );
  const st = buildMonthlyStatement({ operatorId: OP, coverageType: 'g', currency: 'USD', yearMonth: '202603', items, asOf: t('2026-04-01T00:00:00Z') });

  it('itemises, sums exactly, and rounds the payable amount once', () => {
    expect(st.items.map((i) => [i.billItemName, i.date, i.quantity, i.amount])).toEqual([
      ['plan01s-low_data_volume basic fee (monthly)', '202603', 1n, 400_000n],
      ['plan01s-low_data_volume data fee (s1.standard)', '20260330', 1_234n, 617n],
      ['plan01s-low_data_volume data fee (s1.standard)', '20260331', 9_999n, 5_000n], // 4999.5 → 5000 (half-up)
    ]);
    expect(st.subtotal).toBe(405_617n);
    expect([st.amount, st.rounding]).toEqual([410_000n, 4_383n]); // USD 0.405617 → 0.41
    expect(st.state).toBe('closed'); // closes at 00:00 UTC on April 1st
    expect(monthlyBillView(st, { paymentStatus: 'paid', paymentTransactionId: 'PT-1' })).toEqual({
      yearMonth: '202603', amount: 0.41, currency: 'USD', state: 'closed', paymentStatus: 'paid', paymentTransactionId: 'PT-1',
    });
  });

  it('daily bills exclude monthly fees; the latest bill; summaries by bill item and SIM', () => {
    expect(dailyBillsView(st)).toEqual({ billList: [{ date: '20260331', amount: 0.005, currency: 'USD' }, { date: '20260330', amount: 0.000617, currency: 'USD' }] });
    const open = buildMonthlyStatement({ operatorId: OP, coverageType: 'g', currency: 'USD', yearMonth: '202603', items, asOf: t('2026-03-31T12:34:56Z') });
    expect(open.state).toBe('temporary');
    expect(latestBillView(open)).toEqual({ amount: 0.41, currency: 'USD', lastEvaluatedTime: '20260331123456' });
    expect(billingHistoryView([open, st]).billList.map((b) => b.state)).toEqual(['closed']);
    expect(billItemSummaryView([st])[0]!.costBreakdownList).toEqual([
      { billItemCategory: 'Basic fee', billItemName: 'plan01s-low_data_volume basic fee (monthly)', amount: 0.4 },
      { billItemCategory: 'Data fee', billItemName: 'plan01s-low_data_volume data fee (s1.standard)', amount: 0.005617 },
    ]);
    expect(simSummaryView([st])[0]!.costBreakdownList).toEqual([{ simId: 'SIM1', amount: 0.405617 }]);
  });

  it('exports the detailed CSV with exact unit prices and amounts', () => {
    const csv = exportBillingCsv(st, { tagsByImsi: new Map([['001010000000001', { name: 'pump, north' }]]) });
    expect(csv.split('\r\n')).toEqual([
      '\uFEFFimsi,date,billItemName,unitPrice,quantity,amount,name',
      '001010000000001,202603,plan01s-low_data_volume basic fee (monthly),0.4,1,0.4,"pump, north"',
      '001010000000001,20260330,plan01s-low_data_volume data fee (s1.standard),0.0000005,1234,0.000617,"pump, north"',
      '001010000000001,20260331,plan01s-low_data_volume data fee (s1.standard),0.0000005,9999,0.005,"pump, north"',
      '',
    ]);
  });

  it('jp: a statement holds the items dated in its JST month [choice], closing at 00:00 UTC on the 1st', () => {
    const jpItems = rateMonth('jp', 'plan-D', [{ from: t('2026-03-31T16:00:00Z'), to: null, status: 'active' }], [], '202604', t('2026-04-02T00:00:00Z'));
    // 16:00 UTC on March 31st is April 1st in Japan.
    expect(jpItems.map((i) => i.date)).toEqual(['20260401', '20260402']);
    const [s] = buildMonthlyStatements(jpItems, '202604', t('2026-04-02T00:00:00Z'));
    expect([s!.amount, s!.state, s!.closesAt]).toEqual([22_000_000n, 'temporary', t('2026-05-01T00:00:00Z')]);
  });
});

const STATUSES: SubscriberStatus[] = ['ready', 'active', 'inactive', 'standby', 'suspended', 'terminated'];
const PLANS: Record<CoverageType, Subscription[]> = {
  g: ['plan01s', 'plan01s-low_data_volume', 'planX1', 'planP1'],
  jp: ['plan-D', 'plan-K', 'plan-KM1', 'plan-DU'],
};
const STANDBY_REFUSED = new Set<Subscription>(['plan-D', 'plan-K', 'plan-DU']);

describe('property: statements sum exactly', () => {
  it('every statement of random histories: sum(items) === subtotal, subtotal + rounding === amount, amount on the minor unit', () => {
    const start = t('2025-06-01T00:00:00Z');
    const sim = fc.record({
      coverage: fc.constantFrom<CoverageType>('g', 'jp'),
      planIdx: fc.nat(3),
      steps: fc.array(fc.record({ hours: fc.integer({ min: 0, max: 24 * 40 }), status: fc.constantFrom(...STATUSES), owner: fc.constantFrom('OP0000000001', 'OP0000000002') }), { minLength: 1, maxLength: 12 }),
      usage: fc.array(fc.record({ hour: fc.integer({ min: 0, max: 24 * 300 }), bytes: fc.integer({ min: 0, max: 50_000_000 }) }), { maxLength: 10 }),
    });
    fc.assert(
      fc.property(fc.array(sim, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 9 }), (sims, monthOffset) => {
        const yearMonth = `${2025 + Math.floor((5 + monthOffset) / 12)}${String(((5 + monthOffset) % 12) + 1).padStart(2, '0')}`;
        const all: BillLineItem[] = [];
        for (const coverage of ['g', 'jp'] as const) {
          const subs = sims
            .map((s, n) => ({ s, n }))
            .filter(({ s }) => s.coverage === coverage)
            .map(({ s, n }) => {
              const plan = PLANS[coverage][s.planIdx]!;
              let at = start;
              const intervals: StatusInterval[] = s.steps.map((step) => {
                const status: SubscriberStatus = step.status === 'standby' && STANDBY_REFUSED.has(plan) ? 'suspended' : step.status;
                const iv = { from: at, to: at + step.hours * 3_600_000, status, plan, operatorId: step.owner };
                at = iv.to;
                return iv;
              });
              const imsi = `00101000000${n}`;
              const usage = s.usage.filter((u) => start + u.hour * 3_600_000 < at).map((u) => ({ imsi, time: start + u.hour * 3_600_000, uploadBytes: u.bytes, downloadBytes: 7 }));
              return { history: { imsi, coverageType: coverage, intervals }, usage };
            });
          const r = rateCoverage({ schedule: defaultFeeSchedule(coverage), subscribers: subs, events: [], window: { ...billingMonthRange(yearMonth, coverage), asOf: t('2026-06-01T00:00:00Z') } });
          if (!r.ok) throw new Error(r.error.message);
          all.push(...r.value);
        }
        for (const st of buildMonthlyStatements(all, yearMonth, t('2026-06-01T00:00:00Z'))) {
          const sum = st.items.reduce((a, i) => a + i.amount, 0n);
          expect(sum).toBe(st.subtotal);
          expect(sum + st.rounding).toBe(st.amount);
          const step = st.currency === 'USD' ? 10_000n : 1_000_000n;
          expect(st.amount % step).toBe(0n);
          expect(st.rounding * 2n <= step && -st.rounding * 2n < step).toBe(true); // half-up: (-step/2, step/2]
          expect(st.items.every((i) => i.yearMonth === yearMonth && i.operatorId === st.operatorId)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
