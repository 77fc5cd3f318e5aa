/**
 * Business calendars per coverage type as configuration (docs/transfers-and-esim.md "Business
 * calendars"): a time zone and a list of holiday entries. Pure.
 *
 * Holiday entries:
 * - `2026-08-13` one day; `2026-08-12..2026-08-14` a range;
 * - `12-25` that day every year; `12-29..01-03` that range every year (it may wrap the year end);
 * - `japan-public-holidays` the Japanese public holidays of every year (japanese-holidays.ts).
 *
 * [choice] Defaults (the seeds are silent on holidays):
 * - `jp`: Asia/Tokyo; the Japanese public holidays (Cabinet Office rules) and the usual year-end
 *   closure of Japanese companies, 29 December to 3 January (年末年始休業; e.g. government
 *   offices close then under the Act on Holidays of Administrative Organs, 行政機関の休日に関する法律 Art. 1).
 * - `g`: UTC; 1 January and 25 December, the two days nearly every country's calendar closes.
 */
import { businessCalendar, parseCivilDate, type BusinessCalendar } from './business-calendar.js';
import { JAPANESE_HOLIDAY_YEARS, japanesePublicHolidays } from './japanese-holidays.js';

export type CalendarCoverage = 'g' | 'jp';

export interface CalendarSpec {
  /** IANA time zone the business days, the 25th and the transfer's 00:00 are judged in. */
  timeZone: string;
  holidays: readonly string[];
}

export const JAPAN_PUBLIC_HOLIDAYS = 'japan-public-holidays';

export const DEFAULT_CALENDAR_SPECS: Readonly<Record<CalendarCoverage, CalendarSpec>> = {
  jp: { timeZone: 'Asia/Tokyo', holidays: [JAPAN_PUBLIC_HOLIDAYS, '12-29..01-03'] },
  g: { timeZone: 'UTC', holidays: ['01-01', '12-25'] },
};

/** [choice] Recurring entries are expanded over these years (the platform's plausible lifetime). */
export const CALENDAR_YEARS = { from: JAPANESE_HOLIDAY_YEARS.from, to: 2099 } as const;

const MONTH_DAY = /^(\d{2})-(\d{2})$/;

function isMonthDay(s: string): boolean {
  const m = MONTH_DAY.exec(s);
  // 2024 is a leap year: 02-29 is a valid recurring day (it only exists in leap years).
  return !!m && parseCivilDate(`2024-${s}`) !== undefined;
}

const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);

function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += 86_400_000) out.push(iso(t));
  return out;
}

/** Expands one entry to `YYYY-MM-DD` days; throws with the entry quoted when it is malformed. */
export function expandHolidayEntry(entry: string, years: { from: number; to: number } = CALENDAR_YEARS): string[] {
  const e = entry.trim();
  if (e === JAPAN_PUBLIC_HOLIDAYS) {
    const out: string[] = [];
    for (let y = years.from; y <= years.to; y++) out.push(...japanesePublicHolidays(y).map((h) => h.date));
    return out;
  }
  const [a, b, ...rest] = e.split('..');
  if (rest.length === 0 && a !== undefined) {
    if (b === undefined) {
      if (parseCivilDate(a)) return [a];
      if (isMonthDay(a)) {
        const out: string[] = [];
        for (let y = years.from; y <= years.to; y++) if (parseCivilDate(`${y}-${a}`)) out.push(`${y}-${a}`);
        return out;
      }
    } else if (parseCivilDate(a) && parseCivilDate(b) && a <= b) {
      return daysBetween(a, b);
    } else if (isMonthDay(a) && isMonthDay(b)) {
      const out: string[] = [];
      const wraps = b < a;
      // A range that wraps (12-29..01-03) starts in the year before the first expanded year too.
      for (let y = years.from - (wraps ? 1 : 0); y <= years.to; y++) {
        const from = `${y}-${a}`;
        const to = `${wraps ? y + 1 : y}-${b}`;
        if (!parseCivilDate(from) || !parseCivilDate(to)) continue;
        out.push(...daysBetween(from, to));
      }
      return out;
    }
  }
  throw new Error(`holiday "${entry}" is not YYYY-MM-DD, MM-DD, a range A..B of either, or ${JAPAN_PUBLIC_HOLIDAYS}`);
}

/** Builds the calendar of a spec; throws on an unknown time zone or a malformed entry (a config error). */
export function calendarFromSpec(spec: CalendarSpec): BusinessCalendar {
  return businessCalendar({ timeZone: spec.timeZone, holidays: spec.holidays.flatMap((h) => expandHolidayEntry(h)) });
}

/**
 * Reads the `calendars` section of a platform config file: `{g?: {timeZone?, holidays?}, jp?: …}`.
 * A coverage given replaces that coverage's defaults field by field (a `holidays` list replaces
 * the default list: repeat `japan-public-holidays` to keep it). Throws with the path of a problem.
 */
export function calendarSpecsFrom(section: unknown, base: Readonly<Record<CalendarCoverage, CalendarSpec>> = DEFAULT_CALENDAR_SPECS): Record<CalendarCoverage, CalendarSpec> {
  const out: Record<CalendarCoverage, CalendarSpec> = { g: { ...base.g }, jp: { ...base.jp } };
  if (section === undefined || section === null) return out;
  if (typeof section !== 'object' || Array.isArray(section)) throw new Error('calendars: must be a map of coverage types (g, jp)');
  for (const [coverage, value] of Object.entries(section)) {
    if (coverage !== 'g' && coverage !== 'jp') throw new Error(`calendars.${coverage}: the coverage type must be g or jp`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`calendars.${coverage}: must be {timeZone, holidays}`);
    const { timeZone, holidays, ...unknown } = value as Record<string, unknown>;
    const extra = Object.keys(unknown);
    if (extra.length) throw new Error(`calendars.${coverage}: unknown key ${extra.join(', ')}`);
    if (timeZone !== undefined) {
      if (typeof timeZone !== 'string') throw new Error(`calendars.${coverage}.timeZone: must be an IANA time zone name`);
      out[coverage].timeZone = timeZone;
    }
    if (holidays !== undefined) {
      if (!Array.isArray(holidays) || holidays.some((h) => typeof h !== 'string')) throw new Error(`calendars.${coverage}.holidays: must be a list of strings`);
      out[coverage].holidays = holidays as string[];
    }
    try {
      calendarFromSpec(out[coverage]);
    } catch (error) {
      throw new Error(`calendars.${coverage}: ${(error as Error).message}`);
    }
  }
  return out;
}
