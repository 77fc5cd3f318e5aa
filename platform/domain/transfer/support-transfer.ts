/**
 * Support-assisted transfer of used SIMs: SPEC §1.4, seed 000 "Transferring SIMs in Other
 * Statuses" and its timing table. Steps, each a pure function the app and scheduler call:
 * request → review (→ confirmation notice) → destination reply within 5 business days →
 * execution on the 1st of the month the reply date decides.
 */
import {
  DEFAULT_BUSINESS_CALENDAR,
  addBusinessDays,
  addDays,
  civilDateAt,
  firstOfMonthAfter,
  formatCivilDate,
  parseCivilDate,
  startOfCivilDate,
  type BusinessCalendar,
  type CivilDate,
} from './business-calendar.js';
import { domainError, fail, ok, type DomainError, type Result } from '../errors.js';
import type { TransferEvent } from './transfer-events.js';
import {
  hasValidPaymentMethod,
  isOperatorId,
  resolveDestination,
  simIdOf,
  type CoverageType,
  type OperatorLookup,
  type SubscriberStatus,
  type TransferOperator,
  type TransferSubscriber,
} from './transfer-subscriber.js';

/** Statuses a support-assisted transfer takes (seed 000). */
export const SUPPORT_TRANSFER_STATUSES: readonly SubscriberStatus[] = ['active', 'inactive', 'standby', 'suspended'];
/** The destination must reply "within 5 business days of sending the email" (seed 000). */
export const REPLY_BUSINESS_DAYS = 5;
/** "If the reply is received by the 25th" (seed 000), inclusive. */
export const REPLY_CUTOFF_DAY = 25;
/** [choice] Upper bound of SIMs per request. */
export const MAX_SUPPORT_TRANSFER_SIMS = 1000;

/**
 * [choice] Speed class a SIM gets on a support-assisted transfer (seed 000: "Speed Class settings
 * ... will not be preserved"): the plan's default for a newly registered SIM.
 */
export const PLAN_DEFAULT_SPEED_CLASS: Readonly<Record<string, string>> = {
  plan01s: 's1.standard',
  'plan01s-low_data_volume': 's1.standard',
  'plan-D': 's1.standard',
  'plan-K': 's1.standard',
  'plan-KM1': 't1.standard',
  'plan-DU': 'u1.standard',
  planX1: 's1.standard',
  planP1: 's1.standard',
};

export type SupportTransferState =
  | 'requested'
  | 'rejected'
  | 'awaiting-reply'
  | 'declined'
  | 'cancelled'
  | 'scheduled'
  | 'completed';

export interface SupportTransfer {
  id: string;
  sourceOperatorId: string;
  destinationOperatorId: string;
  destinationEmail: string;
  destinationGroupId: string | null;
  coverageType: CoverageType;
  /** SIM IDs as requested; `imsis` in the same order. */
  simIds: string[];
  imsis: string[];
  state: SupportTransferState;
  requestedTime: number;
  reviewedTime: number | null;
  /** Review findings that rejected the request (STR0020…STR0025). */
  findings: DomainError[];
  /** SIM IDs reported back as not transferable at review; they are left out of the transfer. */
  notTransferableSimIds: string[];
  /** When the confirmation notice was sent to the destination (the "email sent date"). */
  noticeSentTime: number | null;
  /** The first instant a reply is too late (start of the day after the 5th business day). */
  replyDeadline: number | null;
  replyTime: number | null;
  /** `YYYY-MM-DD` in the business time zone. */
  transferDate: string | null;
  /** Start of `transferDate` in the business time zone: when the scheduler executes it. */
  transferTime: number | null;
  endedTime: number | null;
  transferredImsis: string[];
  /** IMSIs left out at execution because they had meanwhile left the source or an eligible status. */
  skippedImsis: string[];
}

/** Body of cellgate's support-transfer request endpoint (no public API exists for it). */
export interface SupportTransferRequestBody {
  simIds: string[];
  destinationOperatorEmail: string;
  destinationOperatorId: string;
  destinationGroupId?: string | null;
}

/** An email record for the platform outbox. */
export interface SupportTransferNotice {
  kind: 'support-transfer-confirmation' | 'support-transfer-review-result' | 'support-transfer-cancelled' | 'support-transfer-scheduled' | 'support-transfer-completed';
  toOperatorId: string;
  transferId: string;
  sentTime: number;
  subject: string;
  body: string;
}

export interface SupportTransferChange {
  transfer: SupportTransfer;
  notices: SupportTransferNotice[];
}

function notice(kind: SupportTransferNotice['kind'], to: string, t: SupportTransfer, now: number, subject: string, body: string): SupportTransferNotice {
  return { kind, toOperatorId: to, transferId: t.id, sentTime: now, subject, body };
}

/** Step 1: the source files a request. Checks shape, destination and that it owns eligible SIMs. */
export function requestSupportTransfer<S extends TransferSubscriber>(input: {
  id: string;
  sourceOperatorId: string;
  request: SupportTransferRequestBody;
  /** The records the app found for the requested SIM IDs (any operator). */
  subscribers: readonly S[];
  findOperator: OperatorLookup;
  now: number;
}): Result<{ transfer: SupportTransfer }> {
  const { request, sourceOperatorId } = input;
  const simIds = Array.isArray(request.simIds) ? request.simIds : [];
  if (simIds.length < 1 || simIds.length > MAX_SUPPORT_TRANSFER_SIMS || new Set(simIds).size !== simIds.length) return fail('STR0001');
  if (!isOperatorId(request.destinationOperatorId)) return fail('STR0002');
  const destination = resolveDestination(input.findOperator, request.destinationOperatorId, String(request.destinationOperatorEmail ?? ''));
  if (!destination) return fail('STR0003');
  if (destination.operatorId === sourceOperatorId) return fail('STR0004');
  const own = new Map(input.subscribers.filter((s) => s.operatorId === sourceOperatorId).map((s) => [simIdOf(s), s]));
  const missing = simIds.filter((id) => !own.has(id));
  if (missing.length > 0) return fail('STR0005', missing);
  const sims = simIds.map((id) => own.get(id)!);
  const wrongStatus = sims.filter((s) => !SUPPORT_TRANSFER_STATUSES.includes(s.status)).map((s) => `${simIdOf(s)} (${s.status})`);
  if (wrongStatus.length > 0) return fail('STR0006', wrongStatus);
  const coverageType = sims[0]!.coverageType;
  if (sims.some((s) => s.coverageType !== coverageType)) return fail('STR0007');
  return ok({
    transfer: {
      id: input.id,
      sourceOperatorId,
      destinationOperatorId: destination.operatorId,
      destinationEmail: destination.email,
      destinationGroupId: request.destinationGroupId ?? null,
      coverageType,
      simIds: [...simIds],
      imsis: sims.map((s) => s.imsi),
      state: 'requested',
      requestedTime: input.now,
      reviewedTime: null,
      findings: [],
      notTransferableSimIds: [],
      noticeSentTime: null,
      replyDeadline: null,
      replyTime: null,
      transferDate: null,
      transferTime: null,
      endedTime: null,
      transferredImsis: [],
      skippedImsis: [],
    },
  });
}

/** The first instant a reply to a notice sent at `sentTime` is late. */
export function replyDeadlineFor(sentTime: number, calendar: BusinessCalendar = DEFAULT_BUSINESS_CALENDAR): number {
  const sentDate = civilDateAt(sentTime, calendar.timeZone);
  const lastDay = addBusinessDays(sentDate, REPLY_BUSINESS_DAYS, calendar);
  return startOfCivilDate(addDays(lastDay, 1), calendar.timeZone);
}

/** Seed 000: a reply by the 25th → the 1st of the following month, after it → the month after next. */
export function transferDateForReply(replyTime: number, calendar: BusinessCalendar = DEFAULT_BUSINESS_CALENDAR): CivilDate {
  const replied = civilDateAt(replyTime, calendar.timeZone);
  return firstOfMonthAfter(replied, replied.day <= REPLY_CUTOFF_DAY ? 1 : 2);
}

const eligible = (s: TransferSubscriber, t: SupportTransfer): boolean =>
  s.operatorId === t.sourceOperatorId && s.transferable && SUPPORT_TRANSFER_STATUSES.includes(s.status);

/** The account facts review needs; the app reads them from billing and the accounts store. */
export interface SupportTransferReviewFacts {
  destination: TransferOperator | undefined;
  sourceHasOutstandingCharges: boolean;
  destinationHasOutstandingCharges: boolean;
  /** Whether `destinationGroupId` names a group of the destination; ignored when none was requested. */
  destinationGroupExists: boolean;
}

/**
 * Step 2: support reviews the request. Every failed condition becomes a finding and rejects it;
 * SIMs not transferable (terms, or no longer in an eligible status) are reported back and left
 * out. Approved → the confirmation notice goes to the destination now, and the reply clock starts.
 */
export function reviewSupportTransfer<S extends TransferSubscriber>(input: {
  transfer: SupportTransfer;
  subscribers: readonly S[];
  facts: SupportTransferReviewFacts;
  calendar?: BusinessCalendar;
  now: number;
}): Result<SupportTransferChange> {
  const { transfer: t, facts, now } = input;
  if (t.state !== 'requested') return fail('STR0008');
  const calendar = input.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  const byImsi = new Map(input.subscribers.map((s) => [s.imsi, s]));
  const notTransferable = t.imsis.filter((imsi) => {
    const s = byImsi.get(imsi);
    return !s || !eligible(s, t);
  });
  const notTransferableSimIds = notTransferable.map((imsi) => t.simIds[t.imsis.indexOf(imsi)]!);
  const findings: DomainError[] = [];
  const account = facts.destination?.coverage[t.coverageType];
  if (!account?.termsAccepted) findings.push(domainError('STR0020'));
  if (facts.sourceHasOutstandingCharges) findings.push(domainError('STR0021'));
  if (facts.destinationHasOutstandingCharges) findings.push(domainError('STR0022'));
  if (!facts.destination || !hasValidPaymentMethod(facts.destination, t.coverageType)) findings.push(domainError('STR0023'));
  if (t.destinationGroupId !== null && !facts.destinationGroupExists) findings.push(domainError('STR0024'));
  if (notTransferable.length === t.imsis.length) findings.push(domainError('STR0025', notTransferableSimIds));

  const reviewed = { ...t, reviewedTime: now, findings, notTransferableSimIds };
  if (findings.length > 0) {
    const transfer: SupportTransfer = { ...reviewed, state: 'rejected', endedTime: now };
    const body = findings.map((f) => `${f.code}: ${f.message}`).join('\n');
    return ok({ transfer, notices: [notice('support-transfer-review-result', t.sourceOperatorId, transfer, now, 'SIM transfer request rejected', body)] });
  }

  const keptImsis = t.imsis.filter((imsi) => !notTransferable.includes(imsi));
  const keptSimIds = t.simIds.filter((id) => !notTransferableSimIds.includes(id));
  const replyDeadline = replyDeadlineFor(now, calendar);
  const transfer: SupportTransfer = {
    ...reviewed,
    imsis: keptImsis,
    simIds: keptSimIds,
    state: 'awaiting-reply',
    noticeSentTime: now,
    replyDeadline,
  };
  const notices = [
    notice(
      'support-transfer-confirmation',
      t.destinationOperatorId,
      transfer,
      now,
      `SIM transfer from ${t.sourceOperatorId}: please confirm`,
      `Operator ${t.sourceOperatorId} asks to transfer these SIMs to your account: ${keptSimIds.join(', ')}. ` +
        `Reply before ${new Date(replyDeadline).toISOString()} (5 business days) or the request is cancelled.`,
    ),
  ];
  if (notTransferableSimIds.length > 0) {
    notices.push(
      notice('support-transfer-review-result', t.sourceOperatorId, transfer, now, 'Some SIMs cannot be transferred', `${domainError('STR0025').code}: not transferable: ${notTransferableSimIds.join(', ')}`),
    );
  }
  return ok({ transfer, notices });
}

/**
 * Step 3: the destination replies to the confirmation. Accepting schedules the transfer for the
 * 1st of the month the reply date decides; declining ends the request [choice].
 */
export function replyToSupportTransfer(input: {
  transfer: SupportTransfer;
  replierOperatorId: string;
  accept: boolean;
  calendar?: BusinessCalendar;
  now: number;
}): Result<SupportTransferChange> {
  const { transfer: t, now } = input;
  const calendar = input.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  if (t.state !== 'awaiting-reply') return fail('STR0008');
  if (input.replierOperatorId !== t.destinationOperatorId) return fail('STR0010');
  if (now >= t.replyDeadline!) return fail('STR0009');
  if (!input.accept) {
    const transfer: SupportTransfer = { ...t, state: 'declined', replyTime: now, endedTime: now };
    return ok({ transfer, notices: [notice('support-transfer-cancelled', t.sourceOperatorId, transfer, now, 'SIM transfer declined', `The destination ${t.destinationOperatorId} declined the transfer.`)] });
  }
  const date = transferDateForReply(now, calendar);
  const transfer: SupportTransfer = {
    ...t,
    state: 'scheduled',
    replyTime: now,
    transferDate: formatCivilDate(date),
    transferTime: startOfCivilDate(date, calendar.timeZone),
  };
  const body = `The SIMs ${t.simIds.join(', ')} will be transferred on ${transfer.transferDate}.`;
  return ok({
    transfer,
    notices: [
      notice('support-transfer-scheduled', t.sourceOperatorId, transfer, now, 'SIM transfer scheduled', body),
      notice('support-transfer-scheduled', t.destinationOperatorId, transfer, now, 'SIM transfer scheduled', body),
    ],
  });
}

/** When the scheduler must act next on this request, or undefined when nothing is pending. */
export function supportTransferDueAt(t: SupportTransfer): number | undefined {
  if (t.state === 'awaiting-reply') return t.replyDeadline ?? undefined;
  if (t.state === 'scheduled') return t.transferTime ?? undefined;
  return undefined;
}

/** Scheduler step: no reply within 5 business days → cancelled. Undefined when not due. */
export function cancelUnansweredSupportTransfer(input: { transfer: SupportTransfer; now: number }): SupportTransferChange | undefined {
  const { transfer: t, now } = input;
  if (t.state !== 'awaiting-reply' || now < t.replyDeadline!) return undefined;
  const transfer: SupportTransfer = { ...t, state: 'cancelled', endedTime: now };
  return {
    transfer,
    notices: [notice('support-transfer-cancelled', t.sourceOperatorId, transfer, now, 'SIM transfer cancelled', `No reply from ${t.destinationOperatorId} within 5 business days.`)],
  };
}

/**
 * What a SIM keeps on a support-assisted transfer (tags, expiry, subscription containers, IMEI
 * lock — untouched) and what is reset: speed class to the plan default, event handlers, group
 * (to the requested destination group, else none). Status and sessions are handled by the caller.
 */
export function resetForSupportTransfer<S extends TransferSubscriber>(
  s: S,
  t: Pick<SupportTransfer, 'destinationOperatorId' | 'destinationGroupId'>,
  defaultSpeedClass: (subscription: string) => string | undefined = (p) => PLAN_DEFAULT_SPEED_CLASS[p],
): S {
  return {
    ...s,
    operatorId: t.destinationOperatorId,
    speedClass: defaultSpeedClass(s.subscription) ?? s.speedClass,
    // Subscriber `type` mirrors the speed class (seed 003); it must follow the reset too.
    ...('type' in s ? { type: defaultSpeedClass(s.subscription) ?? s.speedClass } : {}),
    ...(s.eventHandlerIds !== undefined ? { eventHandlerIds: [] } : {}),
    groupId: t.destinationGroupId,
  };
}

/**
 * Step 4, on the transfer date (scheduler): live sessions are deleted, stored data is deleted,
 * the SIMs move with `resetForSupportTransfer`, and a transfer fee per SIM is charged to the
 * source. Status is kept. SIMs that meanwhile left the source or an eligible status are skipped.
 */
export function executeSupportTransfer<S extends TransferSubscriber>(input: {
  transfer: SupportTransfer;
  subscribers: readonly S[];
  defaultSpeedClass?: (subscription: string) => string | undefined;
  now: number;
}): Result<SupportTransferChange & { subscribers: S[]; events: TransferEvent[] }> {
  const { transfer: t, now } = input;
  if (t.state !== 'scheduled') return fail('STR0008');
  if (now < t.transferTime!) return fail('STR0011');
  const byImsi = new Map(input.subscribers.map((s) => [s.imsi, s]));
  const events: TransferEvent[] = [];
  const moved: S[] = [];
  const skipped: string[] = [];
  for (const imsi of t.imsis) {
    const s = byImsi.get(imsi);
    if (!s || !eligible(s, t)) {
      skipped.push(imsi);
      continue;
    }
    if (s.sessionStatus?.online && s.sessionStatus.sessionId) events.push({ type: 'session-delete-ordered', imsi, sessionId: s.sessionStatus.sessionId });
    events.push({ type: 'stored-data-delete-ordered', imsi, operatorId: t.sourceOperatorId, at: now });
    events.push({ type: 'event-handlers-reset-ordered', imsi, operatorId: t.sourceOperatorId, at: now });
    events.push({ type: 'fee-incurred', fee: 'sim-transfer', imsi, operatorId: t.sourceOperatorId, coverageType: s.coverageType, subscription: s.subscription, at: now });
    events.push({
      type: 'ownership-changed',
      imsi,
      fromOperatorId: t.sourceOperatorId,
      toOperatorId: t.destinationOperatorId,
      coverageType: s.coverageType,
      subscription: s.subscription,
      status: s.status,
      transferKind: 'support',
      at: now,
    });
    moved.push(resetForSupportTransfer(s, t, input.defaultSpeedClass));
  }
  const transfer: SupportTransfer = {
    ...t,
    state: 'completed',
    endedTime: now,
    transferredImsis: moved.map((s) => s.imsi),
    skippedImsis: skipped,
  };
  const body = `Transferred: ${transfer.transferredImsis.join(', ') || 'none'}${skipped.length ? `; skipped: ${skipped.join(', ')}` : ''}.`;
  return ok({
    transfer,
    subscribers: moved,
    events,
    notices: [
      notice('support-transfer-completed', t.sourceOperatorId, transfer, now, 'SIM transfer completed', body),
      notice('support-transfer-completed', t.destinationOperatorId, transfer, now, 'SIM transfer completed', body),
    ],
  });
}

/** Parses a `transferDate` back into a civil date (for display and tests). */
export const transferCivilDate = (t: SupportTransfer): CivilDate | undefined => (t.transferDate ? parseCivilDate(t.transferDate) : undefined);
