import { applyExpiry } from '../domain/expiry.js';
import { closeSession } from '../domain/session-close.js';
import { isSessionIdle } from '../domain/session.js';
import { isPurgeDue } from '../domain/status-rules.js';
import type { Subscriber } from '../domain/subscriber.js';
import { useCase, type AppContext } from './context.js';
import type { JobReport } from './scheduler.js';
import { SUBSCRIBER_JOBS, SUBSCRIBER_KIND, commitSubscriberChange } from './subscribers.js';

/**
 * Registers the scheduler handlers of the subscriber rules: expiry actions firing on time,
 * terminated subscribers purged after retention, idle sessions closed. Each handler re-checks the
 * rule against current state, so a stale or duplicated job does nothing.
 */
export function registerSubscriberJobs(ctx: AppContext): void {
  ctx.scheduler.handle(SUBSCRIBER_JOBS.expiry, async (payload) => {
    const { imsi } = payload as { imsi: string };
    return useCase(ctx, async (tx, emit): Promise<JobReport | undefined> => {
      const before = await tx.get<Subscriber>(SUBSCRIBER_KIND, imsi);
      if (!before) return undefined;
      const outcome = applyExpiry(before, ctx.clock.now());
      if (!outcome.ok || outcome.value.applied === 'none') return undefined;
      if (outcome.value.applied === 'skipped') ctx.logger.warn({ imsi, reason: outcome.value.reason }, 'expiry action refused by the status rules');
      await commitSubscriberChange(ctx, tx, emit, before, outcome.value.subscriber, outcome.value.events);
      const what = outcome.value.applied === 'skipped' ? `action ${before.expiryAction} skipped (${outcome.value.reason})` : outcome.value.applied;
      return { summary: `expiry of ${imsi}: ${what}`, operatorIds: [before.operatorId] };
    });
  });

  ctx.scheduler.handle(SUBSCRIBER_JOBS.purge, async (payload) => {
    const { imsi } = payload as { imsi: string };
    return useCase(ctx, async (tx): Promise<JobReport | undefined> => {
      const s = await tx.get<Subscriber>(SUBSCRIBER_KIND, imsi);
      if (!s || !isPurgeDue(s, ctx.clock.now(), ctx.config.terminatedRetentionMs)) return undefined;
      await tx.delete(SUBSCRIBER_KIND, imsi);
      return { summary: `terminated subscriber ${imsi} purged after its retention period`, operatorIds: [s.operatorId] };
    });
  });

  ctx.scheduler.handle(SUBSCRIBER_JOBS.sessionIdle, async (payload) => {
    const { imsi, sessionId } = payload as { imsi: string; sessionId: string };
    return useCase(ctx, async (tx, emit): Promise<JobReport | undefined> => {
      const before = await tx.get<Subscriber>(SUBSCRIBER_KIND, imsi);
      if (!before || before.sessionStatus?.sessionId !== sessionId) return undefined;
      if (!isSessionIdle(before, ctx.clock.now(), ctx.config.sessionIdleTimeoutMs)) return undefined;
      const closed = closeSession(before, ctx.clock.now(), true);
      await commitSubscriberChange(ctx, tx, emit, before, closed.subscriber, closed.events);
      return { summary: `idle session of ${imsi} closed`, operatorIds: [before.operatorId] };
    });
  });
}
