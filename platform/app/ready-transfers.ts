import { unwrap } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import type { CoverageType } from '../domain/ids.js';
import type { Subscriber } from '../domain/subscriber.js';
import {
  cancelReadyTransfer,
  dropOutOnConnect,
  expireReadyTransfer,
  issueReadyTransfer,
  readyTransferDueAt,
  verifyReadyTransfer,
  type IssueTransferTokenRequest,
  type ReadyTransfer,
  type ReadyTransferChange,
} from '../domain/transfer/ready-transfer.js';
import type { StoreTx } from '../store/port.js';
import type { JobReport } from './scheduler.js';
import { useCase, type AppContext, type Emit } from './context.js';
import { postNotice } from './outbox.js';
import { digest } from './secrets.js';
import { commitSubscriberChange, loadSubscriber, type Scope } from './subscribers.js';
import { loadSubscribers, stamp, transferOperator } from './transfer-support.js';

/** Store kinds: transfers by token digest, and the pending transfer of each IMSI. */
export const READY_TRANSFER_KINDS = { transfer: 'ready-transfer', byImsi: 'ready-transfer-imsi' } as const;
export const READY_TRANSFER_JOBS = { expire: 'ready-transfer-expire' } as const;

// Tokens are bearer secrets: the store keys them by digest, like API tokens.
const transferId = (token: string): string => digest(token);
const expireJobKey = (token: string): string => `ready-transfer-expire:${transferId(token)}`;

async function loadTransfer(tx: StoreTx, token: unknown): Promise<ReadyTransfer | undefined> {
  if (typeof token !== 'string' || token === '') return undefined;
  return (await tx.get<ReadyTransfer>(READY_TRANSFER_KINDS.transfer, transferId(token))) ?? undefined;
}

async function saveTransfer(ctx: AppContext, tx: StoreTx, t: ReadyTransfer): Promise<void> {
  await tx.put(READY_TRANSFER_KINDS.transfer, transferId(t.token), t, t.sourceOperatorId);
  const pending = t.state === 'pending';
  for (const imsi of t.imsis) {
    if (pending && !t.droppedImsis.includes(imsi)) await tx.put(READY_TRANSFER_KINDS.byImsi, imsi, { token: t.token });
    else {
      const ref = await tx.get<{ token: string }>(READY_TRANSFER_KINDS.byImsi, imsi);
      if (ref?.token === t.token) await tx.delete(READY_TRANSFER_KINDS.byImsi, imsi);
    }
  }
  const due = readyTransferDueAt(t);
  if (due !== undefined) await ctx.scheduler.at(due, expireJobKey(t.token), READY_TRANSFER_JOBS.expire, { transferId: transferId(t.token) }, tx);
  else await ctx.scheduler.cancel(expireJobKey(t.token), tx);
}

/** Saves the subscribers a step changed, each through `commitSubscriberChange` with its own events. */
async function commitChange(ctx: AppContext, tx: StoreTx, emit: Emit, change: ReadyTransferChange<Subscriber>, before: Subscriber[], now: number): Promise<void> {
  const byImsi = new Map(before.map((s) => [s.imsi, s]));
  for (const after of change.subscribers) {
    const old = byImsi.get(after.imsi)!;
    const events = change.events.filter((e) => e.imsi === after.imsi) as DomainEvent[];
    await commitSubscriberChange(ctx, tx, emit, old, stamp(old, after, now), events);
  }
  await saveTransfer(ctx, tx, change.transfer);
}

/**
 * `issueSubscriberTransferToken` (SPEC §1.3): all named SIMs become `transferring`, the
 * destination gets a notice in its outbox, and the token expires on the scheduler after 24 h.
 */
export async function issueTransferToken(ctx: AppContext, sourceOperatorId: string, request: IssueTransferTokenRequest): Promise<{ token: string }> {
  return useCase(ctx, async (tx, emit) => {
    const now = ctx.clock.now();
    const subscribers = await loadSubscribers(tx, Array.isArray(request.transferImsi) ? request.transferImsi : []);
    const destination = await transferOperator(tx, String(request.transferDestinationOperatorId ?? ''), now);
    const r = unwrap(
      issueReadyTransfer({
        sourceOperatorId,
        request,
        subscribers,
        findOperator: (id) => (destination && destination.operatorId === id ? destination : undefined),
        randomBytes: (n) => ctx.random.bytes(n),
        now,
      }),
    );
    await commitChange(ctx, tx, emit, r, subscribers, now);
    await postNotice(ctx, tx, r.notice);
    return { token: r.transfer.token };
  });
}

/**
 * `verifySubscriberTransferToken` by the named destination: the SIMs still transferring move to
 * it as `ready` with tags, expiry, protection, group and event handlers reset. The new owner is
 * in the status history from this instant (fees hand over).
 */
export async function verifyTransferToken(ctx: AppContext, callerOperatorId: string, coverageType: CoverageType, token: string): Promise<{ transferredImsi: string[] }> {
  return useCase(ctx, async (tx, emit) => {
    const now = ctx.clock.now();
    const transfer = await loadTransfer(tx, token);
    const destination = (await transferOperator(tx, callerOperatorId, now)) ?? { operatorId: callerOperatorId, email: '', coverage: {} };
    const subscribers = transfer ? await loadSubscribers(tx, transfer.imsis) : [];
    const r = unwrap(verifyReadyTransfer({ transfer, destination, requestCoverageType: coverageType, subscribers, now }));
    await commitChange(ctx, tx, emit, r, subscribers, now);
    return { transferredImsi: r.transferredImsi };
  });
}

/** `deleteSubscriberTransferToken` by the source: every SIM still transferring goes back to `ready`. */
export async function deleteTransferToken(ctx: AppContext, callerOperatorId: string, token: string): Promise<void> {
  await useCase(ctx, async (tx, emit) => {
    const now = ctx.clock.now();
    const transfer = await loadTransfer(tx, token);
    const subscribers = transfer ? await loadSubscribers(tx, transfer.imsis) : [];
    const r = unwrap(cancelReadyTransfer({ transfer, callerOperatorId, subscribers, now }));
    await commitChange(ctx, tx, emit, r, subscribers, now);
  });
}

/**
 * Called by the network gate in the session's transaction when a `transferring` SIM connected
 * (the core already made it `active` and emitted `transfer-drop-out`): the transfer drops that
 * SIM; the others stay transferring.
 */
export async function recordTransferDropOut(ctx: AppContext, tx: StoreTx, before: Subscriber, now: number): Promise<void> {
  const ref = await tx.get<{ token: string }>(READY_TRANSFER_KINDS.byImsi, before.imsi);
  const transfer = ref ? await loadTransfer(tx, ref.token) : undefined;
  if (!transfer) return;
  const r = dropOutOnConnect({ transfer, subscriber: before, now });
  if (!r.ok) return;
  await saveTransfer(ctx, tx, r.value.transfer);
}

/** Scheduler handler: 24 h after issue a pending transfer expires, its SIMs back to `ready`. */
export function registerReadyTransferJobs(ctx: AppContext): void {
  ctx.scheduler.handle(READY_TRANSFER_JOBS.expire, async (payload) => {
    const { transferId: id } = payload as { transferId: string };
    return useCase(ctx, async (tx, emit): Promise<JobReport | undefined> => {
      const transfer = await tx.get<ReadyTransfer>(READY_TRANSFER_KINDS.transfer, id);
      if (!transfer) return undefined;
      const now = ctx.clock.now();
      const subscribers = await loadSubscribers(tx, transfer.imsis);
      const change = expireReadyTransfer({ transfer, subscribers, now });
      if (!change) return undefined;
      await commitChange(ctx, tx, emit, change, subscribers, now);
      return {
        summary: `transfer token expired after 24 h: ${transfer.imsis.join(', ')} back to ready`,
        operatorIds: [transfer.sourceOperatorId, transfer.destinationOperatorId],
      };
    });
  });
}

/** A transfer as cellgate shows it to its source (for tests and the outbox reader). */
export async function getReadyTransfer(ctx: AppContext, token: string): Promise<ReadyTransfer | undefined> {
  return ctx.store.transaction((tx) => loadTransfer(tx, token));
}

/**
 * Sets whether a SIM may be transferred under its terms (SPEC §1.3: some SIMs are not). cellgate
 * exposes it for tests and fleet set-ups (`POST /_cellgate/subscribers/{imsi}/transferable`).
 */
export async function setSubscriberTransferable(ctx: AppContext, scope: Scope, imsi: string, transferable: boolean): Promise<Subscriber> {
  return useCase(ctx, async (tx, emit) => {
    const before = await loadSubscriber(tx, imsi, scope);
    const after = { ...before, transferable, lastModifiedTime: ctx.clock.now() };
    await commitSubscriberChange(ctx, tx, emit, before, after, []);
    return after;
  });
}
