/**
 * Where a request to move the platform's virtual clock lands (`POST /_cellgate/clock`):
 * `{advance: "P30D" | ms}` or `{to: "<ISO 8601 date-time>" | epoch ms}`. Pure.
 *
 * Durations follow ISO 8601 (`PnYnMnWnDTnHnMnS`, the last number may have a fraction). [choice]
 * Years and months are calendar steps in UTC (`P1M` from 31 January lands on the last day of
 * February, as java.time and Temporal do), weeks and days are 24 hours, then the time part.
 */
import { fail, ok, type Result } from './errors.js';

export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const ISO_DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,3})?)S)?)?$/;

/** Parses an ISO 8601 duration such as `P30D`, `PT12H`, `P1M2DT3H4M5.5S`; undefined if it is not one. */
export function parseIsoDuration(text: string): IsoDuration | undefined {
  const m = ISO_DURATION.exec(text.trim().toUpperCase());
  if (!m) return undefined;
  const n = (i: number): number => Number((m[i] ?? '0').replace(',', '.'));
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

/** `from` moved by `d` (see the module comment for how years and months count). */
export function addIsoDuration(from: number, d: IsoDuration): number {
  const t = new Date(from);
  const monthIndex = t.getUTCFullYear() * 12 + t.getUTCMonth() + d.years * 12 + d.months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const msOfDay = from - Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  const calendarStep = Date.UTC(year, month, Math.min(t.getUTCDate(), lastDay)) + msOfDay;
  return calendarStep + ((d.weeks * 7 + d.days) * 24 * 3600 + d.hours * 3600 + d.minutes * 60) * 1000 + Math.round(d.seconds * 1000);
}

/** ISO 8601 date-time with a zone (`Z` or `±hh:mm`); a date alone means 00:00 UTC. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** Parses an ISO 8601 instant; undefined if malformed or without a zone (it would be ambiguous). */
export function parseIsoInstant(text: string): number | undefined {
  const s = text.trim();
  if (!ISO_DATE_TIME.test(s)) return undefined;
  const t = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  return Number.isFinite(t) ? t : undefined;
}

/** [choice] One call moves the clock at most this far (ten years of 366 days). */
export const MAX_CLOCK_STEP_MS = 10 * 366 * 86_400_000;

export interface ClockMove {
  advance?: string | number;
  to?: string | number;
}

/**
 * The instant a clock at `now` should move to: CLK0001 for a malformed value, CGW0002 for a
 * time in the past, CLK0002 for a step beyond `MAX_CLOCK_STEP_MS`.
 */
export function clockTarget(now: number, move: ClockMove): Result<number> {
  let target: number | undefined;
  if ((move.advance !== undefined && typeof move.advance !== 'string' && typeof move.advance !== 'number') || (move.to !== undefined && typeof move.to !== 'string' && typeof move.to !== 'number')) {
    return fail('CLK0001');
  }
  if (move.advance !== undefined) {
    if (typeof move.advance === 'number') target = Number.isSafeInteger(move.advance) && move.advance >= 0 ? now + move.advance : undefined;
    else {
      const d = parseIsoDuration(move.advance);
      target = d ? addIsoDuration(now, d) : /^\d+$/.test(move.advance.trim()) ? now + Number(move.advance) : undefined;
    }
  } else if (move.to !== undefined) {
    target = typeof move.to === 'number' ? (Number.isSafeInteger(move.to) ? move.to : undefined) : parseIsoInstant(move.to);
  }
  if (target === undefined || !Number.isFinite(target)) return fail('CLK0001');
  if (target < now) return fail('CGW0002');
  if (target - now > MAX_CLOCK_STEP_MS) return fail('CLK0002');
  return ok(target);
}
