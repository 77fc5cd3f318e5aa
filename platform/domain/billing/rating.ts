/**
 * The rating engine: status history + usage + one-off fee events → dated line items
 * (SPEC §1.6, docs/billing.md "Rules").
 *
 * - Daily fees: one per calendar day (UTC for g, UTC+9 for jp) with any time in a status that
 *   bears one; the highest daily fee of that day, once.
 * - Monthly fees: one per calendar month (same zone) with any time in a status that bears one,
 *   not prorated; the highest monthly fee of that month, once. plan-DU's Ready is free for its
 *   first two months (from its first moment in Ready), then bears the reduced monthly fee.
 * - [choice] When more than one interval bears that day's (month's) highest fee, the earliest
 *   one's owner pays it, so a Ready transfer accepted mid-day leaves that day with the source.
 * - Data: per byte from usage records, one line per subscriber, local day, owner and rate.
 * - Reactivation, suspension and annual renewal are derived from the history; support-transfer
 *   and eSIM profile fees come in as events.
 * Fees accrue to the owner of the interval (or instant) that bears them.
 */
import {
  addCalendarMonths,
  dayIndex,
  dayLabel,
  dayStartOf,
  monthIndex,
  monthLabel,
  monthStartOf,
  zoneOffsetMs,
  type CoverageType,
} from './calendar.js';
import { billingError } from './errors.js';
import { failWith, ok, type Result } from '../errors.js';
import { dataFeeFor, type FeeEntry, type FeeSchedule, type PlanFees } from './fee-schedule.js';
import { intervalAt, validateHistory, type StatusInterval, type SubscriberHistory } from './history.js';
import type { Currency, Money } from './money.js';
import {
  PLAN_DU_FREE_READY_MONTHS,
  dailyFeeFor,
  hasFreeReadyMonths,
  isChargedSuspension,
  isReactivation,
  monthlyFeeFor,
  type FeeKind,
} from './plan-rules.js';
import { findRenewalAnniversaries } from './renewal.js';
import { rateAmount, type Rate } from './rounding.js';
import type { SpeedClass, Subscription } from './types.js';

/** Bytes a subscriber moved at one time (a session usage record). */
export interface UsageRecord {
  readonly imsi: string;
  /** Epoch ms. */
  readonly time: number;
  readonly uploadBytes: number;
  readonly downloadBytes: number;
}

/** A fee the history cannot show: a support-assisted transfer or an eSIM profile. */
export interface OneOffFeeEvent {
  readonly kind: 'simTransfer' | 'esimProfileInitial';
  readonly imsi: string;
  readonly simId?: string;
  /** Epoch ms the fee is due (transfer date; profile provisioned). */
  readonly at: number;
  /** Who pays: the transfer's source; the profile's orderer. */
  readonly operatorId: string;
  /** The SIM's (profile's) subscription. */
  readonly plan: Subscription;
  /** Order id, transfer request id…, carried to the line item. */
  readonly reference?: string;
}

/** Which items to produce: those whose period starts in [from, to) and by `asOf`. */
export interface RatingWindow {
  readonly from: number;
  readonly to: number;
  /** "Now": open intervals end here; nothing after it has happened. */
  readonly asOf: number;
}

/** One dated, itemised charge. */
export interface BillLineItem {
  /** Who pays. */
  readonly operatorId: string;
  readonly coverageType: CoverageType;
  readonly currency: Currency;
  readonly imsi: string;
  readonly simId?: string;
  readonly plan: Subscription;
  readonly feeKind: FeeKind;
  readonly billItemName: string;
  readonly speedClass?: SpeedClass;
  /** `yyyyMMdd` (local day); `yyyyMM` for monthly fees. */
  readonly date: string;
  /** The billing month the item belongs to, `yyyyMM` (= the first six characters of `date`). */
  readonly yearMonth: string;
  /** The period the item covers, epoch ms [start, end); a one-off fee has start = end = its time. */
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly unitPrice: Rate;
  readonly quantity: bigint;
  /** `unitPrice × quantity`, micro-units, rounded once (rounding.ts rule 1). */
  readonly amount: Money;
  readonly reference?: string;
}

const NAMES: Readonly<Record<FeeKind, string>> = {
  dailyBasic: 'basic fee (daily)',
  reducedDaily: 'reduced basic fee (daily)',
  monthlyBasic: 'basic fee (monthly)',
  reducedMonthly: 'reduced basic fee (monthly)',
  monthlyPrepaid: 'prepaid fee (monthly)',
  data: 'data fee',
  reactivation: 'reactivation fee',
  suspension: 'suspension fee',
  annualRenewal: 'annual renewal fee',
  simTransfer: 'SIM transfer fee',
  esimProfileInitial: 'eSIM profile initial fee',
};

/** The `billItemName` of a fee, as shown in statements and the CSV export. */
export function billItemNameOf(kind: FeeKind, plan: Subscription, speedClass?: SpeedClass): string {
  if (kind === 'simTransfer') return NAMES.simTransfer;
  return `${plan} ${NAMES[kind]}${kind === 'data' && speedClass ? ` (${speedClass})` : ''}`;
}

interface Best {
  amount: Money;
  entry: FeeEntry;
  kind: FeeKind;
  iv: StatusInterval;
}

class ItemSink {
  readonly items: BillLineItem[] = [];
  constructor(
    private readonly schedule: FeeSchedule,
    private readonly history: { imsi: string; simId?: string },
    private readonly window: RatingWindow,
  ) {}
  inWindow(start: number): boolean {
    return start >= this.window.from && start < this.window.to && start <= this.window.asOf;
  }
  push(p: {
    operatorId: string;
    plan: Subscription;
    kind: FeeKind;
    entry: FeeEntry;
    date: string;
    start: number;
    end: number;
    quantity: bigint;
    speedClass?: SpeedClass;
    reference?: string;
    simId?: string;
  }): void {
    this.items.push({
      operatorId: p.operatorId,
      coverageType: this.schedule.coverageType,
      currency: this.schedule.currency,
      imsi: this.history.imsi,
      ...((p.simId ?? this.history.simId) !== undefined ? { simId: (p.simId ?? this.history.simId)! } : {}),
      plan: p.plan,
      feeKind: p.kind,
      billItemName: billItemNameOf(p.kind, p.plan, p.speedClass),
      ...(p.speedClass ? { speedClass: p.speedClass } : {}),
      date: p.date,
      yearMonth: p.date.slice(0, 6),
      periodStart: p.start,
      periodEnd: p.end,
      unitPrice: p.entry.rate,
      quantity: p.quantity,
      amount: rateAmount(p.entry.rate, p.quantity),
      ...(p.reference !== undefined ? { reference: p.reference } : {}),
    });
  }
}

function planFeesOf(schedule: FeeSchedule, plan: Subscription): Result<PlanFees> {
  const fees = schedule.plans[plan];
  return fees ? ok(fees) : failWith(billingError('BIL0004', `${plan} is not in the ${schedule.coverageType} fee schedule`));
}

/** Keeps the highest fee per period index; ties keep the earliest interval. */
function offer(best: Map<number, Best>, idx: number, candidate: Best): void {
  const cur = best.get(idx);
  if (!cur || candidate.amount > cur.amount) best.set(idx, candidate);
}

/**
 * Rates one subscriber's history and usage over a window. Usage records of other IMSIs are
 * ignored; a record outside the history is an error (BIL0003).
 */
export function rateSubscriber(
  schedule: FeeSchedule,
  history: SubscriberHistory,
  usage: readonly UsageRecord[],
  window: RatingWindow,
): Result<BillLineItem[]> {
  if (history.coverageType !== schedule.coverageType) {
    return failWith(billingError('BIL0005', `${history.imsi} is ${history.coverageType}, the schedule is ${schedule.coverageType}`));
  }
  const valid = validateHistory(history);
  if (!valid.ok) return valid;
  const cov = schedule.coverageType;
  const sink = new ItemSink(schedule, history, window);
  const intervals = history.intervals;
  const planFees = new Map<Subscription, PlanFees>();
  for (const iv of intervals) {
    if (planFees.has(iv.plan)) continue;
    const fees = planFeesOf(schedule, iv.plan);
    if (!fees.ok) return fees;
    planFees.set(iv.plan, fees.value);
  }

  // Periodic fees.
  const dayBest = new Map<number, Best>();
  const monthBest = new Map<number, Best>();
  const firstDay = dayIndex(window.from - 1, cov) + 1;
  const lastDay = dayIndex(window.to - 1, cov);
  const firstReady = intervals.find((iv) => iv.status === 'ready' || iv.status === 'transferring');
  const freeUntil = firstReady
    ? addCalendarMonths(firstReady.from + zoneOffsetMs(cov), PLAN_DU_FREE_READY_MONTHS) - zoneOffsetMs(cov)
    : Number.NEGATIVE_INFINITY;
  for (const iv of intervals) {
    const end = Math.min(iv.to ?? window.asOf, window.asOf);
    if (end <= iv.from) continue;
    const fees = planFees.get(iv.plan)!;
    const dailyKind = dailyFeeFor(iv.plan, iv.status);
    const daily = dailyKind ? fees[dailyKind] : undefined;
    if (dailyKind && daily && daily.rate.amount > 0n) {
      const d0 = Math.max(dayIndex(iv.from, cov), firstDay);
      const d1 = Math.min(dayIndex(end - 1, cov), lastDay);
      for (let d = d0; d <= d1; d++) offer(dayBest, d, { amount: daily.rate.amount, entry: daily, kind: dailyKind, iv });
    }
    const monthlyKind = monthlyFeeFor(iv.plan, iv.status);
    const monthly = monthlyKind ? fees[monthlyKind] : undefined;
    if (monthlyKind && monthly && monthly.rate.amount > 0n) {
      const start = monthlyKind === 'reducedMonthly' && hasFreeReadyMonths(iv.plan) ? Math.max(iv.from, freeUntil) : iv.from;
      if (start < end) {
        for (let m = monthIndex(start, cov); m <= monthIndex(end - 1, cov); m++) {
          offer(monthBest, m, { amount: monthly.rate.amount, entry: monthly, kind: monthlyKind, iv });
        }
      }
    }
  }
  for (const [d, b] of dayBest) {
    const start = dayStartOf(d, cov);
    if (!sink.inWindow(start)) continue;
    sink.push({ operatorId: b.iv.operatorId, plan: b.iv.plan, kind: b.kind, entry: b.entry, date: dayLabel(d), start, end: dayStartOf(d + 1, cov), quantity: 1n });
  }
  for (const [m, b] of monthBest) {
    const start = monthStartOf(m, cov);
    if (!sink.inWindow(start)) continue;
    sink.push({ operatorId: b.iv.operatorId, plan: b.iv.plan, kind: b.kind, entry: b.entry, date: monthLabel(m), start, end: monthStartOf(m + 1, cov), quantity: 1n });
  }

  // Status-change fees.
  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1]!;
    const next = intervals[i]!;
    if (prev.status === next.status || !sink.inWindow(next.from)) continue;
    const kind: FeeKind | null = isReactivation(prev.status, next.status)
      ? 'reactivation'
      : isChargedSuspension(next.plan, prev.status, next.status)
        ? 'suspension'
        : null;
    const entry = kind ? planFees.get(next.plan)![kind as 'reactivation' | 'suspension'] : undefined;
    if (!kind || !entry || entry.rate.amount === 0n) continue;
    sink.push({ operatorId: next.operatorId, plan: next.plan, kind, entry, date: dayLabel(dayIndex(next.from, cov)), start: next.from, end: next.from, quantity: 1n });
  }

  // Annual renewal.
  for (const a of findRenewalAnniversaries(intervals, window.asOf)) {
    const entry = planFees.get(a.plan)!.annualRenewal;
    if (!entry || entry.rate.amount === 0n || !sink.inWindow(a.at)) continue;
    sink.push({ operatorId: a.operatorId, plan: a.plan, kind: 'annualRenewal', entry, date: dayLabel(dayIndex(a.at, cov)), start: a.at, end: a.at, quantity: 1n, reference: `year ${a.year}` });
  }

  const data = rateUsage(schedule, history, planFees, usage, window, sink);
  if (!data.ok) return data;
  return ok(sink.items);
}

function rateUsage(
  schedule: FeeSchedule,
  history: SubscriberHistory,
  planFees: Map<Subscription, PlanFees>,
  usage: readonly UsageRecord[],
  window: RatingWindow,
  sink: ItemSink,
): Result<true> {
  const cov = schedule.coverageType;
  const mine = usage.filter((u) => u.imsi === history.imsi && u.time <= window.asOf);
  if (mine.length === 0) return ok(true);
  mine.sort((a, b) => a.time - b.time);
  const groups = new Map<string, { day: number; iv: StatusInterval; entry: FeeEntry; bytes: bigint }>();
  const monthBytes = new Map<number, bigint>();
  for (const u of mine) {
    if (!Number.isSafeInteger(u.uploadBytes) || !Number.isSafeInteger(u.downloadBytes) || u.uploadBytes < 0 || u.downloadBytes < 0) {
      return failWith(billingError('BIL0003', `${u.imsi} at ${u.time}: byte counts must be non-negative integers`));
    }
    const iv = intervalAt(history.intervals, u.time);
    if (!iv) return failWith(billingError('BIL0003', `${u.imsi} at ${new Date(u.time).toISOString()} is outside its status history`));
    const fees = planFees.get(iv.plan)!;
    let bytes = BigInt(u.uploadBytes) + BigInt(u.downloadBytes);
    const prepaid = fees.monthlyPrepaid;
    if (prepaid) {
      // plan-DU: the prepaid fee covers a monthly quota; only bytes beyond it can be rated.
      const m = monthIndex(u.time, cov);
      const before = monthBytes.get(m) ?? 0n;
      const after = before + bytes;
      monthBytes.set(m, after);
      const over = (x: bigint): bigint => (x > prepaid.quotaBytes ? x - prepaid.quotaBytes : 0n);
      bytes = over(after) - over(before);
    }
    const entry = dataFeeFor(fees, iv.speedClass);
    if (!entry || bytes === 0n) continue;
    const day = dayIndex(u.time, cov);
    if (!sink.inWindow(dayStartOf(day, cov))) continue;
    const key = `${day}|${iv.operatorId}|${iv.plan}|${iv.speedClass ?? ''}`;
    const g = groups.get(key);
    if (g) g.bytes += bytes;
    else groups.set(key, { day, iv, entry, bytes });
  }
  for (const g of groups.values()) {
    sink.push({
      operatorId: g.iv.operatorId,
      plan: g.iv.plan,
      kind: 'data',
      entry: g.entry,
      date: dayLabel(g.day),
      start: dayStartOf(g.day, cov),
      end: dayStartOf(g.day + 1, cov),
      quantity: g.bytes,
      ...(g.iv.speedClass ? { speedClass: g.iv.speedClass } : {}),
    });
  }
  return ok(true);
}

/** Rates support-transfer and eSIM profile fee events in the window. */
export function rateOneOffEvents(
  schedule: FeeSchedule,
  events: readonly OneOffFeeEvent[],
  window: RatingWindow,
): Result<BillLineItem[]> {
  const cov = schedule.coverageType;
  const out: BillLineItem[] = [];
  for (const e of events) {
    const sink = new ItemSink(schedule, { imsi: e.imsi, ...(e.simId !== undefined ? { simId: e.simId } : {}) }, window);
    if (!sink.inWindow(e.at)) continue;
    let entry: FeeEntry | undefined;
    if (e.kind === 'simTransfer') entry = schedule.account.simTransfer;
    else {
      const fees = planFeesOf(schedule, e.plan);
      if (!fees.ok) return fees;
      entry = fees.value.esimProfileInitial;
      if (!entry) return failWith(billingError('BIL0004', `${e.plan} has no eSIM profile initial fee in the ${cov} schedule`));
    }
    if (entry.rate.amount === 0n) continue;
    sink.push({ operatorId: e.operatorId, plan: e.plan, kind: e.kind, entry, date: dayLabel(dayIndex(e.at, cov)), start: e.at, end: e.at, quantity: 1n, ...(e.reference !== undefined ? { reference: e.reference } : {}) });
    out.push(...sink.items);
  }
  return ok(out);
}

/** Everything to rate for one coverage type. */
export interface CoverageRatingInput {
  readonly schedule: FeeSchedule;
  readonly subscribers: readonly { readonly history: SubscriberHistory; readonly usage: readonly UsageRecord[] }[];
  readonly events: readonly OneOffFeeEvent[];
  readonly window: RatingWindow;
}

/** Rates every subscriber and event of one coverage type; stops at the first error. */
export function rateCoverage(input: CoverageRatingInput): Result<BillLineItem[]> {
  const out: BillLineItem[] = [];
  for (const s of input.subscribers) {
    const r = rateSubscriber(input.schedule, s.history, s.usage, input.window);
    if (!r.ok) return r;
    for (const item of r.value) out.push(item);
  }
  const ev = rateOneOffEvents(input.schedule, input.events, input.window);
  if (!ev.ok) return ev;
  out.push(...ev.value);
  return ok(out);
}
