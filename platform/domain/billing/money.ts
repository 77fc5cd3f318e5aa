/**
 * Exact money for billing: a `bigint` count of micro-units (10^-6 of the currency's major unit).
 *
 * USD 1 = 1_000_000n, JPY 1 = 1_000_000n. Micro-units hold every fixed fee exactly and keep the
 * sub-cent amounts of per-byte data lines; rounding to the currency's minor unit happens once,
 * in `rounding.ts`. Binary floats never hold an amount: a `number` appears only at the HTTP edge
 * (`toApiNumber`), because the real API's amounts are JSON numbers.
 */
export type Money = bigint;

/** ISO 4217 codes a fee schedule may use. */
export type Currency = 'USD' | 'JPY';

/** Micro-units per major unit (the documented money scale). */
export const MICROS_PER_UNIT = 1_000_000n;
/** Decimal digits of the money scale. */
export const MONEY_SCALE_DIGITS = 6;

/** Digits of each currency's minor unit (cent for USD; JPY has none). */
export const MINOR_UNIT_DIGITS: Readonly<Record<Currency, number>> = { USD: 2, JPY: 0 };

export const CURRENCIES: readonly Currency[] = ['USD', 'JPY'];

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,6}))?$/;

/**
 * Parses a decimal string ("0.5", "330", "-1.25") into micro-units. Returns `undefined` for
 * anything else (numbers, exponents, more than 6 decimals) so callers can report a clear error.
 */
export function parseDecimal(text: string): Money | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const whole = BigInt(m[2]!);
  const frac = BigInt((m[3] ?? '').padEnd(MONEY_SCALE_DIGITS, '0'));
  const value = whole * MICROS_PER_UNIT + frac;
  return m[1] ? -value : value;
}

/**
 * Formats micro-units as a decimal string with at least `minDigits` decimals and no trailing
 * zeros beyond them (exact: no digit is ever dropped).
 */
export function formatMoney(amount: Money, minDigits = 0): string {
  return formatScaled(amount, MONEY_SCALE_DIGITS, minDigits);
}

/** Formats `value / 10^scale` exactly, trimming trailing zeros down to `minDigits` decimals. */
export function formatScaled(value: bigint, scale: number, minDigits = 0): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const base = 10n ** BigInt(scale);
  const whole = abs / base;
  let frac = scale > 0 ? (abs % base).toString().padStart(scale, '0') : '';
  while (frac.length > minDigits && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** The JSON number the real API shows for an amount (display only; never computed with). */
export function toApiNumber(amount: Money): number {
  return Number(formatMoney(amount));
}

/** Exact sum of amounts. */
export function sumMoney(amounts: Iterable<Money>): Money {
  let total = 0n;
  for (const a of amounts) total += a;
  return total;
}
