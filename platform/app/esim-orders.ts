import { PlatformError, domainError, unwrap, type ErrorCode } from '../domain/errors.js';
import { applyProfileEvent, type EsimProfile, type ProfileEvent } from '../domain/esim/esim-profile.js';
import { profilesToCsv } from '../domain/esim/profile-csv.js';
import { iccidFromPayload } from '../domain/esim/profile-identifiers.js';
import {
  completeProvisioning,
  confirmProfileOrder,
  createProfileOrder,
  deleteProfileOrder,
  expireDraftOrder,
  failProvisioning,
  failOrderPayment,
  profileOrderDueAt,
  startProvisioning,
  type CreateProfileOrderRequest,
  type ProfileIdentity,
  type ProfileOrder,
  type ProvisioningTiming,
} from '../domain/esim/profile-order.js';
import { newSim, register, type Subscriber } from '../domain/subscriber.js';
import type { StoreTx } from '../store/port.js';
import { feeSchedulesOf } from './billing.js';
import { useCase, type AppContext } from './context.js';
import type { JobReport } from './scheduler.js';
import { payOrderIn } from './payments.js';
import { takeEsimProvisioningFailure } from './sandbox-knobs.js';
import { ESIM_KINDS } from './esim-kinds.js';
import { randomDigits } from './ids.js';
import { SUBSCRIBER_KIND, commitSubscriberChange } from './subscribers.js';

export { ESIM_KINDS };
export const ESIM_JOBS = { orderStep: 'esim-order-step' } as const;

const timingOf = (ctx: AppContext): ProvisioningTiming => ({
  startDelayMs: ctx.config.esimProvisioningStartDelayMs,
  perProfileMs: ctx.config.esimProvisioningPerProfileMs,
});

/** A UUID v7 (time-ordered, like the reference's example ids), so id order is creation order. */
function newOrderId(ctx: AppContext, now: number): string {
  const b = Buffer.alloc(16);
  b.writeUIntBE(now, 0, 6);
  ctx.random.bytes(10).copy(b, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A DRAFT deleted for want of confirmation leaves this behind, so later calls name the reason. */
const EXPIRED_DRAFT_KIND = 'esim-order-expired-draft';

async function loadOrder(tx: StoreTx, operatorId: string, id: string): Promise<ProfileOrder> {
  const order = await tx.get<ProfileOrder>(ESIM_KINDS.order, id);
  if (!order || order.operatorId !== operatorId) {
    const expired = await tx.get<{ operatorId: string }>(EXPIRED_DRAFT_KIND, id);
    throw new PlatformError(domainError(expired?.operatorId === operatorId ? 'EPO0007' : 'EPO0005'));
  }
  return order;
}

async function saveOrder(ctx: AppContext, tx: StoreTx, order: ProfileOrder): Promise<void> {
  await tx.put(ESIM_KINDS.order, order.profileOrderId, order, order.operatorId);
  const next = profileOrderDueAt(order, timingOf(ctx));
  const key = `esim-order:${order.profileOrderId}`;
  if (next) await ctx.scheduler.at(next.at, key, ESIM_JOBS.orderStep, { id: order.profileOrderId }, tx);
  else await ctx.scheduler.cancel(key, tx);
}

/** `createProfileOrder`: a DRAFT order, deleted by the scheduler unless confirmed within 24 h. */
export async function createEsimProfileOrder(ctx: AppContext, operatorId: string, request: CreateProfileOrderRequest): Promise<ProfileOrder> {
  return useCase(ctx, async (tx) => {
    const now = ctx.clock.now();
    const { order } = unwrap(createProfileOrder({ profileOrderId: newOrderId(ctx, now), operatorId, request, now }));
    await saveOrder(ctx, tx, order);
    return order;
  });
}

/** The eSIM profile initial fees of an order: quantity × the plan's fee (global coverage, USD). */
export function orderInitialFees(ctx: AppContext, order: Pick<ProfileOrder, 'subscription' | 'quantity'>): bigint {
  const entry = feeSchedulesOf(ctx).g.plans[order.subscription]?.esimProfileInitial;
  if (!entry) return 0n;
  return (entry.rate.amount * BigInt(order.quantity)) / entry.rate.per;
}

/**
 * `confirmProfileOrder`: DRAFT → CONFIRMED; provisioning then runs on the scheduler. A card
 * payer pays the profiles' initial fees now, as one ORDER charge (`payOrder`); declined → the
 * order is FAILED with the reason, in the same transaction, and never retried [choice]. Other
 * payers (bank transfer, none yet) get the fees on the monthly bill when the profiles exist.
 */
export async function confirmEsimProfileOrder(ctx: AppContext, operatorId: string, id: string): Promise<ProfileOrder> {
  return useCase(ctx, async (tx) => {
    const now = ctx.clock.now();
    let { order } = unwrap(confirmProfileOrder({ order: await loadOrder(tx, operatorId, id), now }));
    const amount = orderInitialFees(ctx, order);
    const payment = amount > 0n ? await payOrderIn(ctx, tx, operatorId, 'g', order.profileOrderId, amount) : ({ status: 'not-card' } as const);
    if (payment.status === 'paid') order = { ...order, orderPayment: { chargeId: payment.chargeId, amount: amount.toString(), currency: 'USD' } };
    if (payment.status === 'failed') {
      order = unwrap(failOrderPayment({ order, reason: `payment failed: ${payment.errorCode} (${payment.message}) charge ${payment.chargeId}`, now })).order;
    }
    await saveOrder(ctx, tx, order);
    return order;
  });
}

/** `deleteProfileOrder`: only a DRAFT can be cancelled. */
export async function deleteEsimProfileOrder(ctx: AppContext, operatorId: string, id: string): Promise<void> {
  await useCase(ctx, async (tx) => {
    unwrap(deleteProfileOrder({ order: await loadOrder(tx, operatorId, id), now: ctx.clock.now() }));
    await tx.delete(ESIM_KINDS.order, id);
    await ctx.scheduler.cancel(`esim-order:${id}`, tx);
  });
}

export async function getEsimProfileOrder(ctx: AppContext, operatorId: string, id: string): Promise<ProfileOrder> {
  return ctx.store.transaction((tx) => loadOrder(tx, operatorId, id));
}

/** `listProfileOrders`: oldest first, paged by order id (`x-soracom-next-key`). */
export async function listEsimProfileOrders(ctx: AppContext, operatorId: string, q: { limit?: number; lastEvaluatedKey?: string }): Promise<{ items: ProfileOrder[]; nextKey: string | null }> {
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 100);
  return ctx.store.transaction(async (tx) => {
    const rows = await tx.list<ProfileOrder>(ESIM_KINDS.order, { partition: operatorId, after: q.lastEvaluatedKey, limit: limit + 1 });
    const items = rows.slice(0, limit);
    return { items, nextKey: rows.length > limit ? items.at(-1)!.profileOrderId : null };
  });
}

/** `listOrderedProfiles`: the profiles an order provisioned (empty until COMPLETED). */
export async function listOrderedEsimProfiles(ctx: AppContext, operatorId: string, id: string): Promise<EsimProfile[]> {
  return ctx.store.transaction(async (tx) => {
    await loadOrder(tx, operatorId, id);
    const profiles = await tx.list<EsimProfile>(ESIM_KINDS.profile, { partition: id });
    return profiles.sort((a, b) => a.createdTime - b.createdTime || a.simId.localeCompare(b.simId));
  });
}

/** The console's "Download CSV" of an order's profiles (seed 002 columns and spellings). */
export async function exportOrderedEsimProfilesCsv(ctx: AppContext, operatorId: string, id: string): Promise<string> {
  return profilesToCsv(await listOrderedEsimProfiles(ctx, operatorId, id));
}

/**
 * Profiles deleted from their eUICC whose SIM was never terminated (SPEC §1.5): the SIM still
 * exists and still bills, which is what the operator must be shown to act on.
 */
export async function listDeletedProfilesNotTerminated(ctx: AppContext, operatorId: string): Promise<EsimProfile[]> {
  return ctx.store.transaction(async (tx) => {
    const flagged: EsimProfile[] = [];
    for (let after: string | undefined; ; ) {
      const orders = await tx.list<ProfileOrder>(ESIM_KINDS.order, { partition: operatorId, after, limit: 100 });
      for (const order of orders) {
        const profiles = await tx.list<EsimProfile>(ESIM_KINDS.profile, { partition: order.profileOrderId });
        flagged.push(...profiles.filter((p) => p.deletedButNotTerminated));
      }
      if (orders.length < 100) break;
      after = orders.at(-1)!.profileOrderId;
    }
    return flagged.sort((a, b) => a.lastModifiedTime - b.lastModifiedTime || a.iccid.localeCompare(b.iccid));
  });
}

/** Fresh identities from the platform's pools: IMSI `29505…`, ICCID `8942310…` + Luhn. */
async function allocateIdentities(ctx: AppContext, tx: StoreTx, n: number): Promise<ProfileIdentity[]> {
  const out: ProfileIdentity[] = [];
  const taken = new Set<string>();
  while (out.length < n) {
    const imsi = `29505${randomDigits(ctx.random, 10)}`;
    const iccidPayload = `8942310${randomDigits(ctx.random, 12)}`;
    const iccid = iccidFromPayload(iccidPayload);
    if (taken.has(imsi) || taken.has(iccid) || (await tx.get(SUBSCRIBER_KIND, imsi)) || (await tx.get(ESIM_KINDS.profile, iccid))) continue;
    taken.add(imsi).add(iccid);
    out.push({ simId: iccid, imsi, iccidPayload });
  }
  return out;
}

/** IN_PROGRESS → COMPLETED: every profile becomes a `ready` subscriber of the operator, fee charged. */
async function provision(ctx: AppContext, order: ProfileOrder): Promise<string> {
  return useCase(ctx, async (tx, emit) => {
    const now = ctx.clock.now();
    const scriptedFailure = await takeEsimProvisioningFailure(tx, order.operatorId);
    if (scriptedFailure !== undefined) {
      const failed = unwrap(failProvisioning({ order, reason: scriptedFailure, now })).order;
      await saveOrder(ctx, tx, failed);
      return `FAILED (${scriptedFailure})`;
    }
    const identities = await allocateIdentities(ctx, tx, order.quantity);
    const outcome = unwrap(
      completeProvisioning({ order, allocate: (i) => identities[i], randomBytes: (n) => ctx.random.bytes(n), smdpAddress: ctx.config.smdpAddress, now }),
    );
    for (const [i, p] of outcome.profiles.entries()) {
      const ns = outcome.subscribers[i]!;
      const sim = newSim({
        imsi: ns.imsi,
        msisdn: `4230${randomDigits(ctx.random, 8)}`,
        iccid: ns.iccid,
        serialNumber: `SN${randomDigits(ctx.random, 12)}`,
        ipAddress: `10.${[...ctx.random.bytes(3)].join('.')}`,
        registrationSecret: randomDigits(ctx.random, 8),
        operatorId: order.operatorId,
        subscription: ns.subscription,
        coverageType: ns.coverageType,
        moduleType: 'esim',
        transferable: ns.transferable,
        now,
      });
      const registered = unwrap(register(sim, { operatorId: order.operatorId, registrationSecret: sim.registrationSecret, now }));
      const s: Subscriber = { ...registered, simId: ns.simId, speedClass: ns.speedClass, type: ns.speedClass };
      await commitSubscriberChange(ctx, tx, emit, null, s, [
        { type: 'status-changed', imsi: s.imsi, operatorId: s.operatorId, coverageType: s.coverageType, subscription: s.subscription, fromStatus: null, toStatus: 'ready', at: now, cause: 'registration' },
        // Fees paid by the order's own charge at confirmation are not billed again monthly.
        ...(order.orderPayment ? [] : outcome.events.filter((e) => e.imsi === s.imsi)),
      ]);
      await tx.put(ESIM_KINDS.profile, p.iccid, p, order.profileOrderId);
      await tx.put(ESIM_KINDS.matchingId, p.matchingId, { iccid: p.iccid, profileOrderId: order.profileOrderId });
    }
    await saveOrder(ctx, tx, outcome.order);
    return outcome.order.status === 'FAILED' ? `FAILED (${outcome.order.failureReason})` : `${outcome.order.status}, ${outcome.profiles.length} profiles`;
  });
}

/** Scheduler handler driving each order: draft expiry, CONFIRMED → IN_PROGRESS, provisioning. */
export function registerEsimJobs(ctx: AppContext): void {
  ctx.scheduler.handle(ESIM_JOBS.orderStep, async (payload) => {
    const { id } = payload as { id: string };
    const order = await ctx.store.transaction((tx) => tx.get<ProfileOrder>(ESIM_KINDS.order, id));
    if (!order) return undefined;
    const now = ctx.clock.now();
    const due = profileOrderDueAt(order, timingOf(ctx));
    if (!due || now < due.at) return undefined;
    const report = (summary: string): JobReport => ({ summary: `eSIM order ${id}: ${summary}`, operatorIds: [order.operatorId] });
    if (due.step === 'expire-draft') {
      const expired = await useCase(ctx, async (tx) => {
        if (!expireDraftOrder({ order, now })) return false;
        await tx.delete(ESIM_KINDS.order, id);
        await tx.put(EXPIRED_DRAFT_KIND, id, { operatorId: order.operatorId, expiredTime: now }, order.operatorId);
        return true;
      });
      return expired ? report('DRAFT not confirmed within 24 h, deleted') : undefined;
    }
    if (due.step === 'start-provisioning') {
      await useCase(ctx, async (tx) => saveOrder(ctx, tx, unwrap(startProvisioning({ order, now })).order));
      return report('IN_PROGRESS');
    }
    const status = await provision(ctx, order);
    return report(status);
  });
}

/** A device's profile report (SGP.22 notification), as the MQTT path and ES9+ endpoint pass it. */
export interface EsimNotification {
  eid: string;
  seqNumber: number;
  event: 'install' | 'enable' | 'disable' | 'delete';
  iccid: string;
  at?: number;
}

const PROFILE_EVENTS: Record<EsimNotification['event'], (simTerminated: boolean) => ProfileEvent> = {
  install: () => ({ type: 'installation', result: 'succeeded' }),
  enable: () => ({ type: 'activation', result: 'succeeded' }),
  disable: () => ({ type: 'inactivation', result: 'succeeded' }),
  delete: (simTerminated) => ({ type: 'deletion', result: 'succeeded', simTerminated }),
};

/**
 * What became of one notification: applied, a repeat (acknowledged, nothing changed), or refused
 * by the rules (unknown or foreign ICCID `CGW0003`, malformed `CGW0004`, a report the profile's
 * history rules out `EPO0010`–`EPO0013`). A refusal is final — resending the same notification
 * would be refused again — so a device path records it and acknowledges it.
 */
export type EsimNotificationOutcome =
  | { outcome: 'applied' | 'duplicate'; duplicate: boolean; profile: EsimProfile }
  | { outcome: 'refused'; duplicate: false; error: { code: ErrorCode; message: string } };

/**
 * Applies one eUICC notification to its profile through the domain's `applyProfileEvent`.
 * Deduplicated by EID + sequence number (persisted with the change): a repeat is acknowledged
 * and changes nothing. `operatorId` limits it to that operator's profiles (the HTTP path).
 * Rule refusals are returned, never thrown; store failures still throw (the caller may retry).
 */
export async function applyEsimNotification(
  ctx: AppContext,
  n: EsimNotification,
  scope?: { operatorId: string },
  /** More writes committed with an applied notification (the SM-DP+'s record of its download). */
  alsoOnApply?: (tx: StoreTx) => Promise<void>,
): Promise<EsimNotificationOutcome> {
  if (typeof n.eid !== 'string' || !/^[0-9]{32}$/.test(n.eid) || !Number.isSafeInteger(n.seqNumber) || n.seqNumber < 0 || !(n.event in PROFILE_EVENTS) || typeof n.iccid !== 'string') {
    return refused(domainError('CGW0004'));
  }
  try {
    return await useCase(ctx, async (tx, emit): Promise<EsimNotificationOutcome> => {
      const profile = await tx.get<EsimProfile>(ESIM_KINDS.profile, n.iccid);
      if (!profile || (scope && profile.operatorId !== scope.operatorId)) return refused(domainError('CGW0003', `(${n.iccid})`));
      const key = `${n.eid.toUpperCase()}:${n.seqNumber}`;
      if (await tx.get(ESIM_KINDS.notification, key)) return { outcome: 'duplicate', duplicate: true, profile };
      const sim = await tx.get<Subscriber>(SUBSCRIBER_KIND, profile.imsi);
      const now = n.at ?? ctx.clock.now();
      const outcome = unwrap(applyProfileEvent(profile, PROFILE_EVENTS[n.event](sim?.status === 'terminated'), now));
      await tx.put(ESIM_KINDS.notification, key, { eid: n.eid.toUpperCase(), seqNumber: n.seqNumber, iccid: n.iccid, event: n.event, at: now }, n.eid.toUpperCase());
      await tx.put(ESIM_KINDS.profile, profile.iccid, outcome.profile, profile.profileOrderId);
      await emit(outcome.events);
      await alsoOnApply?.(tx);
      return { outcome: 'applied', duplicate: false, profile: outcome.profile };
    });
  } catch (error) {
    if (error instanceof PlatformError) return refused(error.error);
    throw error;
  }
}

function refused(e: { code: ErrorCode; message: string }): EsimNotificationOutcome {
  return { outcome: 'refused', duplicate: false, error: { code: e.code, message: e.message } };
}
