/**
 * The only place billing rounds (docs/billing.md "Rounding").
 *
 * 1. A line amount is `unitPrice × quantity`, computed exactly and rounded half-up to the
 *    micro-unit (`rateAmount`). Fixed fees are whole micro-units already; only per-byte data
 *    lines can have a remainder below one micro-unit.
 * 2. A statement's subtotal is the exact sum of its line amounts.
 * 3. The amount payable is the subtotal rounded half-up to the currency's minor unit
 *    (`roundToMinorUnit`), once per statement; the difference is shown as the statement's
 *    `rounding`, so `sum(items) + rounding === amount` holds exactly.
 *
 * Half-up means half away from zero (amounts are never negative in practice).
 */
import { MINOR_UNIT_DIGITS, MONEY_SCALE_DIGITS, type Currency, type Money } from './money.js';

/** `n / d` rounded half away from zero; `d` must be positive. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('divisor must be positive');
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = (abs * 2n + d) / (2n * d);
  return negative ? -q : q;
}

/** A price for `per` units of something (bytes, days, months, events). */
export interface Rate {
  /** Price of `per` units, in micro-units. */
  readonly amount: Money;
  /** How many units `amount` buys: 1 for fixed fees, e.g. 1_000_000 for a price per MB. */
  readonly per: bigint;
}

/** Rule 1: exact `rate × quantity`, rounded half-up to the micro-unit. */
export function rateAmount(rate: Rate, quantity: bigint): Money {
  return rate.per === 1n ? rate.amount * quantity : divRoundHalfUp(rate.amount * quantity, rate.per);
}

/** Rule 3: rounds micro-units half-up to the currency's minor unit (still in micro-units). */
export function roundToMinorUnit(amount: Money, currency: Currency): Money {
  const step = 10n ** BigInt(MONEY_SCALE_DIGITS - MINOR_UNIT_DIGITS[currency]);
  return divRoundHalfUp(amount, step) * step;
}
