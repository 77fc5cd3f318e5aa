/**
 * Error codes of billing and payment (docs/billing.md "Error codes"). Three letters and four
 * digits like the real API; the HTTP layer maps them to statuses and `{code, message}` bodies.
 */
export const BILLING_ERRORS = {
  BIL0001: 'Fee schedule is invalid',
  BIL0002: 'Status history is invalid',
  BIL0003: 'Usage record is outside the status history',
  BIL0004: 'Plan has no fee in the schedule',
  BIL0005: 'Coverage type does not match the fee schedule',
  BIL0006: 'Invalid billing month',
  PAY0001: 'Payment method not found',
  PAY0002: 'Card verification failed',
  PAY0003: 'Charge not found',
  PAY0004: 'Charge is not outstanding',
  PAY0005: 'Invalid card details',
  PAY0006: 'Operation needs a credit card payment method',
  PAY0008: 'Invalid amount',
} as const;

export type BillingErrorCode = keyof typeof BILLING_ERRORS;

/** A billing or payment refusal: the code, a message for people, and details where useful. */
export interface BillingError {
  readonly code: BillingErrorCode;
  readonly message: string;
  /** Every problem found (a schedule or history reports all of them, not just the first). */
  readonly issues?: readonly string[];
  /** The card processor's code when a card operation failed. */
  readonly cardErrorCode?: string;
}

export function billingError(code: BillingErrorCode, detail?: string, extra?: Partial<BillingError>): BillingError {
  return { code, message: detail ? `${BILLING_ERRORS[code]}: ${detail}` : BILLING_ERRORS[code], ...extra };
}
