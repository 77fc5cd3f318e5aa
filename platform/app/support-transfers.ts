import { PlatformError, domainError, unwrap, type DomainError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import { closeSession } from '../domain/session-close.js';
import { defaultSpeedClass, isSubscription, type Subscriber } from '../domain/subscriber.js';
import type { BusinessCalendar } from '../domain/transfer/business-calendar.js';
import { calendarFromSpec } from '../domain/transfer/calendar-config.js';
import type { CoverageType } from '../domain/ids.js';
import {
  cancelUnansweredSupportTransfer,
  executeSupportTransfer,
  replyToSupportTransfer,
  requestSupportTransfer,
  reviewSupportTransfer,
  supportTransferDueAt,
  type SupportTransfer,
  type SupportTransferChange,
  type SupportTransferRequestBody,
} from '../domain/transfer/support-transfer.js';
import type { StoreTx } from '../store/port.js';
import { useCase, type AppContext, type Emit } from './context.js';
import type { JobReport } from './scheduler.js';
import { GROUP_KIND, type Group } from './groups.js';
import { newUuid } from './ids.js';
import { postNotice } from './outbox.js';
import { hasOutstandingCharges } from './payments.js';
import { SUBSCRIBER_KIND, commitSubscriberChange } from './subscribers.js';
import { loadSubscribers, stamp, transferOperator } from './transfer-support.js';

export const SUPPORT_TRANSFER_KIND = 'support-transfer';
export const SUPPORT_TRANSFER_JOBS = { step: 'support-transfer-step' } as const;

const calendars = new WeakMap<AppContext, Map<CoverageType, BusinessCalendar>>();

/** The business calendar of a coverage type from platform config (time zone + holidays, SPEC §1.4 [choice]). */
export function calendarOf(ctx: AppContext, coverage: CoverageType): BusinessCalendar {
  let byCoverage = calendars.get(ctx);
  if (!byCoverage) calendars.set(ctx, (byCoverage = new Map()));
  let calendar = byCoverage.get(coverage);
  if (!calendar) byCoverage.set(coverage, (calendar = calendarFromSpec(ctx.config.businessCalendars[coverage])));
  return calendar;
}

/** What the support desk checked at review, with its findings (`GET …/review`'s body). */
export interface SupportTransferReview {
  transfer: SupportTransfer;
  checks: {
    destinationTermsAccepted: boolean;
    sourceHasOutstandingCharges: boolean;
    destinationHasOutstandingCharges: boolean;
    destinationHasValidPaymentMethod: boolean;
    destinationGroupExists: boolean;
  };
  findings: DomainError[];
  notTransferableSimIds: string[];
}

async function load(tx: StoreTx, id: string): Promise<SupportTransfer> {
  const t = await tx.get<SupportTransfer>(SUPPORT_TRANSFER_KIND, id);
  if (!t) throw new PlatformError(domainError('STR0012'));
  return t;
}

/** Loads a request the caller is a party to (source or destination); others see "not found". */
async function loadAsParty(tx: StoreTx, id: string, operatorId: string): Promise<SupportTransfer> {
  const t = await load(tx, id);
  if (t.sourceOperatorId !== operatorId && t.destinationOperatorId !== operatorId) throw new PlatformError(domainError('STR0012'));
  return t;
}

async function save(ctx: AppContext, tx: StoreTx, change: SupportTransferChange): Promise<void> {
  const t = change.transfer;
  await tx.put(SUPPORT_TRANSFER_KIND, t.id, t, t.sourceOperatorId);
  // The destination lists requests addressed to it through this index.
  await tx.put(`${SUPPORT_TRANSFER_KIND}-to`, t.id, { id: t.id }, t.destinationOperatorId);
  for (const n of change.notices) await postNotice(ctx, tx, n);
  const due = supportTransferDueAt(t);
  const key = `support-transfer:${t.id}`;
  if (due !== undefined) await ctx.scheduler.at(due, key, SUPPORT_TRANSFER_JOBS.step, { id: t.id }, tx);
  else await ctx.scheduler.cancel(key, tx);
}

/** Resolves SIM IDs (or IMSIs) to subscribers of any operator; the rules decide what is "not found". */
async function subscribersBySimId(tx: StoreTx, operatorId: string, simIds: readonly unknown[]): Promise<Subscriber[]> {
  const wanted = new Set(simIds.filter((x): x is string => typeof x === 'string'));
  const out: Subscriber[] = [];
  for (const s of await tx.list<Subscriber>(SUBSCRIBER_KIND, { partition: operatorId })) {
    if (s.registered && (wanted.has(s.simId) || wanted.has(s.imsi))) out.push(s);
  }
  return out;
}

/** Source files a support-assisted transfer request (SPEC §1.4); state `requested`. */
export async function requestSupportAssistedTransfer(ctx: AppContext, sourceOperatorId: string, request: SupportTransferRequestBody): Promise<SupportTransfer> {
  return useCase(ctx, async (tx) => {
    const now = ctx.clock.now();
    const destination = await transferOperator(tx, String(request.destinationOperatorId ?? ''), now);
    const subscribers = await subscribersBySimId(tx, sourceOperatorId, Array.isArray(request.simIds) ? request.simIds : []);
    const r = unwrap(
      requestSupportTransfer({
        id: newUuid(ctx.random),
        sourceOperatorId,
        request,
        subscribers,
        findOperator: (id) => (destination && destination.operatorId === id ? destination : undefined),
        now,
      }),
    );
    await save(ctx, tx, { transfer: r.transfer, notices: [] });
    return r.transfer;
  });
}

/**
 * The support desk's review, run on request by the source (cellgate has no human desk): checks
 * the destination's terms and payment method for the coverage, outstanding charges on both
 * accounts, the requested group and the SIMs; approved → confirmation notice to the destination.
 */
export async function reviewSupportAssistedTransfer(ctx: AppContext, operatorId: string, id: string): Promise<SupportTransferReview> {
  return useCase(ctx, async (tx) => {
    const now = ctx.clock.now();
    const t = await loadAsParty(tx, id, operatorId);
    if (t.sourceOperatorId !== operatorId) throw new PlatformError(domainError('STR0012'));
    const destination = await transferOperator(tx, t.destinationOperatorId, now);
    const account = destination?.coverage[t.coverageType];
    const facts = {
      destination,
      sourceHasOutstandingCharges: await hasOutstandingCharges(tx, t.sourceOperatorId, t.coverageType, now),
      destinationHasOutstandingCharges: await hasOutstandingCharges(tx, t.destinationOperatorId, t.coverageType, now),
      // The requested group must be one of the destination's own groups (SPEC §1.4).
      destinationGroupExists: t.destinationGroupId === null || (await tx.get<Group>(GROUP_KIND, t.destinationGroupId))?.operatorId === t.destinationOperatorId,
    };
    const subscribers = await loadSubscribers(tx, t.imsis);
    const r = unwrap(reviewSupportTransfer({ transfer: t, subscribers, facts, calendar: calendarOf(ctx, t.coverageType), now }));
    await save(ctx, tx, r);
    return {
      transfer: r.transfer,
      checks: {
        destinationTermsAccepted: account?.termsAccepted ?? false,
        sourceHasOutstandingCharges: facts.sourceHasOutstandingCharges,
        destinationHasOutstandingCharges: facts.destinationHasOutstandingCharges,
        destinationHasValidPaymentMethod: account?.paymentMethodValid ?? false,
        destinationGroupExists: facts.destinationGroupExists,
      },
      findings: r.transfer.findings,
      notTransferableSimIds: r.transfer.notTransferableSimIds,
    };
  });
}

/** The destination replies to the confirmation notice: accept → scheduled for the 1st; decline → ended. */
export async function replyToSupportAssistedTransfer(ctx: AppContext, replierOperatorId: string, id: string, accept: boolean): Promise<SupportTransfer> {
  return useCase(ctx, async (tx) => {
    const t = await loadAsParty(tx, id, replierOperatorId);
    const r = unwrap(replyToSupportTransfer({ transfer: t, replierOperatorId, accept, calendar: calendarOf(ctx, t.coverageType), now: ctx.clock.now() }));
    await save(ctx, tx, r);
    return r.transfer;
  });
}

export async function getSupportAssistedTransfer(ctx: AppContext, operatorId: string, id: string): Promise<SupportTransfer> {
  return ctx.store.transaction((tx) => loadAsParty(tx, id, operatorId));
}

/** Requests the operator filed or that are addressed to it, oldest first. */
export async function listSupportAssistedTransfers(ctx: AppContext, operatorId: string): Promise<SupportTransfer[]> {
  return ctx.store.transaction(async (tx) => {
    const own = await tx.list<SupportTransfer>(SUPPORT_TRANSFER_KIND, { partition: operatorId });
    const incoming = await tx.list<{ id: string }>(`${SUPPORT_TRANSFER_KIND}-to`, { partition: operatorId });
    const all = new Map(own.map((t) => [t.id, t]));
    for (const ref of incoming) if (!all.has(ref.id)) all.set(ref.id, await load(tx, ref.id));
    return [...all.values()].sort((a, b) => a.requestedTime - b.requestedTime);
  });
}

/** Transfer day: live sessions deleted through the session-close path, SIMs moved, fee charged. */
async function execute(ctx: AppContext, tx: StoreTx, emit: Emit, t: SupportTransfer, now: number): Promise<SupportTransfer | undefined> {
  let subscribers = await loadSubscribers(tx, t.imsis);
  const speedClassFor = (p: string): string | undefined => (isSubscription(p) ? defaultSpeedClass(p) : undefined);
  const plan = executeSupportTransfer({ transfer: t, subscribers, defaultSpeedClass: speedClassFor, now });
  if (!plan.ok) return undefined;
  const moving = new Set(plan.value.transfer.transferredImsis);
  // Sessions end first, in the source's name, exactly as deleteSubscriberSession does (the radio side gets the order).
  const afterClose: Subscriber[] = [];
  for (const s of subscribers) {
    if (moving.has(s.imsi) && s.sessionStatus?.online) {
      const closed = closeSession(s, now, true);
      await commitSubscriberChange(ctx, tx, emit, s, closed.subscriber, closed.events);
      afterClose.push(closed.subscriber);
    } else afterClose.push(s);
  }
  subscribers = afterClose;
  const r = unwrap(executeSupportTransfer({ transfer: t, subscribers, defaultSpeedClass: speedClassFor, now }));
  const byImsi = new Map(subscribers.map((s) => [s.imsi, s]));
  for (const after of r.subscribers) {
    const before = byImsi.get(after.imsi)!;
    const events = r.events.filter((e) => e.imsi === after.imsi && e.type !== 'session-delete-ordered') as DomainEvent[];
    // The status stays, the owner changes: billing's status history starts a new interval here (SPEC §1.4).
    events.push({ type: 'status-changed', imsi: after.imsi, operatorId: after.operatorId, coverageType: after.coverageType, subscription: after.subscription, fromStatus: before.status, toStatus: after.status, at: now, cause: 'transfer' });
    await commitSubscriberChange(ctx, tx, emit, before, stamp(before, after, now), events);
  }
  await save(ctx, tx, r);
  return r.transfer;
}

/** Scheduler handler: at the reply deadline an unanswered request is cancelled; on the transfer date it runs. */
export function registerSupportTransferJobs(ctx: AppContext): void {
  ctx.scheduler.handle(SUPPORT_TRANSFER_JOBS.step, async (payload) => {
    const { id } = payload as { id: string };
    return useCase(ctx, async (tx, emit): Promise<JobReport | undefined> => {
      const t = await tx.get<SupportTransfer>(SUPPORT_TRANSFER_KIND, id);
      if (!t) return undefined;
      const now = ctx.clock.now();
      const operatorIds = [t.sourceOperatorId, t.destinationOperatorId];
      if (t.state === 'awaiting-reply') {
        const change = cancelUnansweredSupportTransfer({ transfer: t, now });
        if (!change) return undefined;
        await save(ctx, tx, change);
        return { summary: `support transfer ${t.id} cancelled: no reply within 5 business days`, operatorIds };
      }
      if (t.state === 'scheduled' && t.transferTime !== null && now >= t.transferTime) {
        const done = await execute(ctx, tx, emit, t, now);
        return { summary: `support transfer ${t.id} executed on ${t.transferDate}: ${done?.transferredImsis.length ?? 0} SIMs moved to ${t.destinationOperatorId}`, operatorIds };
      }
      return undefined;
    });
  });
}
