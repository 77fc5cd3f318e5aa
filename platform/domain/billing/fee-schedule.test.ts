import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultFeeSchedule } from './default-fee-schedules.js';
import { parseFeeSchedule, parseFeeScheduleText } from './fee-schedule.js';
import { formatMoney, parseDecimal } from './money.js';
import { SUBSCRIPTIONS } from './types.js';

const gText = readFileSync(new URL('../../fees/g.json', import.meta.url), 'utf8');

describe('fee schedule', () => {
  it('the shipped schedules validate and mark the public fee facts as published', () => {
    const g = defaultFeeSchedule('g');
    const jp = defaultFeeSchedule('jp');
    expect([g.currency, jp.currency]).toEqual(['USD', 'JPY']);
    const ldv = g.plans['plan01s-low_data_volume']!;
    expect([formatMoney(ldv.monthlyBasic!.rate.amount), ldv.monthlyBasic!.source]).toEqual(['0.4', 'published']);
    expect([formatMoney(ldv.data!.rate.amount), ldv.data!.rate.per, ldv.data!.source]).toEqual(['0.5', 1_000_000n, 'published']);
    expect([formatMoney(jp.plans['plan-KM1']!.monthlyBasic!.rate.amount), jp.plans['plan-KM1']!.monthlyBasic!.source]).toEqual(['100', 'published']);
    expect(g.account.termination?.source).toBe('published');
    expect(g.plans.plan01s!.dailyBasic!.source).toBe('placeholder');
    // Every plan is priced in exactly one of the two schedules.
    expect(SUBSCRIPTIONS.filter((p) => !!g.plans[p] === !!jp.plans[p])).toEqual([]);
  });

  it('reports every problem with its path, and refuses float amounts', () => {
    const raw = JSON.parse(gText);
    raw.plans.plan01s.dailyBasic.amount = 0.06;
    delete raw.plans.planX1.reactivation;
    raw.plans.planP1.data.per = 1024;
    raw.plans.planP1.suspension = { amount: '1', source: 'placeholder' };
    raw.plans.plan01s.esimProfileInitial.source = 'guess';
    raw.currency = 'EUR';
    const r = parseFeeSchedule(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('BIL0001');
    expect(r.error.issues).toEqual(
      expect.arrayContaining([
        'currency: must be one of USD, JPY (got "EUR")',
        'plans.plan01s.dailyBasic.amount: must be a decimal string with at most 6 decimals, like "0.06" (got 0.06)',
        'plans.planX1.reactivation: missing: planX1 needs this fee',
        'plans.planP1.data.per: must be 1 or a power of ten (units the amount buys, e.g. 1000000 bytes) (got 1024)',
        expect.stringMatching(/^plans\.planP1\.suspension: unknown field/),
        'plans.plan01s.esimProfileInitial.source: must be "published" or "placeholder" (got "guess")',
      ]),
    );
    expect(r.error.issues).toHaveLength(6);
  });

  it('names the file in errors and survives broken JSON', () => {
    const r = parseFeeScheduleText('{ "coverageType": ', '/etc/cellgate/my-fees.json');
    expect(r.ok ? null : r.error.message).toMatch(/^Fee schedule is invalid: \/etc\/cellgate\/my-fees.json: not valid JSON/);
    const ok = parseFeeScheduleText(gText.replace('"0.06"', '"0.07"'), 'mine.json');
    expect(ok.ok && ok.value.plans.plan01s!.dailyBasic!.rate.amount).toBe(parseDecimal('0.07'));
  });
});
