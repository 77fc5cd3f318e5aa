/**
 * The local stack as three separate processes, each the compiled CLI (`bin/cellgate.js` on
 * `dist/`) a user would run: `cellgate platform`, `cellgate sim --platform … --tcp 0` and
 * `cellgate agent --port tcp://… --mqtt-credentials …`, talking over real sockets (HTTP + SSE
 * between the simulator and the platform's gate, MQTT between the agent and the broker, a TCP
 * serial server between the agent and the modem). Provisioning goes through the HTTP API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentUnitNodeFlags } from '../../scripts/ops/agent-unit.js';
import { ApiClient, provisionGateway, provisionOperator, stackImei, type StackGateway } from '../../cli/stack-provision.js';
import { projectRoot } from './built.js';

const bin = join(projectRoot, 'bin', 'cellgate.js');

/** Whether `dist/` holds the compiled CLI (`npm test` builds it first). */
export const builtCli = existsSync(join(projectRoot, 'dist', 'cli', 'main.js'));

const running = new Set<ChildProcess>();

/** One `cellgate …` child process with its combined output. */
export interface CellgateProcess {
  proc: ChildProcess;
  /** stdout and stderr, interleaved as they came. */
  output(): string;
  /** stderr alone. */
  errors(): string;
  /** Resolves with the first match of `pattern` in the output (searched from `from`). */
  waitFor(pattern: RegExp, ms: number, from?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited(): Promise<number | null>;
}

/**
 * `cellgate …` as a child process. `groupLeader`: in a process group of its own, as a shell puts
 * a foreground job, so a test can signal the whole group the way a terminal's Ctrl-C does.
 * `nodeFlags`: node's own flags, before the script (the agent runs with the unit's). `launcher`: a
 * command that execs node with its arguments (it must exec, so signals reach node).
 */
export function spawnCellgate(
  args: string[],
  options: { groupLeader?: boolean; env?: Record<string, string>; nodeFlags?: readonly string[]; launcher?: readonly string[] } = {},
): CellgateProcess {
  const command = [...(options.launcher ?? []), process.execPath, ...(options.nodeFlags ?? []), bin, ...args];
  const proc = spawn(command[0]!, command.slice(1), {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    ...(options.groupLeader ? { detached: true } : {}),
  });
  running.add(proc);
  const exit = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      running.delete(proc);
      resolve(code);
    }),
  );
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  return {
    proc,
    output: () => out,
    errors: () => err,
    async waitFor(pattern, ms, from = 0) {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = out.slice(from).match(pattern);
        if (match) return match;
        if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
          throw new Error(`cellgate ${args[0]}: no ${pattern} in its output:\n${out.slice(-4000)}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exit;
    },
    exited: () => exit,
  };
}

/** SIGKILLs every child still running (for `afterEach`). */
export async function killAllCellgate(): Promise<void> {
  const left = [...running];
  for (const proc of left) proc.kill('SIGKILL');
  await Promise.all(left.map((proc) => (proc.exitCode !== null || proc.signalCode !== null ? undefined : new Promise((r) => proc.once('exit', r)))));
}

/** Polls `probe` (async) until it returns something other than undefined/false. */
export async function until<T>(probe: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cellgate-${prefix}-`));
}

export interface PlatformProcess extends CellgateProcess {
  url: string;
  mqttUrl: string;
  networkToken: string;
}

/** `cellgate platform` on free ports (HTTP and MQTT); parses what it prints. */
export async function startPlatformProcess(dataDir: string, extra: string[] = []): Promise<PlatformProcess> {
  const p = spawnCellgate(['platform', '--data-dir', dataDir, '--port', '0', '--mqtt-port', '0', ...extra]);
  const url = (await p.waitFor(/listening on (http:\/\/\S+)/, 20_000))[1]!;
  const mqttUrl = (await p.waitFor(/^mqtt: (mqtt:\/\/\S+)$/m, 2_000))[1]!;
  const networkToken = (await p.waitFor(/^network token: (\S+)$/m, 2_000))[1]!;
  return { ...p, url, mqttUrl, networkToken };
}

let imeis = 0;

/** A sandbox operator, a SIM registered into its group, and a device with MQTT credentials. */
export async function provisionThroughApi(url: string): Promise<{ api: ApiClient; gateway: StackGateway; login: { email: string; password: string } }> {
  const api = new ApiClient(url);
  const base = await provisionOperator(api);
  const gateway = await provisionGateway(api, base, stackImei(++imeis + 50, String(process.pid % 10_000).padStart(4, '0')));
  return { api, gateway, login: { email: base.email, password: base.password } };
}

export interface SimProcess extends CellgateProcess {
  /** `tcp://127.0.0.1:<port>` of its serial server. */
  tcpUrl: string;
}

/** `cellgate sim` whose network side is the platform's gate, on a free TCP port. */
export async function startSimProcess(platform: PlatformProcess, gateway: StackGateway, extra: string[] = []): Promise<SimProcess> {
  const s = spawnCellgate([
    'sim', '--platform', platform.url, '--network-token', platform.networkToken, '--tcp', '0',
    '--imei', gateway.imei, '--imsi', gateway.imsi, '--iccid', gateway.iccid, '--latency', 'zero', '--no-stdin', ...extra,
  ]);
  const tcpUrl = (await s.waitFor(/^tcp: (tcp:\/\/\S+)$/m, 20_000))[1]!;
  return { ...s, tcpUrl };
}

/** The device credentials file the agent reads (`--mqtt-credentials`), mode 0600. */
export function writeCredentialsFile(dir: string, gateway: StackGateway, mqttUrl: string): string {
  const path = join(dir, 'credentials.json');
  writeFileSync(path, JSON.stringify({ deviceId: gateway.deviceId, password: gateway.devicePassword, mqttUrl }), { mode: 0o600 });
  return path;
}

export interface AgentProcess extends CellgateProcess {
  healthUrl: string;
}

/**
 * `cellgate agent` on the simulator's TCP serial server, with its health endpoint on a free port,
 * run with the node flags of the shipped systemd unit (`--jitless`, a small semi-space) so every
 * process test exercises the agent as a gateway runs it.
 */
export async function startAgentProcess(options: {
  port: string;
  mqttUrl: string;
  credentials: string;
  dataDir: string;
  extra?: string[];
  launcher?: readonly string[];
}): Promise<AgentProcess> {
  const a = spawnCellgate([
    'agent', '--port', options.port, '--mqtt-url', options.mqttUrl, '--mqtt-credentials', options.credentials,
    '--data-dir', options.dataDir, '--health-port', '0', ...(options.extra ?? []),
  ], { nodeFlags: agentUnitNodeFlags(projectRoot), ...(options.launcher ? { launcher: options.launcher } : {}) });
  const healthUrl = (await a.waitFor(/"url":"(http:\/\/[^"]+)","msg":"health endpoint listening"/, 20_000))[1]!;
  return { ...a, healthUrl };
}

export interface DeviceView {
  status: { online: boolean; registration: { state: string; rat?: string }; session?: { state: string; apn?: string; ipAddress?: string } } | null;
}

export const deviceOf = (api: ApiClient, gateway: StackGateway): Promise<DeviceView> => api.call<DeviceView>('GET', `/_cellgate/devices/${gateway.deviceId}`);

export interface StoredEvent {
  key: string;
  type: string;
  data: Record<string, unknown>;
}

/** Every event the platform applied for the device (all pages), oldest first. */
export async function allDeviceEvents(api: ApiClient, gateway: StackGateway): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await api.call<Array<StoredEvent & { seq: number }>>('GET', `/_cellgate/devices/${gateway.deviceId}/events?limit=1000${after !== undefined ? `&last_evaluated_key=${after}` : ''}`);
    out.push(...page);
    if (page.length < 1000) return out;
    after = page[page.length - 1]!.seq;
  }
}

/** Session events of the SIM (`Created` / `Deleted` / `Modified`), oldest first. */
export async function sessionEventsOf(api: ApiClient, gateway: StackGateway): Promise<string[]> {
  const events = await api.call<Array<{ event: string }>>('GET', `/v1/subscribers/${gateway.imsi}/events/sessions`);
  return [...events].reverse().map((e) => e.event);
}

/** Waits until the SIM's session is up on the platform and the device's retained status says online. */
export async function untilOnline(api: ApiClient, gateway: StackGateway, ms: number): Promise<DeviceView> {
  return until(async () => {
    const sub = await api.call<{ sessionStatus: { online: boolean } | null }>('GET', `/v1/subscribers/${gateway.imsi}`);
    if (!sub.sessionStatus?.online) return undefined;
    const device = await deviceOf(api, gateway);
    return device.status?.online && device.status.session?.state === 'up' ? device : undefined;
  }, ms, 'the gateway online (subscriber session and device status)');
}

/**
 * Sends AT commands straight to the simulator's TCP serial server (only while no agent holds
 * it) and returns the whole exchange.
 */
export async function atExchange(tcpUrl: string, commands: string[]): Promise<string> {
  const { hostname, port } = new URL(tcpUrl);
  // The server takes one client at a time and may not have seen the previous one leave yet:
  // a connection it refuses is closed at once, so try again.
  const socket = await until(async () => {
    const candidate = createConnection(Number(port), hostname);
    await new Promise<void>((resolve, reject) => candidate.once('connect', resolve).once('error', reject));
    await new Promise((r) => setTimeout(r, 50));
    if (candidate.destroyed || candidate.readableEnded) return undefined;
    return candidate;
  }, 5_000, `the serial server at ${tcpUrl}`);
  let out = '';
  socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
  try {
    for (const command of commands) {
      const from = out.length;
      socket.write(`${command}\r`);
      await until(async () => /\r\n(OK|ERROR|\+CME ERROR[^\r]*)\r\n/.test(out.slice(from)), 5_000, `an answer to ${command} (got ${JSON.stringify(out.slice(from))})`);
    }
  } finally {
    await new Promise<void>((resolve) => socket.end(resolve));
    socket.destroy();
  }
  return out;
}

/**
 * A TCP relay between the agent and the broker that can lose the broker → agent direction
 * (`dropDownstream`: the platform receives everything, its acks never arrive) or cut every
 * connection and refuse new ones (`cut`).
 */
export class LossyRelay {
  dropDownstream = false;
  port = 0;
  private refusing = false;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = createConnection(target.port, target.host);
      this.sockets.add(client).add(upstream);
      client.on('data', (d: Buffer) => upstream.write(d));
      upstream.on('data', (d: Buffer) => {
        if (!this.dropDownstream) client.write(d);
      });
      const close = (): void => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
  }

  static async start(target: { host: string; port: number }): Promise<LossyRelay> {
    const relay = new LossyRelay(target);
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    relay.port = (relay.server.address() as { port: number }).port;
    return relay;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.refusing = false;
    this.dropDownstream = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The three processes, provisioned, with the agent started (not yet waited online). */
export interface ProcessStack {
  platform: PlatformProcess;
  api: ApiClient;
  /** The root user's login (to log in again, e.g. after a virtual day expired the token). */
  login: { email: string; password: string };
  gateway: StackGateway;
  sim: SimProcess;
  agent: AgentProcess;
  agentDir: string;
  credentials: string;
  /** Starts (another) agent process on the same data dir, optionally through another MQTT URL. */
  startAgent(mqttUrl?: string, extra?: string[]): Promise<AgentProcess>;
}

export async function startProcessStack(
  options: { agentMqttUrl?: (platform: PlatformProcess) => Promise<string>; agentArgs?: string[]; platformArgs?: string[]; agentLauncher?: readonly string[] } = {},
): Promise<ProcessStack> {
  const root = tempDir('procs');
  const platform = await startPlatformProcess(join(root, 'platform'), options.platformArgs);
  const { api, gateway, login } = await provisionThroughApi(platform.url);
  const sim = await startSimProcess(platform, gateway);
  const agentDir = join(root, 'agent');
  const credentials = writeCredentialsFile(root, gateway, platform.mqttUrl);
  const mqttUrl = options.agentMqttUrl ? await options.agentMqttUrl(platform) : platform.mqttUrl;
  const stack: ProcessStack = {
    platform,
    api,
    login,
    gateway,
    sim,
    agentDir,
    credentials,
    agent: undefined as unknown as AgentProcess,
    async startAgent(url = mqttUrl, extra = options.agentArgs ?? []) {
      stack.agent = await startAgentProcess({ port: sim.tcpUrl, mqttUrl: url, credentials, dataDir: agentDir, extra, ...(options.agentLauncher ? { launcher: options.agentLauncher } : {}) });
      return stack.agent;
    },
  };
  await stack.startAgent();
  return stack;
}
