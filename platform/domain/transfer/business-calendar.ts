/**
 * Business days for the support-assisted transfer deadline (SPEC §1.4 [choice]): Monday to
 * Friday in the platform's business time zone (default UTC), minus a configurable holiday list.
 * Pure: time zone arithmetic uses the ECMAScript Intl database, never the wall clock.
 */

/** A calendar date with no time zone; `month` is 1..12. */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export interface BusinessCalendar {
  /** IANA time zone name, e.g. `UTC`, `Asia/Tokyo`, `America/Los_Angeles`. */
  readonly timeZone: string;
  /** Holidays as `YYYY-MM-DD` in the business time zone. */
  readonly holidays: ReadonlySet<string>;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Builds a calendar; throws on an unknown time zone or a malformed holiday (a config bug). */
export function businessCalendar(config: { timeZone?: string; holidays?: readonly string[] } = {}): BusinessCalendar {
  const timeZone = config.timeZone ?? 'UTC';
  formatterFor(timeZone);
  const holidays = new Set<string>();
  for (const h of config.holidays ?? []) {
    const d = parseCivilDate(h);
    if (!d) throw new Error(`Holiday "${h}" is not a valid YYYY-MM-DD date`);
    holidays.add(formatCivilDate(d));
  }
  return { timeZone, holidays };
}

export const DEFAULT_BUSINESS_CALENDAR: BusinessCalendar = businessCalendar();

export function parseCivilDate(s: string): CivilDate | undefined {
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return formatCivilDate(normalise(date)) === s ? date : undefined;
}

export const formatCivilDate = (d: CivilDate): string =>
  `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

/** Rolls day/month overflow over (e.g. May 32 → June 1). */
function normalise(d: CivilDate): CivilDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export const addDays = (d: CivilDate, days: number): CivilDate => normalise({ ...d, day: d.day + days });

/** The first day of the month `months` after `d`'s month. */
export const firstOfMonthAfter = (d: CivilDate, months: number): CivilDate => normalise({ year: d.year, month: d.month + months, day: 1 });

/** 0 = Sunday … 6 = Saturday. */
export const weekday = (d: CivilDate): number => new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();

export const compareCivilDates = (a: CivilDate, b: CivilDate): number => formatCivilDate(a).localeCompare(formatCivilDate(b));

function wallClockParts(instant: number, timeZone: string): { date: CivilDate; msOfDay: number } {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const ms = ((instant % 1000) + 1000) % 1000;
  return {
    date: { year: parts.year!, month: parts.month!, day: parts.day! },
    msOfDay: ((parts.hour! * 60 + parts.minute!) * 60 + parts.second!) * 1000 + ms,
  };
}

/** The calendar date an instant falls on in `timeZone`. */
export const civilDateAt = (instant: number, timeZone: string): CivilDate => wallClockParts(instant, timeZone).date;

/** How far `timeZone` is ahead of UTC at `instant`, ms. */
export function offsetAt(instant: number, timeZone: string): number {
  const { date, msOfDay } = wallClockParts(instant, timeZone);
  return Date.UTC(date.year, date.month - 1, date.day) + msOfDay - instant;
}

/** The instant `date` begins (local midnight) in `timeZone`; correct across DST changes. */
export function startOfCivilDate(date: CivilDate, timeZone: string): number {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day);
  const first = asUtc - offsetAt(asUtc, timeZone);
  return asUtc - offsetAt(first, timeZone);
}

export function isBusinessDay(date: CivilDate, calendar: BusinessCalendar): boolean {
  const w = weekday(date);
  return w !== 0 && w !== 6 && !calendar.holidays.has(formatCivilDate(date));
}

/** The `n`-th business day after `date` (`date` itself never counts). */
export function addBusinessDays(date: CivilDate, n: number, calendar: BusinessCalendar): CivilDate {
  let d = date;
  for (let counted = 0; counted < n; ) {
    d = addDays(d, 1);
    if (isBusinessDay(d, calendar)) counted++;
  }
  return d;
}
