/**
 * Platform names billing speaks in (PLATFORM-API.md), declared here so billing stays
 * self-contained; they are the real API's strings and match the rest of the platform's.
 */
export type Subscription =
  | 'plan01s'
  | 'plan01s-low_data_volume'
  | 'plan-D'
  | 'plan-K'
  | 'plan-KM1'
  | 'plan-DU'
  | 'planX1'
  | 'planP1';

export const SUBSCRIPTIONS: readonly Subscription[] = [
  'plan01s',
  'plan01s-low_data_volume',
  'plan-D',
  'plan-K',
  'plan-KM1',
  'plan-DU',
  'planX1',
  'planP1',
];

export type SubscriberStatus =
  | 'ready'
  | 'active'
  | 'inactive'
  | 'standby'
  | 'suspended'
  | 'terminated'
  | 'transferring';

export const SUBSCRIBER_STATUSES: readonly SubscriberStatus[] = [
  'ready',
  'active',
  'inactive',
  'standby',
  'suspended',
  'terminated',
  'transferring',
];

export type SpeedClass =
  | 's1.minimum'
  | 's1.slow'
  | 's1.standard'
  | 's1.fast'
  | 's1.4xfast'
  | 'u1.standard'
  | 'u1.slow'
  | 't1.standard';

export const SPEED_CLASSES: readonly SpeedClass[] = [
  's1.minimum',
  's1.slow',
  's1.standard',
  's1.fast',
  's1.4xfast',
  'u1.standard',
  'u1.slow',
  't1.standard',
];

/** A result that is either a value or a typed, documented error (DESIGN: throw only for bugs). */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
