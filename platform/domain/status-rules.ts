import { fail, ok, type Result } from './errors.js';
import type { DomainEvent, FeeIncurred, StatusChange } from './events.js';
import { closeSession } from './session-close.js';
import type { Subscriber, SubscriberStatus, Subscription } from './subscriber.js';

/** Operator actions of SPEC §1.2, named as the API path segment. */
export type OperatorAction = 'activate' | 'deactivate' | 'set_to_standby' | 'suspend' | 'terminate';

export interface ActionRule {
  to: SubscriberStatus;
  from: readonly SubscriberStatus[];
  /** Subscriptions for which the action is refused altogether. */
  refusedFor?: readonly Subscription[];
  operationId: string;
}

/** The status table of SPEC §1.2 as data; tests are generated from it. */
export const ACTION_RULES: Readonly<Record<OperatorAction, ActionRule>> = {
  activate: { to: 'active', from: ['ready', 'inactive', 'standby', 'suspended'], operationId: 'activateSubscriber' },
  deactivate: { to: 'inactive', from: ['ready', 'active', 'standby', 'suspended'], operationId: 'deactivateSubscriber' },
  set_to_standby: {
    to: 'standby',
    from: ['ready', 'active', 'inactive'],
    refusedFor: ['plan-D', 'plan-DU', 'plan-K'],
    operationId: 'setSubscriberToStandby',
  },
  suspend: { to: 'suspended', from: ['ready', 'active', 'inactive', 'standby'], operationId: 'suspendSubscriber' },
  terminate: {
    to: 'terminated',
    from: ['ready', 'active', 'inactive', 'standby', 'suspended'],
    operationId: 'terminateSubscriber',
  },
};

export const OPERATOR_ACTIONS = Object.keys(ACTION_RULES) as OperatorAction[];

/** Statuses in which no data session may exist [choice: leaving active ends the session]. */
const SESSIONLESS: readonly SubscriberStatus[] = ['inactive', 'standby', 'suspended', 'terminated'];

/** Fee a transition incurs (seed 003): reactivation out of standby/suspended, suspension for plan-D/K. */
export function feeFor(
  subscription: Subscription,
  from: SubscriberStatus,
  to: SubscriberStatus,
): FeeIncurred['fee'] | null {
  if ((from === 'standby' || from === 'suspended') && (to === 'active' || to === 'inactive')) return 'reactivation';
  if (to === 'suspended' && (from === 'active' || from === 'inactive') && (subscription === 'plan-D' || subscription === 'plan-K')) {
    return 'suspension';
  }
  return null;
}

export interface Transition {
  subscriber: Subscriber;
  events: DomainEvent[];
}

/** Moves a subscriber to `to` and records the history + fee events; no rule checks. */
export function transition(s: Subscriber, to: SubscriberStatus, at: number, cause: StatusChange['cause']): Transition {
  const events: DomainEvent[] = [];
  let next: Subscriber = { ...s, status: to, statusChangedAt: at, lastModifiedTime: at };
  if (to === 'terminated') next.terminatedAt = at;
  if (SESSIONLESS.includes(to) && s.sessionStatus?.online) {
    const closed = closeSession(next, at, true);
    next = closed.subscriber;
    events.push(...closed.events);
  }
  events.push({
    type: 'status-changed',
    imsi: s.imsi,
    operatorId: s.operatorId,
    coverageType: s.coverageType,
    subscription: s.subscription,
    fromStatus: s.status,
    toStatus: to,
    at,
    cause,
  });
  const fee = feeFor(s.subscription, s.status, to);
  if (fee) {
    events.push({ type: 'fee-incurred', fee, imsi: s.imsi, operatorId: s.operatorId, coverageType: s.coverageType, subscription: s.subscription, at });
  }
  return { subscriber: next, events };
}

/** Why an operator action is refused, or null when allowed. Order of checks is deliberate. */
export function refusal(s: Subscriber, action: OperatorAction): Result<null> {
  const rule = ACTION_RULES[action];
  if (s.status === 'terminated') return fail('SEM0003');
  if (s.status === 'transferring') return fail('SEM0006');
  if (rule.refusedFor?.includes(s.subscription)) return fail('SEM0005', `(${s.subscription})`);
  if (s.status === rule.to) return fail('SEM0013', `(${s.status})`);
  if (!rule.from.includes(s.status)) return fail('SEM0002', `(${s.status} → ${rule.to})`);
  if (action === 'terminate' && !s.terminationEnabled) return fail('SEM0004');
  return ok(null);
}

/** An operator status action (activate … terminate), per the table of SPEC §1.2. */
export function applyOperatorAction(
  s: Subscriber,
  action: OperatorAction,
  at: number,
  cause: StatusChange['cause'] = 'operator',
): Result<Transition> {
  const refused = refusal(s, action);
  if (!refused.ok) return refused;
  return ok(transition(s, ACTION_RULES[action].to, at, cause));
}

/** Terminated subscribers disappear from the account after this [choice: 30 days]. */
export const DEFAULT_TERMINATED_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** True when a terminated subscriber's retention period is over and it must be purged. */
export function isPurgeDue(s: Subscriber, now: number, retentionMs = DEFAULT_TERMINATED_RETENTION_MS): boolean {
  return s.status === 'terminated' && s.terminatedAt !== null && now >= s.terminatedAt + retentionMs;
}
