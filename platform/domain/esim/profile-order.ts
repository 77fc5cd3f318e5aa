/**
 * eSIM profile orders (SPEC §1.5, seed 002 "Ordering eSIM profiles", API operations
 * createProfileOrder / confirmProfileOrder / deleteProfileOrder / getProfileOrder /
 * listProfileOrders / listOrderedProfiles). An API order starts DRAFT and must be confirmed
 * within 24 h; provisioning is asynchronous — CONFIRMED → IN_PROGRESS → COMPLETED | FAILED —
 * as steps a scheduler drives (`profileOrderDueAt` says which step is due and when).
 */
import { fail, ok, type Result } from '../errors.js';
import type { EsimProfile } from './esim-profile.js';
import { activationCode, iccidFromPayload, newMatchingId } from './profile-identifiers.js';

export const ESIM_SUBSCRIPTIONS = ['plan01s', 'planX1', 'planP1'] as const;
export type EsimSubscription = (typeof ESIM_SUBSCRIPTIONS)[number];
/** Speed classes the reference allows for plan01s, planP1 and planX1 profile orders. */
export const ESIM_SPEED_CLASSES = ['s1.minimum', 's1.slow', 's1.standard', 's1.fast', 's1.4xfast'] as const;
/** [choice] Speed class when the order names none. */
export const DEFAULT_ESIM_SPEED_CLASS = 's1.standard';
/** "A maximum of 20 eSIM profiles may be purchased per order" (seed 002). */
export const MAX_PROFILES_PER_ORDER = 20;
export const MAX_DESCRIPTION_LENGTH = 100;
/** "Drafted orders which are not confirmed are automatically deleted after 24 hours" (seed 002). */
export const DRAFT_TTL_MS = 24 * 60 * 60 * 1000;

/** [choice] How long the emulated provisioning takes; the scheduler waits this long between steps. */
export interface ProvisioningTiming {
  /** CONFIRMED → IN_PROGRESS after this delay. */
  startDelayMs: number;
  /** IN_PROGRESS → COMPLETED after this much per profile ordered. */
  perProfileMs: number;
}
export const DEFAULT_PROVISIONING_TIMING: ProvisioningTiming = { startDelayMs: 5_000, perProfileMs: 10_000 };

export type ProfileOrderStatus = 'DRAFT' | 'CONFIRMED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface ProfileOrder {
  profileOrderId: string;
  operatorId: string;
  subscription: EsimSubscription;
  quantity: number;
  speedClass: string;
  description: string | null;
  bundles: string[];
  status: ProfileOrderStatus;
  orderedTime: number;
  confirmedTime: number | null;
  inProgressTime: number | null;
  completedTime: number | null;
  failedTime: number | null;
  failureReason: string | null;
  /**
   * The ORDER charge that paid the profiles' initial fees at confirmation (card payers only);
   * absent when the fees go on the monthly bill instead.
   */
  orderPayment?: { chargeId: string; amount: string; currency: string };
}

/** Body of createProfileOrder (CreateSimProfileOrderRequest). */
export interface CreateProfileOrderRequest {
  subscription: string;
  quantity: number;
  speedClass?: string;
  description?: string;
}

/**
 * createProfileOrder. `channel: 'console'` orders are confirmed at once (seed 002 note *1);
 * API orders start DRAFT.
 */
export function createProfileOrder(input: {
  profileOrderId: string;
  operatorId: string;
  request: CreateProfileOrderRequest;
  channel?: 'api' | 'console';
  now: number;
}): Result<{ order: ProfileOrder }> {
  const { request, now } = input;
  if (!(ESIM_SUBSCRIPTIONS as readonly unknown[]).includes(request.subscription)) return fail('EPO0001');
  if (!Number.isInteger(request.quantity) || request.quantity < 1 || request.quantity > MAX_PROFILES_PER_ORDER) return fail('EPO0002');
  const speedClass = request.speedClass ?? DEFAULT_ESIM_SPEED_CLASS;
  if (!(ESIM_SPEED_CLASSES as readonly unknown[]).includes(speedClass)) return fail('EPO0003');
  if (request.description !== undefined && (typeof request.description !== 'string' || request.description.length > MAX_DESCRIPTION_LENGTH)) {
    return fail('EPO0004');
  }
  const confirmed = input.channel === 'console';
  return ok({
    order: {
      profileOrderId: input.profileOrderId,
      operatorId: input.operatorId,
      subscription: request.subscription as EsimSubscription,
      quantity: request.quantity,
      speedClass,
      description: request.description ?? null,
      bundles: [],
      status: confirmed ? 'CONFIRMED' : 'DRAFT',
      orderedTime: now,
      confirmedTime: confirmed ? now : null,
      inProgressTime: null,
      completedTime: null,
      failedTime: null,
      failureReason: null,
    },
  });
}

const draftExpired = (order: ProfileOrder, now: number): boolean => order.status === 'DRAFT' && now >= order.orderedTime + DRAFT_TTL_MS;

/** confirmProfileOrder: DRAFT → CONFIRMED (within 24 h of ordering). */
export function confirmProfileOrder(input: { order: ProfileOrder; now: number }): Result<{ order: ProfileOrder }> {
  const { order, now } = input;
  if (draftExpired(order, now)) return fail('EPO0007');
  if (order.status !== 'DRAFT') return fail('EPO0006');
  return ok({ order: { ...order, status: 'CONFIRMED', confirmedTime: now } });
}

/**
 * confirmProfileOrder's payment failed (the ORDER charge of the initial fees was declined):
 * CONFIRMED → FAILED with the reason; nothing is provisioned. [choice] Order payments are never
 * retried (seed 004: "contact Soracom Support"), so the order ends here; order again.
 */
export function failOrderPayment(input: { order: ProfileOrder; reason: string; now: number }): Result<{ order: ProfileOrder }> {
  if (input.order.status !== 'CONFIRMED') return fail('EPO0008');
  return ok({ order: { ...input.order, status: 'FAILED', failedTime: input.now, failureReason: input.reason } });
}

/** deleteProfileOrder: only an unconfirmed order can be cancelled; the app then removes it. */
export function deleteProfileOrder(input: { order: ProfileOrder; now: number }): Result<{ deleted: ProfileOrder }> {
  const { order, now } = input;
  if (draftExpired(order, now)) return fail('EPO0007');
  if (order.status !== 'DRAFT') return fail('EPO0006');
  return ok({ deleted: order });
}

export type ProfileOrderStep = 'expire-draft' | 'start-provisioning' | 'provision';

/** The next scheduler step for this order and when it is due; undefined when the order is final. */
export function profileOrderDueAt(
  order: ProfileOrder,
  timing: ProvisioningTiming = DEFAULT_PROVISIONING_TIMING,
): { step: ProfileOrderStep; at: number } | undefined {
  switch (order.status) {
    case 'DRAFT':
      return { step: 'expire-draft', at: order.orderedTime + DRAFT_TTL_MS };
    case 'CONFIRMED':
      return { step: 'start-provisioning', at: order.confirmedTime! + timing.startDelayMs };
    case 'IN_PROGRESS':
      return { step: 'provision', at: order.inProgressTime! + timing.perProfileMs * order.quantity };
    default:
      return undefined;
  }
}

/** Scheduler step: an unconfirmed draft is deleted 24 h after ordering. Undefined when not due. */
export function expireDraftOrder(input: { order: ProfileOrder; now: number }): { deleted: ProfileOrder } | undefined {
  return draftExpired(input.order, input.now) ? { deleted: input.order } : undefined;
}

/** Scheduler step: CONFIRMED → IN_PROGRESS. */
export function startProvisioning(input: { order: ProfileOrder; now: number }): Result<{ order: ProfileOrder }> {
  if (input.order.status !== 'CONFIRMED') return fail('EPO0008');
  return ok({ order: { ...input.order, status: 'IN_PROGRESS', inProgressTime: input.now } });
}

/** Identity a provisioned profile's SIM gets, from the platform's number pools. */
export interface ProfileIdentity {
  simId: string;
  imsi: string;
  /** 19 digits starting with 89; the Luhn check digit is appended here. */
  iccidPayload: string;
}

/** A subscriber the store creates for a provisioned profile (field names of the Subscriber API). */
export interface NewEsimSubscriber {
  imsi: string;
  simId: string;
  iccid: string;
  operatorId: string;
  status: 'ready';
  subscription: EsimSubscription;
  speedClass: string;
  coverageType: 'g';
  tags: { name: string };
  groupId: null;
  terminationEnabled: false;
  expiryTime: null;
  expiryAction: null;
  imeiLock: null;
  transferable: true;
  createdTime: number;
}

export interface EsimProfileFeeIncurred {
  type: 'fee-incurred';
  fee: 'esim-profile-initial';
  imsi: string;
  operatorId: string;
  coverageType: 'g';
  subscription: EsimSubscription;
  at: number;
}

export interface ProvisioningOutcome {
  order: ProfileOrder;
  profiles: EsimProfile[];
  subscribers: NewEsimSubscriber[];
  events: EsimProfileFeeIncurred[];
}

/** Scheduler step: IN_PROGRESS → FAILED with a reason (also for failures outside this module). */
export function failProvisioning(input: { order: ProfileOrder; reason: string; now: number }): Result<ProvisioningOutcome> {
  if (input.order.status !== 'IN_PROGRESS') return fail('EPO0008');
  return ok({ order: { ...input.order, status: 'FAILED', failedTime: input.now, failureReason: input.reason }, profiles: [], subscribers: [], events: [] });
}

/**
 * Scheduler step: IN_PROGRESS → COMPLETED. Every profile gets a subscriber (`ready`, the order's
 * plan and speed class; eSIM profiles are global coverage [choice]), identifiers, an activation
 * code and an eSIM profile initial fee. All or nothing [choice]: if the pool runs dry
 * (`allocate` returns undefined) the order FAILS and nothing is created.
 */
export function completeProvisioning(input: {
  order: ProfileOrder;
  allocate: (index: number) => ProfileIdentity | undefined;
  randomBytes: (length: number) => Uint8Array;
  smdpAddress: string;
  now: number;
}): Result<ProvisioningOutcome> {
  const { order, now } = input;
  if (order.status !== 'IN_PROGRESS') return fail('EPO0008');
  const identities: ProfileIdentity[] = [];
  for (let i = 0; i < order.quantity; i++) {
    const id = input.allocate(i);
    if (!id || !/^\d{15}$/.test(id.imsi) || !/^89\d{17}$/.test(id.iccidPayload)) {
      return failProvisioning({ order, reason: id ? `invalid identity for profile ${i + 1}` : `no SIM identity left for profile ${i + 1} of ${order.quantity}`, now });
    }
    identities.push(id);
  }
  const profiles: EsimProfile[] = [];
  const subscribers: NewEsimSubscriber[] = [];
  const events: EsimProfileFeeIncurred[] = [];
  for (const id of identities) {
    const matchingId = newMatchingId(input.randomBytes);
    const iccid = iccidFromPayload(id.iccidPayload);
    profiles.push({
      profileOrderId: order.profileOrderId,
      operatorId: order.operatorId,
      simId: id.simId,
      imsi: id.imsi,
      iccid,
      subscription: order.subscription,
      smdpAddress: input.smdpAddress,
      matchingId,
      activationCode: activationCode(input.smdpAddress, matchingId),
      state: 'registered',
      profileStatus: 'SUBSCRIBER_REGISTRATION_SUCCEEDED',
      createdTime: now,
      installedTime: null,
      lastModifiedTime: now,
      deletedButNotTerminated: false,
    });
    subscribers.push({
      imsi: id.imsi,
      simId: id.simId,
      iccid,
      operatorId: order.operatorId,
      status: 'ready',
      subscription: order.subscription,
      speedClass: order.speedClass,
      coverageType: 'g',
      tags: { name: '' },
      groupId: null,
      terminationEnabled: false,
      expiryTime: null,
      expiryAction: null,
      imeiLock: null,
      transferable: true,
      createdTime: now,
    });
    events.push({ type: 'fee-incurred', fee: 'esim-profile-initial', imsi: id.imsi, operatorId: order.operatorId, coverageType: 'g', subscription: order.subscription, at: now });
  }
  return ok({ order: { ...order, status: 'COMPLETED', completedTime: now }, profiles, subscribers, events });
}

/** SimProfileOrderResponse (plus `failureReason` on FAILED orders, a cellgate extension). */
export interface ProfileOrderResponse {
  profileOrderId: string;
  subscription: string;
  quantity: number;
  status: ProfileOrderStatus;
  orderedTime: number;
  confirmedTime?: number;
  completedTime?: number;
  speedClass: string;
  description?: string;
  bundles: string[];
  failureReason?: string;
}

export function toProfileOrderResponse(o: ProfileOrder): ProfileOrderResponse {
  return {
    profileOrderId: o.profileOrderId,
    subscription: o.subscription,
    quantity: o.quantity,
    status: o.status,
    orderedTime: o.orderedTime,
    ...(o.confirmedTime !== null ? { confirmedTime: o.confirmedTime } : {}),
    ...(o.completedTime !== null ? { completedTime: o.completedTime } : {}),
    speedClass: o.speedClass,
    ...(o.description !== null ? { description: o.description } : {}),
    bundles: [...o.bundles],
    ...(o.failureReason !== null ? { failureReason: o.failureReason } : {}),
  };
}
