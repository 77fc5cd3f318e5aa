/**
 * Error codes of billing and payment (docs/billing.md "Error codes"). Three letters and four
 * digits like the real API; the HTTP layer maps them to statuses and `{code, message}` bodies.
 * The codes and kinds are the registry's (`billing-error-codes.ts`, spread into `ERROR_CODES`);
 * this table is billing's own wording of the messages, which the API returns as is.
 */
import { ERROR_CODES, type DomainError } from '../errors.js';

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

/**
 * A billing or payment refusal as a platform `DomainError`: the registry's kind, and billing's own
 * wording above (`<message>: <detail>`), with `issues` / `cardErrorCode` where useful.
 */
export function billingError(code: BillingErrorCode, detail?: string, extra?: Pick<DomainError, 'issues' | 'cardErrorCode'>): DomainError {
  return { code, kind: ERROR_CODES[code].kind, message: detail ? `${BILLING_ERRORS[code]}: ${detail}` : BILLING_ERRORS[code], ...extra };
}
