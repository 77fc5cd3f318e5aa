/**
 * The network gate: how a radio network (the simulator's, in cellgate) asks the platform core
 * whether a SIM may register and open a data session, and how the platform pushes back.
 * Platform status rules therefore show up on the radio side (SPEC §1.2, §3): a suspended SIM
 * really gets no session.
 */

/** Where the device is, as a network would report it in a session record. */
export interface CellInfo {
  radioType: 'lte' | 'lte-m' | 'nb-iot';
  mcc: string;
  mnc: string;
  tac: number;
  eci: number;
}

export interface AttachRequest {
  imsi: string;
  imei: string;
}

/**
 * EMM reject causes (3GPP TS 24.301 §9.9.3.9) a network sends with an attach reject. cellgate
 * uses #7 (EPS services not allowed: terminated / unknown SIM), #11, #15 and #22 (congestion).
 */
export type AttachDecision = { allowed: true } | { allowed: false; emmCause: number };

export interface SessionRequest {
  imsi: string;
  imei: string;
  apn: string;
  cell: CellInfo;
}

/**
 * ESM causes (3GPP TS 24.301 §9.9.4.4) for a refused PDN connection. An inactive SIM gets a
 * temporary cause, a suspended one a permanent cause (SPEC §1.2).
 */
export type SessionDecision =
  | { allowed: true; sessionId: string; ueIpAddress: string; dnsServers: string[] }
  | { allowed: false; esmCause: number; permanent: boolean };

export interface SessionClosed {
  imsi: string;
  sessionId: string;
  /** Who ended it: the device detached, the network dropped it, or the idle timeout. */
  reason: 'device' | 'network' | 'idle-timeout';
}

export interface UsageReport {
  imsi: string;
  sessionId: string;
  uplinkBytes: number;
  downlinkBytes: number;
}

export interface SessionDeleteOrder {
  imsi: string;
  sessionId: string;
}

/**
 * A short message for a SIM: the platform hands it to the radio side, whose SMSC turns it into
 * SMS-DELIVER PDUs (one per part) for the device (docs/sms.md).
 */
export interface SmsDeliverOrder {
  imsi: string;
  messageId: string;
  /** The sender shown to the device (the platform's short code, e.g. `900100`). */
  originator: string;
  encoding: 'gsm7' | 'ucs2';
  text: string;
  /** When the platform accepted it (the SMSC time stamp), ms. */
  sentAt: number;
  /** The zone of the time stamp, minutes east of UTC (the coverage's business zone). */
  utcOffsetMinutes: number;
}

/** What became of an order on the radio side. */
export interface SmsDeliveryReport {
  imsi: string;
  messageId: string;
  /** `delivered`: the device stored (or showed) every part. */
  outcome: 'delivered';
}

/**
 * [choice] The UDP port the radio side answers downlink pings on, at a SIM's session address (UDP
 * echo, RFC 862 style — port 7 itself needs privileges a simulator should not have).
 */
export const DOWNLINK_ECHO_PORT = 7007;

/** Implemented by the platform core (in-process) or by an HTTP client of it (remote). */
export interface NetworkGate {
  attach(request: AttachRequest): Promise<AttachDecision>;
  createSession(request: SessionRequest): Promise<SessionDecision>;
  /** The IMEI or cell of a live session changed (a `Modified` session event). */
  modifySession?(request: SessionRequest & { sessionId: string }): Promise<void>;
  closeSession(closed: SessionClosed): Promise<void>;
  reportUsage(report: UsageReport): Promise<void>;
  /** The platform deleted a session (operator `delete_session`, status change): drop it. */
  onSessionDeleteOrder(handler: (order: SessionDeleteOrder) => void): () => void;
  /** Short messages for SIMs (`sendSms`): every order is handed over once, in order. */
  onSmsDeliverOrder?(handler: (order: SmsDeliverOrder) => void): () => void;
  /** The radio side delivered an ordered message to the device. */
  reportSmsDelivery?(report: SmsDeliveryReport): Promise<void>;
}
