import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import mqtt, { MqttClient, type IClientOptions, type IPublishPacket } from 'mqtt';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { Clock } from '../../common/clock.js';
import { urlWithoutCredentials } from '../../common/log.js';

/**
 * The connection discipline both ends of the link share (agent and platform service client):
 * mqtt.js never reconnects on its own (`reconnectPeriod: 0`); this session owns the lifecycle
 * with ONE explicit state and p-retry driven, full-jitter exponential backoff slept on the
 * injected clock. No message is queued in memory while offline: callers keep what must not be
 * lost in a durable outbox and resend on `onConnected`.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';

/** Exponential backoff with full jitter: delay = random() × min(maxMs, initialMs × factor^(n−1)). */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, factor: 2 };

/** The delay before retry `attempt` (1-based); `random` in [0, 1). */
export function fullJitterDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export interface LastWill {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

export interface MqttSessionOptions {
  /** `mqtt://host:port` (or `mqtts://`); only named in logs when `connectStream` is given. */
  url: string;
  /**
   * Opens the byte stream of each connection attempt instead of dialling `url` over TCP — e.g.
   * `RunningBroker.connectInProcess` for a client in the broker's own process (no file
   * descriptor). The broker still checks the login and ACL. Default: TCP/TLS to `url`.
   */
  connectStream?: () => Duplex;
  clientId: string;
  username: string;
  password: string;
  /** false: the broker keeps subscriptions and queued QoS 1 messages across disconnects. */
  clean: boolean;
  clock: Clock;
  logger: Logger;
  backoff?: Partial<BackoffPolicy>;
  random?: () => number;
  /** Computed anew for every connection attempt, so the will carries the latest state. */
  will?: () => LastWill | undefined;
  connectTimeoutMs?: number;
  keepaliveSeconds?: number;
  /**
   * mqtt.js's `writeCache`: a table of 65,536 two-byte buffers (≈ 6.5 MiB of heap) that
   * mqtt-packet builds at its first write to encode packet ids and lengths. `false` encodes each
   * number on demand instead. The switch is process-wide in mqtt-packet (it also applies to a
   * broker in the same process). Default: mqtt.js's (on).
   */
  writeCache?: boolean;
  /** Runs once per connection (subscribe, republish, resend); a throw drops the connection. */
  onConnected: (client: MqttClient, sessionPresent: boolean) => Promise<void>;
  onMessage: (topic: string, payload: Buffer, packet: IPublishPacket) => void;
  /** Called on every state change. */
  onState?: (state: ConnectionState) => void;
}

class ConnectFailed extends Error {
  constructor(message: string, readonly authFailure: boolean) {
    super(message);
    this.name = 'ConnectFailed';
  }
}

/**
 * The dialler of a plain `mqtt://host[:port]` URL, or `undefined` for any other scheme (`mqtts://`,
 * `ws://`, … go through `mqtt.connect`). Dialling plain TCP here instead of through `mqtt.connect`
 * keeps mqtt.js from loading every transport it knows on the first connect (WebSocket, SOCKS,
 * TLS: ≈ 0.4 MB of source and their compiled code) into an agent that uses none of them.
 */
function plainTcp(url: string): (() => Duplex) | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if ((parsed.protocol !== 'mqtt:' && parsed.protocol !== 'tcp:') || parsed.hostname === '') return undefined;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? 1883 : Number(parsed.port);
  return () => createConnection({ host, port });
}

/** One MQTT connection, kept up with backoff until `stop()`. */
export class MqttSession {
  private current: ConnectionState = 'idle';
  private client: MqttClient | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly backoff: BackoffPolicy;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: MqttSessionOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The live client while `connected`, else `undefined`. */
  connectedClient(): MqttClient | undefined {
    return this.current === 'connected' ? this.client : undefined;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  /** Resolves once connected (immediately if already). */
  whenConnected(): Promise<void> {
    if (this.current === 'connected') return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('session stopped'));
    const client = this.client;
    if (client) {
      // A graceful DISCONNECT, but never wait on a broker that stopped answering.
      const graceful = client.endAsync(false).catch(() => undefined);
      const giveUp = this.options.clock.sleep(2_000).then(() => client.end(true));
      await Promise.race([graceful, giveUp]);
    }
    await this.loop;
    this.setState('stopped');
  }

  private setState(state: ConnectionState): void {
    if (this.current === state || this.current === 'stopped') return;
    this.current = state;
    this.options.onState?.(state);
    if (state === 'connected') {
      for (const resolve of this.waiters) resolve();
      this.waiters.clear();
    }
  }

  private delay(attempt: number): number {
    return fullJitterDelay(this.backoff, attempt, this.options.random ?? Math.random);
  }

  private async run(): Promise<void> {
    const { clock, logger } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let client: MqttClient;
      try {
        client = await pRetry(() => this.connectOnce(), {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: 0,
          maxTimeout: 0,
          signal,
          onFailedAttempt: async ({ error, attemptNumber }) => {
            if (signal.aborted) return;
            // A refused login will not fix itself soon: wait the longest delay.
            const wait = (error as ConnectFailed).authFailure ? this.delay(Number.MAX_SAFE_INTEGER) : this.delay(attemptNumber);
            logger.warn({ err: error.message, attempt: attemptNumber, retryInMs: wait }, 'mqtt connect failed');
            this.setState('waiting');
            await clock.sleep(wait, signal);
          },
        });
      } catch (error) {
        if (signal.aborted) break;
        logger.error({ err: (error as Error).message }, 'mqtt connect loop ended unexpectedly');
        break;
      }
      this.client = client;
      const lost = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.on('error', (error) => logger.warn({ err: error.message }, 'mqtt connection error'));
      this.setState('connected');
      logger.info({ url: urlWithoutCredentials(this.options.url), clientId: this.options.clientId }, 'mqtt connected');
      try {
        await this.options.onConnected(client, this.sessionPresent);
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'mqtt on-connect work failed; dropping the connection');
        client.end(true);
      }
      await lost;
      // Flushes pending mqtt.js callbacks so no caller waits on a dead connection.
      client.end(true);
      this.client = undefined;
      if (signal.aborted) break;
      const wait = this.delay(1);
      logger.warn({ retryInMs: wait }, 'mqtt connection lost');
      this.setState('waiting');
      await clock.sleep(wait, signal).catch(() => undefined);
    }
    this.setState('stopped');
  }

  private sessionPresent = false;

  private connectOnce(): Promise<MqttClient> {
    const { url, clientId, username, password, clean } = this.options;
    this.setState('connecting');
    const will = this.options.will?.();
    const config: IClientOptions = {
      clientId,
      username,
      password,
      clean,
      protocolVersion: 4,
      reconnectPeriod: 0,
      resubscribe: false,
      queueQoSZero: false,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      keepalive: this.options.keepaliveSeconds ?? 30,
      ...(this.options.writeCache !== undefined ? { writeCache: this.options.writeCache } : {}),
      ...(will ? { will: { topic: will.topic, payload: Buffer.from(will.payload), qos: will.qos, retain: will.retain } } : {}),
    };
    const open = this.options.connectStream ?? plainTcp(url);
    const client = open ? new MqttClient(() => open(), config) : mqtt.connect(url, config);
    client.on('message', (topic, payload, packet) => this.options.onMessage(topic, payload, packet));
    return new Promise((resolve, reject) => {
      const settle = (error?: ConnectFailed): void => {
        client.removeListener('connect', onConnect);
        client.removeListener('error', onError);
        client.removeListener('close', onClose);
        this.abort.signal.removeEventListener('abort', onAbort);
        if (!error) return resolve(client);
        client.removeAllListeners('message');
        client.end(true);
        reject(error);
      };
      const onConnect = (connack: { sessionPresent: boolean }): void => {
        this.sessionPresent = connack.sessionPresent;
        settle();
      };
      const onError = (error: Error & { code?: number }): void => {
        settle(new ConnectFailed(error.message, error.code === 4 || error.code === 5 || error.code === 134 || error.code === 135));
      };
      const onClose = (): void => settle(new ConnectFailed('connection closed before CONNACK', false));
      const onAbort = (): void => settle(new ConnectFailed('session stopped', false));
      client.once('connect', onConnect);
      client.once('error', onError);
      client.once('close', onClose);
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
