import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_STEP_MS, addIsoDuration, clockTarget, parseIsoDuration, parseIsoInstant } from './time-travel.js';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

describe('ISO 8601 durations', () => {
  it('parses every designator, a fractional second, and refuses malformed ones', () => {
    expect(parseIsoDuration('P30D')).toMatchObject({ days: 30, months: 0, hours: 0 });
    expect(parseIsoDuration('p1y2m3w4dt5h6m7.5s')).toEqual({ years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7.5 });
    expect(parseIsoDuration('PT12H')).toMatchObject({ hours: 12 });
    for (const bad of ['P', 'PT', '30D', 'P1H', 'P1DT', 'P-1D', 'P1.5D', '']) expect(parseIsoDuration(bad), bad).toBeUndefined();
  });

  it('adds months on the UTC calendar, clamping to the month end, then days and time', () => {
    const jan31 = Date.UTC(2026, 0, 31, 6, 30);
    expect(new Date(addIsoDuration(jan31, parseIsoDuration('P1M')!)).toISOString()).toBe('2026-02-28T06:30:00.000Z');
    expect(new Date(addIsoDuration(Date.UTC(2028, 0, 31), parseIsoDuration('P1M')!)).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(new Date(addIsoDuration(Date.UTC(2026, 10, 15), parseIsoDuration('P2M')!)).toISOString()).toBe('2027-01-15T00:00:00.000Z');
    expect(addIsoDuration(T0, parseIsoDuration('P1W2DT3H')!)).toBe(T0 + 9 * DAY + 3 * 3_600_000);
  });
});

describe('clockTarget', () => {
  it('moves by a duration or milliseconds, or to an instant', () => {
    expect(clockTarget(T0, { advance: 'P30D' })).toEqual({ ok: true, value: T0 + 30 * DAY });
    expect(clockTarget(T0, { advance: 5000 })).toEqual({ ok: true, value: T0 + 5000 });
    expect(clockTarget(T0, { advance: '5000' })).toEqual({ ok: true, value: T0 + 5000 });
    expect(clockTarget(T0, { to: '2026-01-26T05:00:00+09:00' })).toEqual({ ok: true, value: Date.UTC(2026, 0, 25, 20) });
    expect(clockTarget(T0, { to: '2026-02-01' })).toEqual({ ok: true, value: Date.UTC(2026, 1, 1) });
    expect(clockTarget(T0, { to: T0 + 1 })).toEqual({ ok: true, value: T0 + 1 });
    expect(clockTarget(T0, { to: T0 })).toEqual({ ok: true, value: T0 });
  });

  it('names what is wrong: malformed, backwards, too far', () => {
    expect(clockTarget(T0, { advance: '30 days' })).toMatchObject({ ok: false, error: { code: 'CLK0001' } });
    expect(clockTarget(T0, { advance: -1 })).toMatchObject({ ok: false, error: { code: 'CLK0001' } });
    // A local time without a zone would be read in the server's zone: refused.
    expect(clockTarget(T0, { to: '2026-02-01T00:00:00' })).toMatchObject({ ok: false, error: { code: 'CLK0001' } });
    expect(clockTarget(T0, { to: '2025-12-31T23:59:59Z' })).toMatchObject({ ok: false, error: { code: 'CGW0002' } });
    expect(clockTarget(T0, { advance: MAX_CLOCK_STEP_MS + 1 })).toMatchObject({ ok: false, error: { code: 'CLK0002' } });
    expect(clockTarget(T0, {})).toMatchObject({ ok: false, error: { code: 'CLK0001' } });
  });

  it('parses instants with a zone only', () => {
    expect(parseIsoInstant('2026-01-01T00:00:00Z')).toBe(T0);
    expect(parseIsoInstant('2026-01-01T09:00+0900')).toBe(T0);
    expect(parseIsoInstant('2026-13-01T00:00:00Z')).toBeUndefined();
    expect(parseIsoInstant('yesterday')).toBeUndefined();
  });
});
