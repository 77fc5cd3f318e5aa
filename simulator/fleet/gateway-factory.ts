/**
 * The seam between the fleet engine (simulator/fleet, which owns modems, the timeline and the
 * report) and whatever runs on each gateway next to its modem — the real cellgate agent in
 * `cli/fleet-gateways.ts`. The simulator never imports the agent; the composition hands a
 * factory in.
 */
// The package's export map has no types for ESM; its CommonJS typings are the same API.
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { Clock } from '../../common/clock.js';
import type { FleetDialect, InitialStatus, LatencyProfile } from './scenario.js';

/** One gateway of the fleet, as the scenario drew it. */
export interface GatewaySpec {
  /** Position in the whole fleet (0-based; stable across shards). */
  index: number;
  dialect: FleetDialect;
  latency: LatencyProfile;
  plan: string;
  initialStatus: InitialStatus;
  region: string;
  imsi: string;
  iccid: string;
}

/** A state change of a host, as the engine needs it. */
export interface HostStateChange {
  online: boolean;
  /** Clock time of the change. */
  at: number;
  /** Connection attempts so far (monotonic). */
  attempts: number;
}

/**
 * An outbox entry of the host: `accepted` (durably, the host's promise to deliver it), then
 * `acknowledged` (the platform acked its key: stored) or `rejected` (refused by the platform).
 * The agent's `DeliveryChange`, restated here because the simulator never imports the agent.
 */
export type HostDelivery =
  | { change: 'accepted'; key: string; kind: 'event' | 'esim-notification' | 'command-result' }
  | { change: 'acknowledged' | 'rejected'; key: string };

/** What runs on one gateway (the agent). */
export interface GatewayHost {
  /** Starts attaching (cold start). */
  start(): void;
  /** Shuts down politely; resolves once the port is closed. */
  stop(): Promise<void>;
  online(): boolean;
  /** Counters (the agent's `metrics()`). */
  metrics(): Readonly<Record<string, number>>;
  onStateChange(listener: (change: HostStateChange) => void): () => void;
  /** eSIM notifications handed to the platform and acknowledged / still pending, when the host has an LPA link. */
  notifications?(): { delivered: number; pending: number };
  /**
   * Reports each outbox entry accepted and each one that leaves the outbox. With it the report
   * counts lost device events (accepted, never stored by the platform) and draws deliveries
   * over time; without it `lostEvents` is skipped.
   */
  onDelivery?(listener: (change: HostDelivery) => void): () => void;
  /** Errors the host caught that a real gateway would have died of. */
  crashes?(): string[];
  /**
   * True while the host waits on the platform over real sockets (its MQTT link connecting). The
   * virtual-time driver does not move time while any host is busy, so a connect is never
   * overtaken by its own timeouts.
   */
  busy?(): boolean;
  /**
   * Reports each change of `busy()` (true when it becomes busy, false when it stops; the current
   * value is reported at once when it is true). When present the engine counts busy hosts from
   * these reports instead of asking every host on every event-loop turn, which is O(fleet) per
   * turn and dominated 10 000-gateway runs.
   */
  onBusyChange?(listener: (busy: boolean) => void): () => void;
}

/** The gateway's MQTT link to the platform (`agent.link: true`). */
export interface HostLink {
  /** Device id = MQTT username and client id (registered with the platform). */
  deviceId: string;
  /** `mqtt://host:port` of the platform's broker. */
  url: string;
  /** The device secret the platform issued. */
  password: string;
}

export interface HostInput {
  spec: GatewaySpec;
  /** Device path of the modem (`sim://<imei>`), opened through `binding`. */
  port: string;
  binding: BindingInterface;
  /** The shared clock (metered view). */
  clock: Clock;
  /** Agent settings by dotted key from the scenario (`liveness.intervalMs`...). */
  settings: Readonly<Record<string, number>>;
  /** Absent: the host runs without a platform link. */
  link?: HostLink;
  /** The modem holds an eUICC: run the LPA (platform eSIM commands, notification delivery). */
  esim: boolean;
}

/** Creates the host of each gateway; the fleet engine calls it once per gateway. */
export interface GatewayFactory {
  createHost(input: HostInput): GatewayHost | Promise<GatewayHost>;
  /** Releases what the factory shares between hosts (a broker connection pool...). */
  close?(): Promise<void>;
}
