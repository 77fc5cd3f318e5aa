import { ok, type Result } from './errors.js';
import type { DomainEvent } from './events.js';
import { closeSession } from './session-close.js';
import { applyOperatorAction } from './status-rules.js';
import { unsetExpiry, type Subscriber } from './subscriber.js';

export interface ExpiryOutcome {
  subscriber: Subscriber;
  events: DomainEvent[];
  /** What was done; `skipped` says why an action could not run (e.g. protection turned back on). */
  applied: 'none' | 'doNothing' | 'deleteSession' | 'deactivate' | 'suspend' | 'terminate' | 'skipped';
  reason?: string;
}

/**
 * Runs the expiry action once `expiryTime` has come (reference `ExpiryTime`), then clears the
 * expiry setting [choice: an expiry fires once]. An action the status table refuses (e.g. suspend
 * on an already suspended SIM, terminate with protection on) is skipped, not an error.
 */
export function applyExpiry(s: Subscriber, now: number): Result<ExpiryOutcome> {
  if (s.expiryTime === null || now < s.expiryTime || s.status === 'terminated') return ok({ subscriber: s, events: [], applied: 'none' });
  const cleared = unsetExpiry(s, now);
  const action = s.expiryAction ?? 'doNothing';
  switch (action) {
    case 'doNothing':
      return ok({ subscriber: cleared, events: [], applied: 'doNothing' });
    case 'deleteSession': {
      const closed = closeSession(cleared, now, true);
      return ok({ subscriber: closed.subscriber, events: closed.events, applied: 'deleteSession' });
    }
    case 'deactivate':
    case 'suspend':
    case 'terminate': {
      const r = applyOperatorAction(cleared, action, now, 'expiry');
      if (!r.ok) return ok({ subscriber: cleared, events: [], applied: 'skipped', reason: r.error.code });
      return ok({ subscriber: r.value.subscriber, events: r.value.events, applied: action });
    }
  }
}
