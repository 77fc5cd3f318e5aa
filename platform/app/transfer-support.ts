import type { CoverageType } from '../domain/ids.js';
import type { Operator } from '../domain/operator.js';
import type { Subscriber } from '../domain/subscriber.js';
import type { TransferOperator } from '../domain/transfer/transfer-subscriber.js';
import type { StoreTx } from '../store/port.js';
import { ACCOUNT_KINDS } from './accounts.js';
import { hasValidPaymentMethod } from './payments.js';
import { SUBSCRIBER_KIND } from './subscribers.js';

/** Helpers shared by the Ready and support-assisted transfer use cases. */

/** Loads the subscribers named by IMSI (any operator, registered only); unknown ones are left out. */
export async function loadSubscribers(tx: StoreTx, imsis: readonly string[]): Promise<Subscriber[]> {
  const out: Subscriber[] = [];
  for (const imsi of new Set(imsis)) {
    if (typeof imsi !== 'string') continue;
    const s = await tx.get<Subscriber>(SUBSCRIBER_KIND, imsi);
    if (s?.registered) out.push(s);
  }
  return out;
}

/**
 * The operator as the transfer rules see it: email, terms per coverage, and whether it has a
 * valid payment method for each coverage (the payment part decides; `paymentMethodValid` is
 * then always true for a method it reports).
 */
export async function transferOperator(tx: StoreTx, operatorId: string, now: number): Promise<TransferOperator | undefined> {
  const op = await tx.get<Operator>(ACCOUNT_KINDS.operator, operatorId);
  if (!op) return undefined;
  const coverage: TransferOperator['coverage'] = {};
  for (const c of ['g', 'jp'] as CoverageType[]) {
    const valid = await hasValidPaymentMethod(tx, operatorId, c, now);
    coverage[c] = { termsAccepted: op.coverage[c]?.termsAccepted ?? false, paymentMethod: valid ? 'credit_card' : 'none', paymentMethodValid: valid };
  }
  return { operatorId: op.operatorId, email: op.email, coverage };
}

/** Stamps the times the rules leave to the app: `lastModifiedTime`, and `statusChangedAt` on a new status. */
export function stamp(before: Subscriber, after: Subscriber, now: number): Subscriber {
  return { ...after, lastModifiedTime: now, statusChangedAt: after.status !== before.status ? now : after.statusChangedAt };
}
