import type { DomainEvent, SessionEventRecord } from './events.js';
import type { Subscriber } from './subscriber.js';

/** A session event record for the subscriber's current session. */
export function sessionEvent(s: Subscriber, event: SessionEventRecord['event'], at: number): SessionEventRecord {
  const st = s.sessionStatus;
  return {
    type: 'session-event',
    event,
    imsi: s.imsi,
    operatorId: s.operatorId,
    sessionId: st?.sessionId ?? '',
    time: at,
    imei: st?.imei,
    apn: s.apn,
    ueIpAddress: st?.ueIpAddress,
    dnsServers: st?.dnsServers,
    cell: st?.cell as Record<string, unknown> | undefined,
    subscription: s.subscription,
  };
}

/**
 * Ends the live session: `Deleted` event, `previousSession` filled; `order` also tells the radio
 * side to drop it (operator delete_session, status change, idle timeout, expiry).
 */
export function closeSession(s: Subscriber, at: number, order: boolean): { subscriber: Subscriber; events: DomainEvent[] } {
  const st = s.sessionStatus;
  if (!st?.online) return { subscriber: s, events: [] };
  const events: DomainEvent[] = [sessionEvent(s, 'Deleted', at)];
  if (order && st.sessionId) events.push({ type: 'session-delete-ordered', imsi: s.imsi, sessionId: st.sessionId });
  const sub: Subscriber = {
    ...s,
    previousSession: {
      createdTime: s.sessionCreatedAt ?? st.lastUpdatedAt,
      deletedTime: at,
      imei: st.imei,
      sessionId: st.sessionId,
      ueIpAddress: st.ueIpAddress,
      dnsServers: st.dnsServers,
      cell: st.cell,
      subscription: st.subscription,
    },
    sessionStatus: { online: false, lastUpdatedAt: at, imsi: s.imsi, subscription: s.subscription },
    lastActivityAt: null,
    sessionCreatedAt: null,
    lastModifiedTime: at,
  };
  return { subscriber: sub, events };
}

