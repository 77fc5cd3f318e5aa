/**
 * The network gate over HTTP: how a radio side in another process (`cellgate sim --platform`)
 * reaches the platform's gate. Requests carry `Authorization: Bearer <network token>` (printed by
 * `cellgate platform`, `RunningPlatform.networkToken`). Bodies are the `NetworkGate` types of
 * `network-gate.ts` as JSON; answers likewise. Delete orders stream as Server-Sent Events.
 */
import type { SessionClosed, SessionRequest } from './network-gate.js';

export const NETWORK_HTTP_PATHS = {
  /** POST `AttachRequest` → 200 `AttachDecision`. */
  attach: '/_cellgate/network/attach',
  /** POST `SessionRequest` → 200 `SessionDecision`. */
  sessions: '/_cellgate/network/sessions',
  /** POST `ModifySessionBody` → 204. */
  modify: (sessionId: string) => `/_cellgate/network/sessions/${encodeURIComponent(sessionId)}/modify`,
  /** POST `CloseSessionBody` → 204. */
  close: (sessionId: string) => `/_cellgate/network/sessions/${encodeURIComponent(sessionId)}/close`,
  /** POST `UsageReport` → 204. */
  usage: '/_cellgate/network/usage',
  /**
   * GET → `text/event-stream`: one `event: session-delete` per order, `id:` = its sequence
   * number, `data:` = `SessionDeleteOrder` JSON. Send `Last-Event-ID` to get every order after
   * that id (orders are stored, so none is lost while disconnected); without it the stream
   * starts at the current end.
   */
  orders: '/_cellgate/network/orders',
  /** POST `SmsDeliveryReport` (minus the id) → 204. */
  smsReport: (messageId: string) => `/_cellgate/network/sms/${encodeURIComponent(messageId)}/report`,
} as const;

/** SSE event name of a short message to deliver (`data:` = `SmsDeliverOrder` JSON). */
export const SMS_DELIVER_EVENT = 'sms-deliver';

/** SSE event name of a session delete order. */
export const SESSION_DELETE_EVENT = 'session-delete';

/** Body of `POST …/sessions/{sessionId}/modify` (the session id is in the path). */
export type ModifySessionBody = SessionRequest;

/** Body of `POST …/sessions/{sessionId}/close`. */
export type CloseSessionBody = Omit<SessionClosed, 'sessionId'>;
