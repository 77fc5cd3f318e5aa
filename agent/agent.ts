/**
 * The agent's composition: the AT channel (serial device, `tcp://` serial server, or an injected
 * serialport binding) under the session machine; the MQTT link to the platform with its durable
 * outbox (optional); the health / metrics endpoint (optional); and the extensions (the LPA) that
 * hook into all of them. Shutdown runs in the reverse order: deactivate, flush, close the link,
 * close the port.
 */
// The package's export map has no types for ESM; its CommonJS typings are the same API.
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { RealClock, type Clock } from '../common/clock.js';
import { childLogger, silentLogger, urlWithoutCredentials, type Logger } from '../common/log.js';
import { packageVersion } from '../common/version.js';
import type { BackoffPolicy } from '../platform/contract/mqtt-session.js';
import { readAppliedSettings, settingsPath, withAppliedSettings, writeAppliedSettings } from './applied-settings.js';
import { createChannel, diagnosePort, openChannel, transportFor } from './at/index.js';
import { fileRecordingSink, RecordingTransport, SessionRecorder } from './at/recording.js';
import type { AtChannel } from './at/types.js';
import type { AgentConfig } from './config.js';
import { assessHealth, type HealthReport, type LinkState } from './health/health-report.js';
import { startHealthServer, type RunningHealthServer } from './health/health-server.js';
import type { createAgentMetrics } from './health/metrics.js';
import type { AgentExtension } from './extension.js';
import { lpaExtension } from './lpa/lpa-extension.js';
import { smsExtension } from './sms/sms-extension.js';
import { bridgeSessionToLink } from './link-bridge.js';
import { AgentLink } from './link/agent-link.js';
import { Outbox, type OutboxJournal } from './link/outbox.js';
import type { OutboxStore } from './link/outbox-store.js';
import { fetchMetadata } from './metadata-client.js';
import { SessionDriver, type SessionStatus, type SessionStopOutcome, type StateChange } from './session/session-driver.js';

export type { AgentExtension, AgentExtensionContext } from './extension.js';

export interface AgentOptions {
  config: AgentConfig;
  clock?: Clock;
  logger?: Logger;
  /** A serialport binding (the simulator's in-process binding, or the mock in unit tests). */
  binding?: BindingInterface;
  /** Random source of the backoff jitter. */
  random?: () => number;
  /** Replaces how the channel is opened (tests). */
  openChannel?: () => Promise<AtChannel>;
  /** Extensions started with the link (see `AgentExtension`). */
  extensions?: readonly AgentExtension[];
  /** Tuning of the MQTT link (tests use short delays). */
  link?: {
    backoff?: Partial<BackoffPolicy>;
    ackTimeoutMs?: number;
    keepaliveSeconds?: number;
    /**
     * Opens the MQTT byte stream instead of TCP to the configured URL: an in-process fleet passes
     * its broker's `connectInProcess` (no file descriptor). Default TCP.
     */
    connectStream?: () => Duplex;
    /** The outbox's commit discipline; default `wal`. */
    outboxJournal?: OutboxJournal;
    /**
     * Keep the outbox in this shared store (owner = device id) instead of a file of its own: an
     * in-process fleet gives every agent the same one (one connection, one group commit per turn).
     */
    outboxStore?: OutboxStore;
  };
  /** How long a platform command waits for the session to settle before answering. Default 60 s. */
  commandSettleMs?: number;
  /** At shutdown, how long to wait for the outbox to drain while connected. Default 2 s. */
  flushTimeoutMs?: number;
}

/** What `Agent.stop()` did. */
export interface AgentStopOutcome {
  /** True when the data session was closed politely (or there was none) and every part stopped without an error. */
  clean: boolean;
  dataSession: SessionStopOutcome['dataSession'];
  /** Messages kept in the outbox for the next start (not a failure: nothing is lost). */
  outboxPending: number;
  /** What was not clean, one phrase each. */
  problems: string[];
}

export interface Agent {
  /** Starts attaching (and the link and health endpoint); the session then stays up until `stop()`. */
  start(): void;
  /** Resolves once `start()`'s asynchronous parts (the health endpoint) are up; rejects if one failed. */
  ready(): Promise<void>;
  /**
   * Deactivates the data session, flushes the outbox, closes the link, the port and the endpoint.
   * Resolves with what happened, so nobody reports a clean stop that was not one.
   */
  stop(): Promise<AgentStopOutcome>;
  status(): SessionStatus;
  metrics(): Readonly<Record<string, number>>;
  /** The `/healthz` judgement. */
  health(): HealthReport;
  /** The `/metrics` text (Prometheus exposition format). */
  metricsText(): Promise<string>;
  onStateChange(listener: (change: StateChange) => void): () => void;
  /**
   * The platform's metadata for this SIM (`GET /v1/subscriber` from the session's IP).
   * @throws when offline, when no `metadataUrl` is configured, or when the service refuses.
   */
  metadata(): Promise<unknown>;
  /** Resolves with the link once it exists (the device id may only be known after identification). */
  whenLinked(): Promise<AgentLink>;
  readonly link: AgentLink | undefined;
  readonly deviceId: string | undefined;
  /** `http://127.0.0.1:port` of the health endpoint once listening. */
  readonly healthUrl: string | undefined;
  readonly driver: SessionDriver;
  readonly atChannel: AtChannel | undefined;
}

/** Waits (at most `timeoutMs`) for the platform to acknowledge what is pending, while connected. */
async function flushOutbox(link: AgentLink, box: Outbox, clock: Clock, timeoutMs: number): Promise<void> {
  if (timeoutMs <= 0 || link.state !== 'connected' || box.size() === 0) return;
  const giveUp = new AbortController();
  const drained = new Promise<void>((resolve) => {
    const off = box.onRemoved(() => {
      if (box.size() > 0) return;
      off();
      resolve();
    });
    giveUp.signal.addEventListener('abort', () => {
      off();
      resolve();
    });
  });
  await Promise.race([drained, clock.sleep(timeoutMs, giveUp.signal).catch(() => undefined)]);
  giveUp.abort();
}

export function createAgent(options: AgentOptions): Agent {
  const clock = options.clock ?? new RealClock();
  const logger = options.logger ?? silentLogger();
  const { config } = options;
  const atLogger = childLogger(logger, { component: 'at' });
  // `--record FILE`: one recorder for the whole run; each (re)opened port is wrapped by it.
  const recorder = config.record ? new SessionRecorder(fileRecordingSink(config.record), clock, { port: config.port, tool: 'cellgate agent' }) : undefined;
  const open =
    options.openChannel ??
    (recorder
      ? async () => {
          const transport = new RecordingTransport(transportFor(config.port, { baudRate: config.baudRate, binding: options.binding }), recorder);
          await transport.open();
          return createChannel(transport, { clock, logger: atLogger });
        }
      : () => openChannel({ port: config.port, baudRate: config.baudRate, binding: options.binding, clock, logger: atLogger }));
  const settingsFile = settingsPath(config.dataDir);
  const applied = config.mqtt ? readAppliedSettings(settingsFile, (message) => logger.warn(message)) : {};
  const driver = new SessionDriver({
    openChannel: open,
    config: withAppliedSettings(config.session, applied),
    clock,
    logger: childLogger(logger, { component: 'session', port: config.port }),
    ...(options.random ? { random: options.random } : {}),
    // A device path on this machine can be diagnosed (missing, permission, held by ModemManager…);
    // a tcp:// serial server or an injected binding cannot.
    ...(!options.openChannel && !options.binding && !/^[a-z][a-z0-9+.-]*:\/\//i.test(config.port)
      ? {
          diagnosePort: async (error: unknown) => {
            const diagnosis = await diagnosePort(config.port, error);
            return diagnosis.kind === 'ok' ? undefined : { kind: diagnosis.kind, message: diagnosis.message, hint: diagnosis.hint };
          },
        }
      : {}),
  });

  const shutdown = new AbortController();
  let stopping = false;
  let deviceId = config.deviceId;
  let link: AgentLink | undefined;
  let outbox: Outbox | undefined;
  const linkWaiters: Array<(link: AgentLink) => void> = [];
  const stoppers: Array<() => Promise<void> | void> = [];
  let health: RunningHealthServer | undefined;
  let started: Promise<void> = Promise.resolve();

  // Seconds online and reconnects, for the metrics.
  let onlineSince: number | undefined;
  let onlineMs = 0;
  let reconnects = 0;
  let everLost = false;
  driver.onStateChange((change) => {
    if (change.to === 'online') {
      onlineSince = change.at;
      if (everLost) reconnects++;
    } else if (change.from === 'online' && onlineSince !== undefined) {
      onlineMs += change.at - onlineSince;
      onlineSince = undefined;
    }
    if (change.to === 'lost') everLost = true;
  });

  const linkState = (): LinkState => (config.mqtt ? (link?.state ?? 'idle') : 'disabled');
  const healthReport = (): HealthReport => assessHealth(driver.status(), { stopping, link: linkState(), ...(deviceId ? { deviceId } : {}) });
  // Created on first use (the health endpoint or a scrape), prom-client loaded only then (≈ 13 MB
  // of a gateway's RSS): an agent without a health endpoint, or in a fleet, never needs it.
  let registry: Promise<ReturnType<typeof createAgentMetrics>> | undefined;
  const metricsRegistry = (): Promise<ReturnType<typeof createAgentMetrics>> => (registry ??= import('./health/metrics.js').then(({ createAgentMetrics }) => createAgentMetrics({
    status: () => driver.status(),
    onlineSeconds: () => (onlineMs + (onlineSince !== undefined ? clock.now() - onlineSince : 0)) / 1000,
    reconnects: () => reconnects,
    outboxDepth: () => outbox?.size(),
    linkState,
  })));

  // The LPA joins by default (config `esim: off` leaves it out), then any the caller adds.
  const extensions: readonly AgentExtension[] = [...(config.lpa ? [lpaExtension(config.lpa)] : []), ...(config.sms ? [smsExtension(config.sms)] : []), ...(options.extensions ?? [])];
  const startExtensions = (): void => {
    for (const extension of extensions) {
      try {
        const stop = extension.start({ driver, link, deviceId, config, clock, logger: childLogger(logger, { component: extension.name }) });
        if (stop) stoppers.push(stop);
      } catch (error) {
        logger.error({ err: error, extension: extension.name }, 'extension failed to start');
      }
    }
  };

  const startLink = (id: string): void => {
    const mqtt = config.mqtt!;
    deviceId = id;
    const shared = options.link?.outboxStore;
    outbox = shared
      ? new Outbox(shared, { clock, owner: id })
      : new Outbox(join(config.dataDir, `outbox-${id}.sqlite`), { clock, ...(options.link?.outboxJournal ? { journal: options.link.outboxJournal } : {}) });
    link = new AgentLink({
      deviceId: id,
      url: mqtt.url,
      password: mqtt.password,
      agentVersion: packageVersion(),
      outbox,
      clock,
      logger: childLogger(logger, { component: 'link', deviceId: id }),
      ...(options.random ? { random: options.random } : {}),
      ...(options.link?.backoff ? { backoff: options.link.backoff } : {}),
      ...(options.link?.ackTimeoutMs !== undefined ? { ackTimeoutMs: options.link.ackTimeoutMs } : {}),
      ...(options.link?.keepaliveSeconds !== undefined ? { keepaliveSeconds: options.link.keepaliveSeconds } : {}),
      ...(options.link?.connectStream ? { connectStream: options.link.connectStream } : {}),
    });
    const unbridge = bridgeSessionToLink({
      driver,
      link,
      clock,
      logger,
      statusIntervalMs: config.statusIntervalMs,
      ...(options.commandSettleMs !== undefined ? { commandSettleMs: options.commandSettleMs } : {}),
      saveSettings: (settings) => writeAppliedSettings(settingsFile, settings),
      signal: shutdown.signal,
    });
    stoppers.push(unbridge);
    logger.info({ deviceId: id, url: urlWithoutCredentials(mqtt.url), pending: outbox.size() }, 'platform link starting');
    link.start();
    // Extensions (the LPA) join here, once the link exists.
    startExtensions();
    for (const resolve of linkWaiters.splice(0)) resolve(link);
  };

  let stopOutcome: Promise<AgentStopOutcome> | undefined;
  const stopAll = async (): Promise<AgentStopOutcome> => {
    stopping = true;
    const problems: string[] = [];
    const session = await driver.stop();
    if (session.dataSession === 'not-closed') problems.push('the data session was not closed');
    shutdown.abort();
    for (const stop of stoppers.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.warn({ err: error }, 'stopping an extension failed');
        problems.push(`an extension failed to stop (${(error as Error).message})`);
      }
    }
    let outboxPending = 0;
    if (link && outbox) {
      const box = outbox;
      await flushOutbox(link, box, clock, options.flushTimeoutMs ?? 2_000);
      await link.stop();
      outboxPending = box.size();
      logger.info({ pending: outboxPending }, outboxPending > 0 ? 'outbox kept for the next start' : 'outbox drained');
      box.close();
    }
    await started.catch(() => undefined);
    await health?.close();
    await recorder?.close();
    return { clean: problems.length === 0, dataSession: session.dataSession, outboxPending, problems };
  };

  const agent: Agent = {
    start() {
      if (config.mqtt && !link) {
        if (deviceId) startLink(deviceId);
        else {
          // No configured id: the modem's IMEI, known once the modem is identified.
          const off = driver.onStateChange((change) => {
            const imei = change.status.imei;
            if (link || stopping || !imei) return;
            off();
            startLink(imei);
          });
        }
      } else if (!config.mqtt) {
        startExtensions();
      }
      driver.start();
      if (config.health && !health) {
        const { host, port } = config.health;
        started = metricsRegistry().then((metrics) => startHealthServer({ host, port, health: healthReport, registry: metrics, logger: childLogger(logger, { component: 'health' }) })).then((server) => {
          health = server;
        });
        started.catch((error: unknown) => logger.error({ err: error }, 'health endpoint failed to start'));
      }
    },
    ready: () => started,
    stop() {
      stopOutcome ??= stopAll();
      return stopOutcome;
    },
    status: () => driver.status(),
    metrics: () => driver.metrics(),
    health: healthReport,
    metricsText: async () => (await metricsRegistry()).metrics(),
    onStateChange: (listener) => driver.onStateChange(listener),
    async metadata() {
      if (!config.metadataUrl) throw new Error("no 'metadataUrl' configured");
      const ip = driver.status().ip;
      if (!driver.status().online || !ip) throw new Error('no data session: the metadata service answers only from the session address');
      return fetchMetadata({ baseUrl: config.metadataUrl, localAddress: ip });
    },
    whenLinked: () => (link ? Promise.resolve(link) : new Promise((resolve) => linkWaiters.push(resolve))),
    get link() {
      return link;
    },
    get deviceId() {
      return deviceId;
    },
    get healthUrl() {
      return health?.url;
    },
    driver,
    get atChannel() {
      return driver.atChannel;
    },
  };
  return agent;
}
