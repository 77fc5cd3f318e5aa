/**
 * The emulated card processor (SPEC §1.7 [choice]): outcomes decided from test card numbers,
 * like a payment sandbox. Pure: the same card, purpose, time and overrides give the same
 * outcome. Table in docs/billing.md "Test cards".
 */

/** Card error codes (seed 004; the real API's `errorCode` plus expired_card / insufficient_funds). */
export type CardErrorCode = 'card_declined' | 'expired_card' | 'insufficient_funds' | 'incorrect_number' | 'processing_error';

export const CARD_ERROR_MESSAGES: Readonly<Record<CardErrorCode, string>> = {
  card_declined: 'The card issuer declined the payment.',
  expired_card: 'The card has expired.',
  insufficient_funds: 'Insufficient funds or credit limit reached.',
  incorrect_number: 'The card number is incorrect.',
  processing_error: 'An error occurred while processing the card. Try again later.',
};

/** What the processor is asked to do. */
export type CardPurpose = 'verification' | 'charge';

export type CardOutcome = { ok: true } | { ok: false; code: CardErrorCode; message: string };

/** Card data the processor decides on. */
export interface CardIdentity {
  /** Digits only. */
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
}

export interface TestCard {
  readonly number: string;
  readonly brand: string;
  readonly verification: CardErrorCode | 'success';
  readonly charge: CardErrorCode | 'success';
  readonly description: string;
}

/** The test cards. Any other number that passes the Luhn check succeeds. */
export const TEST_CARDS: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'Visa', verification: 'success', charge: 'success', description: 'always succeeds' },
  { number: '5555555555554444', brand: 'MasterCard', verification: 'success', charge: 'success', description: 'always succeeds' },
  { number: '3566002020360505', brand: 'JCB', verification: 'success', charge: 'success', description: 'always succeeds' },
  { number: '4000000000000002', brand: 'Visa', verification: 'card_declined', charge: 'card_declined', description: 'declined by the issuer' },
  { number: '4000000000000069', brand: 'Visa', verification: 'expired_card', charge: 'expired_card', description: 'reported expired by the issuer' },
  { number: '4000000000009995', brand: 'Visa', verification: 'insufficient_funds', charge: 'insufficient_funds', description: 'insufficient funds' },
  { number: '4000000000000119', brand: 'Visa', verification: 'processing_error', charge: 'processing_error', description: 'processor error' },
  { number: '4000000000000341', brand: 'Visa', verification: 'success', charge: 'card_declined', description: 'registers, then every charge is declined' },
  { number: '4000000000009987', brand: 'Visa', verification: 'success', charge: 'insufficient_funds', description: 'registers, then every charge fails for insufficient funds' },
];

const BY_NUMBER = new Map(TEST_CARDS.map((c) => [c.number, c]));

/** Luhn (ISO/IEC 7812-1) check digit test. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Card brand from the number's prefix. */
export function cardBrand(digits: string): string {
  const known = BY_NUMBER.get(digits);
  if (known) return known.brand;
  if (digits.startsWith('4')) return 'Visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'MasterCard';
  if (/^3[47]/.test(digits)) return 'American Express';
  if (/^35/.test(digits)) return 'JCB';
  return 'Unknown';
}

/** Whether a card is past its expiry month at `now` (cards are valid through their month, UTC). */
export function isCardExpired(card: Pick<CardIdentity, 'expMonth' | 'expYear'>, now: number): boolean {
  return now >= Date.UTC(card.expYear, card.expMonth, 1);
}

/** Decides an operation's outcome from a card number and a time. */
export interface CardProcessor {
  decide(card: CardIdentity, purpose: CardPurpose, now: number): CardOutcome;
}

const fail = (code: CardErrorCode): CardOutcome => ({ ok: false, code, message: CARD_ERROR_MESSAGES[code] });

/**
 * The emulated processor. `overrides` (card number → outcome) replaces the table for a card,
 * e.g. to emulate an issuer lifting a block so the next daily retry succeeds.
 */
export function emulatedCardProcessor(overrides: ReadonlyMap<string, CardErrorCode | 'success'> = new Map()): CardProcessor {
  return {
    decide(card, purpose, now) {
      if (!/^\d{12,19}$/.test(card.number) || !passesLuhn(card.number)) return fail('incorrect_number');
      const override = overrides.get(card.number);
      if (override) return override === 'success' ? { ok: true } : fail(override);
      if (isCardExpired(card, now)) return fail('expired_card');
      const entry = BY_NUMBER.get(card.number);
      const result = entry ? entry[purpose] : 'success';
      return result === 'success' ? { ok: true } : fail(result);
    },
  };
}
