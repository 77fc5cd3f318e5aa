/**
 * Error codes of the transfer rules (three letters + four digits, like the real service).
 * `TRN` = Ready (token) transfer, `STR` = support-assisted transfer. This table is the transfer
 * part of the platform registry (`ERROR_CODES` in platform/domain/errors.ts spreads it in); the
 * rules build their errors with its `domainError` / `fail`. docs/transfers-and-esim.md lists
 * every code.
 */

export type TransferErrorKind = 'invalid' | 'forbidden' | 'not-found' | 'conflict';

export const TRANSFER_ERROR_CODES = {
  TRN0001: { kind: 'invalid', message: 'transferImsi must name 1 to 100 IMSIs.' },
  TRN0002: { kind: 'invalid', message: 'transferImsi names the same IMSI more than once.' },
  TRN0003: { kind: 'invalid', message: 'The destination operator ID is invalid: it must be OP followed by 10 digits.' },
  TRN0004: { kind: 'invalid', message: 'The destination operator email and ID do not match an operator.' },
  TRN0005: { kind: 'invalid', message: 'A SIM cannot be transferred to the operator that owns it.' },
  TRN0006: { kind: 'not-found', message: 'These subscribers do not exist in your account:' },
  TRN0007: { kind: 'invalid', message: 'These SIMs cannot be transferred under their terms and conditions:' },
  TRN0008: { kind: 'invalid', message: 'Only ready SIMs can be transferred with a token; these are not ready:' },
  TRN0009: { kind: 'invalid', message: 'All SIMs of one transfer must have the same coverage type.' },
  TRN0010: { kind: 'not-found', message: 'Transfer token does not exist.' },
  TRN0011: { kind: 'invalid', message: 'The transfer token has expired.' },
  TRN0012: { kind: 'forbidden', message: 'Only the destination operator named in the transfer can accept it.' },
  TRN0013: { kind: 'invalid', message: 'The coverage type of the request does not match the SIMs being transferred.' },
  TRN0014: { kind: 'invalid', message: 'A registered payment method for the SIMs\' coverage type is required to accept a transfer.' },
  TRN0015: { kind: 'invalid', message: 'No SIM of this transfer is still transferring.' },
  STR0001: { kind: 'invalid', message: 'simIds must name 1 to 1000 distinct SIMs.' },
  STR0002: { kind: 'invalid', message: 'The destination operator ID is invalid: it must be OP followed by 10 digits.' },
  STR0003: { kind: 'invalid', message: 'The destination operator email and ID do not match an operator.' },
  STR0004: { kind: 'invalid', message: 'A SIM cannot be transferred to the operator that owns it.' },
  STR0005: { kind: 'not-found', message: 'These SIMs do not exist in your account:' },
  STR0006: { kind: 'invalid', message: 'Support-assisted transfer needs SIMs in active, inactive, standby or suspended; these are not:' },
  STR0007: { kind: 'invalid', message: 'All SIMs of one transfer request must have the same coverage type.' },
  STR0008: { kind: 'conflict', message: 'The transfer request is not in a state that allows this step.' },
  STR0009: { kind: 'invalid', message: 'The reply came after the 5-business-day deadline; the request is cancelled.' },
  STR0010: { kind: 'forbidden', message: 'Only the destination operator named in the request can reply to it.' },
  STR0011: { kind: 'invalid', message: 'The transfer date has not come yet.' },
  STR0012: { kind: 'not-found', message: 'The transfer request does not exist.' },
  // Review findings (reported back to the source, not thrown at a caller).
  STR0020: { kind: 'invalid', message: 'The destination has not accepted the terms for the SIMs\' coverage type.' },
  STR0021: { kind: 'invalid', message: 'The source account has outstanding charges.' },
  STR0022: { kind: 'invalid', message: 'The destination account has outstanding charges.' },
  STR0023: { kind: 'invalid', message: 'The destination has no valid payment method for the SIMs\' coverage type.' },
  STR0024: { kind: 'invalid', message: 'The requested group does not exist in the destination account.' },
  STR0025: { kind: 'invalid', message: 'None of the SIMs can be transferred.' },
} as const satisfies Record<string, { kind: TransferErrorKind; message: string }>;
