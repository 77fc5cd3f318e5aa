/**
 * The local stack for end-to-end tests: the REAL platform (SQLite, HTTP on a free port, embedded
 * MQTT broker over TCP), a REAL simulated modem whose network side is the platform's gate, and
 * the REAL agent with its MQTT link, provisioned through the HTTP API like `cellgate up` does.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { createLogger, silentLogger } from '../../common/log.js';
import { createAgent, type Agent, type AgentOptions } from '../../agent/agent.js';
import { resolveConfig, type AgentConfig } from '../../agent/config.js';
import { startPlatform, type RunningPlatform } from '../../platform/index.js';
import { startSimulatedModem } from '../../simulator/index.js';
import { VirtualClock } from '../../common/clock.js';
import { ApiClient, provisionGateway, provisionOperator, stackImei, type StackGateway } from '../../cli/stack-provision.js';

let stacks = 0;

export interface Stack {
  platform: RunningPlatform;
  api: ApiClient;
  /** The root user's login (what a person types into the console). */
  operator: { email: string; password: string; operatorId: string };
  gateway: StackGateway;
  sim: Awaited<ReturnType<typeof startSimulatedModem>>;
  config: AgentConfig;
  dataDir: string;
  agent: Agent;
  /** Closes the platform (its broker too) and starts it again on the same data dir and MQTT port. */
  restartPlatform(between?: () => Promise<void>): Promise<void>;
  /** A new agent on the same modem and data dir (after `agent.stop()`). */
  restartAgent(): Agent;
  close(): Promise<void>;
}

export async function startStack(options: { clock?: Clock; dialect?: 'generic' | 'bg95' | 'bg96' | 'sim7080'; configure?: (config: AgentConfig) => void; agent?: Partial<AgentOptions> } = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-stack-'));
  const clock = options.clock;
  const platform = await startPlatform({ dataDir, ...(clock ? { clock } : {}), http: { port: 0 }, mqtt: { port: 0 } });
  const api = new ApiClient(platform.url);
  const base = await provisionOperator(api);
  const mqttPort = Number(new URL(platform.mqttUrl).port);
  const gateway = await provisionGateway(api, base, stackImei(++stacks, String(process.pid % 10_000).padStart(4, '0')));
  const sim = await startSimulatedModem({
    dialect: options.dialect ?? 'bg96',
    imei: gateway.imei,
    imsi: gateway.imsi,
    iccid: gateway.iccid,
    gate: platform.gate,
    latency: 'zero',
    ...(clock ? { clock } : {}),
    expose: { inProcess: true },
  });
  const config = resolveConfig({
    flags: {
      port: '/dev/null',
      'device-id': gateway.deviceId,
      'data-dir': join(dataDir, 'agent'),
      'mqtt-url': platform.mqttUrl,
      'mqtt-password': gateway.devicePassword,
      'metadata-url': platform.url,
      'health-port': '0',
    },
  });
  config.port = sim.inProcessPath!;
  options.configure?.(config);
  const newAgent = (): Agent =>
    createAgent({
      config,
      logger: process.env.CELLGATE_TEST_LOG ? createLogger({ name: 'agent', level: process.env.CELLGATE_TEST_LOG }) : silentLogger(),
      random: () => 0.5,
      ...(clock ? { clock } : {}),
      binding: sim.binding!,
      link: { backoff: { initialMs: 20, maxMs: 200 }, ackTimeoutMs: 500 },
      commandSettleMs: 20_000,
      // A virtual clock does not move while the agent stops: do not wait on it for the flush.
      ...(clock instanceof VirtualClock ? { flushTimeoutMs: 0 } : {}),
      ...options.agent,
    });
  const stack: Stack = {
    platform,
    api,
    operator: { email: base.email, password: base.password, operatorId: base.operatorId },
    gateway,
    sim,
    config,
    dataDir,
    agent: newAgent(),
    async restartPlatform(between) {
      await stack.platform.close();
      await between?.();
      stack.platform = await startPlatform({ dataDir, ...(clock ? { clock } : {}), http: { port: 0 }, mqtt: { port: mqttPort } });
      stack.api = new ApiClient(stack.platform.url);
      await stack.api.login({ email: base.email, password: base.password });
    },
    restartAgent() {
      stack.agent = newAgent();
      return stack.agent;
    },
    async close() {
      await stack.agent.stop();
      await sim.close();
      await stack.platform.close();
    },
  };
  return stack;
}

export interface SessionEvent {
  event: 'Created' | 'Deleted' | 'Modified';
  time: number;
}

/** Session events of the stack's SIM, oldest first. */
export async function sessionEvents(stack: Stack): Promise<SessionEvent[]> {
  const events = await stack.api.call<SessionEvent[]>('GET', `/v1/subscribers/${stack.gateway.imsi}/events/sessions`);
  return [...events].reverse();
}

/** The device events the platform applied, in order. */
export async function deviceEvents(stack: Stack): Promise<Array<{ key: string; type: string; data: Record<string, unknown> }>> {
  return stack.api.call('GET', `/_cellgate/devices/${stack.gateway.deviceId}/events?limit=1000`);
}
