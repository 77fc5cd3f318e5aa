import {
  DEVICE_PUBLISHED_KINDS,
  DEVICE_SUBSCRIBED_KINDS,
  TOPIC_ROOT,
  allDevicesFilter,
  parseDeviceTopic,
} from '../contract/topics.js';
import type { Principal } from './credentials.js';

/**
 * The access rules of the link, pure so the embedded broker and the Mosquitto ACL file
 * (`mosquitto-config.ts`) say the same thing:
 * - a device publishes only to its own `status`, `events`, `esim/notifications`, `commands/res`
 *   and subscribes only to its own `commands/req` and `acks` (exact topics, no wildcards);
 * - a service account publishes to any device's `commands/req` and `acks`, and subscribes to
 *   anything under `cellgate/v1/devices/`.
 */
export function mayPublish(principal: Principal, topic: string): boolean {
  const parsed = parseDeviceTopic(topic);
  if (!parsed) return false;
  if (principal.role === 'service') return DEVICE_SUBSCRIBED_KINDS.includes(parsed.kind);
  return parsed.deviceId === principal.username && DEVICE_PUBLISHED_KINDS.includes(parsed.kind);
}

export function maySubscribe(principal: Principal, filter: string): boolean {
  if (principal.role === 'service') {
    if (filter === `${TOPIC_ROOT}/#`) return true;
    if (DEVICE_PUBLISHED_KINDS.some((kind) => filter === allDevicesFilter(kind))) return true;
    return parseDeviceTopic(filter) !== undefined;
  }
  const parsed = parseDeviceTopic(filter);
  return parsed !== undefined && parsed.deviceId === principal.username && DEVICE_SUBSCRIBED_KINDS.includes(parsed.kind);
}
