/**
 * The composition of the fleet: each simulated gateway runs the REAL cellgate agent
 * (`createAgent`) over the simulator's in-process serialport binding. This lives outside
 * `simulator/` because the simulator may not import the agent (docs/architecture.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { createAgent } from '../agent/agent.js';
import { resolveConfig, type AgentConfig } from '../agent/config.js';
import { OutboxStore, type OutboxDurability } from '../agent/link/outbox-store.js';
import { childLogger, silentLogger, type Logger } from '../common/log.js';
import type { GatewayFactory, GatewayHost, HostInput } from '../simulator/fleet/index.js';

/** Turns `{'liveness.intervalMs': 5}` into `{liveness: {intervalMs: 5}}` for the agent's config file layer. */
function nest(settings: Readonly<Record<string, number>>): Record<string, unknown> {
  const out: Record<string, Record<string, unknown> | unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    const [section, name] = key.split('.', 2) as [string, string | undefined];
    if (name === undefined) out[section] = value;
    else out[section] = { ...((out[section] as Record<string, unknown>) ?? {}), [name]: value };
  }
  return out;
}

export interface AgentGatewayOptions {
  logger?: Logger;
  /** Backoff jitter source; a seeded one keeps runs repeatable. */
  random?: () => number;
  /** Where the agents' durable outboxes live; default a temporary directory removed at `close()`. */
  dataDir?: string;
  /**
   * Opens an agent's MQTT connection over an in-memory pipe to the platform's broker in this
   * process (`RunningPlatform.connectMqttInProcess`) instead of TCP: no file descriptor per
   * gateway. Absent: TCP to the URL the platform's registration answered.
   */
  connectMqtt?: () => Duplex;
  /**
   * [choice] Default true: every agent's outbox lives in ONE store (`outboxes.sqlite` in
   * `dataDir`, WAL, owner = device id): one connection, one schema, statements prepared once, one
   * group commit per event-loop turn for the whole fleet, three open files in all. False: a file
   * per agent, as a standalone agent keeps it (fsynced).
   */
  sharedOutbox?: boolean;
  /**
   * When the shared store's commit counts (`OutboxDurability`): default `process` — written to
   * the operating system before an entry is accepted, so a killed fleet process loses nothing
   * accepted, without an fsync per commit (docs/fleet.md, Outbox). `fsync` as a real agent.
   */
  outboxDurability?: OutboxDurability;
}

/** A `GatewayFactory` whose hosts are real agents. */
export function agentGatewayFactory(options: AgentGatewayOptions = {}): GatewayFactory {
  const logger = options.logger ?? silentLogger();
  let ownDir: string | undefined;
  const dataDir = (): string => options.dataDir ?? (ownDir ??= mkdtempSync(join(tmpdir(), 'cellgate-fleet-')));
  let outboxes: OutboxStore | undefined;
  const sharedStore = (): OutboxStore | undefined => (options.sharedOutbox === false ? undefined : (outboxes ??= new OutboxStore(join(dataDir(), 'outboxes.sqlite'), 'wal', options.outboxDurability ?? 'process')));
  // Every gateway of a run has the same settings: the file layer is merged and validated once per
  // kind (eSIM or not, broker URL) and each gateway gets its copy with its own identity
  // (resolveConfig per gateway was ≈ 4 % of a linked cold start).
  const templates = new Map<string, AgentConfig>();
  const configFor = (input: HostInput): AgentConfig => {
    const flags: Record<string, string> = { port: '/dev/null', esim: input.esim ? 'on' : 'off', 'data-dir': dataDir() };
    if (input.link) Object.assign(flags, { 'device-id': input.link.deviceId, 'mqtt-url': input.link.url, 'mqtt-password': input.link.password });
    // (The link's device id is checked again by the agent's link, `assertDeviceId`.)
    const kind = `${flags.esim} ${input.link?.url ?? ''} ${JSON.stringify(input.settings)}`;
    let template = templates.get(kind);
    if (!template) templates.set(kind, (template = resolveConfig({ file: nest(input.settings), filePath: 'scenario agent settings', flags })));
    return {
      ...template,
      ...(input.link ? { deviceId: input.link.deviceId, mqtt: { url: input.link.url, password: input.link.password } } : {}),
      port: input.port,
    };
  };
  return {
    createHost(input: HostInput): GatewayHost {
      // `sim://` paths are understood only by the simulator's binding; the config file format
      // takes device paths, so the port is set after validation (as test/support does).
      const config = configFor(input);
      const agent = createAgent({
        config,
        clock: input.clock,
        logger: childLogger(logger, { gateway: input.spec.index, imsi: input.spec.imsi }),
        binding: input.binding,
        ...(options.random ? { random: options.random } : {}),
        link: {
          ...(options.connectMqtt ? { connectStream: options.connectMqtt } : {}),
          ...(input.link && sharedStore() ? { outboxStore: sharedStore()! } : {}),
        },
      });
      return {
        start: () => agent.start(),
        stop: async () => {
          await agent.stop();
        },
        online: () => agent.status().online,
        metrics: () => agent.metrics(),
        // An MQTT connect runs on real I/O (a socket, or a pipe and a credential check on the
        // thread pool): hold virtual time while it is under way.
        busy: () => agent.link?.state === 'connecting',
        onBusyChange: (listener) => {
          let busy = false;
          let closed = false;
          let off: () => void = () => undefined;
          const update = (state: string): void => {
            const now = state === 'connecting';
            if (now === busy || closed) return;
            busy = now;
            listener(now);
          };
          if (input.link) {
            void agent.whenLinked().then((link) => {
              if (closed) return;
              off = link.onStateChange(update);
              update(link.state);
            });
          }
          return () => {
            closed = true;
            off();
          };
        },
        // The outbox's accepted and acknowledged keys, for the report's lost-event count.
        onDelivery: (listener) => {
          let closed = false;
          let off: () => void = () => undefined;
          if (input.link) {
            void agent.whenLinked().then((link) => {
              if (!closed) off = link.onDelivery(listener);
            });
          }
          return () => {
            closed = true;
            off();
          };
        },
        onStateChange: (listener) =>
          agent.onStateChange((change) => listener({ online: change.status.online, at: change.at, attempts: change.status.counters.attempts ?? 0 })),
      };
    },
    async close() {
      outboxes?.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
