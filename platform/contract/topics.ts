/**
 * MQTT topics of the device ↔ platform link, versioned, in one place (docs/mqtt-contract.md).
 *
 * Every topic lives under `cellgate/v1/devices/{deviceId}/…`. The device id is the gateway's
 * stable identity (its IMEI, or its EID): never the IMSI, which changes when the eUICC switches
 * profile, so a device keeps its topics, credentials and outbox across an eSIM switch.
 */

/** Version of the topic layout and payload schemas; bumped on any breaking change. */
export const CONTRACT_VERSION = 'v1';

/** Root under which every device topic lives. */
export const TOPIC_ROOT = `cellgate/${CONTRACT_VERSION}/devices`;

/**
 * The kinds of topic a device has, with the direction of traffic:
 * - `status` device → platform, retained snapshot, QoS 1
 * - `events` device → platform, from the outbox, QoS 1
 * - `esim/notifications` device → platform, from the outbox, QoS 1
 * - `commands/res` device → platform, from the outbox, QoS 1
 * - `commands/req` platform → device, QoS 1
 * - `acks` platform → device, end-to-end acknowledgement of outbox entries, QoS 1
 */
export type DeviceTopicKind = 'status' | 'events' | 'esim/notifications' | 'commands/req' | 'commands/res' | 'acks';

export const DEVICE_TOPIC_KINDS: readonly DeviceTopicKind[] = [
  'status',
  'events',
  'esim/notifications',
  'commands/req',
  'commands/res',
  'acks',
];

/** Topics a device publishes to (and the platform's service client subscribes to). */
export const DEVICE_PUBLISHED_KINDS: readonly DeviceTopicKind[] = ['status', 'events', 'esim/notifications', 'commands/res'];

/** Topics a device subscribes to (and the platform's service client publishes to). */
export const DEVICE_SUBSCRIBED_KINDS: readonly DeviceTopicKind[] = ['commands/req', 'acks'];

/**
 * A device id: 1–64 characters of letters, digits, `-` and `_`, starting with a letter or digit.
 * This keeps MQTT wildcards (`+`, `#`), the level separator `/`, Mosquitto's `%`/`:` specials
 * and `.` (reserved for service accounts such as `svc.platform`) out of topics and usernames.
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isValidDeviceId(deviceId: string): boolean {
  return DEVICE_ID_PATTERN.test(deviceId);
}

/** Throws a clear error for an id that cannot be used in a topic. */
export function assertDeviceId(deviceId: string): void {
  if (!isValidDeviceId(deviceId)) {
    throw new Error(`invalid device id ${JSON.stringify(deviceId)}: expected ${DEVICE_ID_PATTERN.source} (e.g. an IMEI or EID)`);
  }
}

/** The topic of one kind for one device. */
export function deviceTopic(deviceId: string, kind: DeviceTopicKind): string {
  assertDeviceId(deviceId);
  return `${TOPIC_ROOT}/${deviceId}/${kind}`;
}

/** All topics of one device, by purpose. */
export interface DeviceTopics {
  status: string;
  events: string;
  esimNotifications: string;
  commandRequests: string;
  commandResults: string;
  acks: string;
}

export function deviceTopics(deviceId: string): DeviceTopics {
  return {
    status: deviceTopic(deviceId, 'status'),
    events: deviceTopic(deviceId, 'events'),
    esimNotifications: deviceTopic(deviceId, 'esim/notifications'),
    commandRequests: deviceTopic(deviceId, 'commands/req'),
    commandResults: deviceTopic(deviceId, 'commands/res'),
    acks: deviceTopic(deviceId, 'acks'),
  };
}

/** Subscription filters of one kind across all devices (for the platform's service client). */
export function allDevicesFilter(kind: DeviceTopicKind): string {
  return `${TOPIC_ROOT}/+/${kind}`;
}

/** Splits a concrete topic into device id and kind; `undefined` for anything else. */
export function parseDeviceTopic(topic: string): { deviceId: string; kind: DeviceTopicKind } | undefined {
  const prefix = `${TOPIC_ROOT}/`;
  if (!topic.startsWith(prefix)) return undefined;
  const rest = topic.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const deviceId = rest.slice(0, slash);
  const kind = rest.slice(slash + 1) as DeviceTopicKind;
  if (!isValidDeviceId(deviceId) || !DEVICE_TOPIC_KINDS.includes(kind)) return undefined;
  return { deviceId, kind };
}
