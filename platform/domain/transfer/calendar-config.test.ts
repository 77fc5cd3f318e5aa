import { describe, expect, it } from 'vitest';
import { addBusinessDays, isBusinessDay, parseCivilDate } from './business-calendar.js';
import { DEFAULT_CALENDAR_SPECS, calendarFromSpec, calendarSpecsFrom, expandHolidayEntry } from './calendar-config.js';
import { replyDeadlineFor, transferDateForReply } from './support-transfer.js';

const date = (s: string) => parseCivilDate(s)!;
const years = { from: 2025, to: 2027 };

describe('holiday entries', () => {
  it('expands days, yearly days, ranges and year-end-wrapping yearly ranges', () => {
    expect(expandHolidayEntry('2026-08-13', years)).toEqual(['2026-08-13']);
    expect(expandHolidayEntry('12-25', years)).toEqual(['2025-12-25', '2026-12-25', '2027-12-25']);
    expect(expandHolidayEntry('2026-08-12..2026-08-14', years)).toEqual(['2026-08-12', '2026-08-13', '2026-08-14']);
    expect(expandHolidayEntry('12-30..01-02', years)).toEqual([
      '2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02',
      '2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02',
      '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02',
      '2027-12-30', '2027-12-31', '2028-01-01', '2028-01-02',
    ]);
    expect(expandHolidayEntry('02-29', years)).toEqual([]);
    expect(expandHolidayEntry('02-29', { from: 2028, to: 2028 })).toEqual(['2028-02-29']);
  });

  it('refuses malformed entries, naming them', () => {
    for (const bad of ['2026-02-30', '13-01', 'christmas', '2026-08-14..2026-08-12', '12-25..2026-12-26', '01-01..02-01..03-01']) {
      expect(() => expandHolidayEntry(bad, years), bad).toThrow(`"${bad}"`);
    }
  });
});

describe('default business calendars [choice]', () => {
  const jp = calendarFromSpec(DEFAULT_CALENDAR_SPECS.jp);
  const g = calendarFromSpec(DEFAULT_CALENDAR_SPECS.g);

  it('jp: Japanese public holidays and the year-end closure 12-29..01-03, in Asia/Tokyo', () => {
    expect(jp.timeZone).toBe('Asia/Tokyo');
    for (const d of ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03', '2027-01-11', '2026-09-22', '2026-05-06']) {
      expect(isBusinessDay(date(d), jp), d).toBe(false);
    }
    expect(isBusinessDay(date('2026-12-28'), jp)).toBe(true);
    expect(isBusinessDay(date('2027-01-04'), jp)).toBe(true);
  });

  it('g: 1 January and 25 December, in UTC', () => {
    expect(g.timeZone).toBe('UTC');
    expect(isBusinessDay(date('2026-12-25'), g)).toBe(false);
    expect(isBusinessDay(date('2027-01-01'), g)).toBe(false);
    expect(isBusinessDay(date('2026-12-28'), g)).toBe(true);
    expect(isBusinessDay(date('2026-12-29'), g)).toBe(true);
  });

  it('a notice sent on Thursday 24 December 2026 has until the 5th business day after it', () => {
    // g: 28, 29, 30, 31 Dec, (1 Jan holiday), 4 Jan → reply until 2027-01-04, deadline 5 Jan 00:00 UTC.
    expect(addBusinessDays(date('2026-12-24'), 5, g)).toEqual(date('2027-01-04'));
    expect(replyDeadlineFor(Date.UTC(2026, 11, 24, 10), g)).toBe(Date.UTC(2027, 0, 5));
    // jp: 25, 28 Dec, (29 Dec–3 Jan closed), 4, 5, 6 Jan → deadline 7 Jan 00:00 JST.
    expect(addBusinessDays(date('2026-12-24'), 5, jp)).toEqual(date('2027-01-06'));
    expect(replyDeadlineFor(Date.parse('2026-12-24T10:00:00+09:00'), jp)).toBe(Date.parse('2027-01-07T00:00:00+09:00'));
  });

  it('judges the 25th in the coverage zone: 05:00 JST on the 26th is after the 25th in Japan', () => {
    const reply = Date.parse('2027-01-26T05:00:00+09:00'); // 2027-01-25T20:00Z
    expect(transferDateForReply(reply, jp)).toEqual(date('2027-03-01'));
    expect(transferDateForReply(reply, g)).toEqual(date('2027-02-01'));
  });
});

describe('calendars section of a config file', () => {
  it('replaces a coverage field by field and validates zones and entries', () => {
    const specs = calendarSpecsFrom({ jp: { holidays: ['japan-public-holidays', '08-13..08-15'] }, g: { timeZone: 'America/Los_Angeles' } });
    expect(specs.jp).toEqual({ timeZone: 'Asia/Tokyo', holidays: ['japan-public-holidays', '08-13..08-15'] });
    expect(specs.g).toEqual({ timeZone: 'America/Los_Angeles', holidays: ['01-01', '12-25'] });
    expect(() => calendarSpecsFrom({ eu: {} })).toThrow(/calendars\.eu/);
    expect(() => calendarSpecsFrom({ g: { timeZone: 'Mars/Olympus' } })).toThrow(/calendars\.g/);
    expect(() => calendarSpecsFrom({ g: { holidays: ['someday'] } })).toThrow(/calendars\.g: holiday "someday"/);
    expect(() => calendarSpecsFrom({ g: { holiday: [] } })).toThrow(/unknown key holiday/);
  });
});
