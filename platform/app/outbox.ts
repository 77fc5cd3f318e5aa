import type { StoreTx } from '../store/port.js';
import type { AppContext } from './context.js';
import { randomHex } from './ids.js';

export const OUTBOX_KIND = 'outbox';

/**
 * One notice the platform "mailed" to an operator: what the email would carry (subject, body
 * and the structured facts — token, SIMs, expiry, transfer id). cellgate sends no real mail; an
 * operator reads its notices with `GET /_cellgate/outbox`.
 */
export interface OutboxMessage {
  messageId: string;
  toOperatorId: string;
  toEmail: string | null;
  kind: string;
  subject: string;
  body: string;
  sentTime: number;
  /** The notice as the domain made it (e.g. `token`, `imsis`, `expiryTime`, `transferId`). */
  data: Record<string, unknown>;
}

/** A notice as the transfer rules return it. */
export interface Notice {
  kind: string;
  toOperatorId: string;
  toEmail?: string;
  sentTime: number;
  subject: string;
  body: string;
}

/** Puts a notice into the recipient's outbox, in the caller's transaction. */
export async function postNotice(ctx: AppContext, tx: StoreTx, notice: Notice): Promise<OutboxMessage> {
  // Sortable id: send time first, then randomness so equal times keep distinct messages.
  const messageId = `${String(notice.sentTime).padStart(15, '0')}-${randomHex(ctx.random, 6)}`;
  const { kind, toOperatorId, toEmail, sentTime, subject, body, ...rest } = notice;
  const message: OutboxMessage = { messageId, toOperatorId, toEmail: toEmail ?? null, kind, subject, body, sentTime, data: rest };
  await tx.put(OUTBOX_KIND, messageId, message, toOperatorId);
  return message;
}

/** The notices sent to `operatorId`, oldest first. */
export async function listOutbox(ctx: AppContext, operatorId: string, q: { kind?: string; limit?: number } = {}): Promise<OutboxMessage[]> {
  const all = await ctx.store.transaction((tx) => tx.list<OutboxMessage>(OUTBOX_KIND, { partition: operatorId }));
  const filtered = q.kind ? all.filter((m) => m.kind === q.kind) : all;
  return q.limit ? filtered.slice(-q.limit) : filtered;
}
