/**
 * A subscriber's status history: the input billing rates. The store keeps it (one interval per
 * stretch of unchanged status, plan, owner and speed class); billing only reads it.
 */
import type { CoverageType } from './calendar.js';
import { allowsStandby } from './plan-rules.js';
import { SPEED_CLASSES, SUBSCRIBER_STATUSES, SUBSCRIPTIONS, type SpeedClass, type SubscriberStatus, type Subscription } from './types.js';
import { billingError } from './errors.js';
import { failWith, ok, type Result } from '../errors.js';

/** One stretch of time in which status, plan, owning operator and speed class did not change. */
export interface StatusInterval {
  /** Start, epoch ms (inclusive). */
  readonly from: number;
  /** End, epoch ms (exclusive); `null` while it lasts (only the last interval). */
  readonly to: number | null;
  readonly status: SubscriberStatus;
  readonly plan: Subscription;
  /** The operator that owns the SIM in this interval; its fees accrue to them (SPEC §1.3). */
  readonly operatorId: string;
  readonly speedClass?: SpeedClass;
}

/** Everything billing needs to know about one subscriber. */
export interface SubscriberHistory {
  readonly imsi: string;
  readonly simId?: string;
  readonly coverageType: CoverageType;
  /** Sorted, contiguous (`intervals[i].from === intervals[i - 1].to`). */
  readonly intervals: readonly StatusInterval[];
}

/** Checks a history is usable; reports every problem with the interval's index. */
export function validateHistory(history: SubscriberHistory): Result<SubscriberHistory> {
  const issues: string[] = [];
  const where = (i: number): string => `${history.imsi} intervals[${i}]`;
  history.intervals.forEach((iv, i) => {
    if (!Number.isSafeInteger(iv.from)) issues.push(`${where(i)}.from: must be epoch milliseconds`);
    if (iv.to !== null && (!Number.isSafeInteger(iv.to) || iv.to < iv.from)) {
      issues.push(`${where(i)}.to: must be epoch milliseconds not before from`);
    }
    if (iv.to === null && i !== history.intervals.length - 1) issues.push(`${where(i)}.to: only the last interval may be open`);
    if (i > 0 && history.intervals[i - 1]!.to !== iv.from) {
      issues.push(`${where(i)}.from: must equal the previous interval's end (no gap, no overlap)`);
    }
    if (!SUBSCRIBER_STATUSES.includes(iv.status)) issues.push(`${where(i)}.status: unknown status ${JSON.stringify(iv.status)}`);
    if (!SUBSCRIPTIONS.includes(iv.plan)) issues.push(`${where(i)}.plan: unknown subscription ${JSON.stringify(iv.plan)}`);
    else if (iv.status === 'standby' && !allowsStandby(iv.plan)) issues.push(`${where(i)}.status: ${iv.plan} does not allow standby`);
    if (iv.speedClass !== undefined && !SPEED_CLASSES.includes(iv.speedClass)) {
      issues.push(`${where(i)}.speedClass: unknown speed class ${JSON.stringify(iv.speedClass)}`);
    }
    if (typeof iv.operatorId !== 'string' || iv.operatorId === '') issues.push(`${where(i)}.operatorId: required`);
  });
  return issues.length > 0
    ? failWith(billingError('BIL0002', issues.join('; '), { issues }))
    : ok(history);
}

/** The interval covering instant `t`, or undefined (binary search; intervals are sorted). */
export function intervalAt(intervals: readonly StatusInterval[], t: number): StatusInterval | undefined {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const iv = intervals[mid]!;
    if (t < iv.from) hi = mid - 1;
    else if (iv.to !== null && t >= iv.to) lo = mid + 1;
    else return iv;
  }
  return undefined;
}
