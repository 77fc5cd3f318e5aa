/**
 * Registry entries (kind + message, the shape of platform/domain/errors.ts) of the billing and
 * payment codes of `errors.ts`, plus those only the API needs (BIL0007, BIL0008, PAY0009, PAY0010).
 * Data faults a request cannot fix (a broken history or schedule) are `internal`.
 */
export const BILLING_ERROR_CODES = {
  BIL0001: { kind: 'internal', message: 'The fee schedule is invalid.' },
  BIL0002: { kind: 'internal', message: 'The status history is invalid.' },
  BIL0003: { kind: 'internal', message: 'A usage record is outside the status history.' },
  BIL0004: { kind: 'internal', message: 'The plan has no fee in the fee schedule.' },
  BIL0005: { kind: 'internal', message: 'The coverage type does not match the fee schedule.' },
  BIL0006: { kind: 'invalid', message: 'The billing month is invalid: it must be yyyyMM.' },
  BIL0007: { kind: 'not-found', message: 'No bill exists for this month.' },
  BIL0008: { kind: 'not-found', message: 'The exported file does not exist.' },
  PAY0001: { kind: 'not-found', message: 'No payment method is registered for this coverage type.' },
  PAY0002: { kind: 'invalid', message: 'The card could not be verified.' },
  PAY0003: { kind: 'not-found', message: 'The charge does not exist.' },
  PAY0004: { kind: 'invalid', message: 'The charge is not outstanding.' },
  PAY0005: { kind: 'invalid', message: 'The card details are invalid.' },
  PAY0006: { kind: 'invalid', message: 'This operation needs a credit card payment method.' },
  PAY0008: { kind: 'invalid', message: 'The amount is invalid.' },
  PAY0009: { kind: 'not-found', message: 'The payment transaction does not exist.' },
  PAY0010: { kind: 'not-found', message: 'The payment statement does not exist.' },
} as const;
