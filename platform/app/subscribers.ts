import { PlatformError, domainError, unwrap } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import type { CoverageType } from '../domain/ids.js';
import { setImeiLock, unsetImeiLock } from '../domain/imei-lock.js';
import { closeSession } from '../domain/session-close.js';
import { applyOperatorAction, type OperatorAction } from '../domain/status-rules.js';
import {
  deleteTag,
  isSubscription,
  newSim,
  putTags,
  register,
  setExpiry,
  setGroup,
  setTerminationEnabled,
  unsetExpiry,
  updateSpeedClass,
  type ExpiryAction,
  type Subscriber,
  type SubscriberStatus,
} from '../domain/subscriber.js';
import type { SessionEventRecord } from '../domain/events.js';
import { readDocument, type StoreTx } from '../store/port.js';
import { STREAMS, useCase, type AppContext, type Emit, type UsageRecord } from './context.js';
import { applySimTerminatedToProfile } from './esim-sim-terminated.js';
import { randomDigits } from './ids.js';
import { exportSubscribersCsv } from '../domain/subscriber-csv.js';

export const SUBSCRIBER_KIND = 'subscriber';

/** Scheduled job names owned by the subscriber use cases. */
export const SUBSCRIBER_JOBS = {
  expiry: 'subscriber-expiry',
  purge: 'subscriber-purge',
  sessionIdle: 'session-idle',
} as const;

/** Which subscribers a caller may see: its own operator's, of the request's coverage type. */
export interface Scope {
  operatorId: string;
  coverageType?: CoverageType;
}

/** Reads a subscriber visible in `scope`, or throws SEM0001. Unregistered SIMs are invisible. */
export async function loadSubscriber(tx: StoreTx, imsi: string, scope: Scope): Promise<Subscriber> {
  return visibleSubscriber(await tx.get<Subscriber>(SUBSCRIBER_KIND, imsi), imsi, scope);
}

function visibleSubscriber(s: Subscriber | null, imsi: string, scope: Scope): Subscriber {
  if (!s || !s.registered || s.operatorId !== scope.operatorId || (scope.coverageType && s.coverageType !== scope.coverageType)) {
    throw new PlatformError(domainError('SEM0001', `(${imsi})`));
  }
  return s;
}

/** Document kind mapping a SIM ID to its IMSI (the Sim API addresses SIMs by SIM ID). */
export const SIM_ID_INDEX_KIND = 'sim-id';

/** Records a new SIM's SIM ID (it never changes). */
export async function indexSimId(tx: StoreTx, s: Subscriber): Promise<void> {
  await tx.put(SIM_ID_INDEX_KIND, s.simId, { imsi: s.imsi });
}

/**
 * The IMSI of a SIM ID, or null. SIMs stored before the index existed are found by a scan of
 * `operatorId`'s SIMs (and of unregistered ones).
 */
export async function imsiOfSimId(tx: StoreTx, simId: string, operatorId: string): Promise<string | null> {
  const ref = await tx.get<{ imsi: string }>(SIM_ID_INDEX_KIND, simId);
  if (ref) return ref.imsi;
  for (const partition of [operatorId, '']) {
    for (let after: string | undefined; ; ) {
      const batch = await tx.list<Subscriber>(SUBSCRIBER_KIND, { partition, after, limit: 500 });
      const hit = batch.find((s) => s.simId === simId);
      if (hit) return hit.imsi;
      if (batch.length < 500) break;
      after = batch.at(-1)!.imsi;
    }
  }
  return null;
}

/** Writes a subscriber; unregistered SIMs live in the empty partition, others in their operator's. */
export async function saveSubscriber(tx: StoreTx, s: Subscriber): Promise<void> {
  await tx.put(SUBSCRIBER_KIND, s.imsi, s, s.registered ? s.operatorId : '');
}

/**
 * Saves a changed subscriber, records its events and keeps its scheduled work in step: expiry job,
 * purge after termination, session idle timeout. Every use case that changes a subscriber (also
 * those of transfer and eSIM) should go through this.
 */
export async function commitSubscriberChange(
  ctx: AppContext,
  tx: StoreTx,
  emit: Emit,
  before: Subscriber | null,
  after: Subscriber,
  events: DomainEvent[],
): Promise<void> {
  await saveSubscriber(tx, after);
  if (before === null) await indexSimId(tx, after);
  // The Sim API's status history shows the speed class and group each change left the SIM with;
  // the SIM ID rides along so billing names a SIM's items without reading every SIM document.
  await emit(events.map((e) => (e.type === 'status-changed' && e.imsi === after.imsi ? { ...e, speedClass: after.speedClass, groupId: after.groupId, simId: after.simId } : e)));
  const { scheduler, config } = ctx;
  if (after.expiryTime !== before?.expiryTime || after.expiryAction !== before?.expiryAction) {
    if (after.expiryTime !== null) await scheduler.at(after.expiryTime, `expiry:${after.imsi}`, SUBSCRIBER_JOBS.expiry, { imsi: after.imsi, expiryTime: after.expiryTime }, tx);
    else await scheduler.cancel(`expiry:${after.imsi}`, tx);
  }
  if (after.status === 'terminated' && before?.status !== 'terminated' && after.terminatedAt !== null) {
    await scheduler.at(after.terminatedAt + config.terminatedRetentionMs, `purge:${after.imsi}`, SUBSCRIBER_JOBS.purge, { imsi: after.imsi }, tx);
    await applySimTerminatedToProfile(tx, after, after.terminatedAt, ctx.smds);
  }
  if (after.sessionStatus?.online && after.lastActivityAt !== null) {
    if (after.lastActivityAt !== before?.lastActivityAt || after.sessionStatus.sessionId !== before?.sessionStatus?.sessionId) {
      await scheduler.at(after.lastActivityAt + config.sessionIdleTimeoutMs, `session-idle:${after.imsi}`, SUBSCRIBER_JOBS.sessionIdle, { imsi: after.imsi, sessionId: after.sessionStatus.sessionId }, tx);
    }
  } else if (before?.sessionStatus?.online) {
    await scheduler.cancel(`session-idle:${after.imsi}`, tx);
  }
}

async function mutate(
  ctx: AppContext,
  scope: Scope,
  imsi: string,
  change: (s: Subscriber, now: number) => { subscriber: Subscriber; events?: DomainEvent[] },
): Promise<Subscriber> {
  return useCase(ctx, async (tx, emit) => {
    const before = await loadSubscriber(tx, imsi, scope);
    const { subscriber, events = [] } = change(before, ctx.clock.now());
    await commitSubscriberChange(ctx, tx, emit, before, subscriber, events);
    return subscriber;
  });
}

/** Sandbox `createSubscriber`: a new SIM (not yet registered) with its registration secret. */
export async function createSandboxSubscriber(
  ctx: AppContext,
  operatorId: string,
  coverageType: CoverageType,
  input: { subscription?: string },
): Promise<Subscriber> {
  const subscription = input.subscription ?? 'plan01s';
  if (!isSubscription(subscription)) throw new PlatformError(domainError('SEM0014', `(${subscription})`));
  return useCase(ctx, async (tx) => {
    let imsi: string;
    do imsi = `29505${randomDigits(ctx.random, 10)}`;
    while (await tx.get(SUBSCRIBER_KIND, imsi));
    const ip = [...ctx.random.bytes(3)].join('.');
    const sim = newSim({
      imsi,
      msisdn: `4230${randomDigits(ctx.random, 8)}`,
      iccid: `894231${randomDigits(ctx.random, 13)}`,
      serialNumber: `SN${randomDigits(ctx.random, 12)}`,
      ipAddress: `10.${ip}`,
      registrationSecret: randomDigits(ctx.random, 8),
      operatorId,
      subscription,
      coverageType,
      now: ctx.clock.now(),
    });
    await saveSubscriber(tx, sim);
    await indexSimId(tx, sim);
    return sim;
  });
}

/** `registerSubscriber`: joins the operator's account as `ready` (a status-history entry from null). */
export async function registerSubscriber(
  ctx: AppContext,
  scope: Scope,
  imsi: string,
  input: { registrationSecret: string; groupId?: string; tags?: Record<string, string> },
): Promise<Subscriber> {
  return useCase(ctx, async (tx, emit) => {
    const sim = await tx.get<Subscriber>(SUBSCRIBER_KIND, imsi);
    if (!sim || (scope.coverageType && sim.coverageType !== scope.coverageType)) throw new PlatformError(domainError('SEM0001', `(${imsi})`));
    const now = ctx.clock.now();
    const s = unwrap(register(sim, { ...input, operatorId: scope.operatorId, now }));
    await commitSubscriberChange(ctx, tx, emit, null, s, [
      { type: 'status-changed', imsi, operatorId: s.operatorId, coverageType: s.coverageType, subscription: s.subscription, fromStatus: null, toStatus: 'ready', at: now, cause: 'registration' },
    ]);
    return s;
  });
}

/** The committed subscriber, read-only (it may be shared: `readDocument`). One statement, no transaction. */
export async function getSubscriber(ctx: AppContext, scope: Scope, imsi: string): Promise<Readonly<Subscriber>> {
  return visibleSubscriber(await readDocument<Subscriber>(ctx.store, SUBSCRIBER_KIND, imsi), imsi, scope);
}

export interface SubscriberFilter {
  tagName?: string;
  tagValue?: string;
  tagValueMatchMode?: 'exact' | 'prefix';
  statusFilter?: string[];
  speedClassFilter?: string[];
  /** Serial numbers starting with any of these (the reference's `serial_number_filter`). */
  serialNumberFilter?: string[];
  /** Only SIMs of this group (listSubscribersInGroup). */
  groupId?: string;
  limit?: number;
  lastEvaluatedKey?: string;
}

/** `listSubscribers`: IMSI order, paged; `nextKey` is the last IMSI when more may follow. */
export async function listSubscribers(ctx: AppContext, scope: Scope, f: SubscriberFilter): Promise<{ items: Subscriber[]; nextKey: string | null }> {
  const limit = Math.min(Math.max(f.limit ?? 100, 1), 100);
  return ctx.store.transaction(async (tx) => {
    const items: Subscriber[] = [];
    let after = f.lastEvaluatedKey;
    for (;;) {
      const batch = await tx.list<Subscriber>(SUBSCRIBER_KIND, { partition: scope.operatorId, after, limit: 200 });
      for (const s of batch) {
        after = s.imsi;
        if (!matches(s, scope, f)) continue;
        items.push(s);
        if (items.length === limit) {
          const more = (await tx.list<Subscriber>(SUBSCRIBER_KIND, { partition: scope.operatorId, after, limit: 1 })).length > 0;
          return { items, nextKey: more ? s.imsi : null };
        }
      }
      if (batch.length < 200) return { items, nextKey: null };
    }
  });
}

function matches(s: Subscriber, scope: Scope, f: SubscriberFilter): boolean {
  if (!s.registered || (scope.coverageType && s.coverageType !== scope.coverageType)) return false;
  if (f.statusFilter?.length && !f.statusFilter.includes(s.status)) return false;
  if (f.speedClassFilter?.length && !f.speedClassFilter.includes(s.speedClass)) return false;
  if (f.serialNumberFilter?.length && !f.serialNumberFilter.some((prefix) => s.serialNumber.startsWith(prefix))) return false;
  if (f.groupId !== undefined && s.groupId !== f.groupId) return false;
  if (f.tagName !== undefined) {
    const v = s.tags[f.tagName];
    if (v === undefined) return false;
    if (f.tagValue !== undefined) {
      if (f.tagValueMatchMode === 'prefix' ? !v.startsWith(f.tagValue) : v !== f.tagValue) return false;
    }
  }
  return true;
}

/** activate / deactivate / set_to_standby / suspend / terminate (SPEC §1.2 table). */
export async function changeStatus(ctx: AppContext, scope: Scope, imsi: string, action: OperatorAction): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => unwrap(applyOperatorAction(s, action, now)));
}

/** enable_termination (`true`: protection off) / disable_termination (`false`: protection on). */
export async function setTermination(ctx: AppContext, scope: Scope, imsi: string, enabled: boolean): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => ({ subscriber: unwrap(setTerminationEnabled(s, enabled, now)) }));
}

export async function setExpiryTime(ctx: AppContext, scope: Scope, imsi: string, expiryTime: number, expiryAction: ExpiryAction | null): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => ({ subscriber: unwrap(setExpiry(s, expiryTime, expiryAction, now)) }));
}

export async function unsetExpiryTime(ctx: AppContext, scope: Scope, imsi: string): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => ({ subscriber: unsetExpiry(s, now) }));
}

export async function changeSpeedClass(ctx: AppContext, scope: Scope, imsi: string, speedClass: string): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => ({ subscriber: unwrap(updateSpeedClass(s, speedClass, now)) }));
}

export async function putSubscriberTags(ctx: AppContext, scope: Scope, imsi: string, tags: { tagName: string; tagValue: string }[]): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => ({ subscriber: putTags(s, tags, now) }));
}

export async function deleteSubscriberTag(ctx: AppContext, scope: Scope, imsi: string, tagName: string): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => ({ subscriber: unwrap(deleteTag(s, tagName, now)) }));
}

export async function setSubscriberGroup(ctx: AppContext, scope: Scope, imsi: string, groupId: string | null): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => ({ subscriber: setGroup(s, groupId, now) }));
}

/** `setImeiLock`: `imei` absent or empty locks to the live session's IMEI (offline → SEM0016). */
export async function setSubscriberImeiLock(ctx: AppContext, scope: Scope, imsi: string, imei: string | undefined): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => ({ subscriber: unwrap(setImeiLock(s, imei, now)) }));
}

/** `unsetImeiLock`: removes the lock, if any. */
export async function unsetSubscriberImeiLock(ctx: AppContext, scope: Scope, imsi: string): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => ({ subscriber: unsetImeiLock(s, now) }));
}

/** `deleteSubscriberSession`: SEM0016 when offline; otherwise the radio side is told to drop it. */
export async function deleteSubscriberSession(ctx: AppContext, scope: Scope, imsi: string): Promise<Subscriber> {
  return mutate(ctx, scope, imsi, (s, now) => {
    if (!s.sessionStatus?.online) throw new PlatformError(domainError('SEM0016'));
    return closeSession(s, now, true);
  });
}

/** `listSessionEvents`, newest first; the page key is the stream sequence of the last event. */
export async function listSessionEvents(
  ctx: AppContext,
  scope: Scope,
  imsi: string,
  q: { from?: number; to?: number; limit?: number; lastEvaluatedKey?: string },
): Promise<{ items: SessionEventRecord[]; nextKey: string | null }> {
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  const afterSeq = q.lastEvaluatedKey !== undefined ? Number(q.lastEvaluatedKey) : undefined;
  if (afterSeq !== undefined && !Number.isInteger(afterSeq)) throw new PlatformError(domainError('COM0007'));
  return ctx.store.transaction(async (tx) => {
    await loadSubscriber(tx, imsi, scope);
    const rows = await tx.readStream<SessionEventRecord>(STREAMS.sessionEvents, { key: imsi, fromTime: q.from, toTime: q.to, afterSeq, descending: true, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { items: page.map((r) => r.body), nextKey: rows.length > limit ? String(page.at(-1)!.seq) : null };
  });
}

/** Sandbox `insertAirStats`: usage per speed class at `unixtime` (seconds); same time twice → SBX0001. */
export async function insertSandboxUsage(
  ctx: AppContext,
  scope: Scope,
  imsi: string,
  input: { unixtime: number; dataTrafficStatsMap: Record<string, { uploadByteSizeTotal?: number; downloadByteSizeTotal?: number }> },
): Promise<void> {
  await useCase(ctx, async (tx) => {
    const s = await loadSubscriber(tx, imsi, scope);
    const at = input.unixtime * 1000;
    const existing = await tx.readStream<UsageRecord>(STREAMS.usage, { key: imsi, fromTime: at, toTime: at });
    if (existing.some((r) => r.body.source === 'sandbox')) throw new PlatformError(domainError('SBX0001'));
    for (const [speedClass, stats] of Object.entries(input.dataTrafficStatsMap)) {
      const record: UsageRecord = {
        imsi,
        operatorId: s.operatorId,
        coverageType: s.coverageType,
        subscription: s.subscription,
        speedClass,
        uplinkBytes: stats.uploadByteSizeTotal ?? 0,
        downlinkBytes: stats.downloadByteSizeTotal ?? 0,
        at,
        source: 'sandbox',
      };
      await tx.append(STREAMS.usage, imsi, at, record);
    }
  });
}

/** `exportSubscribers`: every subscriber of the operator in the caller's coverage, as CSV. */
export async function exportSubscribers(ctx: AppContext, scope: Scope): Promise<string> {
  const all: Subscriber[] = [];
  for (let key: string | undefined; ; ) {
    const page = await listSubscribers(ctx, scope, { limit: 100, lastEvaluatedKey: key });
    all.push(...page.items);
    if (page.nextKey === null) break;
    key = page.nextKey;
  }
  return exportSubscribersCsv(all);
}

/** Statuses an API caller may filter on (reference `status_filter`). */
export const FILTERABLE_STATUSES: readonly (SubscriberStatus | string)[] = ['ready', 'active', 'inactive', 'standby', 'suspended', 'terminated', 'transferring', 'instock', 'shipped'];
