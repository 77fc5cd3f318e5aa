/**
 * Annual renewal (seed 003 *1, SPEC §1.6): a fee when a subscriber stays in ready, standby or
 * suspended for a full year, and each year after.
 *
 * [choice] The renewal clock starts when the subscriber enters any of ready / transferring /
 * standby / suspended and keeps running while it moves among them (the real API's
 * `renewalFeeStatusSetTime`); leaving the set (active, inactive, terminated) stops it. A change
 * of owner does not restart it. Anniversaries are whole calendar years in UTC from the clock's
 * start (Feb 29 → Feb 28). The fee goes to the owner, at the plan, of the anniversary instant.
 */
import { addCalendarYears } from './calendar.js';
import { intervalAt, type StatusInterval } from './history.js';
import { runsRenewalClock } from './plan-rules.js';
import type { Subscription } from './types.js';

/** One annual renewal due. */
export interface RenewalAnniversary {
  /** The instant the year completed (epoch ms). */
  readonly at: number;
  /** 1 for the first full year, 2 for the second, … */
  readonly year: number;
  /** When the renewal clock started. */
  readonly clockStartedAt: number;
  readonly operatorId: string;
  readonly plan: Subscription;
}

/** Every anniversary reached by `asOf` (inclusive), oldest first. */
export function findRenewalAnniversaries(intervals: readonly StatusInterval[], asOf: number): RenewalAnniversary[] {
  const out: RenewalAnniversary[] = [];
  let i = 0;
  while (i < intervals.length) {
    if (!runsRenewalClock(intervals[i]!.status)) {
      i++;
      continue;
    }
    const start = intervals[i]!.from;
    let j = i;
    while (j + 1 < intervals.length && runsRenewalClock(intervals[j + 1]!.status)) j++;
    const end = intervals[j]!.to ?? Number.POSITIVE_INFINITY;
    const run = intervals.slice(i, j + 1);
    for (let year = 1; ; year++) {
      const at = addCalendarYears(start, year);
      // The subscriber must still be in the set at the anniversary instant.
      if (at >= end || at > asOf) break;
      const owner = intervalAt(run, at)!;
      out.push({ at, year, clockStartedAt: start, operatorId: owner.operatorId, plan: owner.plan });
    }
    i = j + 1;
  }
  return out;
}

/**
 * When the renewal clock running at `t` started (the real API's `renewalFeeStatusSetTime`), or
 * null when the subscriber is not in ready / transferring / standby / suspended at `t`.
 */
export function renewalClockStartedAt(intervals: readonly StatusInterval[], t: number): number | null {
  let idx = intervals.findIndex((iv) => t >= iv.from && (iv.to === null || t < iv.to));
  if (idx < 0 || !runsRenewalClock(intervals[idx]!.status)) return null;
  while (idx > 0 && runsRenewalClock(intervals[idx - 1]!.status)) idx--;
  return intervals[idx]!.from;
}
