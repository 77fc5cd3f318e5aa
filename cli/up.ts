/**
 * `cellgate up` (= `npm start`): the whole local stack in one process. The platform (SQLite under
 * the data dir, HTTP API, embedded MQTT broker), N simulated gateways — each a simulated modem on
 * a pty (socat) whose network side is the platform's network gate, driven by a real agent with
 * its MQTT link — and a sandbox operator with one registered SIM and device credentials per
 * gateway. A restart on the same data dir reuses all of it (`<dataDir>/stack.json`).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { createAgent, type Agent } from '../agent/agent.js';
import { resolveConfig } from '../agent/config.js';
import { createLogger } from '../common/log.js';
import { startPlatform, type RunningPlatform } from '../platform/index.js';
import { DIALECT_NAMES, isDialectName, startSimulatedModem } from '../simulator/index.js';
import { ApiClient, provisionGateway, provisionOperator, readStackState, stackImei, writeStackState, type StackState } from './stack-provision.js';
import { parseCommandLine } from '../common/command-line.js';
import { parseIsoInstant } from '../platform/domain/time-travel.js';
import { readPlatformConfigFile, type PlatformFileConfig } from '../platform/config-file.js';

const usage = `usage: cellgate up [options]      (npm start)

Starts the local stack: platform + embedded MQTT broker + simulated gateways (modem on a pty,
driven by the agent), provisions a sandbox operator and SIMs, prints how to reach them.
Ctrl-C stops everything; a restart with the same --data-dir keeps the data.

  --data-dir <dir>     SQLite, agent outboxes, logs, stack.json (default ./.data/stack)
  --port <n>           HTTP API port (default 8080; 0 picks a free one)
  --mqtt-port <n>      MQTT broker port (default 1883; 0 picks a free one)
  --gateways <n>       simulated gateways (default 1)
  --dialect <d>        generic | bg95 | bg96 | sim7080 (default bg96)
  --speed <f>          simulator latency factor, 1 = like hardware (default 0.2)
  --health-port <n>    health/metrics endpoint of gateway 1 on 127.0.0.1 (gateway k: n+k-1)
  --clock real|virtual the platform's rules on the wall clock (default) or on a virtual clock
                       moved by \`cellgate clock advance\` (env CELLGATE_CLOCK; gateways keep
                       real time, docs/time-control.md)
  --start <iso>        where a virtual clock starts in a new data dir (default now)
  --config <file>      the platform's config file: clock, business calendars (docs/platform.md)`;

function intOption(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer ${min}..${max}, got '${value}'`);
  return n;
}

interface Gateway {
  label: string;
  agent: Agent;
  close(): Promise<void>;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('cellgate up', usage, {
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'mqtt-port': { type: 'string' },
      gateways: { type: 'string' },
      dialect: { type: 'string' },
      speed: { type: 'string' },
      'health-port': { type: 'string' },
      clock: { type: 'string' },
      start: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  let port: number, mqttPort: number, count: number, healthPort: number | undefined, speed: number;
  const dialect = (values.dialect as string | undefined) ?? 'bg96';
  let fileConfig: PlatformFileConfig;
  try {
    fileConfig = readPlatformConfigFile((values.config as string | undefined) ?? process.env.CELLGATE_PLATFORM_CONFIG);
  } catch (error) {
    console.error(`cellgate up: ${(error as Error).message}`);
    return 2;
  }
  const clockMode = (values.clock as string | undefined) ?? process.env.CELLGATE_CLOCK ?? fileConfig.clock?.mode ?? 'real';
  const startText = (values.start as string | undefined) ?? fileConfig.clock?.start;
  let start: number | undefined;
  try {
    port = intOption(values.port as string | undefined, 8080, 'port', 0, 65535);
    mqttPort = intOption(values['mqtt-port'] as string | undefined, 1883, 'mqtt-port', 0, 65535);
    count = intOption(values.gateways as string | undefined, 1, 'gateways', 1, 50);
    healthPort = values['health-port'] === undefined ? undefined : intOption(values['health-port'] as string, 0, 'health-port', 0, 65535);
    speed = values.speed === undefined ? 0.2 : Number(values.speed);
    if (!Number.isFinite(speed) || speed < 0) throw new Error(`--speed must be a number ≥ 0, got '${String(values.speed)}'`);
    if (!isDialectName(dialect)) throw new Error(`--dialect must be one of ${DIALECT_NAMES.join(', ')}, got '${dialect}'`);
    if (clockMode !== 'real' && clockMode !== 'virtual') throw new Error(`--clock must be real or virtual, got '${clockMode}'`);
    if (startText !== undefined) {
      start = parseIsoInstant(startText);
      if (start === undefined || clockMode !== 'virtual') throw new Error('--start needs --clock virtual and an ISO 8601 date-time with a zone');
    }
  } catch (error) {
    console.error(`cellgate up: ${(error as Error).message}`);
    return 2;
  }
  const dataDir = resolve((values['data-dir'] as string | undefined) ?? process.env.CELLGATE_DATA_DIR ?? './.data/stack');
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  // The console is for people: JSON logs go to files under the data dir.
  const fileLogger = (name: string) => createLogger({ name, level: process.env.LOG_LEVEL ?? 'info', destination: pino.destination({ dest: join(logDir, `${name}.log`), sync: false, mkdir: true }) });

  const stopSignal = new Promise<NodeJS.Signals>((resolveSignal) => {
    process.once('SIGINT', () => resolveSignal('SIGINT'));
    process.once('SIGTERM', () => resolveSignal('SIGTERM'));
  });
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let platform: RunningPlatform | undefined;
  const gateways: Gateway[] = [];
  let code = 0;
  try {
    platform = await startPlatform({
      dataDir,
      logger: fileLogger('platform'),
      http: { port },
      mqtt: { port: mqttPort },
      config: { businessCalendars: fileConfig.calendars },
      ...(clockMode === 'virtual' ? { virtualTime: start === undefined ? {} : { start } } : {}),
    });
    const api = new ApiClient(platform.url);
    const statePath = join(dataDir, 'stack.json');
    let state: StackState | undefined = readStackState(statePath);
    let base: Omit<StackState, 'gateways'>;
    if (state) {
      base = state;
      console.log(`reusing the stack in ${dataDir} (operator ${state.operatorId})`);
    } else {
      base = await provisionOperator(api);
      state = { ...base, gateways: [] };
      writeStackState(statePath, state);
    }
    const login = await api.login({ email: base.email, password: base.password });
    const seed = base.operatorId.slice(-4);
    while (state.gateways.length < count) {
      state.gateways.push(await provisionGateway(api, base, stackImei(state.gateways.length + 1, seed)));
      writeStackState(statePath, state);
    }

    console.log(
      [
        '',
        'cellgate local stack',
        `  API        ${platform.url}`,
        `  console    ${platform.url}/console/ (the web console: log in with the login below)`,
        `  login      email ${base.email}  password ${base.password}   (POST /v1/auth)`,
        `  API key    X-Soracom-API-Key: ${login.apiKey}`,
        `  token      X-Soracom-Token: ${login.token}`,
        `  auth key   authKeyId ${base.authKeyId}  authKey ${base.authKey}`,
        `  operator   ${base.operatorId}`,
        `  MQTT       ${platform.mqttUrl}`,
        `  metadata   ${platform.url}/v1/subscriber (from a session address)`,
        `  data       ${dataDir} (logs in ${logDir})`,
        ...(clockMode === 'virtual'
          ? [`  clock      virtual, now ${new Date(platform.app.ctx.clock.now()).toISOString()}: cellgate clock advance 30d --platform ${platform.url} --network-token ${platform.networkToken}`]
          : []),
        '',
      ].join('\n'),
    );

    for (const [i, gw] of state.gateways.slice(0, count).entries()) {
      const label = `gateway ${i + 1}`;
      const sim = await startSimulatedModem({ dialect, imei: gw.imei, imsi: gw.imsi, iccid: gw.iccid, gate: platform.gate, speed, expose: { pty: true }, logger: fileLogger(`sim-${gw.deviceId}`) });
      const config = resolveConfig({
        flags: {
          port: sim.ptyPath!,
          'device-id': gw.deviceId,
          'data-dir': join(dataDir, 'agents', gw.deviceId),
          'mqtt-url': platform.mqttUrl,
          'mqtt-password': gw.devicePassword,
          'metadata-url': platform.url,
          'status-interval-ms': '30000',
          ...(healthPort !== undefined ? { 'health-port': String(healthPort === 0 ? 0 : healthPort + i) } : {}),
        },
      });
      const agent = createAgent({ config, logger: fileLogger(`agent-${gw.deviceId}`) });
      agent.onStateChange((change) => {
        const ip = change.to === 'online' && change.status.ip ? ` (ip ${change.status.ip})` : '';
        const why = change.to === 'backoff' && change.status.lastFailure ? ` (${change.status.lastFailure.reason})` : '';
        console.log(`${label}: ${change.from} → ${change.to}${ip}${why}`);
      });
      console.log(`${label}: device ${gw.deviceId}  IMSI ${gw.imsi}  modem ${dialect} on ${sim.ptyPath}`);
      agent.start();
      await agent.ready();
      if (agent.healthUrl) console.log(`${label}: health ${agent.healthUrl}/healthz  metrics ${agent.healthUrl}/metrics`);
      gateways.push({
        label,
        agent,
        close: async () => {
          await agent.stop();
          await sim.close();
        },
      });
    }
    console.log('\nCtrl-C stops the stack.');
    const signal = await stopSignal;
    console.log(`\n${signal}: stopping`);
  } catch (error) {
    console.error(`cellgate up: ${(error as Error).message}`);
    code = 1;
  } finally {
    for (const gw of gateways.reverse()) {
      await gw.close().catch((error: unknown) => console.error(`${gw.label}: ${(error as Error).message}`));
    }
    await platform?.close().catch((error: unknown) => console.error(`platform: ${(error as Error).message}`));
    clearInterval(keepAlive);
  }
  if (code === 0) console.log('stopped cleanly');
  return code;
}
