import { MAX_PAYLOAD_BYTES } from '../contract/messages.js';

/**
 * Limits every broker the platform runs or configures enforces on device connections
 * (docs/mqtt-contract.md "Limits"). The embedded broker applies them itself; the generated
 * Mosquitto configuration carries the ones Mosquitto has options for.
 */
export interface BrokerLimits {
  /**
   * Largest MQTT packet accepted, headers included (Mosquitto's `max_packet_size` counts the
   * same way); a larger one closes the connection before its body is read.
   */
  maxPacketBytes: number;
  /** A connection that has not sent CONNECT after this long is closed. */
  connectTimeoutMs: number;
  /** Connections open at once; 0 = no limit. */
  maxConnections: number;
}

/**
 * [choice] The contract's largest message (256 KiB of payload) plus 1 KiB for the topic and the
 * packet headers, so every message the contract allows fits and nothing much larger does; 10 s
 * to send CONNECT (a Cat-M1 round trip is well under 2 s); no cap on connections by default (a
 * platform serves fleets of 10 000 and more: set one that fits the machine's file limit).
 */
export const DEFAULT_BROKER_LIMITS: BrokerLimits = {
  maxPacketBytes: MAX_PAYLOAD_BYTES + 1024,
  connectTimeoutMs: 10_000,
  maxConnections: 0,
};
