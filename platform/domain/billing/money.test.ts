import { describe, expect, it } from 'vitest';
import { formatMoney, parseDecimal, toApiNumber } from './money.js';
import { divRoundHalfUp, rateAmount, roundToMinorUnit } from './rounding.js';

describe('money and rounding', () => {
  it('parses decimal strings exactly and refuses anything else', () => {
    expect(parseDecimal('0.1')! + parseDecimal('0.2')!).toBe(parseDecimal('0.3'));
    expect(parseDecimal('330')).toBe(330_000_000n);
    expect(['1e3', '0.1234567', '', '.5', '1.', ' 1'].map(parseDecimal)).toEqual(Array(6).fill(undefined));
  });

  it('rounds half up (away from zero), once', () => {
    expect([divRoundHalfUp(5n, 2n), divRoundHalfUp(4n, 3n), divRoundHalfUp(-5n, 2n)]).toEqual([3n, 1n, -3n]);
    expect(roundToMinorUnit(parseDecimal('1.005')!, 'USD')).toBe(parseDecimal('1.01'));
    expect(roundToMinorUnit(parseDecimal('1.004999')!, 'USD')).toBe(parseDecimal('1'));
    expect(roundToMinorUnit(parseDecimal('10.5')!, 'JPY')).toBe(parseDecimal('11'));
    // 1 byte at USD 0.5/MB is half a micro-unit: rounds up to 1.
    expect(rateAmount({ amount: parseDecimal('0.5')!, per: 1_000_000n }, 1n)).toBe(1n);
  });

  it('formats exactly for the API and CSV', () => {
    expect([formatMoney(1_500_001n), formatMoney(400_000n, 2), formatMoney(330_000_000n)]).toEqual(['1.500001', '0.40', '330']);
    expect(toApiNumber(400_000n)).toBe(0.4);
  });
});
