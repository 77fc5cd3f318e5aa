import type { CoverageType, SubscriberStatus } from './transfer-subscriber.js';

/**
 * Events the transfer rules emit. `status-changed`, `fee-incurred`, `session-delete-ordered` and
 * `transfer-drop-out` have the same shape as the platform's events (platform/domain/events.ts) so
 * billing and the session path consume them unchanged; the others are transfer-specific.
 */

export interface TransferStatusChange {
  type: 'status-changed';
  imsi: string;
  operatorId: string;
  coverageType: CoverageType;
  subscription: string;
  fromStatus: SubscriberStatus;
  toStatus: SubscriberStatus;
  at: number;
  cause: 'transfer' | 'network';
}

/**
 * The SIM now belongs to `toOperatorId`. Billing hands fees over at `at`: before it they accrue
 * to `fromOperatorId`, from it on to `toOperatorId` (seed 000).
 */
export interface OwnershipChanged {
  type: 'ownership-changed';
  imsi: string;
  fromOperatorId: string;
  toOperatorId: string;
  coverageType: CoverageType;
  subscription: string;
  status: SubscriberStatus;
  transferKind: 'ready' | 'support';
  at: number;
}

/** A one-off fee; billing prices it from the fee schedule. */
export interface TransferFeeIncurred {
  type: 'fee-incurred';
  fee: 'sim-transfer';
  imsi: string;
  operatorId: string;
  coverageType: CoverageType;
  subscription: string;
  at: number;
}

/** A live data session must be deleted (support-assisted transfer day, seed 000). */
export interface TransferSessionDeleteOrdered {
  type: 'session-delete-ordered';
  imsi: string;
  sessionId: string;
}

/** Stored data of the SIM (Harvest-like) held by the source must be deleted (seed 000). */
export interface StoredDataDeleteOrdered {
  type: 'stored-data-delete-ordered';
  imsi: string;
  operatorId: string;
  at: number;
}

/** Event handlers of the source that target this SIM must stop applying to it (seed 000: not transferred). */
export interface EventHandlersResetOrdered {
  type: 'event-handlers-reset-ordered';
  imsi: string;
  operatorId: string;
  at: number;
}

/** A transferring SIM connected and left its pending Ready transfer (SPEC §1.2). */
export interface TransferDropOutEvent {
  type: 'transfer-drop-out';
  imsi: string;
  operatorId: string;
  at: number;
}

export type TransferEvent =
  | TransferStatusChange
  | OwnershipChanged
  | TransferFeeIncurred
  | TransferSessionDeleteOrdered
  | StoredDataDeleteOrdered
  | EventHandlersResetOrdered
  | TransferDropOutEvent;
