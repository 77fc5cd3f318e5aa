import { randomUUID } from 'node:crypto';
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import {
  SCHEMA_VERSION,
  decodeCommandResult,
  decodeEsimNotification,
  decodeEvent,
  decodeStatus,
  encodeMessage,
  idempotencyKeyOf,
  parsePayload,
  type Ack,
  type Command,
  type CommandRequest,
  type CommandResult,
  type Decoded,
  type DeviceEvent,
  type EsimNotification,
  type OutboxMessageBase,
  type StatusSnapshot,
} from '../contract/messages.js';
import { MqttSession, type BackoffPolicy, type ConnectionState } from '../contract/mqtt-session.js';
import { allDevicesFilter, deviceTopic, parseDeviceTopic, type DeviceTopicKind } from '../contract/topics.js';
import { InMemoryInboxStore, type InboxStore } from './inbox-store.js';

/** What the platform does with each message; outbox messages arrive here exactly once. */
export interface DeviceHubHandlers {
  onEvent?(deviceId: string, event: DeviceEvent): Promise<void> | void;
  onEsimNotification?(deviceId: string, notification: EsimNotification): Promise<void> | void;
  onCommandResult?(deviceId: string, result: CommandResult): Promise<void> | void;
  /** Every valid status snapshot (not deduplicated: the latest simply wins). */
  onStatus?(deviceId: string, status: StatusSnapshot): Promise<void> | void;
}

export interface DeviceHubOptions {
  url: string;
  /** The platform's service account, e.g. `svc.platform`. */
  username: string;
  password: string;
  clock: Clock;
  logger?: Logger;
  inbox?: InboxStore;
  handlers: DeviceHubHandlers;
  backoff?: Partial<BackoffPolicy>;
  /** How long `sendCommand` waits for the result. Default 60 s. */
  commandTimeoutMs?: number;
  /**
   * Several platform processes: their hubs take status, events and eSIM notifications through
   * the shared subscription `$share/<group>/…`, so the broker hands each message to one of them
   * (the inbox still applies a resend once, whichever process it reaches). Command results stay
   * a plain subscription: every process sees them, and the one waiting for it answers its caller.
   */
  shareGroup?: string;
}

/** `sendCommand` gave up waiting; the device may still answer later (see `onCommandResult`). */
export class CommandTimeoutError extends Error {
  constructor(readonly deviceId: string, readonly commandId: string, timeoutMs: number) {
    super(`no result from device ${deviceId} for command ${commandId} within ${timeoutMs} ms`);
    this.name = 'CommandTimeoutError';
  }
}

/** The platform is not connected to the broker; nothing was sent. */
export class HubOfflineError extends Error {
  constructor() {
    super('the platform is not connected to the MQTT broker');
    this.name = 'HubOfflineError';
  }
}

interface PendingCommand {
  resolve(result: CommandResult): void;
  reject(error: Error): void;
  timer: TimerHandle;
}

type OutboxKind = Extract<DeviceTopicKind, 'events' | 'esim/notifications' | 'commands/res'>;

/**
 * The platform's end of the link: one service client subscribed to every device's status,
 * events, eSIM notifications and command results. Each outbox message is validated, applied
 * once per (device id, idempotency key) through the `InboxStore`, and only then acknowledged
 * on the device's `acks` topic. Commands go out on `commands/req` and are matched to results.
 */
export class DeviceHub {
  private readonly session: MqttSession;
  private readonly logger: Logger;
  private readonly inbox: InboxStore;
  private readonly pending = new Map<string, PendingCommand>();
  private readonly deviceQueues = new Map<string, Promise<void>>();
  private readonly statuses = new Map<string, StatusSnapshot>();
  private readonly pendingAcks = new Map<string, string[]>();

  constructor(private readonly options: DeviceHubOptions) {
    this.logger = options.logger ?? silentLogger();
    this.inbox = options.inbox ?? new InMemoryInboxStore();
    this.session = new MqttSession({
      url: options.url,
      clientId: options.username,
      username: options.username,
      password: options.password,
      // The hub resubscribes on every connect and devices resend until acked: no broker state needed.
      clean: true,
      clock: options.clock,
      logger: this.logger,
      backoff: options.backoff,
      onConnected: (client) => this.subscribe(client),
      onMessage: (topic, payload, packet) => this.receive(topic, payload, packet),
    });
  }

  get state(): ConnectionState {
    return this.session.state;
  }

  /** Starts connecting; resolves once the first connection is up and subscribed. */
  async start(): Promise<void> {
    this.session.start();
    await this.session.whenConnected();
  }

  async stop(): Promise<void> {
    for (const [commandId, p] of this.pending) {
      this.options.clock.clearTimeout(p.timer);
      p.reject(new Error(`hub stopped before command ${commandId} was answered`));
    }
    this.pending.clear();
    await this.session.stop();
    await Promise.all(this.deviceQueues.values());
  }

  /** The latest valid status snapshot received from a device. */
  latestStatus(deviceId: string): StatusSnapshot | undefined {
    return this.statuses.get(deviceId);
  }

  /**
   * Sends a command (QoS 1) and resolves with the device's result. The broker keeps it for an
   * offline device (persistent session); `expiresInMs` tells the device when to stop caring.
   */
  async sendCommand(deviceId: string, command: Command, options: { timeoutMs?: number; expiresInMs?: number } = {}): Promise<CommandResult> {
    const client = this.session.connectedClient();
    if (!client) throw new HubOfflineError();
    const { clock } = this.options;
    const commandId = randomUUID();
    const request: CommandRequest = {
      v: SCHEMA_VERSION,
      commandId,
      issuedAt: clock.now(),
      ...(options.expiresInMs !== undefined ? { expiresAt: clock.now() + options.expiresInMs } : {}),
      command,
    };
    const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs ?? 60_000;
    // The outcome is a settled value, never a bare rejected promise: the timeout (or `stop()`)
    // may fire while the publish below is still awaited, before anyone listens to `result`,
    // and a rejection nobody handles yet is an unhandled rejection (a crash under
    // --unhandled-rejections=strict, a PromiseRejectionHandledWarning otherwise).
    const outcome = new Promise<{ ok: true; result: CommandResult } | { ok: false; error: Error }>((resolve) => {
      const timer = clock.setTimeout(() => {
        this.pending.delete(commandId);
        resolve({ ok: false, error: new CommandTimeoutError(deviceId, commandId, timeoutMs) });
      }, timeoutMs);
      this.pending.set(commandId, { resolve: (result) => resolve({ ok: true, result }), reject: (error) => resolve({ ok: false, error }), timer });
    });
    try {
      await client.publishAsync(deviceTopic(deviceId, 'commands/req'), encodeMessage(request), { qos: 1 });
    } catch (error) {
      const p = this.pending.get(commandId);
      if (p) clock.clearTimeout(p.timer);
      this.pending.delete(commandId);
      throw error;
    }
    this.logger.info({ deviceId, commandId, command: command.name }, 'command sent');
    const settled = await outcome;
    if (!settled.ok) throw settled.error;
    return settled.result;
  }

  private async subscribe(client: MqttClient): Promise<void> {
    const share = this.options.shareGroup;
    const shared = (filter: string): string => (share ? `$share/${share}/${filter}` : filter);
    const filters = [...(['status', 'events', 'esim/notifications'] as const).map((k) => shared(allDevicesFilter(k))), allDevicesFilter('commands/res')];
    const granted = await client.subscribeAsync(filters, { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length > 0) throw new Error(`broker refused subscriptions: ${refused.map((g) => g.topic).join(', ')}`);
  }

  private receive(topic: string, payload: Buffer, _packet: IPublishPacket): void {
    const parsed = parseDeviceTopic(topic);
    if (!parsed) {
      this.logger.warn({ topic }, 'message on an unknown topic dropped');
      return;
    }
    const { deviceId, kind } = parsed;
    if (kind === 'status') {
      if (payload.length === 0) return; // a cleared retained message
      const status = decodeStatus(payload);
      if (!status.ok || status.value.deviceId !== deviceId) {
        this.logger.warn({ deviceId, topic, error: status.ok ? 'deviceId does not match topic' : status.error }, 'invalid status dropped');
        return;
      }
      this.statuses.set(deviceId, status.value);
      this.enqueue(deviceId, async () => {
        await this.options.handlers.onStatus?.(deviceId, status.value);
      });
      return;
    }
    if (kind === 'events' || kind === 'esim/notifications' || kind === 'commands/res') {
      this.receiveOutboxMessage(deviceId, kind, topic, payload);
    }
  }

  private receiveOutboxMessage(deviceId: string, kind: OutboxKind, topic: string, payload: Buffer): void {
    const raw = parsePayload(payload);
    if (!raw.ok) {
      this.logger.warn({ deviceId, topic, error: raw.error }, 'garbage payload dropped');
      return;
    }
    const decoded: Decoded<OutboxMessageBase> =
      kind === 'events' ? decodeEvent(raw.value) : kind === 'esim/notifications' ? decodeEsimNotification(raw.value) : decodeCommandResult(raw.value);
    if (!decoded.ok || decoded.value.deviceId !== deviceId) {
      const error = decoded.ok ? `deviceId ${decoded.value.deviceId} does not match the topic` : decoded.error;
      const key = idempotencyKeyOf(raw.value);
      this.logger.warn({ deviceId, topic, key, error }, 'invalid message rejected');
      // A message with a readable key is rejected for good, so the device stops resending it.
      if (key) this.enqueue(deviceId, () => this.ack(deviceId, { v: SCHEMA_VERSION, keys: [], rejected: [{ key, reason: error }], ackedAt: this.options.clock.now() }));
      return;
    }
    const message = decoded.value;
    this.enqueue(deviceId, async () => {
      let outcome: 'applied' | 'duplicate';
      try {
        outcome = await this.inbox.applyOnce(deviceId, message.key, () => this.apply(deviceId, kind, message));
      } catch (error) {
        this.logger.error({ deviceId, key: message.key, err: (error as Error).message }, 'handler failed; not acknowledged, the device will resend');
        return;
      }
      if (outcome === 'duplicate') this.logger.info({ deviceId, key: message.key }, 'duplicate message acknowledged again, not reapplied');
      if (kind === 'commands/res') this.settleCommand(message as CommandResult);
      this.queueAck(deviceId, message.key);
    });
  }

  private async apply(deviceId: string, kind: OutboxKind, message: OutboxMessageBase): Promise<void> {
    const { handlers } = this.options;
    if (kind === 'events') await handlers.onEvent?.(deviceId, message as DeviceEvent);
    else if (kind === 'esim/notifications') await handlers.onEsimNotification?.(deviceId, message as EsimNotification);
    else await handlers.onCommandResult?.(deviceId, message as CommandResult);
  }

  private settleCommand(result: CommandResult): void {
    const p = this.pending.get(result.commandId);
    if (!p) return;
    this.pending.delete(result.commandId);
    this.options.clock.clearTimeout(p.timer);
    p.resolve(result);
  }

  /** Acks of one burst go out together: one publish, one outbox transaction on the device. */
  private queueAck(deviceId: string, key: string): void {
    const keys = this.pendingAcks.get(deviceId);
    if (keys) {
      keys.push(key);
      return;
    }
    this.pendingAcks.set(deviceId, [key]);
    setImmediate(() => {
      const batch = this.pendingAcks.get(deviceId) ?? [];
      this.pendingAcks.delete(deviceId);
      for (let i = 0; i < batch.length; i += 500) {
        void this.ack(deviceId, { v: SCHEMA_VERSION, keys: batch.slice(i, i + 500), ackedAt: this.options.clock.now() });
      }
    });
  }

  private async ack(deviceId: string, ack: Ack): Promise<void> {
    const client = this.session.connectedClient();
    // Without a connection the ack is lost; the device resends and gets it then.
    if (!client) return;
    try {
      await client.publishAsync(deviceTopic(deviceId, 'acks'), encodeMessage(ack), { qos: 1 });
    } catch (error) {
      this.logger.warn({ deviceId, err: (error as Error).message }, 'ack not sent; the device will resend');
    }
  }

  /** Messages of one device are handled in arrival order, one at a time. */
  private enqueue(deviceId: string, work: () => Promise<void>): void {
    const previous = this.deviceQueues.get(deviceId) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => {
      this.logger.error({ deviceId, err: (error as Error).message }, 'device message handling failed');
    });
    this.deviceQueues.set(deviceId, next);
    void next.then(() => {
      if (this.deviceQueues.get(deviceId) === next) this.deviceQueues.delete(deviceId);
    });
  }
}
