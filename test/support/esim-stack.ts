/**
 * The eSIM end-to-end stack, all of it real and over real sockets: the platform (`startPlatform`:
 * SQLite, HTTP on a free port, its embedded MQTT broker), two eSIM profiles ordered through
 * `/v1/sim_profile_orders` and put on a simulated eUICC with the provisioning shortcut, a gateway
 * registered with `devices.register`, a simulated BG96 holding the eUICC whose network side is the
 * platform's gate, and the agent as `createAgent` composes it (`config.mqtt` set: its MQTT link,
 * durable outbox and the LPA extension) — in this process, or as `cellgate agent` in a child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, silentLogger } from '../../common/log.js';
import { createAgent, type Agent } from '../../agent/agent.js';
import { resolveConfig } from '../../agent/config.js';
import { ApiClient } from '../../cli/stack-provision.js';
import type { StoredEsimNotification } from '../../platform/app/devices.js';
import type { Command, CommandResult } from '../../platform/contract/messages.js';
import { DEVICE_STREAMS, startPlatform, type DeviceCredentials, type RunningPlatform } from '../../platform/index.js';
import { RealClock } from '../../common/clock.js';
import { Euicc, RemoteNetworkGate, startSimulatedModem } from '../../simulator/index.js';
import { builtModule, projectRoot } from './built.js';

export const EID = '89049032000000000000000000000042';
/** The gateway's IMEI, also its device id. */
export const IMEI = '359221090000042';

export interface OrderedProfile {
  iccid: string;
  imsi: string;
  activationCode: string;
}

/** What the operator's API shows of a subscriber. */
export interface SubscriberView {
  status: string;
  sessionStatus: { online: boolean; imsi?: string } | null;
}

export interface EsimStack {
  platform: RunningPlatform;
  /** The operator's API client (logged in). */
  api: ApiClient;
  /** The operator's root login (email and password), e.g. for the web console. */
  login: { email: string; password: string };
  orderId: string;
  /** The two ordered profiles, A then B. */
  profiles: [OrderedProfile, OrderedProfile];
  credentials: DeviceCredentials;
  euicc: Euicc;
  sim: Awaited<ReturnType<typeof startSimulatedModem>>;
  /** The agent's data dir (outbox, applied settings). */
  agentDataDir: string;
  /** The in-process agent, once `startAgent()` ran. */
  agent: Agent | undefined;
  /** Keys pending in the agent's durable outbox (its SQLite file, read-only). */
  outboxKeys(): string[];
  /** `createAgent` over the simulator's in-process port, configured from the stack's flags. */
  startAgent(): Agent;
  /** `cellgate agent` (compiled `dist/`) in a child process over the simulator's TCP port. */
  spawnAgent(): AgentProcess;
  /** `POST /_cellgate/devices/{id}/commands` over HTTP. */
  command(command: Command, timeoutMs?: number): Promise<CommandResult>;
  /** Resolves once the gateway reported its status (its link is up and subscribed to commands). */
  whenGatewayReported(timeoutMs?: number): Promise<void>;
  /** `profileStatus` by ICCID, from `GET /v1/sim_profile_orders/{id}/profiles` (listOrderedProfiles). */
  profileStatuses(): Promise<Record<string, string>>;
  /** `Profile Status` by SIM ID, from the console CSV export of the order. */
  csvStatuses(): Promise<Record<string, string>>;
  subscriber(imsi: string): Promise<SubscriberView>;
  /** Session events of a SIM (`GET /v1/subscribers/{imsi}/events/sessions`), oldest first. */
  sessionEvents(imsi: string): Promise<Array<{ event: string }>>;
  /** The platform's log of delivered eSIM notifications (stream `device-esim-notifications`). */
  esimRecords(): Promise<StoredEsimNotification[]>;
  /** Domain events the platform published (`esim-profile-deleted-sim-not-terminated`, ...). */
  readonly domainEvents: Array<{ type: string; imsi?: string }>;
  /** Closes the platform (its broker too) and starts it again on the same data dir and ports. */
  restartPlatform(between?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export interface AgentProcess {
  child: ChildProcess;
  /** The child's pino log lines, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const testLog = (name: string) => (process.env.CELLGATE_TEST_LOG ? createLogger({ name, level: process.env.CELLGATE_TEST_LOG }) : silentLogger());

/** Polls an asynchronous condition every 20 ms. */
export async function until(done: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface EsimStackOptions {
  /** `lpa.*` agent settings (ms), as flags: short timeouts keep each case at a few seconds. */
  lpa?: { attachTimeoutMs?: number; refreshTimeoutMs?: number; deliveryRetryMs?: number };
  /** Expose the simulator over TCP too (for an agent in a child process). */
  tcp?: boolean;
  /**
   * Put the ordered profiles on the card with the provisioning shortcut (default true). With
   * false the card starts empty and profiles arrive by SGP.22 download (`esim.download`).
   */
  shortcut?: boolean;
  /** Profiles the card has room for (default 8). */
  maxProfiles?: number;
  /** Configure the card's root SM-DS as the platform's SM-DS (default: the simulator's `.invalid` placeholder, no discovery). */
  rootDs?: boolean;
  /** `--lpa-discovery` of the agent (default: the agent's own default). */
  discovery?: 'enable' | 'install' | 'off';
}

export async function startEsimStack(options: EsimStackOptions = {}): Promise<EsimStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cellgate-esim-'));
  // Provisioning of an order normally takes 5 s + 10 s per profile; here it is immediate.
  const platformConfig = { esimProvisioningStartDelayMs: 1, esimProvisioningPerProfileMs: 1 };
  const platformLogger = testLog('platform');
  const domainEvents: Array<{ type: string; imsi?: string }> = [];
  const listen = (p: RunningPlatform) => p.app.ctx.listeners.add((event) => void domainEvents.push(event as { type: string; imsi?: string }));
  let platform = await startPlatform({ dataDir, logger: platformLogger, config: platformConfig, http: { port: 0 }, mqtt: { port: 0 } });
  listen(platform);
  const smdpPort = Number(new URL(platform.smdp!.url).port);
  const smdsPort = Number(new URL(platform.smds!.url).port);
  const httpPort = Number(new URL(platform.url).port);
  const mqttPort = Number(new URL(platform.mqttUrl).port);
  const networkToken = platform.networkToken;

  const api = new ApiClient(platform.url);
  const email = `esim-${process.pid}-${Date.now()}@cellgate.local`;
  const password = 'Cg-esim-stack-password-1';
  const init = await api.call<{ apiKey: string; token: string; operatorId: string }>('POST', '/v1/sandbox/init', { email, password });
  api.use(init);
  let auth = init;

  // Two profiles ordered the way an operator does it: create, confirm, wait for COMPLETED.
  const { profileOrderId: orderId } = await api.call<{ profileOrderId: string }>('POST', '/v1/sim_profile_orders', { subscription: 'planX1', quantity: 2 });
  await api.call('POST', `/v1/sim_profile_orders/${orderId}/confirm`);
  let ordered: Array<{ iccid: string; imsi: string; activationCode: string }> = [];
  await until(async () => (ordered = await api.call('GET', `/v1/sim_profile_orders/${orderId}/profiles`)).length === 2, 10_000, 'the order provisioned');
  const profiles = ordered.map((p) => ({ iccid: p.iccid, imsi: p.imsi, activationCode: p.activationCode })) as [OrderedProfile, OrderedProfile];

  const credentials = await platform.devices.register(init.operatorId, IMEI);

  // The card trusts the platform's CI and carries an eUICC certificate from its test EUM.
  const pki = platform.smdp!.service.pki;
  const euicc = new Euicc({
    eid: EID,
    pki: { eum: pki.eum, trustedCis: [pki.ci.certificate] },
    ...(options.maxProfiles !== undefined ? { maxProfiles: options.maxProfiles } : {}),
    ...(options.rootDs ? { rootDsAddress: platform.smds!.address } : {}),
  });
  if (options.shortcut ?? true) for (const p of profiles) euicc.installFromActivationCode(p.activationCode, { iccid: p.iccid, imsi: p.imsi });
  // The radio side asks the platform over HTTP, as a separate simulator process would, so it
  // rides out a platform restart (its calls retry; delete orders resume from the last one seen).
  const gate = new RemoteNetworkGate({ url: platform.url, token: networkToken, clock: new RealClock(), attempts: 20, backoff: { initialMs: 50, maxMs: 500 } });
  const sim = await startSimulatedModem({
    dialect: 'bg96',
    imei: IMEI,
    sim: euicc,
    gate,
    latency: 'zero',
    expose: { inProcess: true, ...(options.tcp ? { tcp: { port: 0 } } : {}) },
  });

  const agentDataDir = join(dataDir, 'agent');
  mkdirSync(agentDataDir, { recursive: true });
  // The credentials file exactly as the platform handed it out ({deviceId, username, password, mqttUrl}).
  const credentialsFile = join(dataDir, 'device-credentials.json');
  writeFileSync(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  const lpa = { attachTimeoutMs: 3_000, refreshTimeoutMs: 1_500, deliveryRetryMs: 500, ...options.lpa };
  const flags: Record<string, string> = {
    'mqtt-credentials': credentialsFile,
    'data-dir': agentDataDir,
    'device-id': credentials.deviceId,
    'mqtt-url': credentials.mqttUrl,
    'mqtt-password': credentials.password,
    'lpa-poll-interval-ms': '20',
    'lpa-attach-timeout-ms': String(lpa.attachTimeoutMs),
    'lpa-refresh-timeout-ms': String(lpa.refreshTimeoutMs),
    'lpa-delivery-retry-ms': String(lpa.deliveryRetryMs),
    // ES9+ TLS: the platform's exported CI, as an operator hands it to a gateway.
    'lpa-es9-ca-file': join(dataDir, 'smdp', 'ci.pem'),
    // Ours: its notifications go over MQTT; any other SM-DP+ gets its own by ES9+ HandleNotification.
    'lpa-platform-smdp': platform.smdp!.address,
    'lpa-es9-timeout-ms': '3000',
    ...(options.discovery ? { 'lpa-discovery': options.discovery } : {}),
    'reconnect-base-delay-ms': '50',
    'reconnect-max-delay-ms': '200',
    'reconnect-reject-backoff-ms': '200',
    'reconnect-rest-ms': '500',
    'reconnect-max-attempts-per-hour': '10000',
    'timings-sim-poll-ms': '50',
    'timings-registration-poll-ms': '200',
    'timings-radio-off-ms': '50',
  };
  const children: AgentProcess[] = [];

  const stack: EsimStack = {
    platform,
    api,
    login: { email, password },
    orderId,
    profiles,
    credentials,
    euicc,
    sim,
    agentDataDir,
    agent: undefined,
    domainEvents,
    outboxKeys() {
      const db = new Database(join(agentDataDir, `outbox-${credentials.deviceId}.sqlite`), { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT key FROM outbox ORDER BY rowid').all() as Array<{ key: string }>).map((r) => r.key);
      } finally {
        db.close();
      }
    },
    startAgent() {
      const { 'mqtt-credentials': _file, ...inline } = flags;
      const config = resolveConfig({ flags: { ...inline, port: '/dev/null' } });
      config.port = sim.inProcessPath!;
      const agent = createAgent({ config, logger: testLog('agent'), random: () => 0.5, binding: sim.binding!, link: { backoff: { initialMs: 20, maxMs: 200 }, ackTimeoutMs: 500 } });
      agent.start();
      stack.agent = agent;
      return agent;
    },
    spawnAgent() {
      if (!sim.tcpUrl) throw new Error('startEsimStack({ tcp: true }) is needed for an agent in a child process');
      const { 'mqtt-url': _url, 'mqtt-password': _secret, 'device-id': _id, ...fromFile } = flags;
      const argv = [fileURLToPath(builtModule('cli/main')), 'agent', '--port', sim.tcpUrl, '--log-level', 'info'];
      for (const [flag, value] of Object.entries(fromFile)) argv.push(`--${flag}`, value);
      const child = spawn(process.execPath, argv, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      const logs: Array<Record<string, unknown>> = [];
      let rest = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          try {
            logs.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            logs.push({ msg: line });
          }
        }
        if (process.env.CELLGATE_TEST_LOG) process.stdout.write(chunk);
      });
      child.stderr!.on('data', (chunk: Buffer) => logs.push({ stderr: chunk.toString('utf8') }));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const handle: AgentProcess = {
        child,
        logs,
        exited,
        async kill(signal) {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      };
      children.push(handle);
      return handle;
    },
    async command(command, timeoutMs = 15_000) {
      return stack.api.call<CommandResult>('POST', `/_cellgate/devices/${credentials.deviceId}/commands`, { command, timeoutMs });
    },
    async whenGatewayReported(timeoutMs = 15_000) {
      await until(async () => (await stack.api.call<{ status: unknown }>('GET', `/_cellgate/devices/${credentials.deviceId}`)).status !== null, timeoutMs, 'the gateway’s first status report');
    },
    async profileStatuses() {
      const listed = await stack.api.call<Array<{ iccid: string; profileStatus: string }>>('GET', `/v1/sim_profile_orders/${orderId}/profiles`);
      return Object.fromEntries(listed.map((p) => [p.iccid, p.profileStatus]));
    },
    async csvStatuses() {
      const response = await fetch(`${stack.platform.url}/_cellgate/sim_profile_orders/${orderId}/profiles.csv`, { headers: { 'x-soracom-api-key': auth.apiKey, 'x-soracom-token': auth.token } });
      if (!response.ok) throw new Error(`CSV export → ${response.status}`);
      const [header, ...rows] = (await response.text()).trim().split(/\r?\n/).map((line) => line.split(','));
      const id = header!.indexOf('SIM ID');
      const status = header!.indexOf('Profile Status');
      return Object.fromEntries(rows.map((r) => [r[id]!, r[status]!]));
    },
    subscriber: (imsi) => stack.api.call<SubscriberView>('GET', `/v1/subscribers/${imsi}`),
    async sessionEvents(imsi) {
      return [...(await stack.api.call<Array<{ event: string }>>('GET', `/v1/subscribers/${imsi}/events/sessions`))].reverse();
    },
    async esimRecords() {
      const records = await stack.platform.store.transaction((tx) => tx.readStream<StoredEsimNotification>(DEVICE_STREAMS.esimNotifications, { key: credentials.deviceId }));
      return records.map((r) => r.body);
    },
    async restartPlatform(between) {
      await stack.platform.close();
      await between?.();
      platform = await startPlatform({ dataDir, logger: platformLogger, config: platformConfig, networkToken, http: { port: httpPort }, mqtt: { port: mqttPort }, smdp: { port: smdpPort }, smds: { port: smdsPort } });
      listen(platform);
      stack.platform = platform;
      auth = await stack.api.call('POST', '/v1/auth', { email, password });
      stack.api.use(auth);
    },
    async close() {
      for (const child of children) await child.kill('SIGKILL');
      await stack.agent?.stop();
      await sim.close();
      await gate.close();
      await stack.platform.close();
    },
  };
  return stack;
}
