/**
 * The scheduler work of billing and payment (SPEC §1.8, docs/billing.md "Scheduler jobs"):
 * - `billing-month-close` (recurring, 00:00 UTC on the 1st): closes the month that just ended
 *   for every operator × coverage type, persists its statement and opens its monthly charge
 *   (card → attempted at once; bank transfer → invoice; none/trial → waits). Missed closes
 *   (platform down) run on start, in order.
 * - `payment-retry` (persisted one-off per account, at the earliest `nextRetryAt`): the daily
 *   automatic retry of failed monthly charges; it reschedules itself while charges keep failing.
 */
import { COVERAGE_TYPES, type CoverageType } from '../domain/ids.js';
import type { Operator } from '../domain/operator.js';
import { utcYearMonth } from '../domain/billing/index.js';
import { ACCOUNT_KINDS } from './accounts.js';
import { closeStatement, feeSchedulesOf } from './billing.js';
import { useCase, type AppContext } from './context.js';
import type { JobReport } from './scheduler.js';
import { PAYMENT_JOBS, openMonthlyChargeIn, runPaymentRetries } from './payments.js';

export const BILLING_JOBS = { monthClose: 'billing-month-close' } as const;

/** Closes `yearMonth` for every operator and coverage type (idempotent). */
export async function closeBillingMonth(ctx: AppContext, yearMonth: string): Promise<JobReport> {
  const operators = await ctx.store.transaction((tx) => tx.list<Operator>(ACCOUNT_KINDS.operator));
  let billed = 0;
  for (const op of operators) {
    for (const coverage of COVERAGE_TYPES) {
      await useCase(ctx, async (tx) => {
        const st = await closeStatement(ctx, tx, op.operatorId, coverage, yearMonth);
        if (st.amount !== 0n) billed++;
        await openMonthlyChargeIn(ctx, tx, op.operatorId, coverage, yearMonth, st.amount);
      });
    }
  }
  // Platform-wide work: the summary names no operator, so every viewer may see it.
  return { summary: `month ${yearMonth} closed: ${operators.length} operators, ${billed} statements with charges` };
}

/**
 * Registers the handlers and the recurring month close. Loads the fee schedules first, so a bad
 * configured schedule stops the platform at start-up (throws synchronously).
 */
export function registerBillingJobs(ctx: AppContext): Promise<void> {
  feeSchedulesOf(ctx);
  ctx.scheduler.handle(PAYMENT_JOBS.retry, async (payload) => {
    const { operatorId, coverageType } = payload as { operatorId: string; coverageType: CoverageType };
    return runPaymentRetries(ctx, operatorId, coverageType);
  });
  return ctx.scheduler.every(BILLING_JOBS.monthClose, { monthly: { day: 1, hour: 0, minute: 0 } }, (occurrence) => closeBillingMonth(ctx, utcYearMonth(occurrence - 1)));
}
