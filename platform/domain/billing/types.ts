/** The platform's names (PLATFORM-API.md strings), one definition for every part of the domain. */
export {
  SPEED_CLASSES,
  SUBSCRIBER_STATUSES,
  SUBSCRIPTIONS,
  type SpeedClass,
  type SubscriberStatus,
  type Subscription,
} from '../subscriber.js';

/** A result that is either a value or a typed, documented error (DESIGN: throw only for bugs). */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
