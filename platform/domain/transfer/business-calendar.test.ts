import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  businessCalendar,
  civilDateAt,
  formatCivilDate,
  isBusinessDay,
  parseCivilDate,
  startOfCivilDate,
} from './business-calendar.js';

const d = (s: string) => parseCivilDate(s)!;

describe('business calendar', () => {
  it('counts Monday to Friday only, never the start day', () => {
    const utc = businessCalendar();
    expect(formatCivilDate(addBusinessDays(d('2025-05-22'), 5, utc))).toBe('2025-05-29'); // Thu → next Thu
    expect(formatCivilDate(addBusinessDays(d('2025-05-23'), 1, utc))).toBe('2025-05-26'); // Fri → Mon
    expect(formatCivilDate(addBusinessDays(d('2025-05-24'), 1, utc))).toBe('2025-05-26'); // Sat → Mon
    expect(isBusinessDay(d('2025-05-24'), utc)).toBe(false);
    expect(isBusinessDay(d('2025-05-26'), utc)).toBe(true);
  });

  it('skips configured holidays', () => {
    const us = businessCalendar({ holidays: ['2025-05-26'] }); // Memorial Day
    expect(isBusinessDay(d('2025-05-26'), us)).toBe(false);
    expect(formatCivilDate(addBusinessDays(d('2025-05-22'), 5, us))).toBe('2025-05-30');
  });

  it('reads dates in the business time zone', () => {
    const instant = Date.UTC(2025, 4, 25, 16, 0); // 01:00 on May 26 in Tokyo
    expect(formatCivilDate(civilDateAt(instant, 'UTC'))).toBe('2025-05-25');
    expect(formatCivilDate(civilDateAt(instant, 'Asia/Tokyo'))).toBe('2025-05-26');
    expect(startOfCivilDate(d('2025-06-01'), 'Asia/Tokyo')).toBe(Date.UTC(2025, 4, 31, 15, 0));
  });

  it('finds local midnight across daylight-saving changes', () => {
    expect(startOfCivilDate(d('2025-03-09'), 'America/New_York')).toBe(Date.UTC(2025, 2, 9, 5)); // EST day of the change
    expect(startOfCivilDate(d('2025-03-10'), 'America/New_York')).toBe(Date.UTC(2025, 2, 10, 4)); // EDT
    expect(startOfCivilDate(d('2025-11-03'), 'America/New_York')).toBe(Date.UTC(2025, 10, 3, 5));
  });

  it('rejects a bad time zone or holiday at configuration time', () => {
    expect(() => businessCalendar({ timeZone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => businessCalendar({ holidays: ['2025-02-30'] })).toThrow(/not a valid/);
    expect(parseCivilDate('2025-5-1')).toBeUndefined();
  });
});
