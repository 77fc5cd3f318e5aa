/**
 * The slice of a subscriber (SIM) and of an operator account that the transfer rules read and
 * write. Field names are the platform API's (PLATFORM-API.md); the store's full subscriber type
 * satisfies `TransferSubscriber`, and every rule returns the caller's own type with only the
 * transfer-related fields changed, so nothing else of the record is lost.
 */

import type { CoverageType } from '../ids.js';
import type { ExpiryAction, SubscriberStatus } from '../subscriber.js';

export type { CoverageType, ExpiryAction, SubscriberStatus };

/** What the transfer rules need of a subscriber. */
export interface TransferSubscriber {
  imsi: string;
  /** SIM ID; support-assisted requests name SIMs by it (falls back to the IMSI when absent). */
  simId?: string;
  operatorId: string;
  status: SubscriberStatus;
  subscription: string;
  speedClass: string;
  /** Always has `name` (the SIM's display name, possibly empty). */
  tags: Record<string, string>;
  groupId: string | null;
  /** `true` = termination protection OFF; `false` = protection ON (the new-SIM default). */
  terminationEnabled: boolean;
  expiryTime: number | null;
  expiryAction: ExpiryAction | null;
  imeiLock: { imei: string } | null;
  coverageType: CoverageType;
  /** False for SIMs whose terms forbid a transfer (seed 000, "Conditions and Limitations"). */
  transferable: boolean;
  /**
   * Event handlers that target this SIM, when the record carries them. Either way a transfer
   * emits `event-handlers-reset-ordered` so the app drops handlers stored elsewhere.
   */
  eventHandlerIds?: string[];
  /** Present while the SIM has (or had) a data session. */
  sessionStatus?: { online: boolean; sessionId?: string } | null;
}

export type PaymentMethodKind = 'none' | 'credit_card' | 'bank_transfer';

/** Per-coverage account facts (SPEC §1.1). */
export interface CoverageAccount {
  termsAccepted: boolean;
  paymentMethod: PaymentMethodKind;
  /** False when a registered method is known to be unusable (e.g. an expired card). Default true. */
  paymentMethodValid?: boolean;
}

/** What the transfer rules need of an operator account. */
export interface TransferOperator {
  operatorId: string;
  /** Primary email address. */
  email: string;
  coverage: Partial<Record<CoverageType, CoverageAccount>>;
}

/** Finds an operator by id; `undefined` when none exists. */
export type OperatorLookup = (operatorId: string) => TransferOperator | undefined;

const OPERATOR_ID = /^OP\d{10}$/;

export const isOperatorId = (s: unknown): s is string => typeof s === 'string' && OPERATOR_ID.test(s);

/** [choice] Emails compare trimmed and case-insensitively, as mail systems treat them. */
export const sameEmail = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The destination named by `operatorId` + `email`, or undefined when they do not name one operator. */
export function resolveDestination(
  findOperator: OperatorLookup,
  operatorId: string,
  email: string,
): TransferOperator | undefined {
  const operator = findOperator(operatorId);
  return operator && sameEmail(operator.email, email) ? operator : undefined;
}

export function hasRegisteredPaymentMethod(operator: TransferOperator, coverage: CoverageType): boolean {
  const account = operator.coverage[coverage];
  return account !== undefined && account.paymentMethod !== 'none';
}

export function hasValidPaymentMethod(operator: TransferOperator, coverage: CoverageType): boolean {
  return hasRegisteredPaymentMethod(operator, coverage) && operator.coverage[coverage]?.paymentMethodValid !== false;
}

/** The id a support-assisted request names a SIM by. */
export const simIdOf = (s: TransferSubscriber): string => s.simId ?? s.imsi;
