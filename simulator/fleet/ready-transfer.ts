/**
 * `ready-transfer`: a share of the fleet's Ready SIMs (as the platform shows them: spare SIMs,
 * spare eSIM profiles, SIMs never used) marked transferable, a token issued to a second
 * operator, who verifies it.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../common/log.js';
import type { Gateway } from './fleet-gateway.js';
import { mapLimit } from './map-limit.js';
import { ApiError, OperatorClient } from './operator-client.js';
import type { Scenario, TimelineEvent } from './scenario.js';
import { eventRandom, sample } from './selection.js';
import type { ActivityMeter } from './time-driver.js';

/** SIMs per transfer token. */
const TOKEN_BATCH = 100;

/** Transfer figures of the run, and the destination operator (created at the first transfer). */
export class ReadyTransfers {
  issued = 0;
  verified = 0;
  failed = 0;
  destination?: OperatorClient;

  figures(): { issued: number; verified: number; failed: number } {
    return { issued: this.issued, verified: this.verified, failed: this.failed };
  }
}

export interface ReadyTransferInput {
  scenario: Scenario;
  gateways: readonly Gateway[];
  spares: readonly string[];
  operator: OperatorClient;
  platformUrl: string;
  meter: ActivityMeter;
  concurrency: number;
  logger: Logger;
  actions: Record<string, number>;
  transfers: ReadyTransfers;
}

export async function readyTransfer(ctx: ReadyTransferInput, event: TimelineEvent): Promise<string> {
  const { operator, meter, concurrency, gateways, transfers } = ctx;
  const candidates = [...new Set([...ctx.spares, ...gateways.map((g) => g.imsi), ...gateways.flatMap((g) => g.esim?.profiles.map((p) => p.imsi) ?? [])])];
  const ready: string[] = [];
  await meter.track(() =>
    mapLimit(candidates, concurrency, async (imsi) => {
      if ((await operator.getSubscriber(imsi)).status === 'ready') ready.push(imsi);
    }),
  );
  ready.sort();
  const t = event.target;
  const n = t.kind === 'count' ? Math.min(t.count, ready.length) : t.kind === 'percent' ? Math.round((t.percent / 100) * ready.length) : ready.length;
  const chosen = sample(ready, n, eventRandom(ctx.scenario, event));
  if (chosen.length === 0) return 'no Ready SIMs to transfer';
  await meter.track(async () => {
    if (!transfers.destination) {
      transfers.destination = new OperatorClient(ctx.platformUrl);
      await transfers.destination.init(`fleet-dest-${randomUUID()}@cellgate.test`, `fleet-${randomUUID()}`);
    }
    const destination = transfers.destination;
    await mapLimit(chosen, concurrency, (imsi) => operator.setTransferable(imsi));
    for (let i = 0; i < chosen.length; i += TOKEN_BATCH) {
      const batch = chosen.slice(i, i + TOKEN_BATCH);
      try {
        const token = await operator.issueTransferToken(batch, { operatorId: destination.operatorId, email: destination.email });
        transfers.issued += batch.length;
        transfers.verified += (await destination.verifyTransferToken(token)).length;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        transfers.failed += batch.length;
        ctx.logger.warn({ err: error.message }, 'ready transfer refused');
      }
    }
  });
  ctx.actions['ready-transfer'] = (ctx.actions['ready-transfer'] ?? 0) + transfers.verified;
  return `${chosen.length} of ${ready.length} Ready SIMs: ${transfers.verified} transferred`;
}
