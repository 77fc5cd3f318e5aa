import type { DomainEvent } from './events.js';
import { imeiLockAllows } from './imei-lock.js';
import { closeSession, sessionEvent } from './session-close.js';
import type { SessionCell, Subscriber } from './subscriber.js';
import { transition } from './status-rules.js';

/**
 * 3GPP TS 24.301 causes the platform answers the radio side with (§9.9.3.9 EMM, §9.9.4.4 ESM).
 * An inactive SIM gets a temporary refusal, a suspended or terminated one a permanent refusal.
 */
export const REJECT_CAUSES = {
  /** EMM #7 "EPS services not allowed": terminated or unknown SIM, registration refused. */
  attachNotAllowed: 7,
  /** ESM #31 "request rejected, unspecified": temporary, a device retries with backoff. */
  sessionTemporary: 31,
  /** ESM #33 "requested service option not subscribed": permanent, a device stops retrying. */
  sessionPermanent: 33,
  /**
   * ESM #29 "user authentication or authorization failed" [choice]: an IMEI-locked SIM in
   * another device. Permanent for the device (a device does not change its IMEI), so a
   * compliant module stops retrying; the operator must unset or change the lock.
   */
  imeiLockMismatch: 29,
} as const;

/** Session idle timeout [choice: configurable, default 1 hour]. */
export const DEFAULT_SESSION_IDLE_TIMEOUT_MS = 3600 * 1000;

export type AttachVerdict = { allowed: true } | { allowed: false; emmCause: number };

/** May this SIM register on the network? Unknown, unregistered and terminated SIMs may not. */
export function attachVerdict(s: Subscriber | null): AttachVerdict {
  if (!s || !s.registered || s.status === 'terminated') return { allowed: false, emmCause: REJECT_CAUSES.attachNotAllowed };
  return { allowed: true };
}

export interface SessionOpenInput {
  sessionId: string;
  imei: string;
  apn: string;
  cell: SessionCell;
  dnsServers: string[];
  at: number;
  /** The session's UE address; defaults to the SIM's `ipAddress`. */
  ueIpAddress?: string;
}

export type SessionVerdict =
  | { allowed: true; subscriber: Subscriber; events: DomainEvent[] }
  | { allowed: false; esmCause: number; permanent: boolean };

/**
 * A device asks for a data session (SPEC §1.2 network-driven changes): ready → active (no fee),
 * standby → active (reactivation fee), transferring → active (drops out of its transfer),
 * active → session; inactive → temporary refusal; suspended / terminated → permanent refusal.
 */
export function openSession(s: Subscriber | null, input: SessionOpenInput): SessionVerdict {
  if (!s || !s.registered || s.status === 'terminated' || s.status === 'suspended') {
    return { allowed: false, esmCause: REJECT_CAUSES.sessionPermanent, permanent: true };
  }
  if (s.status === 'inactive') return { allowed: false, esmCause: REJECT_CAUSES.sessionTemporary, permanent: false };
  if (!imeiLockAllows(s.imeiLock, input.imei)) return { allowed: false, esmCause: REJECT_CAUSES.imeiLockMismatch, permanent: true };
  const events: DomainEvent[] = [];
  let sub = s;
  if (sub.status !== 'active') {
    const from = sub.status;
    const t = transition(sub, 'active', input.at, 'network');
    sub = t.subscriber;
    events.push(...t.events);
    if (from === 'transferring') events.push({ type: 'transfer-drop-out', imsi: s.imsi, operatorId: s.operatorId, at: input.at });
  }
  if (sub.sessionStatus?.online) {
    // A new session replaces a stale one the device never closed.
    const closed = closeSession(sub, input.at, false);
    sub = closed.subscriber;
    events.push(...closed.events);
  }
  sub = {
    ...sub,
    sessionStatus: {
      online: true,
      lastUpdatedAt: input.at,
      imsi: sub.imsi,
      imei: input.imei,
      sessionId: input.sessionId,
      ueIpAddress: input.ueIpAddress ?? sub.ipAddress,
      dnsServers: input.dnsServers,
      cell: input.cell,
      subscription: sub.subscription,
    },
    lastActivityAt: input.at,
    sessionCreatedAt: input.at,
    lastModifiedTime: input.at,
  };
  events.push(sessionEvent(sub, 'Created', input.at));
  return { allowed: true, subscriber: sub, events };
}

/**
 * IMEI or cell of the live session changed: a `Modified` event (no-op if nothing changed). A
 * locked SIM whose session moves to another IMEI loses it (the radio side gets a delete order).
 */
export function modifySession(
  s: Subscriber,
  input: { sessionId: string; imei: string; cell: SessionCell; at: number },
): { subscriber: Subscriber; events: DomainEvent[] } {
  const st = s.sessionStatus;
  if (!st?.online || st.sessionId !== input.sessionId) return { subscriber: s, events: [] };
  if (!imeiLockAllows(s.imeiLock, input.imei)) return closeSession(s, input.at, true);
  const changed = st.imei !== input.imei || JSON.stringify(st.cell) !== JSON.stringify(input.cell);
  const sub: Subscriber = {
    ...s,
    sessionStatus: { ...st, imei: input.imei, cell: input.cell, lastUpdatedAt: input.at },
    lastActivityAt: input.at,
  };
  return changed ? { subscriber: { ...sub, lastModifiedTime: input.at }, events: [sessionEvent(sub, 'Modified', input.at)] } : { subscriber: sub, events: [] };
}

/** True when the live session saw no activity for `idleTimeoutMs`. */
export function isSessionIdle(s: Subscriber, now: number, idleTimeoutMs = DEFAULT_SESSION_IDLE_TIMEOUT_MS): boolean {
  return !!s.sessionStatus?.online && s.lastActivityAt !== null && now >= s.lastActivityAt + idleTimeoutMs;
}
