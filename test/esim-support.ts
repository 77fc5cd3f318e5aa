/**
 * End-to-end wiring for the eSIM tests: the real platform (eSIM orders, network gate), a real
 * MQTT broker with the platform's DeviceHub applying notifications through
 * `applyEsimNotification`, the real simulated modem with an eUICC, and the real agent with its
 * MQTT link and LPA.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../common/clock.js';
import { silentLogger, createLogger } from '../common/log.js';
import { createAgent, type Agent } from '../agent/agent.js';
import { resolveConfig } from '../agent/config.js';
import { AgentLink } from '../agent/link/agent-link.js';
import { Outbox } from '../agent/link/outbox.js';
import { attachLpa, type AttachedLpa, type NotificationSink } from '../agent/lpa/index.js';
import { applyEsimNotification, ESIM_KINDS } from '../platform/app/esim-orders.js';
import type { EsimProfile } from '../platform/domain/esim/esim-profile.js';
import { CredentialIssuer, type IssuedCredentials } from '../platform/broker/credentials.js';
import { DeviceHub } from '../platform/broker/device-hub.js';
import { startBroker, type RunningBroker } from '../platform/broker/embedded-broker.js';
import type { EsimNotification } from '../platform/contract/messages.js';
import { startSimulatedModem, Euicc } from '../simulator/index.js';
import { MemoryEuiccStore } from '../simulator/euicc/index.js';
import { newOperator, startTestApi, type Api, type Creds } from './platform-support.js';

export const EID = '89049032000000000000000000000042';
export const DEVICE = '359221090000042';
const clock = new RealClock();
const fastBackoff = { initialMs: 20, maxMs: 200 };
const log = (name: string) => (process.env.CELLGATE_TEST_LOG ? createLogger({ name, level: process.env.CELLGATE_TEST_LOG }) : silentLogger());

export interface OrderedProfile {
  iccid: string;
  imsi: string;
  activationCode: string;
}

export interface EsimWorld {
  api: Api;
  auth: Creds;
  profiles: OrderedProfile[];
  broker: RunningBroker;
  hub: DeviceHub;
  /** Every notification the hub handed to `applyEsimNotification`, and whether it was a duplicate. */
  applied: Array<{ key: string; seqNumber: number; operation: string; duplicate: boolean }>;
  euicc: Euicc;
  sim: Awaited<ReturnType<typeof startSimulatedModem>>;
  gateway: Gateway;
  profileState(iccid: string): Promise<EsimProfile | undefined>;
  /** Starts a gateway (agent + link + LPA) over the same outbox file: a restart after a crash. */
  startGateway(options?: { sink?: (link: AgentLink) => NotificationSink }): Gateway;
  restartBroker(): Promise<void>;
  stopBroker(): Promise<void>;
  close(): Promise<void>;
}

export interface Gateway {
  agent: Agent;
  link: AgentLink;
  lpa: AttachedLpa;
  outbox: Outbox;
  stop(): Promise<void>;
}

/** Orders `quantity` profiles through the platform's eSIM order API and waits for provisioning. */
async function orderProfiles(api: Api, auth: Creds, quantity: number): Promise<OrderedProfile[]> {
  const created = await api.call('POST', '/v1/sim_profile_orders', { auth, body: { subscription: 'planX1', quantity } });
  if (created.statusCode !== 201) throw new Error(`order failed: ${created.body}`);
  const id = (created.json() as { profileOrderId: string }).profileOrderId;
  await api.call('POST', `/v1/sim_profile_orders/${id}/confirm`, { auth });
  await api.platform.scheduler.advance(api.clock, 5_000 + quantity * 10_000);
  const listed = (await api.call('GET', `/v1/sim_profile_orders/${id}/profiles`, { auth })).json() as Array<Record<string, string>>;
  return listed.map((p) => ({ iccid: p.iccid!, imsi: p.imsi!, activationCode: p.activationCode! }));
}

export async function startEsimWorld(options: { dialect?: 'bg96' | 'sim7080' | 'generic'; lpaConfig?: Parameters<typeof attachLpa>[0]['config'] } = {}): Promise<EsimWorld> {
  const api = await startTestApi();
  const auth = await newOperator(api);
  const profiles = await orderProfiles(api, auth, 2);
  const issuer = new CredentialIssuer({ now: () => clock.now(), iterations: 1_000 });
  const device: IssuedCredentials = await issuer.issueDevice(DEVICE);
  const service = await issuer.issueService('svc.platform');
  let broker = await startBroker({ credentials: issuer });
  const brokerPort = Number(new URL(broker.url).port);
  const applied: EsimWorld['applied'] = [];
  const ctx = api.platform.app.ctx;
  const hub = new DeviceHub({
    url: broker.url,
    username: service.username,
    password: service.password,
    clock,
    logger: log('hub'),
    backoff: fastBackoff,
    handlers: {
      onEsimNotification: async (_deviceId, n: EsimNotification) => {
        const r = await applyEsimNotification(ctx, { eid: n.eid, seqNumber: n.seqNumber, event: n.operation, iccid: n.iccid ?? '' });
        applied.push({ key: n.key, seqNumber: n.seqNumber, operation: n.operation, duplicate: r.duplicate });
      },
    },
  });
  await hub.start();

  // The eUICC gets both ordered profiles through the provisioning shortcut; the first is enabled
  // before the gateway starts (its install + enable notifications wait on the card).
  const store = new MemoryEuiccStore();
  const euicc = new Euicc({ eid: EID, store });
  for (const p of profiles) euicc.installFromActivationCode(p.activationCode, { iccid: p.iccid, imsi: p.imsi });
  const sim = await startSimulatedModem({ dialect: options.dialect ?? 'bg96', imei: DEVICE, sim: euicc, gate: api.platform.gate, latency: 'zero', expose: { inProcess: true } });

  const dir = mkdtempSync(join(tmpdir(), 'cellgate-esim-'));
  const outboxPath = join(dir, 'outbox.db');
  const lpaConfig = { pollIntervalMs: 20, refreshTimeoutMs: 1_500, attachTimeoutMs: 3_000, deliveryRetryMs: 300, ...options.lpaConfig };

  const startGateway = (gatewayOptions: { sink?: (link: AgentLink) => NotificationSink } = {}): Gateway => {
    const config = resolveConfig({ flags: { port: '/dev/null' } });
    config.port = sim.inProcessPath!;
    config.session.reconnect = { ...config.session.reconnect, baseDelayMs: 50, maxDelayMs: 200, rejectBackoffMs: 200, restMs: 500, maxAttemptsPerHour: 10_000 };
    config.session.timings = { ...config.session.timings, simPollMs: 50, registrationPollMs: 200, radioOffMs: 50 };
    const agent = createAgent({ config, clock, logger: log('agent'), random: () => 0.5, binding: sim.binding! });
    const outbox = new Outbox(outboxPath, { clock });
    const link = new AgentLink({ deviceId: DEVICE, url: `mqtt://127.0.0.1:${brokerPort}`, password: device.password, agentVersion: 'test', outbox, clock, logger: log('link'), backoff: fastBackoff, ackTimeoutMs: 500 });
    const sink = gatewayOptions.sink ? gatewayOptions.sink(link) : link;
    const lpa = attachLpa({
      channel: () => agent.atChannel,
      link: { handleCommand: link.handleCommand.bind(link), sendEsimNotification: sink.sendEsimNotification.bind(sink), whenAcknowledged: sink.whenAcknowledged.bind(sink) },
      session: { onOnline: (listener) => agent.onStateChange((c) => c.to === 'online' && listener()) },
      clock,
      logger: log('lpa'),
      config: lpaConfig,
    });
    link.start();
    agent.start();
    return {
      agent,
      link,
      lpa,
      outbox,
      async stop() {
        lpa.stop();
        await link.stop();
        await agent.stop();
        outbox.close();
      },
    };
  };

  const world: EsimWorld = {
    api,
    auth,
    profiles,
    broker,
    hub,
    applied,
    euicc,
    sim,
    gateway: undefined as unknown as Gateway,
    profileState: (iccid) => api.platform.store.transaction((tx) => tx.get<EsimProfile>(ESIM_KINDS.profile, iccid)).then((p) => p ?? undefined),
    startGateway,
    async stopBroker() {
      await broker.close();
    },
    async restartBroker() {
      broker = await startBroker({ credentials: issuer, port: brokerPort });
      world.broker = broker;
    },
    async close() {
      await world.gateway?.stop().catch(() => undefined);
      await hub.stop();
      await broker.close().catch(() => undefined);
      await sim.close();
      await api.platform.close();
    },
  };
  return world;
}
