/**
 * Calendar arithmetic for billing, on epoch milliseconds and without the wall clock.
 *
 * Each coverage type has its own day boundary (SPEC §1.6 [choice]): UTC for `g`, UTC+9 for
 * `jp`. Day and month indexes are counted in that zone. Billing months close on the UTC
 * calendar (PLATFORM-API.md), see `billingMonthClosesAt`.
 */
export type CoverageType = 'g' | 'jp';

export const COVERAGE_TYPES: readonly CoverageType[] = ['g', 'jp'];

const DAY_MS = 86_400_000;
const ZONE_OFFSET_MS: Readonly<Record<CoverageType, number>> = { g: 0, jp: 9 * 3_600_000 };

/** Milliseconds the coverage type's local time is ahead of UTC. */
export function zoneOffsetMs(coverage: CoverageType): number {
  return ZONE_OFFSET_MS[coverage];
}

/** Days since 1970-01-01 in the coverage type's zone. */
export function dayIndex(t: number, coverage: CoverageType): number {
  return Math.floor((t + ZONE_OFFSET_MS[coverage]) / DAY_MS);
}

/** Instant (UTC ms) at which local day `day` starts. */
export function dayStartOf(day: number, coverage: CoverageType): number {
  return day * DAY_MS - ZONE_OFFSET_MS[coverage];
}

/** Months since 1970-01 (`year * 12 + month0`) in the coverage type's zone. */
export function monthIndex(t: number, coverage: CoverageType): number {
  const d = new Date(t + ZONE_OFFSET_MS[coverage]);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** Instant (UTC ms) at which local month `month` (`year * 12 + month0`) starts. */
export function monthStartOf(month: number, coverage: CoverageType): number {
  return Date.UTC(Math.floor(month / 12), month % 12, 1) - ZONE_OFFSET_MS[coverage];
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `yyyyMMdd` of local day `day`. */
export function dayLabel(day: number): string {
  const d = new Date(day * DAY_MS);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

/** `yyyyMM` of month index `month`. */
export function monthLabel(month: number): string {
  return `${Math.floor(month / 12)}${pad((month % 12) + 1)}`;
}

/** Parses `yyyyMM` into a month index, or `undefined` when malformed. */
export function parseYearMonth(yearMonth: string): number | undefined {
  const m = /^(\d{4})(0[1-9]|1[0-2])$/.exec(yearMonth);
  return m ? Number(m[1]) * 12 + Number(m[2]) - 1 : undefined;
}

/**
 * The instants a billing month covers for a coverage type: its local calendar month
 * [choice: a jp statement holds items dated in that JST month].
 */
export function billingMonthRange(yearMonth: string, coverage: CoverageType): { from: number; to: number } {
  const month = parseYearMonth(yearMonth);
  if (month === undefined) throw new RangeError(`not a yyyyMM month: ${yearMonth}`);
  return { from: monthStartOf(month, coverage), to: monthStartOf(month + 1, coverage) };
}

/**
 * When a billing month closes and its monthly charge is due: 00:00 UTC on the 1st of the next
 * month for both coverage types (the billing month is the UTC calendar month; a JST month has
 * ended 9 hours earlier, so every jp item of the month is final by then).
 */
export function billingMonthClosesAt(yearMonth: string): number {
  return billingMonthRange(yearMonth, 'g').to;
}

/** `yyyyMM` of the UTC month containing `t`. */
export function utcYearMonth(t: number): string {
  return monthLabel(monthIndex(t, 'g'));
}

/**
 * `t` moved by whole calendar months in UTC, keeping the time of day; a day missing in the
 * target month clamps to its last day (Jan 31 + 1 month = Feb 28/29).
 */
export function addCalendarMonths(t: number, months: number): number {
  const d = new Date(t);
  const target = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const y = Math.floor(target / 12);
  const m = target - y * 12;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const timeOfDay = t - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay)) + timeOfDay;
}

/** `t` moved by whole calendar years in UTC (Feb 29 + 1 year = Feb 28). */
export function addCalendarYears(t: number, years: number): number {
  return addCalendarMonths(t, years * 12);
}

/** `yyyyMMddHHmmss` in UTC, the real API's timestamp format (e.g. `lastEvaluatedTime`). */
export function compactUtcTimestamp(t: number): string {
  const d = new Date(t);
  return (
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  );
}

/** `yyyy-MM-dd` of the UTC day containing `t`. */
export function isoUtcDate(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
