/**
 * Error codes of eSIM profile orders and profiles (`EPO`, three letters + four digits). This table is
 * the eSIM part of the platform registry (`ERROR_CODES` in platform/domain/errors.ts spreads it
 * in); the rules build their errors with its `domainError` / `fail`. docs/transfers-and-esim.md
 * lists every code.
 */

export type EsimErrorKind = 'invalid' | 'not-found' | 'conflict';

export const ESIM_ERROR_CODES = {
  EPO0001: { kind: 'invalid', message: 'The subscription must be one of plan01s, planX1, planP1.' },
  EPO0002: { kind: 'invalid', message: 'The quantity must be a whole number from 1 to 20.' },
  EPO0003: { kind: 'invalid', message: 'The speed class is not available for eSIM profiles of this subscription.' },
  EPO0004: { kind: 'invalid', message: 'The description must be a string of at most 100 characters.' },
  EPO0005: { kind: 'not-found', message: 'The eSIM profile order was not found.' },
  EPO0006: { kind: 'invalid', message: 'Only a DRAFT order can be confirmed or cancelled; once confirmed, an order cannot be cancelled.' },
  EPO0007: { kind: 'not-found', message: 'The unconfirmed order has expired and was cancelled.' },
  EPO0008: { kind: 'conflict', message: 'The order is not in the status this provisioning step needs.' },
  EPO0010: { kind: 'conflict', message: 'The eSIM profile has already been installed; it cannot be downloaded or installed again.' },
  EPO0011: { kind: 'conflict', message: 'The profile event is not possible in the profile\'s current status.' },
  EPO0012: { kind: 'conflict', message: 'The eSIM profile was deleted from its device; no further event applies.' },
  EPO0013: { kind: 'invalid', message: 'The profile event is not recognised.' },
} as const satisfies Record<string, { kind: EsimErrorKind; message: string }>;
