/**
 * Billing use cases (SPEC §1.6, docs/billing.md "API"): rate the store's streams with the pure
 * engine of `domain/billing`, keep closed monthly statements, and render the Billing API views.
 *
 * Inputs, all read from store streams:
 * - `status-history` (`StatusChange`, key IMSI): one interval per change, owned by the record's
 *   operator. Reactivation, suspension and annual renewal fees are derived from it by the engine,
 *   so the `reactivation` / `suspension` records of the `fees` stream are NOT rated again.
 * - `usage` (`UsageRecord`, key IMSI): the network gate's reports and the sandbox's air stats;
 *   data is rated at the record's speed class.
 * - `fees` (key IMSI): one-off fees the history cannot show — `simTransfer` and
 *   `esimProfileInitial` (`OneOffFeeRecord`, appended by `recordOneOffFee`).
 *
 * Statements are per operator × coverage × billing month. Until a month closes (00:00 UTC on the
 * 1st of the next month) it is computed on demand (`temporary`); the scheduler's month-close job
 * then persists it (`closed`, kind `billing-statement`) and opens its monthly charge.
 */
import {
  billingMonthClosesAt,
  billingMonthRange,
  billItemSummaryView,
  buildMonthlyStatement,
  dailyBillsView,
  exportBillingCsv,
  latestBillView,
  monthIndex,
  monthLabel,
  monthlyBillView,
  parseYearMonth,
  rateOneOffEvents,
  rateSubscriber,
  simSummaryView,
  SPEED_CLASSES,
  billingError,
  type BillLineItem,
  type CoverageType,
  type MonthlyStatement,
  type OneOffFeeEvent,
  type SpeedClass,
  type StatusInterval,
  type Subscription,
  type UsageRecord as RatedUsage,
} from '../domain/billing/index.js';
import { PlatformError, domainError, unwrap, type Result } from '../domain/errors.js';
import type { StatusChange } from '../domain/events.js';
import { readOnly, type StoreTx, type StreamRecord } from '../store/port.js';
import { decodeBigInts, encodeBigInts } from './bigint-json.js';
import { STREAMS, type AppContext, type UsageRecord } from './context.js';
import { loadFeeSchedules, type FeeSchedules } from './fee-schedules.js';
import { loadPaymentAccount } from './payments.js';
import { keptStatement } from './statement-memo.js';
import { SUBSCRIBER_KIND } from './subscribers.js';
import { billPaymentStatus } from '../domain/billing/index.js';

/** Store document kinds of billing. */
export const BILLING_KINDS = { statement: 'billing-statement' } as const;

/**
 * A one-off fee in the `fees` stream (key IMSI). Transfer and eSIM use cases append these with
 * `recordOneOffFee`; `fee-incurred` records with `fee` reactivation/suspension are ignored here.
 */
export interface OneOffFeeRecord {
  type: 'fee-incurred';
  fee: 'simTransfer' | 'esimProfileInitial';
  imsi: string;
  simId?: string;
  /** Who pays: the transfer's source; the profile's orderer. */
  operatorId: string;
  coverageType: CoverageType;
  subscription: string;
  at: number;
  /** Transfer request id, order id… shown on the line item. */
  reference?: string;
}

/** Appends a one-off fee to the `fees` stream inside the caller's transaction. */
export async function recordOneOffFee(tx: StoreTx, fee: Omit<OneOffFeeRecord, 'type'>): Promise<void> {
  await tx.append(STREAMS.fees, fee.imsi, fee.at, { type: 'fee-incurred', ...fee } satisfies OneOffFeeRecord);
}

const schedulesByCtx = new WeakMap<AppContext, FeeSchedules>();

/** The fee schedules this platform rates with (loaded once from `config.feeScheduleDir` or the defaults). */
export function feeSchedulesOf(ctx: AppContext): FeeSchedules {
  let s = schedulesByCtx.get(ctx);
  if (!s) {
    s = loadFeeSchedules(ctx.config.feeScheduleDir);
    schedulesByCtx.set(ctx, s);
  }
  return s;
}

const statementId = (operatorId: string, coverage: CoverageType, yearMonth: string): string => `${operatorId}:${coverage}:${yearMonth}`;

/**
 * A record of the `status-history` stream: a status change, or a transfer's change of owner
 * (`ownership-changed`, appended by the transfer use cases at the instant fees hand over).
 */
type HistoryRecord =
  | StatusChange
  | { type: 'ownership-changed'; imsi: string; fromOperatorId: string; toOperatorId: string; coverageType: CoverageType; subscription: string; status: StatusChange['toStatus']; at: number };

const ownerAfter = (r: HistoryRecord): string => (r.type === 'ownership-changed' ? r.toOperatorId : r.operatorId);
const statusAfter = (r: HistoryRecord): StatusChange['toStatus'] => (r.type === 'ownership-changed' ? r.status : r.toStatus);

/** The SIM ID the newest of an IMSI's status records carries, if any. */
function simIdOf(records: readonly HistoryRecord[]): string | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.type === 'status-changed' && r.simId !== undefined) return r.simId;
  }
  return undefined;
}

/** Builds contiguous intervals from one IMSI's status-history records (oldest first). */
function intervalsOf(records: readonly HistoryRecord[]): StatusInterval[] {
  const out: StatusInterval[] = [];
  for (const r of records) {
    const last = out.at(-1);
    if (last) out[out.length - 1] = { ...last, to: r.at };
    out.push({ from: r.at, to: null, status: statusAfter(r), plan: r.subscription as Subscription, operatorId: ownerAfter(r) });
  }
  return out;
}

/** One-off fee names of the `fees` stream → the engine's kinds (both spellings the app emits). */
const ONE_OFF_KIND: Readonly<Record<string, OneOffFeeEvent['kind']>> = {
  simTransfer: 'simTransfer',
  'sim-transfer': 'simTransfer',
  esimProfileInitial: 'esimProfileInitial',
  'esim-profile-initial': 'esimProfileInitial',
};

const isSpeedClass = (s: string): s is SpeedClass => (SPEED_CLASSES as readonly string[]).includes(s);

/**
 * Rates every subscriber of `coverage` that `operatorId` ever owned, plus the operator's one-off
 * fees, for items dated in [from, to) as of `asOf`.
 */
async function rateOperator(ctx: AppContext, tx: StoreTx, operatorId: string, coverage: CoverageType, from: number, to: number, asOf: number): Promise<BillLineItem[]> {
  const schedule = feeSchedulesOf(ctx)[coverage];
  const window = { from, to, asOf };
  const changes = await tx.readStream<HistoryRecord>(STREAMS.statusHistory, { toTime: Math.min(to, asOf) });
  const byImsi = new Map<string, HistoryRecord[]>();
  const owned = new Set<string>();
  for (const r of changes) {
    const c = r.body;
    if (c.coverageType !== coverage || (c.type !== 'status-changed' && c.type !== 'ownership-changed')) continue;
    let list = byImsi.get(c.imsi);
    if (!list) byImsi.set(c.imsi, (list = []));
    list.push(c);
    if (ownerAfter(c) === operatorId) owned.add(c.imsi);
  }
  const items: BillLineItem[] = [];
  const take = (r: Result<BillLineItem[]>, only?: 'data'): void => {
    for (const i of unwrap(r)) if (i.operatorId === operatorId && (only === undefined ? i.feeKind !== 'data' : i.feeKind === 'data')) items.push(i);
  };
  // SIM IDs come with the status records (they never change). Only records written before they
  // carried one make a read of the SIM documents: once for the account, not once per SIM.
  const simIds = new Map<string, string | undefined>();
  for (const imsi of owned) {
    const simId = simIdOf(byImsi.get(imsi)!);
    if (simId !== undefined) simIds.set(imsi, simId);
  }
  if (simIds.size < owned.size) {
    for (const sim of await tx.list<{ imsi: string; simId?: string }>(SUBSCRIBER_KIND, { partition: operatorId })) if (!simIds.has(sim.imsi)) simIds.set(sim.imsi, sim.simId);
  }
  // The window's usage records: one read for the account.
  const usageFrom = from - 86_400_000;
  const usageByImsi = new Map<string, StreamRecord<UsageRecord>[]>();
  for (const u of owned.size > 0 ? await tx.readStream<UsageRecord>(STREAMS.usage, { fromTime: usageFrom, toTime: Math.min(to, asOf) }) : []) {
    if (!owned.has(u.key)) continue;
    let list = usageByImsi.get(u.key);
    if (!list) usageByImsi.set(u.key, (list = []));
    list.push(u);
  }
  for (const imsi of owned) {
    const intervals = intervalsOf(byImsi.get(imsi)!);
    // A SIM that has since moved to another account is not in this operator's partition.
    const simId = simIds.has(imsi) ? simIds.get(imsi) : (await tx.get<{ simId?: string }>(SUBSCRIBER_KIND, imsi))?.simId;
    const history = { imsi, coverageType: coverage, intervals, ...(simId ? { simId } : {}) };
    take(rateSubscriber(schedule, history, [], window));
    // Data: at each record's speed class. [choice] usage before the SIM's first status (e.g.
    // sandbox stats back-dated before registration) has no owner and is not rated.
    const firstOwned = Math.max(usageFrom, intervals[0]!.from);
    const usage = (usageByImsi.get(imsi) ?? []).filter((u) => u.at >= firstOwned);
    const bySpeed = new Map<string, RatedUsage[]>();
    for (const u of usage) {
      const list = bySpeed.get(u.body.speedClass) ?? [];
      list.push({ imsi, time: u.at, uploadBytes: u.body.uplinkBytes, downloadBytes: u.body.downlinkBytes });
      bySpeed.set(u.body.speedClass, list);
    }
    for (const [speedClass, records] of bySpeed) {
      const withClass = isSpeedClass(speedClass) ? intervals.map((iv) => ({ ...iv, speedClass })) : intervals;
      take(rateSubscriber(schedule, { ...history, intervals: withClass }, records, window), 'data');
    }
  }
  const fees = await tx.readStream<Partial<Omit<OneOffFeeRecord, 'fee'>> & { fee?: string }>(STREAMS.fees, { fromTime: from, toTime: Math.min(to, asOf) });
  const events: OneOffFeeEvent[] = [];
  for (const { body: f } of fees) {
    const kind = ONE_OFF_KIND[f.fee ?? ''];
    if (!kind || f.operatorId !== operatorId || f.coverageType !== coverage) continue;
    events.push({
      kind,
      imsi: f.imsi!,
      at: f.at!,
      operatorId,
      plan: f.subscription as Subscription,
      ...(f.simId ? { simId: f.simId } : {}),
      ...(f.reference ? { reference: f.reference } : {}),
    });
  }
  items.push(...unwrap(rateOneOffEvents(schedule, events, window)));
  return items;
}

/** Validates a `yyyyMM` path parameter (BIL0006). */
export function assertYearMonth(yearMonth: string): void {
  if (parseYearMonth(yearMonth) === undefined) throw new PlatformError(billingError('BIL0006', `${JSON.stringify(yearMonth)} (expected yyyyMM)`));
}

/**
 * The statement of one operator, coverage and month, as of now: the persisted one once the month
 * closed, else computed from the streams.
 */
export async function statementOf(ctx: AppContext, tx: StoreTx, operatorId: string, coverage: CoverageType, yearMonth: string): Promise<MonthlyStatement> {
  assertYearMonth(yearMonth);
  const stored = await tx.get<unknown>(BILLING_KINDS.statement, statementId(operatorId, coverage, yearMonth));
  if (stored) return decodeBigInts<MonthlyStatement>(stored);
  const now = ctx.clock.now();
  return keptStatement(ctx, tx, { operatorId, coverage, yearMonth }, now, () => computeStatement(ctx, tx, operatorId, coverage, yearMonth, now));
}

/** Rates a month from the streams (no persistence). */
export async function computeStatement(ctx: AppContext, tx: StoreTx, operatorId: string, coverage: CoverageType, yearMonth: string, asOf: number): Promise<MonthlyStatement> {
  const { from, to } = billingMonthRange(yearMonth, coverage);
  const items = from < asOf ? await rateOperator(ctx, tx, operatorId, coverage, from, to, asOf) : [];
  const schedule = feeSchedulesOf(ctx)[coverage];
  return buildMonthlyStatement({ operatorId, coverageType: coverage, currency: schedule.currency, yearMonth, items, asOf });
}

/**
 * Closes `yearMonth` for one operator and coverage (month-close job): computes the statement as
 * of the close, persists it when it has items, and returns it. Idempotent: a persisted statement
 * is returned as it is.
 */
export async function closeStatement(ctx: AppContext, tx: StoreTx, operatorId: string, coverage: CoverageType, yearMonth: string): Promise<MonthlyStatement> {
  const id = statementId(operatorId, coverage, yearMonth);
  const stored = await tx.get<unknown>(BILLING_KINDS.statement, id);
  if (stored) return decodeBigInts<MonthlyStatement>(stored);
  const st = await computeStatement(ctx, tx, operatorId, coverage, yearMonth, Math.max(ctx.clock.now(), billingMonthClosesAt(yearMonth)));
  if (st.items.length > 0) await tx.put(BILLING_KINDS.statement, id, encodeBigInts(st), operatorId);
  return st;
}

/** The `yyyyMM` whose statement is open at `now` for a coverage type. */
export const openYearMonth = (now: number, coverage: CoverageType): string => monthLabel(monthIndex(now, coverage));

async function paymentOf(tx: StoreTx, operatorId: string, coverage: CoverageType): Promise<(ym: string) => ReturnType<typeof billPaymentStatus>> {
  const account = await loadPaymentAccount(tx, operatorId, coverage);
  return (ym) => (account ? billPaymentStatus(account, ym) : undefined);
}

/** getBillingHistory: closed statements, newest first. */
export async function getBillingHistory(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<{ billList: ReturnType<typeof monthlyBillView>[] }> {
  return readOnly(ctx.store, async (tx) => {
    const docs = await tx.list<unknown>(BILLING_KINDS.statement, { partition: operatorId });
    const statements = docs.map((d) => decodeBigInts<MonthlyStatement>(d)).filter((s) => s.coverageType === coverage);
    const payment = await paymentOf(tx, operatorId, coverage);
    return {
      billList: statements
        .filter((s) => s.state === 'closed')
        .sort((a, b) => (a.yearMonth < b.yearMonth ? 1 : -1))
        .map((s) => monthlyBillView(s, payment(s.yearMonth))),
    };
  });
}

/**
 * A month's statement for the API; BIL0007 (404) for a month that has not started, or a closed
 * month with nothing billed [choice].
 */
async function billableStatement(ctx: AppContext, tx: StoreTx, operatorId: string, coverage: CoverageType, yearMonth: string): Promise<MonthlyStatement> {
  assertYearMonth(yearMonth);
  const now = ctx.clock.now();
  if (billingMonthRange(yearMonth, coverage).from > now) throw new PlatformError(domainError('BIL0007', `(${yearMonth})`));
  const st = await statementOf(ctx, tx, operatorId, coverage, yearMonth);
  if (st.state === 'closed' && st.items.length === 0) throw new PlatformError(domainError('BIL0007', `(${yearMonth})`));
  return st;
}

/** getBilling. */
export async function getBilling(ctx: AppContext, operatorId: string, coverage: CoverageType, yearMonth: string): Promise<ReturnType<typeof monthlyBillView>> {
  return readOnly(ctx.store, async (tx) => {
    const st = await billableStatement(ctx, tx, operatorId, coverage, yearMonth);
    return monthlyBillView(st, (await paymentOf(tx, operatorId, coverage))(yearMonth));
  });
}

/** getBillingPerDay. */
export async function getBillingPerDay(ctx: AppContext, operatorId: string, coverage: CoverageType, yearMonth: string): Promise<ReturnType<typeof dailyBillsView>> {
  return readOnly(ctx.store, async (tx) => dailyBillsView(await billableStatement(ctx, tx, operatorId, coverage, yearMonth)));
}

/** getLatestBilling: the open month so far. */
export async function getLatestBilling(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<ReturnType<typeof latestBillView>> {
  return readOnly(ctx.store, async (tx) => latestBillView(await statementOf(ctx, tx, operatorId, coverage, openYearMonth(ctx.clock.now(), coverage))));
}

/** The detailed CSV of a month (exportBilling) or of the open month (exportLatestBilling). */
export async function exportBilling(ctx: AppContext, operatorId: string, coverage: CoverageType, yearMonth?: string): Promise<{ yearMonth: string; csv: string }> {
  return readOnly(ctx.store, async (tx) => {
    const ym = yearMonth ?? openYearMonth(ctx.clock.now(), coverage);
    const st = yearMonth ? await billableStatement(ctx, tx, operatorId, coverage, ym) : await statementOf(ctx, tx, operatorId, coverage, ym);
    return { yearMonth: ym, csv: exportBillingCsv(st) };
  });
}

/** The open month and the 3 before it (the reference's "last 4 months"). */
async function lastFourMonths(ctx: AppContext, tx: StoreTx, operatorId: string, coverage: CoverageType): Promise<MonthlyStatement[]> {
  const open = monthIndex(ctx.clock.now(), coverage);
  const out: MonthlyStatement[] = [];
  for (let m = open; m > open - 4; m--) {
    const st = await statementOf(ctx, tx, operatorId, coverage, monthLabel(m));
    if (st.items.length > 0 || m === open) out.push(st);
  }
  return out;
}

/** getBillingSummaryOfBillItems. */
export async function getBillingSummaryOfBillItems(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<ReturnType<typeof billItemSummaryView>> {
  return readOnly(ctx.store, async (tx) => billItemSummaryView(await lastFourMonths(ctx, tx, operatorId, coverage)));
}

/** getBillingSummaryOfSims. */
export async function getBillingSummaryOfSims(ctx: AppContext, operatorId: string, coverage: CoverageType): Promise<ReturnType<typeof simSummaryView>> {
  return readOnly(ctx.store, async (tx) => simSummaryView(await lastFourMonths(ctx, tx, operatorId, coverage)));
}
