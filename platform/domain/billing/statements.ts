/**
 * Monthly statements and the Billing API's views of them (PLATFORM-API.md "Billing and
 * payment"; shapes of getBillingHistory, getBilling, getBillingPerDay, getLatestBilling,
 * getBillingSummaryOfBillItems, getBillingSummaryOfSims).
 *
 * A statement is per operator, coverage type and billing month. Its items sum exactly to its
 * subtotal; the payable `amount` is the subtotal rounded once to the currency's minor unit, and
 * `rounding` is the difference, so `sum(items) + rounding === amount` (rounding.ts).
 */
import { billingMonthClosesAt, compactUtcTimestamp, parseYearMonth, type CoverageType } from './calendar.js';
import { toApiNumber, type Currency, type Money } from './money.js';
import type { FeeKind } from './plan-rules.js';
import type { BillLineItem } from './rating.js';
import { roundToMinorUnit } from './rounding.js';

export type BillState = 'temporary' | 'closed';

/** The real API's `paymentStatus` values cellgate uses. */
export type BillPaymentStatus = 'paying' | 'paid' | 'fail' | 'lessThanMinimumCharge';

export interface MonthlyStatement {
  readonly operatorId: string;
  readonly coverageType: CoverageType;
  readonly currency: Currency;
  readonly yearMonth: string;
  /** `closed` from `closesAt` (00:00 UTC on the 1st of the next month) on. */
  readonly state: BillState;
  readonly closesAt: number;
  /** When the statement was computed (epoch ms). */
  readonly evaluatedAt: number;
  /** Sorted by date, IMSI, bill item name. */
  readonly items: readonly BillLineItem[];
  /** Exact sum of item amounts (micro-units). */
  readonly subtotal: Money;
  /** `amount - subtotal`. */
  readonly rounding: Money;
  /** Payable: subtotal rounded half-up to the minor unit (micro-units). */
  readonly amount: Money;
}

const compareItems = (a: BillLineItem, b: BillLineItem): number =>
  a.periodStart - b.periodStart ||
  (a.imsi < b.imsi ? -1 : a.imsi > b.imsi ? 1 : 0) ||
  (a.billItemName < b.billItemName ? -1 : a.billItemName > b.billItemName ? 1 : 0) ||
  (a.operatorId < b.operatorId ? -1 : a.operatorId > b.operatorId ? 1 : 0);

/** Builds one operator's statement for a coverage type and month from any mix of items. */
export function buildMonthlyStatement(args: {
  operatorId: string;
  coverageType: CoverageType;
  currency: Currency;
  yearMonth: string;
  items: readonly BillLineItem[];
  asOf: number;
}): MonthlyStatement {
  if (parseYearMonth(args.yearMonth) === undefined) throw new RangeError(`not a yyyyMM month: ${args.yearMonth}`);
  const items = args.items
    .filter((i) => i.operatorId === args.operatorId && i.coverageType === args.coverageType && i.yearMonth === args.yearMonth)
    .sort(compareItems);
  let subtotal = 0n;
  for (const i of items) subtotal += i.amount;
  const amount = roundToMinorUnit(subtotal, args.currency);
  const closesAt = billingMonthClosesAt(args.yearMonth);
  return {
    operatorId: args.operatorId,
    coverageType: args.coverageType,
    currency: args.currency,
    yearMonth: args.yearMonth,
    state: args.asOf >= closesAt ? 'closed' : 'temporary',
    closesAt,
    evaluatedAt: args.asOf,
    items,
    subtotal,
    rounding: amount - subtotal,
    amount,
  };
}

/** One statement per (operator, coverage type) that has items in `yearMonth`. */
export function buildMonthlyStatements(items: readonly BillLineItem[], yearMonth: string, asOf: number): MonthlyStatement[] {
  const keys = new Map<string, { operatorId: string; coverageType: CoverageType; currency: Currency }>();
  for (const i of items) {
    if (i.yearMonth !== yearMonth) continue;
    keys.set(`${i.operatorId}|${i.coverageType}`, { operatorId: i.operatorId, coverageType: i.coverageType, currency: i.currency });
  }
  return [...keys.values()]
    .sort((a, b) => (a.operatorId + a.coverageType < b.operatorId + b.coverageType ? -1 : 1))
    .map((k) => buildMonthlyStatement({ ...k, yearMonth, items, asOf }));
}

/** The `MonthlyBill` shape of getBilling / getBillingHistory. */
export interface MonthlyBillView {
  yearMonth: string;
  amount: number;
  currency: Currency;
  state: BillState;
  paymentStatus?: BillPaymentStatus;
  paymentTransactionId?: string;
}

export function monthlyBillView(st: MonthlyStatement, payment?: { paymentStatus?: BillPaymentStatus; paymentTransactionId?: string }): MonthlyBillView {
  return {
    yearMonth: st.yearMonth,
    amount: toApiNumber(st.amount),
    currency: st.currency,
    state: st.state,
    ...(payment?.paymentStatus ? { paymentStatus: payment.paymentStatus } : {}),
    ...(payment?.paymentTransactionId ? { paymentTransactionId: payment.paymentTransactionId } : {}),
  };
}

/** getBillingHistory: closed statements only, newest first. */
export function billingHistoryView(
  statements: readonly MonthlyStatement[],
  paymentOf: (yearMonth: string) => { paymentStatus?: BillPaymentStatus; paymentTransactionId?: string } | undefined = () => undefined,
): { billList: MonthlyBillView[] } {
  return {
    billList: statements
      .filter((s) => s.state === 'closed')
      .sort((a, b) => (a.yearMonth < b.yearMonth ? 1 : -1))
      .map((s) => monthlyBillView(s, paymentOf(s.yearMonth))),
  };
}

const MONTHLY_KINDS: readonly FeeKind[] = ['monthlyBasic', 'reducedMonthly', 'monthlyPrepaid'];

/**
 * getBillingPerDay: one entry per day with items, newest first; monthly fees excluded (as the
 * real API). [choice] Daily amounts are exact sums (micro-unit precision), not rounded.
 */
export function dailyBillsView(st: MonthlyStatement): { billList: { date: string; amount: number; currency: Currency }[] } {
  const byDay = new Map<string, Money>();
  for (const i of st.items) {
    if (MONTHLY_KINDS.includes(i.feeKind)) continue;
    byDay.set(i.date, (byDay.get(i.date) ?? 0n) + i.amount);
  }
  return {
    billList: [...byDay.entries()]
      .sort((a, b) => (a[0] < b[0] ? 1 : -1))
      .map(([date, amount]) => ({ date, amount: toApiNumber(amount), currency: st.currency })),
  };
}

/** getLatestBilling: the open month's amount so far. */
export function latestBillView(st: MonthlyStatement): { amount: number; currency: Currency; lastEvaluatedTime: string } {
  return { amount: toApiNumber(st.amount), currency: st.currency, lastEvaluatedTime: compactUtcTimestamp(st.evaluatedAt) };
}

/** [choice] `billItemCategory` names. */
export function billItemCategoryOf(kind: FeeKind): string {
  if (kind === 'data') return 'Data fee';
  if (kind === 'dailyBasic' || kind === 'reducedDaily' || MONTHLY_KINDS.includes(kind)) return 'Basic fee';
  return 'One-time fee';
}

export interface BillItemSummaryView {
  yearMonth: string;
  currency: Currency;
  updatedTime: number;
  costBreakdownList: { billItemCategory: string; billItemName: string; amount: number }[];
}

/** getBillingSummaryOfBillItems for the given statements (pass this month and the 3 before). */
export function billItemSummaryView(statements: readonly MonthlyStatement[]): BillItemSummaryView[] {
  return [...statements]
    .sort((a, b) => (a.yearMonth < b.yearMonth ? 1 : -1))
    .map((st) => {
      const by = new Map<string, { billItemCategory: string; billItemName: string; amount: Money }>();
      for (const i of st.items) {
        const cur = by.get(i.billItemName) ?? { billItemCategory: billItemCategoryOf(i.feeKind), billItemName: i.billItemName, amount: 0n };
        cur.amount += i.amount;
        by.set(i.billItemName, cur);
      }
      return {
        yearMonth: st.yearMonth,
        currency: st.currency,
        updatedTime: Math.floor(st.evaluatedAt / 1000),
        costBreakdownList: [...by.values()]
          .sort((a, b) => (a.amount < b.amount ? 1 : a.amount > b.amount ? -1 : a.billItemName < b.billItemName ? -1 : 1))
          .map((c) => ({ ...c, amount: toApiNumber(c.amount) })),
      };
    });
}

export interface SimSummaryView {
  yearMonth: string;
  currency: Currency;
  updatedTime: number;
  costBreakdownList: { simId: string; amount: number }[];
}

/** getBillingSummaryOfSims: top 100 SIMs by amount per month ([choice] simId falls back to the IMSI). */
export function simSummaryView(statements: readonly MonthlyStatement[]): SimSummaryView[] {
  return [...statements]
    .sort((a, b) => (a.yearMonth < b.yearMonth ? 1 : -1))
    .map((st) => {
      const by = new Map<string, Money>();
      for (const i of st.items) {
        const id = i.simId ?? i.imsi;
        by.set(id, (by.get(id) ?? 0n) + i.amount);
      }
      return {
        yearMonth: st.yearMonth,
        currency: st.currency,
        updatedTime: Math.floor(st.evaluatedAt / 1000),
        costBreakdownList: [...by.entries()]
          .sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : a[0] < b[0] ? -1 : 1))
          .slice(0, 100)
          .map(([simId, amount]) => ({ simId, amount: toApiNumber(amount) })),
      };
    });
}
