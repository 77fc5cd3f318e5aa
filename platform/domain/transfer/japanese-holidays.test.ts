import { describe, expect, it } from 'vitest';
import { JAPANESE_HOLIDAY_YEARS, autumnalEquinoxDay, japanesePublicHolidays, vernalEquinoxDay } from './japanese-holidays.js';

/**
 * Expected lists: the Cabinet Office's published holidays (内閣府「国民の祝日について」,
 * https://www8.cao.go.jp/chosei/shukujitsu/syukujitsu.csv), copied per year as published —
 * substitute holidays and citizens' holidays appear there as `休日`.
 */
const PUBLISHED: Record<number, string> = {
  2020: '1/1 元日, 1/13 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 2/24 休日, 3/20 春分の日, 4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 休日, 7/23 海の日, 7/24 スポーツの日, 8/10 山の日, 9/21 敬老の日, 9/22 秋分の日, 11/3 文化の日, 11/23 勤労感謝の日',
  2021: '1/1 元日, 1/11 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/20 春分の日, 4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 7/22 海の日, 7/23 スポーツの日, 8/8 山の日, 8/9 休日, 9/20 敬老の日, 9/23 秋分の日, 11/3 文化の日, 11/23 勤労感謝の日',
  2024: '1/1 元日, 1/8 成人の日, 2/11 建国記念の日, 2/12 休日, 2/23 天皇誕生日, 3/20 春分の日, 4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 休日, 7/15 海の日, 8/11 山の日, 8/12 休日, 9/16 敬老の日, 9/22 秋分の日, 9/23 休日, 10/14 スポーツの日, 11/3 文化の日, 11/4 休日, 11/23 勤労感謝の日',
  2025: '1/1 元日, 1/13 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 2/24 休日, 3/20 春分の日, 4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 休日, 7/21 海の日, 8/11 山の日, 9/15 敬老の日, 9/23 秋分の日, 10/13 スポーツの日, 11/3 文化の日, 11/23 勤労感謝の日, 11/24 休日',
  2026: '1/1 元日, 1/12 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/20 春分の日, 4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 休日, 7/20 海の日, 8/11 山の日, 9/21 敬老の日, 9/22 休日, 9/23 秋分の日, 10/12 スポーツの日, 11/3 文化の日, 11/23 勤労感謝の日',
  2027: '1/1 元日, 1/11 成人の日, 2/11 建国記念の日, 2/23 天皇誕生日, 3/21 春分の日, 3/22 休日, 4/29 昭和の日, 5/3 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 7/19 海の日, 8/11 山の日, 9/20 敬老の日, 9/23 秋分の日, 10/11 スポーツの日, 11/3 文化の日, 11/23 勤労感謝の日',
};

const asPublished = (year: number): string =>
  japanesePublicHolidays(year)
    .map((h) => `${Number(h.date.slice(5, 7))}/${Number(h.date.slice(8, 10))} ${h.name}`)
    .join(', ');

describe('Japanese public holidays', () => {
  for (const year of Object.keys(PUBLISHED).map(Number)) {
    it(`match the Cabinet Office's list for ${year}`, () => expect(asPublished(year)).toBe(PUBLISHED[year]));
  }

  it('puts the equinox days where the Cabinet Office announced them (2020–2027)', () => {
    // 官報 announcements: vernal 20,20,21,21,20,20,20,21; autumnal 22,23,23,23,22,23,23,23.
    expect([2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027].map(vernalEquinoxDay)).toEqual([20, 20, 21, 21, 20, 20, 20, 21]);
    expect([2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027].map(autumnalEquinoxDay)).toEqual([22, 23, 23, 23, 22, 23, 23, 23]);
  });

  it('applies the citizens\' holiday rule whenever a day sits between two holidays (2032: 9/21)', () => {
    // 2032: 敬老の日 Monday 9/20, 秋分の日 Wednesday 9/22.
    expect(japanesePublicHolidays(2032).filter((h) => h.date.startsWith('2032-09'))).toEqual([
      { date: '2032-09-20', name: '敬老の日' },
      { date: '2032-09-21', name: '休日' },
      { date: '2032-09-22', name: '秋分の日' },
    ]);
  });

  it('gives 16 to 21 days a year for every year claimed, each a valid date, no duplicates', () => {
    for (let y = JAPANESE_HOLIDAY_YEARS.from; y <= JAPANESE_HOLIDAY_YEARS.to; y++) {
      const days = japanesePublicHolidays(y);
      expect(days.length, String(y)).toBeGreaterThanOrEqual(16);
      expect(days.length, String(y)).toBeLessThanOrEqual(21);
      expect(new Set(days.map((h) => h.date)).size).toBe(days.length);
    }
  });

  it('refuses years the rules do not cover', () => {
    expect(() => japanesePublicHolidays(2019)).toThrow(RangeError);
  });
});
