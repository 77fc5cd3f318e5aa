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
import type { Agent, AgentStopOutcome } from '../agent/agent.js';
import { createLogger } from '../common/log.js';
import { checkPortFree } from '../common/listen-error.js';
import type { RunningPlatform } from '../platform/index.js';
import { DIALECT_NAMES, isDialectName } from '../simulator/modem/dialects.js';
import type { StackState } from './stack-provision.js';
import { parseCommandLine } from '../common/command-line.js';
import { parseIsoInstant } from '../platform/domain/time-travel.js';
import { settleWithin, watchStopSignals, type StopSignals } from '../common/stop-signals.js';
import { checkPublicUrl } from '../platform/app/advertised-urls.js';
import { readPlatformConfigFile, type PlatformFileConfig } from '../platform/config-file.js';

const usage = `usage: cellgate up [options]      (npm start)

Starts the local stack: platform + embedded MQTT broker + simulated gateways (modem on a pty,
driven by the agent), provisions a sandbox operator and SIMs, prints how to reach them.
Ctrl-C stops everything (the agents close their data sessions first; a second Ctrl-C exits at
once); a restart with the same --data-dir keeps the data.

  --data-dir <dir>     SQLite, agent outboxes, logs, stack.json (default ./.data/stack)
  --port <n>           HTTP API port (default 8080; 0 picks a free one)
  --mqtt-port <n>      MQTT broker port (default 1883; 0 picks a free one)
  --smdp-port <n>      the SM-DP+ (ES9+ over HTTPS) port (default 8443, a free one with
                       --port 0; env CELLGATE_SMDP_PORT)
  --smdp-address <a>   the SM-DP+ address in activation codes (default localhost:<smdp-port>;
                       env CELLGATE_SMDP_ADDRESS)
  --smds-port <n>      the SM-DS (ES11 over HTTPS) port (default 8444, a free one with --port 0;
                       env CELLGATE_SMDS_PORT); its address is localhost:<smds-port>
  --gateways <n>       simulated gateways (default 1)
  --dialect <d>        generic | bg95 | bg96 | sim7080 (default bg96)
  --speed <f>          simulator latency factor, 1 = like hardware (default 0.2)
  --health-port <n>    health/metrics endpoint of gateway 1 on 127.0.0.1 (gateway k: n+k-1)
  --clock real|virtual the platform's rules on the wall clock (default) or on a virtual clock
                       moved by \`cellgate clock advance\` (env CELLGATE_CLOCK; gateways keep
                       real time, docs/time-control.md)
  --start <iso>        where a virtual clock starts in a new data dir (default now)
  --config <file>      the platform's config file: clock, business calendars (docs/platform.md)

  --host <addr>        listen address of the API and the broker (default 127.0.0.1)
  --public-url <url>   the API URL clients are told (default from --host)
  --public-mqtt-url <url>  the broker URL devices are told (default from --host)
  --version            print the version`;

/** [choice] A clean stop of everything (agents deactivate, flush for up to 2 s each) fits in this. */
const STOP_BOUND_MS = 25_000;

/** Thrown between start-up steps once a stop was asked for. */
class StopRequested extends Error {}

const SMDP_ADDRESS = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

function intOption(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer ${min}..${max}, got '${value}'`);
  return n;
}

interface Gateway {
  label: string;
  agent: Agent;
  /** Stops the agent (closing its session while the modem is still there), then the modem. */
  close(): Promise<AgentStopOutcome>;
}

export async function run(argv: string[]): Promise<number> {
  // First, before anything slow: a Ctrl-C during start-up is heard and unwinds it.
  const stop = watchStopSignals({ command: 'cellgate up', boundMs: STOP_BOUND_MS });
  try {
    return await runUp(argv, stop);
  } finally {
    stop.dispose();
  }
}

async function runUp(argv: string[], stop: StopSignals): Promise<number> {
  const parsed = parseCommandLine('cellgate up', usage, {
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'mqtt-port': { type: 'string' },
      'smdp-port': { type: 'string' },
      'smdp-address': { type: 'string' },
      'smds-port': { type: 'string' },
      gateways: { type: 'string' },
      dialect: { type: 'string' },
      speed: { type: 'string' },
      'health-port': { type: 'string' },
      clock: { type: 'string' },
      start: { type: 'string' },
      config: { type: 'string' },
      host: { type: 'string' },
      'public-url': { type: 'string' },
      'public-mqtt-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  let port: number, mqttPort: number, smdpPort: number, smdsPort: number, count: number, healthPort: number | undefined, speed: number;
  let publicUrl: string | undefined, publicMqttUrl: string | undefined;
  const dialect = (values.dialect as string | undefined) ?? 'bg96';
  const smdpAddress = (values['smdp-address'] as string | undefined) ?? process.env.CELLGATE_SMDP_ADDRESS;
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
    // As `cellgate platform`: a fixed SM-DP+ port keeps issued activation codes valid across
    // restarts; a stack asked for any free API port takes a free SM-DP+ port too.
    smdpPort = intOption((values['smdp-port'] as string | undefined) ?? process.env.CELLGATE_SMDP_PORT, port === 0 ? 0 : 8443, 'smdp-port', 0, 65535);
    smdsPort = intOption((values['smds-port'] as string | undefined) ?? process.env.CELLGATE_SMDS_PORT, port === 0 ? 0 : 8444, 'smds-port', 0, 65535);
    if (smdpAddress !== undefined && !SMDP_ADDRESS.test(smdpAddress)) throw new Error(`--smdp-address must be host[:port], got '${smdpAddress}'`);
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
    if (values['public-url'] !== undefined) publicUrl = checkPublicUrl(values['public-url'] as string, ['http', 'https'], '--public-url');
    if (values['public-mqtt-url'] !== undefined) publicMqttUrl = checkPublicUrl(values['public-mqtt-url'] as string, ['mqtt', 'mqtts'], '--public-mqtt-url');
  } catch (error) {
    console.error(`cellgate up: ${(error as Error).message}`);
    return 2;
  }
  const dataDir = resolve((values['data-dir'] as string | undefined) ?? process.env.CELLGATE_DATA_DIR ?? './.data/stack');
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  // The console is for people: JSON logs go to files under the data dir.
  const fileLogger = (name: string) => createLogger({ name, level: process.env.LOG_LEVEL ?? 'info', destination: pino.destination({ dest: join(logDir, `${name}.log`), sync: false, mkdir: true }) });

  const host = (values.host as string | undefined) ?? '127.0.0.1';
  try {
    // A taken port ends the command within a second, before the stack is loaded and opened.
    await checkPortFree('HTTP API', host, port);
    await checkPortFree('MQTT broker', host, mqttPort);
    await checkPortFree('SM-DP+', host, smdpPort);
    await checkPortFree('SM-DS', host, smdsPort);
  } catch (error) {
    console.error(`cellgate up: ${(error as Error).message}`);
    return 1;
  }
  const [{ createAgent }, { resolveConfig }, { startPlatform }, { startSimulatedModem }, { ApiClient, provisionGateway, provisionOperator, readStackState, stackImei, writeStackState }] =
    await Promise.all([import('../agent/agent.js'), import('../agent/config.js'), import('../platform/index.js'), import('../simulator/index.js'), import('./stack-provision.js')]);
  let platform: RunningPlatform | undefined;
  const gateways: Gateway[] = [];
  let code = 0;
  const checkpoint = (): void => {
    if (stop.signal) throw new StopRequested();
  };
  try {
    platform = await startPlatform({
      dataDir,
      logger: fileLogger('platform'),
      http: { port, host },
      mqtt: { port: mqttPort, host },
      ...(publicUrl ? { publicUrl } : {}),
      ...(publicMqttUrl ? { publicMqttUrl } : {}),
      smdp: { port: smdpPort, host },
      smds: { port: smdsPort, host },
      config: { businessCalendars: fileConfig.calendars, ...(smdpAddress ? { smdpAddress } : {}) },
      ...(clockMode === 'virtual' ? { virtualTime: start === undefined ? {} : { start } } : {}),
    });
    checkpoint();
    const api = new ApiClient(platform.url);
    const caFile = join(dataDir, 'smdp', 'ci.pem');
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
      checkpoint();
      state.gateways.push(await provisionGateway(api, base, stackImei(state.gateways.length + 1, seed)));
      writeStackState(statePath, state);
    }
    checkpoint();

    console.log(
      [
        '',
        'cellgate local stack',
        `  API        ${platform.publicUrl}`,
        `  console    ${platform.publicUrl}/console/ (the web console: log in with the login below)`,
        `  login      email ${base.email}  password ${base.password}   (POST /v1/auth)`,
        `  API key    X-Soracom-API-Key: ${login.apiKey}`,
        `  token      X-Soracom-Token: ${login.token}`,
        `  auth key   authKeyId ${base.authKeyId}  authKey ${base.authKey}`,
        `  operator   ${base.operatorId}`,
        `  MQTT       ${platform.publicMqttUrl}`,
        ...(platform.smdp
          ? [
              `  SM-DP+     ${platform.smdp.url} (ES9+), address ${platform.smdp.address} in activation codes`,
              `  SM-DP+ CA  ${caFile} (the CI certificate an LPA trusts: lpac, --lpa-es9-ca-file)`,
            ]
          : []),
        ...(platform.smds
          ? [`  SM-DS      ${platform.smds.url} (ES11), address ${platform.smds.address} (a card's root SM-DS: cellgate sim --euicc-root-ds, lpac profile discovery -s)`]
          : []),
        `  metadata   ${platform.publicUrl}/v1/subscriber (from a session address)`,
        `  data       ${dataDir} (logs in ${logDir})`,
        ...(clockMode === 'virtual'
          ? [`  clock      virtual, now ${new Date(platform.app.ctx.clock.now()).toISOString()}: cellgate clock advance 30d --platform ${platform.url} --network-token ${platform.networkToken}`]
          : []),
        '',
      ].join('\n'),
    );

    for (const [i, gw] of state.gateways.slice(0, count).entries()) {
      checkpoint();
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
          // The agent's LPA trusts this stack's SM-DP+ for esim.download / cellgate lpa download.
          'lpa-es9-ca-file': caFile,
          // Notifications naming this SM-DP+ go to the platform over MQTT; others to their own SM-DP+.
          ...(platform.smdp ? { 'lpa-platform-smdp': platform.smdp.address } : {}),
          ...(healthPort !== undefined ? { 'health-port': String(healthPort === 0 ? 0 : healthPort + i) } : {}),
        },
      });
      const agent = createAgent({ config, logger: fileLogger(`agent-${gw.deviceId}`) });
      // Owned from here on: whatever happens next, `finally` stops it.
      gateways.push({
        label,
        agent,
        close: async () => {
          const outcome = await agent.stop();
          await sim.close();
          return outcome;
        },
      });
      agent.onStateChange((change) => {
        const ip = change.to === 'online' && change.status.ip ? ` (ip ${change.status.ip})` : '';
        const why = change.to === 'backoff' && change.status.lastFailure ? ` (${change.status.lastFailure.reason})` : '';
        console.log(`${label}: ${change.from} → ${change.to}${ip}${why}`);
      });
      console.log(`${label}: device ${gw.deviceId}  IMSI ${gw.imsi}  modem ${dialect} on ${sim.ptyPath}`);
      agent.start();
      await agent.ready();
      if (agent.healthUrl) console.log(`${label}: health ${agent.healthUrl}/healthz  metrics ${agent.healthUrl}/metrics`);
    }
    console.log('\nCtrl-C stops the stack.');
    const signal = await stop.requested;
    console.log(`\n${signal}: stopping`);
  } catch (error) {
    if (error instanceof StopRequested) console.log(`\n${stop.signal}: stopping before the stack was up`);
    else {
      // One line: what failed and what to do (a port in use names the port and the flag).
      console.error(`cellgate up: ${(error as Error).message}`);
      code = 1;
    }
  }
  const problems: string[] = [];
  for (const gw of gateways.reverse()) {
    try {
      const outcome = await gw.close();
      for (const problem of outcome.problems) problems.push(`${gw.label}: ${problem}`);
    } catch (error) {
      problems.push(`${gw.label}: ${(error as Error).message}`);
    }
  }
  if (platform) {
    const closing = platform.close();
    if (!(await settleWithin(closing, 5_000))) problems.push('platform: did not close within 5 s');
    else await closing.catch((error: unknown) => problems.push(`platform: ${(error as Error).message}`));
  }
  if (code !== 0) return code;
  if (problems.length === 0) console.log('stopped cleanly');
  else console.log(`stopped, not cleanly: ${problems.join('; ')}`);
  return 0;
}
