/**
 * The platform's one error-code registry. Codes follow the real service's pattern (three letters
 * + four digits, e.g. `SEM0016`); every code is documented in docs/api.md, and a test checks the
 * two agree. The HTTP layer maps `kind` to a status code and the entry to a `{code, message}` body.
 */
import { DEVICE_ERROR_CODES } from './device-error-codes.js';
import { BILLING_ERROR_CODES } from './billing/billing-error-codes.js';
import { ESIM_ERROR_CODES } from './esim/esim-errors.js';
import { TRANSFER_ERROR_CODES } from './transfer/transfer-errors.js';
import { SMS_ERROR_CODES } from './sms-errors.js';

/** What sort of failure a code is; the HTTP layer maps it to a status. */
export type ErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'too-large' | 'throttled' | 'internal' | 'timeout' | 'unavailable';

export interface ErrorEntry {
  readonly kind: ErrorKind;
  readonly message: string;
}

export const ERROR_CODES = {
  // COM: request shape and common failures
  COM0001: { kind: 'invalid', message: 'The request is invalid.' },
  COM0002: { kind: 'invalid', message: 'The request body is not valid JSON.' },
  COM0003: { kind: 'not-found', message: 'No such API.' },
  COM0004: { kind: 'invalid', message: 'The IMSI is invalid: it must be 15 digits.' },
  COM0005: { kind: 'invalid', message: 'The operator ID is invalid: it must be OP followed by 10 digits.' },
  COM0006: { kind: 'internal', message: 'An internal error occurred.' },
  COM0007: { kind: 'invalid', message: 'The pagination key is invalid.' },
  COM0008: { kind: 'too-large', message: 'The request body is too large for this operation.' },
  // AUM: authentication and authorisation
  AUM0001: { kind: 'unauthenticated', message: 'Token is required in the request header.' },
  AUM0002: { kind: 'unauthenticated', message: 'The API key or token is invalid.' },
  AUM0003: { kind: 'unauthenticated', message: 'The token has expired.' },
  AUM0004: { kind: 'unauthenticated', message: 'Authentication failed: wrong credentials.' },
  AUM0005: { kind: 'forbidden', message: 'You are not allowed to call this API.' },
  AUM0006: { kind: 'forbidden', message: 'Only the root user may access payment settings.' },
  AUM0007: { kind: 'invalid', message: 'tokenTimeoutSeconds must be between 180 and 172800.' },
  AUM0008: { kind: 'forbidden', message: 'You may not access another operator.' },
  AUM0009: { kind: 'throttled', message: 'Too many failed logins: try again later.' },
  // OPM: operators
  OPM0001: { kind: 'not-found', message: 'The operator does not exist.' },
  OPM0002: { kind: 'conflict', message: 'An operator with this email address already exists.' },
  OPM0003: { kind: 'invalid', message: 'The email address is invalid.' },
  OPM0004: { kind: 'invalid', message: 'The password must be at least 8 characters long.' },
  OPM0005: { kind: 'invalid', message: 'The coverage type must be g or jp.' },
  // USM: SAM users, permissions and auth keys
  USM0001: { kind: 'not-found', message: 'The SAM user does not exist.' },
  USM0002: { kind: 'conflict', message: 'A SAM user with this name already exists.' },
  USM0003: { kind: 'invalid', message: 'The user name is invalid.' },
  USM0004: { kind: 'invalid', message: 'The permission is not a valid permission document.' },
  USM0005: { kind: 'not-found', message: 'The auth key does not exist.' },
  // SEM: subscribers
  SEM0001: { kind: 'not-found', message: 'The subscriber does not exist.' },
  SEM0002: { kind: 'invalid', message: 'The subscriber cannot change to the requested status from its current status.' },
  SEM0003: { kind: 'invalid', message: 'The subscriber is terminated; termination is final.' },
  SEM0004: { kind: 'invalid', message: 'Termination protection is on; call enable_termination first.' },
  SEM0005: { kind: 'invalid', message: 'This subscription does not support the standby status.' },
  SEM0006: { kind: 'invalid', message: 'The subscriber is being transferred.' },
  SEM0007: { kind: 'invalid', message: 'The registration secret does not match.' },
  SEM0008: { kind: 'conflict', message: 'The subscriber is already registered.' },
  SEM0009: { kind: 'invalid', message: 'The speed class is not available for this subscription.' },
  SEM0010: { kind: 'invalid', message: 'The expiry time must be in the future.' },
  SEM0011: { kind: 'invalid', message: 'The expiry action terminate needs termination protection off.' },
  SEM0012: { kind: 'not-found', message: 'The tag does not exist.' },
  SEM0013: { kind: 'invalid', message: 'The subscriber is already in the requested status.' },
  SEM0014: { kind: 'invalid', message: 'The subscription is unknown.' },
  SEM0016: { kind: 'invalid', message: 'The specified subscriber is offline.' },
  SEM0017: { kind: 'invalid', message: 'The IMEI is invalid: it must be 15 digits, optionally followed by |ANONYMOUS.' },
  // SBX: sandbox
  SBX0001: { kind: 'invalid', message: 'Usage data with the same timestamp already exists.' },
  // CGW: cellgate's own endpoints
  CGW0001: { kind: 'invalid', message: 'The platform is not running on a virtual clock.' },
  CGW0002: { kind: 'invalid', message: 'Virtual time can only move forward.' },
  CGW0003: { kind: 'not-found', message: 'The eSIM profile does not exist.' },
  CGW0004: { kind: 'invalid', message: 'The notification is invalid.' },
  CGW0005: { kind: 'invalid', message: 'The EID is invalid: it must be 32 digits.' },
  CGW0006: { kind: 'invalid', message: 'The eSIM profile is already installed or can no longer be downloaded.' },
  CGW0007: { kind: 'conflict', message: 'The SM-DP+ holds no CI private key (external certificates): it cannot issue EUM certificates.' },
  CGW0008: { kind: 'invalid', message: 'The public key is invalid: it must be a P-256 public key in PEM (SPKI).' },
  // CLK: the virtual clock (docs/time-control.md)
  CLK0001: { kind: 'invalid', message: 'The time is invalid: give advance as an ISO 8601 duration (P30D, PT12H) or milliseconds, or to as an ISO 8601 date-time with a zone or epoch milliseconds.' },
  CLK0002: { kind: 'invalid', message: 'One call moves the clock at most ten years.' },
  // TRN / STR: SIM transfers; EPO: eSIM profile orders (entries live beside their rules)
  ...TRANSFER_ERROR_CODES,
  ...ESIM_ERROR_CODES,
  // BIL / PAY: billing and payment (docs/billing.md)
  ...BILLING_ERROR_CODES,
  // DEV / NET / GRP / MDS: devices, remote network gate, groups, metadata service (docs/platform.md)
  ...DEVICE_ERROR_CODES,
  // SMS: short messages to SIMs (docs/sms.md)
  ...SMS_ERROR_CODES,
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A typed, expected failure of a rule or use case (never thrown for bugs). */
export interface DomainError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly kind: ErrorKind;
  /** IMSIs or SIM IDs the error is about, when it names SIMs (transfer refusals and findings). */
  readonly subjects?: readonly string[];
  /** Every problem found (a fee schedule or status history reports all of them, not just the first). */
  readonly issues?: readonly string[];
  /** The card processor's code when a card operation failed. */
  readonly cardErrorCode?: string;
}

/** A domain result: the new value, or a typed error. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

/**
 * Builds the error for `code`. A string `detail` is appended to the registry message; a list
 * names the error's subjects (IMSIs, SIM IDs): appended comma-separated and kept in `subjects`.
 */
export function domainError(code: ErrorCode, detail?: string | readonly string[]): DomainError {
  const entry: ErrorEntry = ERROR_CODES[code];
  if (typeof detail !== 'string' && detail !== undefined) {
    if (detail.length === 0) return { code, kind: entry.kind, message: entry.message };
    return { code, kind: entry.kind, message: `${entry.message} ${detail.join(', ')}`, subjects: detail };
  }
  return { code, kind: entry.kind, message: detail ? `${entry.message} ${detail}` : entry.message };
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, detail?: string | readonly string[]): Result<T> {
  return { ok: false, error: domainError(code, detail) };
}

/** A failed result carrying an error built elsewhere (e.g. an area's own message wording). */
export function failWith<T = never>(error: DomainError): Result<T> {
  return { ok: false, error };
}

/** An error crossing the app layer as an exception, so a transaction rolls back. */
export class PlatformError extends Error {
  constructor(readonly error: DomainError) {
    super(error.message);
    this.name = 'PlatformError';
  }
  get code(): ErrorCode {
    return this.error.code;
  }
}

/** Unwraps a result or throws its error as a `PlatformError`. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new PlatformError(result.error);
  return result.value;
}
