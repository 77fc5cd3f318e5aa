/**
 * The fee schedules shipped in `platform/fees/`, validated. A user's own file goes through
 * `parseFeeScheduleText` instead (the app layer reads it).
 */
import gJson from '../../fees/g.json' with { type: 'json' };
import jpJson from '../../fees/jp.json' with { type: 'json' };
import type { CoverageType } from './calendar.js';
import { parseFeeSchedule, type FeeSchedule } from './fee-schedule.js';

const cache = new Map<CoverageType, FeeSchedule>();

/** The default schedule for a coverage type; throws only if the shipped file is broken (a bug). */
export function defaultFeeSchedule(coverage: CoverageType): FeeSchedule {
  const hit = cache.get(coverage);
  if (hit) return hit;
  const parsed = parseFeeSchedule(coverage === 'g' ? gJson : jpJson);
  if (!parsed.ok) throw new Error(`shipped fee schedule platform/fees/${coverage}.json is invalid: ${parsed.error.message}`);
  cache.set(coverage, parsed.value);
  return parsed.value;
}
