/**
 * Japan's public holidays (国民の祝日・休日), computed from the rules of the Act on National
 * Holidays (国民の祝日に関する法律, Act No. 178 of 1948, as amended through the 2018 amendment in
 * force from 2020) — the dates the Cabinet Office publishes (https://www8.cao.go.jp/chosei/shukujitsu/gaiyou.html,
 * `syukujitsu.csv`). Pure.
 *
 * - Article 2: the fixed days, the "Happy Monday" days (成人の日, 海の日, 敬老の日, スポーツの日),
 *   and the equinox days. 2020 and 2021 follow the Olympic special measures act (東京オリンピック
 *   特別措置法): 海の日 / スポーツの日 / 山の日 moved to July 23/24 and August 10 (2020) and July
 *   22/23 and August 8 (2021).
 * - Article 3(2), substitute holiday (振替休日): a holiday on a Sunday makes the nearest following
 *   day that is not a holiday a holiday.
 * - Article 3(3), citizens' holiday (国民の休日): a day between two holidays is a holiday.
 * - Equinox days are fixed each February for the next year by the Cabinet Office from the
 *   National Astronomical Observatory's ephemeris. [choice] They are computed here with the
 *   standard approximation valid 1980–2099 (e.g. used by the NAOJ-derived tables):
 *   vernal = ⌊20.8431 + 0.242194·(y−1980)⌋ − ⌊(y−1980)/4⌋ (March), autumnal = ⌊23.2488 +
 *   0.242194·(y−1980)⌋ − ⌊(y−1980)/4⌋ (September); tested against the published lists.
 * Years before 2020 (other rules: 天皇誕生日 on December 23, 体育の日 …) are not served.
 */
import { formatCivilDate, weekday, type CivilDate } from './business-calendar.js';

/** First and last year this module is claimed and tested for (the law may change after). */
export const JAPANESE_HOLIDAY_YEARS = { from: 2020, to: 2035 } as const;

export interface NamedHoliday {
  /** `YYYY-MM-DD`. */
  date: string;
  /** The Cabinet Office's name (`休日` for substitute and citizens' holidays, as in its CSV). */
  name: string;
}

const d = (year: number, month: number, day: number): CivilDate => ({ year, month, day });

/** The `n`-th Monday of `month` (1-based `n`). */
function nthMonday(year: number, month: number, n: number): CivilDate {
  const first = weekday(d(year, month, 1));
  return d(year, month, 1 + ((8 - first) % 7) + (n - 1) * 7);
}

export function vernalEquinoxDay(year: number): number {
  return Math.floor(20.8431 + 0.242194 * (year - 1980)) - Math.floor((year - 1980) / 4);
}

export function autumnalEquinoxDay(year: number): number {
  return Math.floor(23.2488 + 0.242194 * (year - 1980)) - Math.floor((year - 1980) / 4);
}

/** Article 2 holidays of `year`, with the Olympic moves of 2020 and 2021. */
function nationalHolidays(year: number): [CivilDate, string][] {
  const list: [CivilDate, string][] = [
    [d(year, 1, 1), '元日'],
    [nthMonday(year, 1, 2), '成人の日'],
    [d(year, 2, 11), '建国記念の日'],
    [d(year, 2, 23), '天皇誕生日'],
    [d(year, 3, vernalEquinoxDay(year)), '春分の日'],
    [d(year, 4, 29), '昭和の日'],
    [d(year, 5, 3), '憲法記念日'],
    [d(year, 5, 4), 'みどりの日'],
    [d(year, 5, 5), 'こどもの日'],
    [d(year, 9, autumnalEquinoxDay(year)), '秋分の日'],
    [nthMonday(year, 9, 3), '敬老の日'],
    [d(year, 11, 3), '文化の日'],
    [d(year, 11, 23), '勤労感謝の日'],
  ];
  const moved: Record<number, [CivilDate, CivilDate, CivilDate]> = {
    2020: [d(2020, 7, 23), d(2020, 7, 24), d(2020, 8, 10)],
    2021: [d(2021, 7, 22), d(2021, 7, 23), d(2021, 8, 8)],
  };
  const [marine, sports, mountain] = moved[year] ?? [nthMonday(year, 7, 3), nthMonday(year, 10, 2), d(year, 8, 11)];
  list.push([marine, '海の日'], [sports, 'スポーツの日'], [mountain, '山の日']);
  return list;
}

const DAY_MS = 86_400_000;
const toMs = (c: CivilDate): number => Date.UTC(c.year, c.month - 1, c.day);
const fromMs = (t: number): CivilDate => {
  const x = new Date(t);
  return d(x.getUTCFullYear(), x.getUTCMonth() + 1, x.getUTCDate());
};

/**
 * Every public holiday of `year` (Article 2 days, substitute holidays, citizens' holidays), in
 * date order. Throws for a year before 2020 (other rules applied then).
 */
export function japanesePublicHolidays(year: number): NamedHoliday[] {
  if (!Number.isInteger(year) || year < JAPANESE_HOLIDAY_YEARS.from || year > 2099) {
    throw new RangeError(`Japanese public holidays are computed for 2020–2099 only, not ${year}`);
  }
  const named = new Map<number, string>(nationalHolidays(year).map(([c, name]) => [toMs(c), name]));
  const national = new Set(named.keys());
  // Article 3(3): sandwiched between two national holidays (checked before substitutes are added).
  for (const t of national) {
    if (national.has(t + 2 * DAY_MS) && !national.has(t + DAY_MS)) named.set(t + DAY_MS, '休日');
  }
  // Article 3(2): a holiday on Sunday → the nearest following day that is not a holiday.
  for (const t of [...national].sort((a, b) => a - b)) {
    if (weekday(fromMs(t)) !== 0) continue;
    let s = t + DAY_MS;
    while (named.has(s)) s += DAY_MS;
    named.set(s, '休日');
  }
  return [...named.entries()]
    .filter(([t]) => fromMs(t).year === year)
    .sort(([a], [b]) => a - b)
    .map(([t, name]) => ({ date: formatCivilDate(fromMs(t)), name }));
}
