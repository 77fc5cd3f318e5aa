/**
 * Ready transfer (self-service, token): SPEC §1.3, seed 000 "Transferring Ready Status SIMs",
 * API operations issueSubscriberTransferToken / verifySubscriberTransferToken /
 * deleteSubscriberTransferToken. Pure: time and randomness come in as arguments; every function
 * returns the new transfer record, the subscribers it changed and the events it caused.
 */
import { newTransferToken, type RandomBytes } from './transfer-token.js';
import { fail, ok, type Result } from '../errors.js';
import type { OwnershipChanged, TransferDropOutEvent, TransferEvent, TransferStatusChange } from './transfer-events.js';
import {
  hasRegisteredPaymentMethod,
  isOperatorId,
  resolveDestination,
  type CoverageType,
  type OperatorLookup,
  type SubscriberStatus,
  type TransferOperator,
  type TransferSubscriber,
} from './transfer-subscriber.js';

/** The link in the notice "expires after 24 hours" (seed 000). */
export const READY_TRANSFER_TTL_MS = 24 * 60 * 60 * 1000;
/** [choice] Upper bound of IMSIs per token, the same as a subscriber list page. */
export const MAX_TRANSFER_IMSIS = 100;

export type ReadyTransferState = 'pending' | 'accepted' | 'cancelled' | 'expired';

/** One issued token and the SIMs it names. */
export interface ReadyTransfer {
  token: string;
  sourceOperatorId: string;
  destinationOperatorId: string;
  destinationEmail: string;
  coverageType: CoverageType;
  /** Every IMSI named at issue, in request order. */
  imsis: string[];
  /** IMSIs that connected while transferring and so left the transfer (SPEC §1.2). */
  droppedImsis: string[];
  issuedTime: number;
  /** The token is refused from this instant on (issuedTime + 24 h). */
  expiryTime: number;
  state: ReadyTransferState;
  /** When it left `pending`. */
  endedTime: number | null;
  /** Filled at acceptance. */
  transferredImsis: string[];
}

/** The email the destination receives, as a record for the platform's outbox. */
export interface ReadyTransferNotice {
  kind: 'ready-transfer-request';
  toOperatorId: string;
  toEmail: string;
  fromOperatorId: string;
  token: string;
  imsis: string[];
  coverageType: CoverageType;
  sentTime: number;
  expiryTime: number;
  subject: string;
  body: string;
}

/** Body of issueSubscriberTransferToken. */
export interface IssueTransferTokenRequest {
  transferDestinationOperatorEmail: string;
  transferDestinationOperatorId: string;
  transferImsi: string[];
}

export interface ReadyTransferChange<S> {
  transfer: ReadyTransfer;
  /** Only the subscribers this step changed. */
  subscribers: S[];
  events: TransferEvent[];
}

function statusChange(s: TransferSubscriber, toStatus: SubscriberStatus, operatorId: string, at: number, cause: 'transfer' | 'network'): TransferStatusChange {
  return {
    type: 'status-changed',
    imsi: s.imsi,
    operatorId,
    coverageType: s.coverageType,
    subscription: s.subscription,
    fromStatus: s.status,
    toStatus,
    at,
    cause,
  };
}

/** The SIMs of `transfer` that are still waiting in it (owned by the source, `transferring`). */
function stillTransferring<S extends TransferSubscriber>(transfer: ReadyTransfer, subscribers: readonly S[]): S[] {
  const named = new Set(transfer.imsis);
  const dropped = new Set(transfer.droppedImsis);
  return subscribers.filter(
    (s) => named.has(s.imsi) && !dropped.has(s.imsi) && s.status === 'transferring' && s.operatorId === transfer.sourceOperatorId,
  );
}

/**
 * issueSubscriberTransferToken. `subscribers` are the records the app found for the requested
 * IMSIs (of any operator — another operator's SIM counts as not found); `sourceOperatorId` is the
 * authenticated caller. Refuses the whole request on any problem; on success every SIM is
 * `transferring` and the returned notice goes to the destination's outbox.
 */
export function issueReadyTransfer<S extends TransferSubscriber>(input: {
  sourceOperatorId: string;
  request: IssueTransferTokenRequest;
  subscribers: readonly S[];
  findOperator: OperatorLookup;
  randomBytes: RandomBytes;
  now: number;
}): Result<ReadyTransferChange<S> & { notice: ReadyTransferNotice }> {
  const { sourceOperatorId, request, now } = input;
  const imsis = Array.isArray(request.transferImsi) ? request.transferImsi : [];
  if (imsis.length < 1 || imsis.length > MAX_TRANSFER_IMSIS || imsis.some((i) => typeof i !== 'string')) return fail('TRN0001');
  const duplicates = imsis.filter((imsi, i) => imsis.indexOf(imsi) !== i);
  if (duplicates.length > 0) return fail('TRN0002', [...new Set(duplicates)]);
  if (!isOperatorId(request.transferDestinationOperatorId)) return fail('TRN0003');
  const destination = resolveDestination(
    input.findOperator,
    request.transferDestinationOperatorId,
    String(request.transferDestinationOperatorEmail ?? ''),
  );
  if (!destination) return fail('TRN0004');
  if (destination.operatorId === sourceOperatorId) return fail('TRN0005');

  const own = new Map(input.subscribers.filter((s) => s.operatorId === sourceOperatorId).map((s) => [s.imsi, s]));
  const missing = imsis.filter((imsi) => !own.has(imsi));
  if (missing.length > 0) return fail('TRN0006', missing);
  const sims = imsis.map((imsi) => own.get(imsi)!);
  const nonTransferable = sims.filter((s) => !s.transferable).map((s) => s.imsi);
  if (nonTransferable.length > 0) return fail('TRN0007', nonTransferable);
  const notReady = sims.filter((s) => s.status !== 'ready').map((s) => `${s.imsi} (${s.status})`);
  if (notReady.length > 0) return fail('TRN0008', notReady);
  const coverageType = sims[0]!.coverageType;
  if (sims.some((s) => s.coverageType !== coverageType)) return fail('TRN0009');

  const token = newTransferToken(input.randomBytes);
  const transfer: ReadyTransfer = {
    token,
    sourceOperatorId,
    destinationOperatorId: destination.operatorId,
    destinationEmail: destination.email,
    coverageType,
    imsis: [...imsis],
    droppedImsis: [],
    issuedTime: now,
    expiryTime: now + READY_TRANSFER_TTL_MS,
    state: 'pending',
    endedTime: null,
    transferredImsis: [],
  };
  const events = sims.map((s) => statusChange(s, 'transferring', sourceOperatorId, now, 'transfer'));
  const changed = sims.map((s) => ({ ...s, status: 'transferring' as const }));
  const notice: ReadyTransferNotice = {
    kind: 'ready-transfer-request',
    toOperatorId: destination.operatorId,
    toEmail: destination.email,
    fromOperatorId: sourceOperatorId,
    token,
    imsis: [...imsis],
    coverageType,
    sentTime: now,
    expiryTime: transfer.expiryTime,
    subject: `SIM transfer request from ${sourceOperatorId}`,
    body:
      `Operator ${sourceOperatorId} wants to transfer ${imsis.length} SIM(s) to your account (${coverageType} coverage): ` +
      `${imsis.join(', ')}. Accept with verifySubscriberTransferToken and token ${token} ` +
      `before ${new Date(transfer.expiryTime).toISOString()}. Ignore this message to decline.`,
  };
  return ok({ transfer, subscribers: changed, events, notice });
}

function endTransfer<S extends TransferSubscriber>(
  transfer: ReadyTransfer,
  subscribers: readonly S[],
  state: 'cancelled' | 'expired',
  now: number,
): ReadyTransferChange<S> {
  const back = stillTransferring(transfer, subscribers);
  return {
    transfer: { ...transfer, state, endedTime: now },
    subscribers: back.map((s) => ({ ...s, status: 'ready' as const })),
    events: back.map((s) => statusChange(s, 'ready', transfer.sourceOperatorId, now, 'transfer')),
  };
}

/**
 * deleteSubscriberTransferToken by the source. All SIMs still transferring go back to `ready`;
 * there is no partial cancel. An unknown token, another operator's token, or one no longer
 * pending is "not found" (TRN0010), as the real API answers 404.
 */
export function cancelReadyTransfer<S extends TransferSubscriber>(input: {
  transfer: ReadyTransfer | undefined;
  callerOperatorId: string;
  subscribers: readonly S[];
  now: number;
}): Result<ReadyTransferChange<S>> {
  const { transfer } = input;
  if (!transfer || transfer.state !== 'pending' || transfer.sourceOperatorId !== input.callerOperatorId) return fail('TRN0010');
  return ok(endTransfer(transfer, input.subscribers, 'cancelled', input.now));
}

/** When the scheduler must call `expireReadyTransfer`, or undefined when nothing is pending. */
export function readyTransferDueAt(transfer: ReadyTransfer): number | undefined {
  return transfer.state === 'pending' ? transfer.expiryTime : undefined;
}

/**
 * Scheduler step: 24 h after issue the transfer is cancelled and its SIMs return to `ready` in
 * the source. Returns undefined when there is nothing to do (not pending, or not yet due).
 */
export function expireReadyTransfer<S extends TransferSubscriber>(input: {
  transfer: ReadyTransfer;
  subscribers: readonly S[];
  now: number;
}): ReadyTransferChange<S> | undefined {
  const { transfer, now } = input;
  if (transfer.state !== 'pending' || now < transfer.expiryTime) return undefined;
  return endTransfer(transfer, input.subscribers, 'expired', now);
}

/**
 * The network path calls this when a `transferring` SIM asks for a data session: that SIM leaves
 * the transfer and becomes `active` (first activation, no fee); the others stay transferring
 * [choice, SPEC §1.2]. When no SIM is left the transfer ends as `cancelled`.
 */
export function dropOutOnConnect<S extends TransferSubscriber>(input: {
  transfer: ReadyTransfer;
  subscriber: S;
  now: number;
}): Result<{ transfer: ReadyTransfer; subscriber: S; events: TransferEvent[] }> {
  const { transfer, subscriber, now } = input;
  if (transfer.state !== 'pending' || stillTransferring(transfer, [subscriber]).length === 0) return fail('TRN0015', [subscriber.imsi]);
  const droppedImsis = [...transfer.droppedImsis, subscriber.imsi];
  const empty = droppedImsis.length === transfer.imsis.length;
  const dropOut: TransferDropOutEvent = { type: 'transfer-drop-out', imsi: subscriber.imsi, operatorId: subscriber.operatorId, at: now };
  return ok({
    transfer: { ...transfer, droppedImsis, ...(empty ? { state: 'cancelled' as const, endedTime: now } : {}) },
    subscriber: { ...subscriber, status: 'active' as const },
    events: [dropOut, statusChange(subscriber, 'active', subscriber.operatorId, now, 'network')],
  });
}

/**
 * What a SIM keeps when it arrives by Ready transfer: everything but the settings seed 000 says
 * are not transferred — tags (name included), expiry, termination protection, group, event
 * handlers — which take the values of a newly registered SIM.
 */
export function resetForReadyTransfer<S extends TransferSubscriber>(s: S, destinationOperatorId: string): S {
  return {
    ...s,
    operatorId: destinationOperatorId,
    status: 'ready',
    tags: { name: '' },
    expiryTime: null,
    expiryAction: null,
    // The platform default for a new SIM: protection ON (PLATFORM-API.md [choice]).
    terminationEnabled: false,
    groupId: null,
    ...(s.eventHandlerIds !== undefined ? { eventHandlerIds: [] } : {}),
  };
}

/**
 * verifySubscriberTransferToken by the destination. `destination` is the authenticated caller's
 * account; `requestCoverageType` the coverage the call was made in. The SIMs still
 * `transferring` move to the destination as `ready` with their settings reset; the response body
 * is `{ transferredImsi }`.
 */
export function verifyReadyTransfer<S extends TransferSubscriber>(input: {
  transfer: ReadyTransfer | undefined;
  destination: TransferOperator;
  requestCoverageType: CoverageType;
  subscribers: readonly S[];
  now: number;
}): Result<ReadyTransferChange<S> & { transferredImsi: string[] }> {
  const { transfer, destination, now } = input;
  // An expired token names the real reason (TRN0011), also once the expiry job ended it.
  if (!transfer || (transfer.state !== 'pending' && transfer.state !== 'expired')) return fail('TRN0010');
  if (destination.operatorId !== transfer.destinationOperatorId) return fail('TRN0012');
  if (transfer.state === 'expired' || now >= transfer.expiryTime) return fail('TRN0011');
  if (input.requestCoverageType !== transfer.coverageType) return fail('TRN0013');
  if (!hasRegisteredPaymentMethod(destination, transfer.coverageType)) return fail('TRN0014');
  const moving = stillTransferring(transfer, input.subscribers);
  if (moving.length === 0) return fail('TRN0015');

  const transferredImsi = moving.map((s) => s.imsi);
  const events: TransferEvent[] = [];
  for (const s of moving) {
    events.push(statusChange(s, 'ready', destination.operatorId, now, 'transfer'));
    const owner: OwnershipChanged = {
      type: 'ownership-changed',
      imsi: s.imsi,
      fromOperatorId: transfer.sourceOperatorId,
      toOperatorId: destination.operatorId,
      coverageType: s.coverageType,
      subscription: s.subscription,
      status: 'ready',
      transferKind: 'ready',
      at: now,
    };
    events.push(owner);
    events.push({ type: 'event-handlers-reset-ordered', imsi: s.imsi, operatorId: transfer.sourceOperatorId, at: now });
  }
  return ok({
    transfer: { ...transfer, state: 'accepted', endedTime: now, transferredImsis: transferredImsi },
    subscribers: moving.map((s) => resetForReadyTransfer(s, destination.operatorId)),
    events,
    transferredImsi,
  });
}
