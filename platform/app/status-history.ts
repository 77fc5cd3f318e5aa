import type { StatusChange } from '../domain/events.js';
import { STREAMS, type AppContext } from './context.js';
import { loadSubscriber, type Scope } from './subscribers.js';

/**
 * A SIM's status changes under the caller's operator, newest first (the console's "Status
 * history"). [choice] Changes recorded under a previous owner before a transfer are not shown:
 * they belong to that account.
 */
export async function listStatusHistory(ctx: AppContext, scope: Scope, imsi: string, limit = 100): Promise<StatusChange[]> {
  return ctx.store.transaction(async (tx) => {
    await loadSubscriber(tx, imsi, scope);
    const rows = await tx.readStream<StatusChange>(STREAMS.statusHistory, { key: imsi, descending: true, limit: 1000 });
    return rows
      .map((r) => r.body)
      .filter((c) => c.operatorId === scope.operatorId)
      .slice(0, limit);
  });
}
