import type { CoverageType } from './ids.js';
import type { SubscriberStatus } from './subscriber.js';
import type { ProfileDeletedSimNotTerminated, ProfileStatusChanged } from './esim/esim-profile.js';
import type { EventHandlersResetOrdered, OwnershipChanged, StoredDataDeleteOrdered } from './transfer/transfer-events.js';

/**
 * One change of a subscriber's status: the stream billing rates from (SPEC §1.6). `fromStatus`
 * is null when the SIM first joins an operator (registration).
 */
export interface StatusChange {
  type: 'status-changed';
  imsi: string;
  operatorId: string;
  coverageType: CoverageType;
  subscription: string;
  fromStatus: SubscriberStatus | null;
  toStatus: SubscriberStatus;
  at: number;
  /** What caused it: an operator API call, the network, an expiry action, a transfer. */
  cause: 'operator' | 'network' | 'expiry' | 'registration' | 'transfer';
  /** The SIM's speed class and group right after the change (recorded from 2026 on; older records lack them). */
  speedClass?: string;
  groupId?: string | null;
  /** The SIM's SIM ID (it never changes; recorded from 2026-12 on, older records lack it). */
  simId?: string;
}

/** A one-off fee a status change incurred; billing prices it from the fee schedule. */
export interface FeeIncurred {
  type: 'fee-incurred';
  fee: 'reactivation' | 'suspension' | 'sim-transfer' | 'esim-profile-initial';
  imsi: string;
  operatorId: string;
  coverageType: CoverageType;
  subscription: string;
  at: number;
}

/** Session event as listed by `listSessionEvents`. */
export interface SessionEventRecord {
  type: 'session-event';
  event: 'Created' | 'Modified' | 'Deleted';
  imsi: string;
  operatorId: string;
  sessionId: string;
  time: number;
  imei?: string;
  apn?: string;
  ueIpAddress?: string;
  dnsServers?: string[];
  cell?: Record<string, unknown>;
  subscription: string;
}

/** A live session must be torn down on the radio side (gate `onSessionDeleteOrder`). */
export interface SessionDeleteOrdered {
  type: 'session-delete-ordered';
  imsi: string;
  sessionId: string;
}

/** A short message for a SIM was accepted: the radio side must deliver it (gate `onSmsDeliverOrder`). */
export interface SmsDeliverOrdered {
  type: 'sms-deliver-ordered';
  imsi: string;
  messageId: string;
  originator: string;
  encoding: 'gsm7' | 'ucs2';
  text: string;
  sentAt: number;
  utcOffsetMinutes: number;
}

/** A transferring SIM connected and so left its pending Ready transfer (SPEC §1.2). */
export interface TransferDropOut {
  type: 'transfer-drop-out';
  imsi: string;
  operatorId: string;
  at: number;
}

export type DomainEvent =
  | StatusChange
  | FeeIncurred
  | SessionEventRecord
  | SessionDeleteOrdered
  | SmsDeliverOrdered
  | TransferDropOut
  // SIM transfers and eSIM profiles (docs/transfers-and-esim.md)
  | OwnershipChanged
  | StoredDataDeleteOrdered
  | EventHandlersResetOrdered
  | ProfileStatusChanged
  | ProfileDeletedSimNotTerminated;
