/** The platform's names (PLATFORM-API.md strings), one definition for every part of the domain. */
export {
  SPEED_CLASSES,
  SUBSCRIBER_STATUSES,
  SUBSCRIPTIONS,
  type SpeedClass,
  type SubscriberStatus,
  type Subscription,
} from '../subscriber.js';
