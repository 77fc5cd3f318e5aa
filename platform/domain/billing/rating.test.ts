import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../common/clock.js';
import { billingMonthRange, type CoverageType } from './calendar.js';
import { defaultFeeSchedule } from './default-fee-schedules.js';
import type { StatusInterval, SubscriberHistory } from './history.js';
import { parseDecimal } from './money.js';
import { rateCoverage, rateOneOffEvents, rateSubscriber, type BillLineItem, type UsageRecord } from './rating.js';
import type { SpeedClass, SubscriberStatus, Subscription } from './types.js';

const t = (iso: string): number => Date.parse(iso);
const money = (s: string): bigint => parseDecimal(s)!;
const OP_A = 'OP0000000001';
const OP_B = 'OP0000000002';

/** Builds a contiguous history from [start, status] steps; the last stays open. */
function history(
  coverage: CoverageType,
  plan: Subscription,
  steps: [string, SubscriberStatus, string?, SpeedClass?][],
  imsi = '001010000000001',
): SubscriberHistory {
  const intervals: StatusInterval[] = steps.map(([from, status, op, sc], i) => ({
    from: t(from),
    to: i + 1 < steps.length ? t(steps[i + 1]![0]) : null,
    status,
    plan,
    operatorId: op ?? OP_A,
    ...(sc ? { speedClass: sc } : {}),
  }));
  return { imsi, coverageType: coverage, intervals };
}

function rate(h: SubscriberHistory, from: string, to: string, asOf: string, usage: UsageRecord[] = []): BillLineItem[] {
  const r = rateSubscriber(defaultFeeSchedule(h.coverageType), h, usage, { from: t(from), to: t(to), asOf: t(asOf) });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const kinds = (items: BillLineItem[]): string[] => items.map((i) => `${i.date} ${i.feeKind} ${i.operatorId}`).sort();

describe('daily fees (plan01s, g, UTC days)', () => {
  it('charges the daily basic fee for every UTC day with any time active or inactive, and nothing for ready/standby/suspended', () => {
    const h = history('g', 'plan01s', [
      ['2026-03-01T00:00:00Z', 'ready'],
      ['2026-03-03T23:59:00Z', 'active'], // one minute of day 3
      ['2026-03-05T10:00:00Z', 'inactive'],
      ['2026-03-06T12:00:00Z', 'standby'],
      ['2026-03-08T00:00:00Z', 'suspended'],
    ]);
    const items = rate(h, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-03-20T00:00:00Z');
    expect(kinds(items).filter((k) => !k.includes('reactivation'))).toEqual([
      `20260303 dailyBasic ${OP_A}`,
      `20260304 dailyBasic ${OP_A}`,
      `20260305 dailyBasic ${OP_A}`, // active and inactive the same day: once
      `20260306 dailyBasic ${OP_A}`,
    ]);
    expect(items.every((i) => i.feeKind !== 'dailyBasic' || i.amount === money('0.06'))).toBe(true);
  });

  it('open intervals accrue only up to asOf (the virtual clock)', async () => {
    const clock = new VirtualClock(t('2026-03-01T00:00:00Z'));
    const h = history('g', 'plan01s', [['2026-03-01T00:00:00Z', 'active']]);
    const days = (): number => rate(h, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', new Date(clock.now()).toISOString()).length;
    expect(days()).toBe(0); // no time spent yet
    await clock.advance(1);
    expect(days()).toBe(1);
    clock.set(t('2026-03-10T05:00:00Z'));
    expect(days()).toBe(10);
  });

  it('planX1 and planP1 bill like plan01s [choice]', () => {
    for (const plan of ['planX1', 'planP1'] as const) {
      const items = rate(history('g', plan, [['2026-03-01T00:00:00Z', 'active']]), '2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z', '2026-03-10T00:00:00Z');
      expect(kinds(items)).toEqual([`20260301 dailyBasic ${OP_A}`, `20260302 dailyBasic ${OP_A}`]);
    }
  });
});

describe('plan-D / plan-K (jp, UTC+9 days)', () => {
  for (const plan of ['plan-D', 'plan-K'] as const) {
    it(`${plan}: reduced daily fee in ready and suspended, daily basic when active/inactive, the highest once per JST day, suspension fee on entry from active`, () => {
      const h = history('jp', plan, [
        ['2026-02-28T15:00:00Z', 'ready'], // JST 03-01 00:00
        ['2026-03-01T14:00:00Z', 'active'], // JST 03-01 23:00: the day bills the higher fee once
        ['2026-03-02T16:00:00Z', 'inactive'], // JST 03-03 01:00
        ['2026-03-03T15:30:00Z', 'suspended'], // JST 03-04 00:30
      ]);
      const items = rate(h, '2026-02-28T15:00:00Z', '2026-03-31T15:00:00Z', '2026-03-05T16:00:00Z');
      const byDay = items.filter((i) => i.feeKind.includes('aily')).map((i) => [i.date, i.feeKind, i.amount]);
      expect(byDay).toEqual([
        ['20260301', 'dailyBasic', money('11')],
        ['20260302', 'dailyBasic', money('11')],
        ['20260303', 'dailyBasic', money('11')],
        ['20260304', 'dailyBasic', money('11')], // inactive for 30 minutes of the JST day
        ['20260305', 'reducedDaily', money('5')],
        ['20260306', 'reducedDaily', money('5')], // asOf is JST 03-06 01:00
      ]);
      const suspension = items.filter((i) => i.feeKind === 'suspension');
      expect(suspension.map((i) => [i.date, i.amount])).toEqual([['20260304', money('300')]]);
    });
  }

  it('a JST day starts at 15:00 UTC: activity at 14:59 and 15:00 UTC falls on two days', () => {
    const h = history('jp', 'plan-D', [
      ['2026-03-10T14:59:00Z', 'active'],
      ['2026-03-10T15:01:00Z', 'terminated'],
    ]);
    expect(kinds(rate(h, '2026-02-28T15:00:00Z', '2026-03-31T15:00:00Z', '2026-03-20T00:00:00Z'))).toEqual([
      `20260310 dailyBasic ${OP_A}`,
      `20260311 dailyBasic ${OP_A}`,
    ]);
  });

  it('no suspension fee from ready, and none for plan01s', () => {
    const d = rate(history('jp', 'plan-D', [['2026-03-01T00:00:00Z', 'ready'], ['2026-03-02T00:00:00Z', 'suspended']]), '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-03-03T00:00:00Z');
    expect(d.some((i) => i.feeKind === 'suspension')).toBe(false);
    const p = rate(history('g', 'plan01s', [['2026-03-01T00:00:00Z', 'active'], ['2026-03-02T00:00:00Z', 'suspended']]), '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-03-03T00:00:00Z');
    expect(p.some((i) => i.feeKind === 'suspension')).toBe(false);
  });

  it('refuses a standby interval for plan-D (not allowed)', () => {
    const h = history('jp', 'plan-D', [['2026-03-01T00:00:00Z', 'standby']]);
    const r = rateSubscriber(defaultFeeSchedule('jp'), h, [], { from: 0, to: t('2027-01-01T00:00:00Z'), asOf: t('2026-03-02T00:00:00Z') });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'BIL0002', message: expect.stringContaining('plan-D does not allow standby') });
  });
});

describe('monthly fees', () => {
  it('plan01s-low_data_volume: the published USD 0.4 once per UTC month with any active/inactive time, not prorated', () => {
    const h = history('g', 'plan01s-low_data_volume', [
      ['2026-01-10T00:00:00Z', 'ready'],
      ['2026-01-31T23:59:59Z', 'active'], // one second of January
      ['2026-02-01T00:00:01Z', 'standby'],
      ['2026-04-15T00:00:00Z', 'inactive'],
    ]);
    const items = rate(h, '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', '2026-05-02T00:00:00Z');
    expect(items.filter((i) => i.feeKind === 'monthlyBasic').map((i) => [i.date, i.amount])).toEqual([
      ['202601', money('0.4')],
      ['202602', money('0.4')],
      ['202604', money('0.4')],
      ['202605', money('0.4')],
    ]);
  });

  it('plan-KM1: JPY 100 per JST month; the JST month starts 9 hours before the UTC month', () => {
    const h = history('jp', 'plan-KM1', [
      ['2026-01-31T14:00:00Z', 'active'], // JST Jan 31 23:00
      ['2026-01-31T16:00:00Z', 'suspended'], // JST Feb 1 01:00
    ]);
    const items = rate(h, '2025-12-31T15:00:00Z', '2026-12-31T15:00:00Z', '2026-06-01T00:00:00Z');
    expect(items.filter((i) => i.feeKind === 'monthlyBasic').map((i) => i.date)).toEqual(['202601', '202602']);
  });

  it('plan-DU: ready is free for two months from the first moment in ready, then the reduced monthly fee', () => {
    const h = history('jp', 'plan-DU', [['2026-01-14T15:00:00Z', 'ready']]); // JST Jan 15
    const items = rate(h, '2025-12-31T15:00:00Z', '2026-12-31T15:00:00Z', '2026-05-20T00:00:00Z');
    expect(items.map((i) => [i.date, i.feeKind, i.amount])).toEqual([
      ['202603', 'reducedMonthly', money('150')], // free until JST Mar 15, then reduced
      ['202604', 'reducedMonthly', money('150')],
      ['202605', 'reducedMonthly', money('150')],
    ]);
  });

  it('plan-DU: monthly prepaid fee when active, inactive or suspended; the higher monthly fee once per month', () => {
    const h = history('jp', 'plan-DU', [
      ['2025-12-31T15:00:00Z', 'ready'], // JST Jan 1
      ['2026-03-10T00:00:00Z', 'active'],
      ['2026-04-10T00:00:00Z', 'suspended'],
      ['2026-05-10T00:00:00Z', 'inactive'],
    ]);
    const items = rate(h, '2025-12-31T15:00:00Z', '2026-12-31T15:00:00Z', '2026-06-02T00:00:00Z');
    expect(items.filter((i) => i.feeKind !== 'reactivation').map((i) => [i.date, i.feeKind])).toEqual([
      ['202603', 'monthlyPrepaid'], // ready (reduced) and active the same month: prepaid once
      ['202604', 'monthlyPrepaid'],
      ['202605', 'monthlyPrepaid'],
      ['202606', 'monthlyPrepaid'],
    ]);
    expect(items.filter((i) => i.feeKind === 'reactivation').map((i) => i.date)).toEqual(['20260510']);
  });
});

describe('one-off fees', () => {
  it('reactivation fee on standby/suspended → active/inactive, not on ready → active', () => {
    const h = history('g', 'plan01s', [
      ['2026-03-01T00:00:00Z', 'ready'],
      ['2026-03-02T00:00:00Z', 'active'],
      ['2026-03-03T00:00:00Z', 'standby'],
      ['2026-03-04T00:00:00Z', 'active'],
      ['2026-03-05T00:00:00Z', 'suspended'],
      ['2026-03-06T00:00:00Z', 'inactive'],
    ]);
    const items = rate(h, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-03-07T00:00:00Z');
    expect(items.filter((i) => i.feeKind === 'reactivation').map((i) => [i.date, i.amount])).toEqual([
      ['20260304', money('0.5')],
      ['20260306', money('0.5')],
    ]);
  });

  it('support transfer and eSIM profile fees from events, to the named operator', () => {
    const r = rateOneOffEvents(
      defaultFeeSchedule('g'),
      [
        { kind: 'simTransfer', imsi: '001', at: t('2026-04-01T00:00:00Z'), operatorId: OP_A, plan: 'plan01s' },
        { kind: 'esimProfileInitial', imsi: '002', at: t('2026-04-02T08:00:00Z'), operatorId: OP_B, plan: 'planX1', reference: 'order-1' },
        { kind: 'esimProfileInitial', imsi: '003', at: t('2026-05-02T08:00:00Z'), operatorId: OP_B, plan: 'planX1' },
      ],
      { ...billingMonthRange('202604', 'g'), asOf: t('2026-06-01T00:00:00Z') },
    );
    expect(r.ok && r.value.map((i) => [i.operatorId, i.billItemName, i.date, i.amount, i.reference])).toEqual([
      [OP_A, 'SIM transfer fee', '20260401', money('1.5'), undefined],
      [OP_B, 'planX1 eSIM profile initial fee', '20260402', money('1.8'), 'order-1'],
    ]);
  });

  it('annual renewal after each full year in ready/standby/suspended; the clock runs across those statuses and stops when active', () => {
    const h = history('g', 'plan01s', [
      ['2024-02-29T10:00:00Z', 'ready'],
      ['2024-08-01T00:00:00Z', 'standby'], // still in the set: clock keeps running
      ['2025-03-01T00:00:00Z', 'active'], // anniversary 2025-02-28T10:00 reached before this
      ['2025-04-01T00:00:00Z', 'suspended'], // new clock
    ]);
    const items = rate(h, '2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z', '2027-04-01T00:00:00Z');
    expect(items.filter((i) => i.feeKind === 'annualRenewal').map((i) => [i.date, i.reference])).toEqual([
      ['20250228', 'year 1'],
      ['20260401', 'year 1'],
      ['20270401', 'year 2'],
    ]);
  });
});

describe('data', () => {
  it('rates every byte, per day and speed class, at the published USD 0.5/MB for plan01s-LDV', () => {
    const h = history('g', 'plan01s-low_data_volume', [['2026-03-01T00:00:00Z', 'active']]);
    const usage: UsageRecord[] = [
      { imsi: h.imsi, time: t('2026-03-01T01:00:00Z'), uploadBytes: 1, downloadBytes: 0 },
      { imsi: h.imsi, time: t('2026-03-01T23:00:00Z'), uploadBytes: 1_000, downloadBytes: 2_999_000 },
      { imsi: 'someone-else', time: t('2026-03-01T23:00:00Z'), uploadBytes: 5, downloadBytes: 5 },
    ];
    const data = rate(h, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-03-02T00:00:00Z', usage).filter((i) => i.feeKind === 'data');
    // 3_000_001 bytes × 0.5 USD / 10^6 bytes = 1.5000005 USD, exact to the micro-unit (half-up).
    expect(data.map((i) => [i.date, i.quantity, i.amount])).toEqual([['20260301', 3_000_001n, 1_500_001n]]);
  });

  it('uses the speed class rate of the interval the bytes flowed in', () => {
    const h = history('g', 'plan01s', [
      ['2026-03-01T00:00:00Z', 'active', OP_A, 's1.minimum'],
      ['2026-03-01T12:00:00Z', 'active', OP_A, 's1.fast'],
    ]);
    const usage: UsageRecord[] = [
      { imsi: h.imsi, time: t('2026-03-01T06:00:00Z'), uploadBytes: 0, downloadBytes: 1_000_000 },
      { imsi: h.imsi, time: t('2026-03-01T18:00:00Z'), uploadBytes: 0, downloadBytes: 1_000_000 },
    ];
    const data = rate(h, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', '2026-03-02T00:00:00Z', usage).filter((i) => i.feeKind === 'data');
    expect(data.map((i) => [i.billItemName, i.amount]).sort()).toEqual([
      ['plan01s data fee (s1.fast)', money('0.09')],
      ['plan01s data fee (s1.minimum)', money('0.06')],
    ]);
  });

  it('plan-DU: bytes within the monthly quota are covered by the prepaid fee (no data line)', () => {
    const h = history('jp', 'plan-DU', [['2026-03-01T00:00:00Z', 'active', OP_A, 'u1.standard']]);
    const usage: UsageRecord[] = [{ imsi: h.imsi, time: t('2026-03-02T00:00:00Z'), uploadBytes: 0, downloadBytes: 4_000_000_000 }];
    const items = rate(h, '2026-02-28T15:00:00Z', '2026-03-31T15:00:00Z', '2026-03-03T00:00:00Z', usage);
    expect(items.map((i) => i.feeKind)).toEqual(['monthlyPrepaid']);
  });

  it('refuses usage outside the status history', () => {
    const h = history('g', 'plan01s', [['2026-03-01T00:00:00Z', 'active']]);
    const r = rateSubscriber(defaultFeeSchedule('g'), h, [{ imsi: h.imsi, time: t('2026-02-01T00:00:00Z'), uploadBytes: 1, downloadBytes: 1 }], {
      from: 0,
      to: t('2027-01-01T00:00:00Z'),
      asOf: t('2026-03-05T00:00:00Z'),
    });
    expect(r.ok ? null : r.error.code).toBe('BIL0003');
  });
});

describe('ownership', () => {
  it('Ready transfer: fees accrue to the source until acceptance and to the destination after; the hand-over day stays with the source [choice]', () => {
    const h = history('jp', 'plan-D', [
      ['2026-03-01T00:00:00Z', 'ready', OP_A],
      ['2026-03-03T00:00:00Z', 'transferring', OP_A],
      ['2026-03-04T03:00:00Z', 'ready', OP_B], // accepted JST 03-04 12:00
      ['2026-03-06T00:00:00Z', 'active', OP_B],
    ]);
    const items = rate(h, '2026-02-28T15:00:00Z', '2026-03-31T15:00:00Z', '2026-03-06T12:00:00Z');
    expect(items.map((i) => `${i.date} ${i.feeKind} ${i.operatorId}`)).toEqual([
      `20260301 reducedDaily ${OP_A}`,
      `20260302 reducedDaily ${OP_A}`,
      `20260303 reducedDaily ${OP_A}`,
      `20260304 reducedDaily ${OP_A}`,
      `20260305 reducedDaily ${OP_B}`,
      `20260306 dailyBasic ${OP_B}`,
    ]);
  });

  it('the higher fee of a hand-over day goes to whoever bore it', () => {
    const h = history('g', 'plan01s', [
      ['2026-04-01T00:00:00Z', 'active', OP_A],
      ['2026-04-01T00:00:00Z', 'active', OP_B],
    ]);
    // A zero-length interval of A; B owns the whole day.
    expect(kinds(rate(h, '2026-04-01T00:00:00Z', '2026-04-02T00:00:00Z', '2026-04-01T10:00:00Z'))).toEqual([`20260401 dailyBasic ${OP_B}`]);
  });

  it('rateCoverage refuses a subscriber of the other coverage type', () => {
    const r = rateCoverage({
      schedule: defaultFeeSchedule('g'),
      subscribers: [{ history: history('jp', 'plan-D', [['2026-03-01T00:00:00Z', 'active']]), usage: [] }],
      events: [],
      window: { from: 0, to: 1, asOf: 1 },
    });
    expect(r.ok ? null : r.error.code).toBe('BIL0005');
  });
});
