/**
 * The Sim API's use cases (reference tag `Sim`, docs/api.md "Sim API"): the same subscriber
 * records and rules as the Subscriber API, addressed by SIM ID instead of IMSI.
 */
import { PlatformError, domainError } from '../domain/errors.js';
import type { StatusChange } from '../domain/events.js';
import type { Subscriber } from '../domain/subscriber.js';
import { STREAMS, type AppContext } from './context.js';
import { imsiOfSimId, listSubscribers, loadSubscriber, registerSubscriber, type Scope, type SubscriberFilter } from './subscribers.js';

/** The IMSI of a SIM the caller may see (SEM0001 naming the SIM ID otherwise). */
export async function imsiOfSim(ctx: AppContext, scope: Scope, simId: string): Promise<string> {
  return ctx.store.transaction(async (tx) => {
    const imsi = await imsiOfSimId(tx, simId, scope.operatorId);
    if (!imsi) throw new PlatformError(domainError('SEM0001', `(SIM ID ${simId})`));
    try {
      await loadSubscriber(tx, imsi, scope);
    } catch {
      throw new PlatformError(domainError('SEM0001', `(SIM ID ${simId})`));
    }
    return imsi;
  });
}

/** `listSims` / `listSubscribersInGroup`: the operator's SIMs, paged by SIM ID. */
export async function listSims(ctx: AppContext, scope: Scope, q: { limit?: number; lastEvaluatedKey?: string; groupId?: string }): Promise<{ items: Subscriber[]; nextKey: string | null }> {
  let after: string | undefined;
  if (q.lastEvaluatedKey !== undefined) {
    after = (await ctx.store.transaction((tx) => imsiOfSimId(tx, q.lastEvaluatedKey!, scope.operatorId))) ?? undefined;
    if (after === undefined) throw new PlatformError(domainError('COM0007'));
  }
  const filter: SubscriberFilter = { limit: q.limit, lastEvaluatedKey: after, ...(q.groupId !== undefined ? { groupId: q.groupId } : {}) };
  const page = await listSubscribers(ctx, scope, filter);
  return { items: page.items, nextKey: page.nextKey === null ? null : page.items.at(-1)!.simId };
}

/** `registerSim`: the sandbox SIM with this SIM ID joins the caller's account (as registerSubscriber). */
export async function registerSim(ctx: AppContext, scope: Scope, simId: string, input: { registrationSecret: string; groupId?: string; tags?: Record<string, string> }): Promise<Subscriber> {
  const imsi = await ctx.store.transaction((tx) => imsiOfSimId(tx, simId, scope.operatorId));
  if (!imsi) throw new PlatformError(domainError('SEM0001', `(SIM ID ${simId})`));
  return registerSubscriber(ctx, scope, imsi, input);
}

/**
 * `listSimStatusHistory`: the SIM's status changes under the caller's operator, `desc` (default)
 * or `asc`, between `from` and `to` (ms), paged by the history's sequence number.
 */
export async function listSimStatusHistory(
  ctx: AppContext,
  scope: Scope,
  imsi: string,
  q: { from?: number; to?: number; sort?: 'asc' | 'desc'; limit?: number; lastEvaluatedKey?: string },
): Promise<{ items: StatusChange[]; nextKey: string | null }> {
  const limit = Math.min(Math.max(q.limit ?? 30, 1), 100);
  const afterSeq = q.lastEvaluatedKey !== undefined ? Number(q.lastEvaluatedKey) : undefined;
  if (afterSeq !== undefined && !Number.isSafeInteger(afterSeq)) throw new PlatformError(domainError('COM0007'));
  return ctx.store.transaction(async (tx) => {
    await loadSubscriber(tx, imsi, scope);
    const items: StatusChange[] = [];
    let cursor = afterSeq;
    let lastSeq = 0;
    // Changes recorded under a previous owner belong to that account and are skipped.
    for (;;) {
      const rows = await tx.readStream<StatusChange>(STREAMS.statusHistory, { key: imsi, fromTime: q.from, toTime: q.to, afterSeq: cursor, descending: q.sort !== 'asc', limit: 200 });
      for (const r of rows) {
        cursor = r.seq;
        if (r.body.operatorId !== scope.operatorId) continue;
        if (items.length === limit) return { items, nextKey: String(lastSeq) };
        items.push(r.body);
        lastSeq = r.seq;
      }
      if (rows.length < 200) return { items, nextKey: null };
    }
  });
}
