import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import {
  SCHEMA_VERSION,
  decodeAck,
  decodeCommandRequest,
  encodeMessage,
  parsePayload,
  type Command,
  type CommandName,
  type CommandResult,
  type CommandResultStatus,
  type DeviceEvent,
  type EsimNotification,
  type StatusSnapshot,
} from '../../platform/contract/messages.js';
import { MqttSession, type BackoffPolicy, type ConnectionState } from '../../platform/contract/mqtt-session.js';
import { assertDeviceId, deviceTopics, type DeviceTopics } from '../../platform/contract/topics.js';
import { Outbox, type OutboxKind, type OutboxPriority } from './outbox.js';
import { sameJson } from './same-json.js';

/** Least time between two retained status publishes whose session state is the same (see `updateStatus`). */
export const STATUS_MIN_INTERVAL_MS = 1_000;

/** The parts of the status snapshot the agent fills in; the link adds the rest. */
export type StatusFields = Omit<StatusSnapshot, 'v' | 'deviceId' | 'online' | 'agentVersion' | 'time'>;

/** What a command handler returns; a throw becomes status `error` with the error's `code`. */
export type CommandOutcome = { status?: Extract<CommandResultStatus, 'ok' | 'error'>; result?: Record<string, unknown> } | void;

export type CommandHandler<N extends CommandName = CommandName> = (command: Extract<Command, { name: N }>, meta: { commandId: string }) => Promise<CommandOutcome> | CommandOutcome;

/**
 * What became of one outbox entry: `accepted` (on disk, the agent's promise to deliver it),
 * `acknowledged` (the platform's ack named its key: stored) or `rejected` (the platform refused
 * it; it leaves the outbox undelivered). The fleet report counts lost events from these.
 */
export type DeliveryChange =
  | { change: 'accepted'; key: string; kind: OutboxKind }
  | { change: 'acknowledged' | 'rejected'; key: string };

export interface AgentLinkOptions {
  /** Stable device id (IMEI or EID), also the MQTT username and client id. */
  deviceId: string;
  /** `mqtt://host:port` of the platform's broker. */
  url: string;
  /** The device secret issued by the platform. */
  password: string;
  /**
   * Opens each connection's byte stream instead of dialling `url` over TCP (the in-process
   * fleet: `RunningBroker.connectInProcess`). Default: TCP to `url`.
   */
  connectStream?: () => Duplex;
  agentVersion: string;
  outbox: Outbox;
  clock: Clock;
  logger?: Logger;
  backoff?: Partial<BackoffPolicy>;
  random?: () => number;
  /** Resend an unacknowledged entry after this long. Default 30 s. */
  ackTimeoutMs?: number;
  /** At most this many unacknowledged entries on the wire. Default 50. */
  maxInFlight?: number;
  keepaliveSeconds?: number;
}

/**
 * The agent's link to the platform over MQTT (SPEC §2, Platform link): a persistent session
 * (`clean: false`, client id = device id), a retained status snapshot published on every change
 * and on each connect, and a durable outbox drained at QoS 1 whose entries leave only when the
 * platform acknowledges their idempotency keys on `…/acks`. Commands from `…/commands/req` run
 * one at a time through registered handlers; each result goes back through the outbox.
 */
export class AgentLink {
  readonly topics: DeviceTopics;
  private readonly session: MqttSession;
  private readonly logger: Logger;
  private readonly handlers = new Map<CommandName, CommandHandler>();
  private readonly inFlight = new Map<string, number>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly deliveryListeners = new Set<(change: DeliveryChange) => void>();
  private status: StatusFields = { registration: { state: 'unknown' } };
  private statusTime: number;
  /** When the snapshot last went on the wire, and the timer of a change waiting for its turn. */
  private lastStatusPublish = Number.NEGATIVE_INFINITY;
  private statusTimer: TimerHandle | undefined;
  private resendTimer: TimerHandle | undefined;
  private commandQueue: Promise<void> = Promise.resolve();
  private readonly offCommitted: () => void;

  constructor(private readonly options: AgentLinkOptions) {
    assertDeviceId(options.deviceId);
    this.topics = deviceTopics(options.deviceId);
    this.logger = options.logger ?? silentLogger();
    this.statusTime = options.clock.now();
    // Entries go on the wire only once committed (the outbox's group commit).
    this.offCommitted = options.outbox.onCommitted(() => this.kick());
    this.session = new MqttSession({
      url: options.url,
      ...(options.connectStream ? { connectStream: options.connectStream } : {}),
      clientId: options.deviceId,
      username: options.deviceId,
      password: options.password,
      clean: false,
      clock: options.clock,
      logger: this.logger,
      backoff: options.backoff,
      random: options.random,
      keepaliveSeconds: options.keepaliveSeconds,
      // A gateway sends a few packets a minute: encoding their numbers on demand costs nothing,
      // the table would cost ≈ 6.5 MiB of a Pi's memory (docs/benchmarks.md, P3).
      writeCache: false,
      will: () => ({ topic: this.topics.status, payload: encodeMessage(this.snapshot(false)), qos: 1, retain: true }),
      onConnected: (client) => this.onConnected(client),
      onMessage: (topic, payload) => this.onMessage(topic, payload),
      onState: (state) => {
        if (state !== 'connected') this.inFlight.clear();
        for (const listener of this.stateListeners) listener(state);
      },
    });
  }

  /**
   * Resolves once everything emitted so far is durable (the outbox's group commit at the end of
   * the event-loop turn): only then is an event *accepted*, and only then is it sent.
   */
  accepted(): Promise<void> {
    return this.options.outbox.committed();
  }

  /** Runs `fn` once what was queued in the outbox so far is committed (never if the commit failed). */
  private afterCommit(fn: () => void): void {
    this.options.outbox.committed().then(fn, () => undefined);
  }

  /** `idle` → `connecting` → `connected` ⇄ `waiting` (backoff) → `stopped`. */
  get state(): ConnectionState {
    return this.session.state;
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Reports each entry the outbox accepts and each one that leaves it (see `DeliveryChange`). */
  onDelivery(listener: (change: DeliveryChange) => void): () => void {
    this.deliveryListeners.add(listener);
    return () => this.deliveryListeners.delete(listener);
  }

  start(): void {
    this.session.start();
  }

  whenConnected(): Promise<void> {
    return this.session.whenConnected();
  }

  /** Disconnects cleanly (the retained status says `online: false`); the outbox stays open. */
  async stop(): Promise<void> {
    const client = this.session.connectedClient();
    if (client) await client.publishAsync(this.topics.status, encodeMessage(this.snapshot(false)), { qos: 1, retain: true }).catch(() => undefined);
    if (this.resendTimer) this.options.clock.clearTimeout(this.resendTimer);
    if (this.statusTimer) this.options.clock.clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    await this.session.stop();
    await this.commandQueue;
    this.offCommitted();
  }

  /** Registers the handler of one command; unregistered commands are answered `unsupported`. */
  handleCommand<N extends CommandName>(name: N, handler: CommandHandler<N>): void {
    this.handlers.set(name, handler as unknown as CommandHandler);
  }

  /**
   * Merges fields into the status snapshot; republishes it (retained) if anything changed.
   *
   * [choice] A change of the session's state (`up` / `connecting` / `down`) is published at once;
   * other changes (modem, SIM, registration, signal, address) at most once a second: an attach
   * changes them five or six times within a second or two, and each retained publish costs the
   * metered link a packet and the platform a write while only the last one is looked at. A
   * change within a second of the last publish waits for the next whole second after a second
   * (a timer that the next session-state change or reconnect takes over), so the platform's
   * snapshot is never more than 2 s behind and the attach ends with one publish of `up` that
   * carries everything (docs/agent.md, Platform link).
   */
  updateStatus(fields: Partial<StatusFields>): void {
    const next = { ...this.status, ...fields };
    if (sameJson(next, this.status)) return;
    const sessionChanged = next.session?.state !== this.status.session?.state;
    this.status = next;
    this.statusTime = this.options.clock.now();
    if (sessionChanged || this.statusTime - this.lastStatusPublish >= STATUS_MIN_INTERVAL_MS) this.publishStatus();
    else this.statusTimer ??= this.options.clock.setTimeout(() => {
      this.statusTimer = undefined;
      this.publishStatus();
    }, STATUS_MIN_INTERVAL_MS);
  }

  /** The snapshot as the platform sees it while connected. */
  currentStatus(): StatusSnapshot {
    return this.snapshot(this.state === 'connected');
  }

  /**
   * Records an event in the outbox and sends it, once committed, when connected. Returns its
   * idempotency key; `accepted()` resolves when it is on disk (group commit, same turn).
   * @throws OutboxFullError when the outbox size policy refuses it.
   */
  emitEvent(type: string, data: Record<string, unknown>, options: { priority?: Exclude<OutboxPriority, 'critical'>; key?: string } = {}): string {
    const event: DeviceEvent = { ...this.base(options.key ?? `evt:${randomUUID()}`), type, data };
    const { duplicate } = this.options.outbox.append({ key: event.key, kind: 'event', priority: options.priority ?? 'normal', payload: encodeMessage(event) });
    if (!duplicate) this.afterCommit(() => this.reportDelivery({ change: 'accepted', key: event.key, kind: 'event' }));
    return event.key;
  }

  /**
   * Records an eUICC notification durably (key `esim:{eid}:{seqNumber}`, so re-reading it after
   * a reboot is harmless). Remove it from the eUICC only after `whenAcknowledged(key)`.
   */
  sendEsimNotification(notification: Omit<EsimNotification, 'v' | 'key' | 'deviceId' | 'createdAt'>): string {
    const message: EsimNotification = { ...this.base(`esim:${notification.eid}:${notification.seqNumber}`), ...notification };
    const { duplicate } = this.options.outbox.append({ key: message.key, kind: 'esim-notification', priority: 'critical', payload: encodeMessage(message) });
    if (!duplicate) this.afterCommit(() => this.reportDelivery({ change: 'accepted', key: message.key, kind: 'esim-notification' }));
    return message.key;
  }

  /** Resolves when the platform has acknowledged `key` (at once if it is not pending). */
  whenAcknowledged(key: string): Promise<void> {
    return new Promise((resolve) => {
      const off = this.options.outbox.onRemoved((removed) => {
        if (removed !== key) return;
        off();
        resolve();
      });
      if (!this.options.outbox.has(key)) {
        off();
        resolve();
      }
    });
  }

  private reportDelivery(change: DeliveryChange): void {
    for (const listener of this.deliveryListeners) listener(change);
  }

  private base(key: string): { v: 1; key: string; deviceId: string; createdAt: number } {
    return { v: SCHEMA_VERSION, key, deviceId: this.options.deviceId, createdAt: this.options.clock.now() };
  }

  private snapshot(online: boolean): StatusSnapshot {
    return { v: SCHEMA_VERSION, deviceId: this.options.deviceId, online, agentVersion: this.options.agentVersion, time: this.statusTime, ...this.status };
  }

  private publishStatus(): void {
    if (this.statusTimer) {
      this.options.clock.clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
    }
    const client = this.session.connectedClient();
    if (!client) return; // republished on connect
    this.lastStatusPublish = this.options.clock.now();
    client.publish(this.topics.status, encodeMessage(this.snapshot(true)), { qos: 1, retain: true }, (error) => {
      if (error) this.logger.warn({ err: error.message }, 'status publish failed; republished on reconnect');
    });
  }

  private async onConnected(client: MqttClient): Promise<void> {
    // Always subscribe: the broker may have lost the persistent session (restart without persistence).
    const granted = await client.subscribeAsync([this.topics.commandRequests, this.topics.acks], { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length > 0) throw new Error(`broker refused subscriptions: ${refused.map((g) => g.topic).join(', ')}`);
    this.publishStatus();
    this.kick();
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.topics.acks) return this.onAck(payload);
    if (topic === this.topics.commandRequests) return this.onCommandRequest(payload);
    this.logger.warn({ topic }, 'message on an unexpected topic dropped');
  }

  private onAck(payload: Buffer): void {
    const ack = decodeAck(payload);
    if (!ack.ok) {
      this.logger.warn({ error: ack.error }, 'invalid ack dropped');
      return;
    }
    for (const r of ack.value.rejected ?? []) this.logger.error({ key: r.key, reason: r.reason }, 'platform rejected an outbox entry; dropped');
    const rejected = new Set((ack.value.rejected ?? []).map((r) => r.key));
    const keys = [...ack.value.keys, ...rejected];
    for (const key of keys) this.inFlight.delete(key);
    const removed = this.options.outbox.remove(keys);
    if (this.deliveryListeners.size > 0) for (const key of removed) this.reportDelivery({ change: rejected.has(key) ? 'rejected' : 'acknowledged', key });
    // Room in the window: send what waits (removal of the acknowledged keys commits this turn).
    this.kick();
  }

  private onCommandRequest(payload: Buffer): void {
    const request = decodeCommandRequest(payload);
    if (!request.ok) {
      const raw = parsePayload(payload);
      const commandId = raw.ok && typeof raw.value === 'object' && raw.value !== null ? (raw.value as { commandId?: unknown }).commandId : undefined;
      this.logger.warn({ error: request.error, commandId }, 'invalid command request');
      if (typeof commandId === 'string' && /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/.test(commandId)) {
        this.enqueueCommand(commandId, async () => ({ command: 'unknown', status: 'invalid', error: { code: 'INVALID_COMMAND', message: request.error } }));
      }
      return;
    }
    const { commandId, command, expiresAt } = request.value;
    this.enqueueCommand(commandId, async () => {
      if (expiresAt !== undefined && this.options.clock.now() > expiresAt) {
        return { command: command.name, status: 'expired', error: { code: 'EXPIRED', message: `command expired at ${new Date(expiresAt).toISOString()}` } };
      }
      const handler = this.handlers.get(command.name);
      if (!handler) return { command: command.name, status: 'unsupported', error: { code: 'UNSUPPORTED', message: `no handler for ${command.name}` } };
      try {
        const outcome = (await handler(command, { commandId })) ?? {};
        return { command: command.name, status: outcome.status ?? 'ok', ...(outcome.result ? { result: outcome.result } : {}) };
      } catch (error) {
        const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'COMMAND_FAILED';
        return { command: command.name, status: 'error', error: { code, message: (error as Error).message } };
      }
    });
  }

  /** Commands run one at a time; one already answered (redelivered by the broker) runs no more. */
  private enqueueCommand(commandId: string, run: () => Promise<Pick<CommandResult, 'command' | 'status' | 'result' | 'error'>>): void {
    this.commandQueue = this.commandQueue.then(async () => {
      if (this.options.outbox.hasExecutedCommand(commandId)) {
        this.logger.info({ commandId }, 'command already answered; redelivery ignored');
        return;
      }
      const outcome = await run();
      const result: CommandResult = { ...this.base(`res:${commandId}`), commandId, ...outcome };
      const { duplicate } = this.options.outbox.appendCommandResult(commandId, { key: result.key, payload: encodeMessage(result) });
      await this.options.outbox.committed();
      if (!duplicate) this.reportDelivery({ change: 'accepted', key: result.key, kind: 'command-result' });
      this.logger.info({ commandId, command: result.command, status: result.status }, 'command answered');
    }).catch((error: unknown) => {
      this.logger.error({ commandId, err: (error as Error).message }, 'command result could not be recorded');
    });
  }

  /** Sends pending outbox entries (oldest first, at most `maxInFlight` unacknowledged). */
  private kick(): void {
    const client = this.session.connectedClient();
    // An empty outbox (the usual case on connect and after an ack) needs no read of the store.
    if (!client || this.options.outbox.size() === 0) return;
    const { clock } = this.options;
    const ackTimeout = this.options.ackTimeoutMs ?? 30_000;
    for (const entry of this.options.outbox.pending(this.options.maxInFlight ?? 50)) {
      const sentAt = this.inFlight.get(entry.key);
      if (sentAt !== undefined && clock.now() - sentAt < ackTimeout) continue;
      this.inFlight.set(entry.key, clock.now());
      const topic = entry.kind === 'event' ? this.topics.events : entry.kind === 'esim-notification' ? this.topics.esimNotifications : this.topics.commandResults;
      client.publish(topic, entry.payload, { qos: 1 }, (error) => {
        if (error) this.logger.warn({ key: entry.key, err: error.message }, 'outbox publish failed; will resend');
      });
    }
    this.armResendTimer(ackTimeout);
  }

  private armResendTimer(ackTimeout: number): void {
    if (this.resendTimer || this.inFlight.size === 0) return;
    this.resendTimer = this.options.clock.setTimeout(() => {
      this.resendTimer = undefined;
      this.kick();
    }, ackTimeout);
  }
}
