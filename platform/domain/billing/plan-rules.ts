/**
 * Which status bears which fee, per plan: SPEC §1.6's table (from seed 003) as data. Amounts
 * never live here; they come from the fee schedule.
 */
import type { SubscriberStatus, Subscription } from './types.js';

/** Every kind of fee billing knows. */
export type FeeKind =
  | 'dailyBasic'
  | 'reducedDaily'
  | 'monthlyBasic'
  | 'reducedMonthly'
  | 'monthlyPrepaid'
  | 'data'
  | 'reactivation'
  | 'suspension'
  | 'annualRenewal'
  | 'simTransfer'
  | 'esimProfileInitial';

export type DailyFeeKind = 'dailyBasic' | 'reducedDaily';
export type MonthlyFeeKind = 'monthlyBasic' | 'reducedMonthly' | 'monthlyPrepaid';
export type PlanFeeKind = Exclude<FeeKind, 'simTransfer'>;

/** How a plan is billed over time. */
type PlanFamily = 'daily' | 'monthly' | 'dailyReduced' | 'prepaid';

const FAMILY: Readonly<Record<Subscription, PlanFamily>> = {
  plan01s: 'daily',
  // [choice] planX1 and planP1 are not in seed 003's table; they bill like plan01s.
  planX1: 'daily',
  planP1: 'daily',
  'plan01s-low_data_volume': 'monthly',
  'plan-KM1': 'monthly',
  'plan-D': 'dailyReduced',
  'plan-K': 'dailyReduced',
  'plan-DU': 'prepaid',
};

/** [choice] `transferring` is a Ready SIM with a pending transfer: it bills as `ready`. */
const asBillingStatus = (s: SubscriberStatus): SubscriberStatus => (s === 'transferring' ? 'ready' : s);

/** The daily fee a status bears on a plan, or null. */
export function dailyFeeFor(plan: Subscription, status: SubscriberStatus): DailyFeeKind | null {
  const s = asBillingStatus(status);
  switch (FAMILY[plan]) {
    case 'daily':
      return s === 'active' || s === 'inactive' ? 'dailyBasic' : null;
    case 'dailyReduced':
      if (s === 'active' || s === 'inactive') return 'dailyBasic';
      return s === 'ready' || s === 'suspended' ? 'reducedDaily' : null;
    default:
      return null;
  }
}

/**
 * The monthly fee a status bears on a plan, or null. plan-DU's `ready` bears
 * `reducedMonthly` only after its free months (the rating engine applies that window).
 */
export function monthlyFeeFor(plan: Subscription, status: SubscriberStatus): MonthlyFeeKind | null {
  const s = asBillingStatus(status);
  switch (FAMILY[plan]) {
    case 'monthly':
      return s === 'active' || s === 'inactive' ? 'monthlyBasic' : null;
    case 'prepaid':
      if (s === 'active' || s === 'inactive' || s === 'suspended') return 'monthlyPrepaid';
      return s === 'ready' ? 'reducedMonthly' : null;
    default:
      return null;
  }
}

/** Months plan-DU stays free in `ready` (seed 003). */
export const PLAN_DU_FREE_READY_MONTHS = 2;

/** Whether the plan has the free-then-reduced Ready rule. */
export const hasFreeReadyMonths = (plan: Subscription): boolean => FAMILY[plan] === 'prepaid';

/** Standby is refused for plan-D, plan-DU and plan-K (SPEC §1.2). */
export const allowsStandby = (plan: Subscription): boolean =>
  FAMILY[plan] !== 'dailyReduced' && FAMILY[plan] !== 'prepaid';

/** Reactivation fee: standby/suspended → active/inactive (SPEC §1.6). */
export function isReactivation(from: SubscriberStatus, to: SubscriberStatus): boolean {
  return (from === 'standby' || from === 'suspended') && (to === 'active' || to === 'inactive');
}

/** Suspension fee: plan-D/plan-K from active/inactive to suspended (SPEC §1.6). */
export function isChargedSuspension(plan: Subscription, from: SubscriberStatus, to: SubscriberStatus): boolean {
  return FAMILY[plan] === 'dailyReduced' && (from === 'active' || from === 'inactive') && to === 'suspended';
}

/** Statuses whose continuous stay runs the annual renewal clock (seed 003 *1). */
export function runsRenewalClock(status: SubscriberStatus): boolean {
  return status === 'ready' || status === 'transferring' || status === 'standby' || status === 'suspended';
}

/** eSIM profiles can be ordered for these subscriptions only (SPEC §1.5). */
export const ORDERABLE_PROFILE_SUBSCRIPTIONS: readonly Subscription[] = ['plan01s', 'planX1', 'planP1'];

/** Fee kinds a schedule must give for a plan so that every rule can be rated. */
export function requiredPlanFees(plan: Subscription): readonly PlanFeeKind[] {
  const common: PlanFeeKind[] = ['reactivation', 'annualRenewal'];
  if (ORDERABLE_PROFILE_SUBSCRIPTIONS.includes(plan)) common.push('esimProfileInitial');
  switch (FAMILY[plan]) {
    case 'daily':
      return ['dailyBasic', 'data', ...common];
    case 'monthly':
      return ['monthlyBasic', 'data', ...common];
    case 'dailyReduced':
      return ['dailyBasic', 'reducedDaily', 'data', 'suspension', ...common];
    case 'prepaid':
      return ['reducedMonthly', 'monthlyPrepaid', ...common];
  }
}

/** Fee kinds a schedule may give for a plan (required ones plus optional extras). */
export function allowedPlanFees(plan: Subscription): readonly PlanFeeKind[] {
  const required = requiredPlanFees(plan);
  // plan-DU: an optional data fee rates bytes beyond the monthly quota.
  return FAMILY[plan] === 'prepaid' ? [...required, 'data'] : required;
}
