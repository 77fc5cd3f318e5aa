import { createLogger } from '../common/log.js';
import type { RunningPlatform } from './index.js';
import { checkPortFree } from '../common/listen-error.js';
import { settleWithin, watchStopSignals } from '../common/stop-signals.js';
import { checkPublicUrl, isLoopbackHost } from './app/advertised-urls.js';
import { DEFAULT_BROKER_LIMITS, type BrokerLimits } from './broker/limits.js';
import { join } from 'node:path';
import { parseCommandLine } from '../common/command-line.js';
import { parseIsoInstant } from './domain/time-travel.js';
import { readPlatformConfigFile, withCalendarFlags, type PlatformFileConfig } from './config-file.js';
import { copySqliteToPostgres } from './store/copy-sqlite-to-postgres.js';
import { describeStore, openStore } from './store/open-store.js';
import { isPostgresUrl } from './store/postgres-store.js';

/** [choice] How long a stop may take: the store and the broker close in well under a second. */
const STOP_BOUND_MS = 10_000;

const HELP = `usage: cellgate platform [--data-dir DIR | --store URL] [--port N] [--host HOST] [--clock real|virtual [--start ISO]] ...
       cellgate platform migrate --store URL [--from-sqlite DIR]

Runs the platform core: store, scheduler and HTTP API.

  --data-dir DIR   where the SQLite database lives (env CELLGATE_DATA_DIR, default ./.data/platform)
  --store URL      a PostgreSQL database instead, postgres://user:pass@host:5432/db (env
                   CELLGATE_STORE); several platform processes may share it (docs/deployment.md)
  --port N         HTTP port (env CELLGATE_PORT, default 8080; 0 picks a free one)
  --host HOST      listen address of the HTTP API, the embedded broker and the SM-DP+
                   (default 127.0.0.1; 0.0.0.0 for every interface)
  --public-url URL       the API URL clients and devices are told (env CELLGATE_PUBLIC_URL;
                   default from --host: loopback only when --host is loopback)
  --public-mqtt-url URL  the broker URL devices are told in their credentials
                   (env CELLGATE_PUBLIC_MQTT_URL; default from --host, or --mqtt-url)
  --fee-schedule-dir DIR
                   fee schedules g.json and jp.json to bill with (env CELLGATE_FEE_SCHEDULE_DIR,
                   default the shipped platform/fees; see docs/billing.md for the format)
  --mqtt-port N    port of the embedded MQTT broker (env CELLGATE_MQTT_PORT, default 1883; 0 = any)
  --mqtt-max-packet-size BYTES   largest MQTT packet, headers included (default ${DEFAULT_BROKER_LIMITS.maxPacketBytes})
  --mqtt-connect-timeout-ms MS   close a connection that sends no CONNECT (default ${DEFAULT_BROKER_LIMITS.connectTimeoutMs})
  --mqtt-max-connections N       connections at once, 0 = no limit (default ${DEFAULT_BROKER_LIMITS.maxConnections})
  --mqtt-url URL   use an external Mosquitto at URL instead (env CELLGATE_MQTT_URL)
  --mosquitto-dir DIR   rewrite passwd/acl/mosquitto.conf there on every device change
  --mosquitto-pid PID   and send that Mosquitto SIGHUP to reload them
  --smdp-port N    the SM-DP+ (ES9+ over HTTPS) port (default 8443, or any free one with
                   --port 0; env CELLGATE_SMDP_PORT)
  --smdp-address A the SM-DP+ address in activation codes (default localhost:<smdp-port>)
  --smds-port N    the SM-DS (ES11 over HTTPS) port (default 8444, or any free one with
                   --port 0; env CELLGATE_SMDS_PORT); address localhost:<smds-port>
  --mqtt-admin USER     manage device clients live through Mosquitto's dynamic security plugin
                   as USER (password in env CELLGATE_MQTT_ADMIN_PASSWORD); no files, no SIGHUP.
                   Needed with several platform processes (docs/deployment.md)
  --network-token T     token of the remote network gate (env CELLGATE_NETWORK_TOKEN; default
                   a new random one, printed) for \`cellgate sim --platform\`; also the admin
                   credential of the clock API
  --clock real|virtual  run the rules on the wall clock (default) or on a virtual clock that
                   moves only through POST /_cellgate/clock or \`cellgate clock advance\`
                   (env CELLGATE_CLOCK; see docs/time-control.md)
  --start ISO      where a virtual clock starts in a new data dir (env CELLGATE_CLOCK_START,
                   default now); a data dir resumes its saved virtual time
  --config FILE    YAML/JSON with clock and calendars (env CELLGATE_PLATFORM_CONFIG); flags win
  --time-zone-g ZONE, --time-zone-jp ZONE
                   business time zone of a coverage type (defaults UTC, Asia/Tokyo)
  --holidays-g LIST, --holidays-jp LIST
                   its holidays, comma-separated: YYYY-MM-DD, MM-DD (yearly), A..B ranges,
                   japan-public-holidays (defaults: g 01-01,12-25; jp
                   japan-public-holidays,12-29..01-03; docs/transfers-and-esim.md)
`;

const MIGRATE_HELP = `usage: cellgate platform migrate --store URL [--from-sqlite DIR]

Applies the store's schema migrations and exits (the platform also applies them when it starts;
this is for a deployment step that runs before the processes). With --from-sqlite DIR, then
copies the embedded SQLite store of that data directory (DIR/platform.sqlite, the platform
stopped) into the PostgreSQL database, which must hold no platform data yet.

  --store URL        postgres://… (env CELLGATE_STORE), or a SQLite data directory
  --from-sqlite DIR  the data directory to move into PostgreSQL
`;

/** `cellgate platform migrate`: schema migrations, and the SQLite → PostgreSQL move. */
async function migrate(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('cellgate platform migrate', MIGRATE_HELP, {
    args: argv,
    options: { store: { type: 'string' }, 'from-sqlite': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if ('exit' in parsed) return parsed.exit;
  const spec = parsed.values.store ?? process.env.CELLGATE_STORE;
  if (!spec) {
    console.error(`cellgate platform migrate: --store is required\n\n${MIGRATE_HELP}`);
    return 2;
  }
  const from = parsed.values['from-sqlite'];
  if (from && !isPostgresUrl(spec)) {
    console.error('cellgate platform migrate: --from-sqlite needs a postgres:// --store');
    return 2;
  }
  try {
    const store = await openStore(spec, { applicationName: 'cellgate-migrate', poolSize: 1 });
    await store.close();
    console.log(`migrations applied: ${describeStore(spec)}`);
    if (from) {
      const report = await copySqliteToPostgres(join(from, 'platform.sqlite'), spec);
      console.log(`copied ${from}: ${report.documents} documents, ${report.streamRecords} stream records, ${report.jobs} jobs`);
    }
  } catch (error) {
    console.error(`cellgate platform migrate: ${(error as Error).message}`);
    return 1;
  }
  return 0;
}

function integer(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer ${min}..${max}, got '${value}'`);
  return n;
}

/** `cellgate platform`: runs until SIGINT / SIGTERM (then stops within a bound), printing the API URL. */
export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'migrate') return migrate(argv.slice(1));
  const stop = watchStopSignals({ command: 'cellgate platform', boundMs: STOP_BOUND_MS });
  try {
    return await runPlatform(argv, stop);
  } finally {
    stop.dispose();
  }
}

async function runPlatform(argv: string[], stop: ReturnType<typeof watchStopSignals>): Promise<number> {
  const parsed = parseCommandLine('cellgate platform', HELP, {
    args: argv,
    options: { 'data-dir': { type: 'string' }, store: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'fee-schedule-dir': { type: 'string' },
      'mqtt-port': { type: 'string' },
      'mqtt-max-packet-size': { type: 'string' },
      'mqtt-connect-timeout-ms': { type: 'string' },
      'mqtt-max-connections': { type: 'string' },
      'public-url': { type: 'string' },
      'public-mqtt-url': { type: 'string' },
      'mqtt-url': { type: 'string' },
      'mosquitto-dir': { type: 'string' },
      'mosquitto-pid': { type: 'string' },
      'mqtt-admin': { type: 'string' },
      'network-token': { type: 'string' },
      'smdp-port': { type: 'string' },
      'smdp-address': { type: 'string' },
      'smds-port': { type: 'string' },
      clock: { type: 'string' },
      start: { type: 'string' },
      config: { type: 'string' },
      'time-zone-g': { type: 'string' },
      'time-zone-jp': { type: 'string' },
      'holidays-g': { type: 'string' },
      'holidays-jp': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const port = Number(values.port ?? process.env.CELLGATE_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`cellgate platform: invalid port '${values.port}'`);
    return 2;
  }
  let limits: BrokerLimits, publicUrl: string | undefined, publicMqttUrl: string | undefined;
  try {
    limits = {
      // Mosquitto refuses a max_packet_size below 20 bytes.
      maxPacketBytes: integer(values['mqtt-max-packet-size'], DEFAULT_BROKER_LIMITS.maxPacketBytes, '--mqtt-max-packet-size', 20, 268_435_455),
      connectTimeoutMs: integer(values['mqtt-connect-timeout-ms'], DEFAULT_BROKER_LIMITS.connectTimeoutMs, '--mqtt-connect-timeout-ms', 100, 600_000),
      maxConnections: integer(values['mqtt-max-connections'], DEFAULT_BROKER_LIMITS.maxConnections, '--mqtt-max-connections', 0, 10_000_000),
    };
    const publicUrlValue = values['public-url'] ?? process.env.CELLGATE_PUBLIC_URL;
    const publicMqttValue = values['public-mqtt-url'] ?? process.env.CELLGATE_PUBLIC_MQTT_URL;
    publicUrl = publicUrlValue ? checkPublicUrl(publicUrlValue, ['http', 'https'], '--public-url') : undefined;
    publicMqttUrl = publicMqttValue ? checkPublicUrl(publicMqttValue, ['mqtt', 'mqtts'], '--public-mqtt-url') : undefined;
  } catch (error) {
    console.error(`cellgate platform: ${(error as Error).message}`);
    return 2;
  }
  const dataDir = values.store ?? values['data-dir'] ?? process.env.CELLGATE_STORE ?? process.env.CELLGATE_DATA_DIR ?? './.data/platform';
  const logger = createLogger({ name: 'platform' });
  const feeScheduleDir = values['fee-schedule-dir'] ?? process.env.CELLGATE_FEE_SCHEDULE_DIR;
  const mqttUrl = values['mqtt-url'] ?? process.env.CELLGATE_MQTT_URL;
  const mqttPort = Number(values['mqtt-port'] ?? process.env.CELLGATE_MQTT_PORT ?? 1883);
  const mosquittoPid = values['mosquitto-pid'] === undefined ? undefined : Number(values['mosquitto-pid']);
  if (!Number.isInteger(mqttPort) || mqttPort < 0 || mqttPort > 65535 || (mosquittoPid !== undefined && !(Number.isInteger(mosquittoPid) && mosquittoPid > 0))) {
    console.error(`cellgate platform: invalid --mqtt-port or --mosquitto-pid`);
    return 2;
  }
  const mqttAdmin = values['mqtt-admin'] ?? process.env.CELLGATE_MQTT_ADMIN;
  const mqttAdminPassword = process.env.CELLGATE_MQTT_ADMIN_PASSWORD;
  if (mqttAdmin && (!mqttUrl || !mqttAdminPassword)) {
    console.error('cellgate platform: --mqtt-admin needs --mqtt-url and the password in CELLGATE_MQTT_ADMIN_PASSWORD');
    return 2;
  }
  const mqtt = mqttUrl
    ? {
        externalUrl: mqttUrl,
        ...(mqttAdmin && mqttAdminPassword ? { dynamicSecurity: { username: mqttAdmin, password: mqttAdminPassword } } : {}),
        ...(values['mosquitto-dir'] ? { mosquittoDir: values['mosquitto-dir'] } : {}),
        ...(mosquittoPid ? { mosquittoPid } : {}),
        limits,
      }
    : { port: mqttPort, host: values.host ?? '127.0.0.1', limits };
  const networkToken = values['network-token'] ?? process.env.CELLGATE_NETWORK_TOKEN;
  // [choice] The SM-DP+ listens on 8443 by default so activation codes stay valid across restarts;
  // a platform asked for any free API port (--port 0: tests, several instances) takes a free one
  // for the SM-DP+ too, instead of fighting over 8443.
  const smdpPort = Number(values['smdp-port'] ?? process.env.CELLGATE_SMDP_PORT ?? (port === 0 ? 0 : 8443));
  const smdpAddress = values['smdp-address'] ?? process.env.CELLGATE_SMDP_ADDRESS;
  const smdsPort = Number(values['smds-port'] ?? process.env.CELLGATE_SMDS_PORT ?? (port === 0 ? 0 : 8444));
  if (!Number.isInteger(smdsPort) || smdsPort < 0 || smdsPort > 65535) {
    console.error('cellgate platform: --smds-port takes a port');
    return 2;
  }
  if (!Number.isInteger(smdpPort) || smdpPort < 0 || smdpPort > 65535 || (smdpAddress !== undefined && !/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(smdpAddress))) {
    console.error('cellgate platform: --smdp-port takes a port, --smdp-address a host[:port]');
    return 2;
  }
  let fileConfig: PlatformFileConfig;
  let businessCalendars: PlatformFileConfig['calendars'];
  try {
    fileConfig = readPlatformConfigFile(values.config ?? process.env.CELLGATE_PLATFORM_CONFIG);
    businessCalendars = withCalendarFlags(fileConfig.calendars, values);
  } catch (error) {
    console.error(`cellgate platform: ${(error as Error).message}`);
    return 2;
  }
  const clockMode = values.clock ?? process.env.CELLGATE_CLOCK ?? fileConfig.clock?.mode ?? 'real';
  const startText = values.start ?? process.env.CELLGATE_CLOCK_START ?? fileConfig.clock?.start;
  const start = startText === undefined ? undefined : parseIsoInstant(startText);
  if ((clockMode !== 'real' && clockMode !== 'virtual') || (startText !== undefined && (start === undefined || clockMode !== 'virtual'))) {
    console.error(`cellgate platform: --clock must be real or virtual, and --start an ISO 8601 date-time with a zone (2026-01-01T00:00:00Z) used with --clock virtual`);
    return 2;
  }
  const host = values.host ?? '127.0.0.1';
  try {
    // A taken port ends the command within a second, before the store and the rest are loaded.
    await checkPortFree('HTTP API', host, port);
    if (!mqttUrl) await checkPortFree('MQTT broker', host, mqttPort);
    await checkPortFree('SM-DP+ (ES9+)', host, smdpPort);
  } catch (error) {
    console.error(`cellgate platform: ${(error as Error).message}`);
    return 1;
  }
  const { startPlatform } = await import('./index.js');
  let platform: RunningPlatform;
  try {
    // A signal during start-up: the start finishes (it is short), then stops what it started.
    platform = await startPlatform({
      dataDir,
      logger,
      http: { port, host },
      mqtt,
      ...(publicUrl ? { publicUrl } : {}),
      ...(publicMqttUrl ? { publicMqttUrl } : {}),
      ...(networkToken ? { networkToken } : {}),
      ...(clockMode === 'virtual' ? { virtualTime: start === undefined ? {} : { start } } : {}),
      smdp: { port: smdpPort, host },
      smds: { port: smdsPort, host },
      config: { businessCalendars, ...(feeScheduleDir ? { feeScheduleDir } : {}), ...(smdpAddress ? { smdpAddress } : {}) },
    });
  } catch (error) {
    // startPlatform released everything it had started: one line, and out.
    console.error(`cellgate platform: ${(error as Error).message}`);
    const name = (error as Error).name;
    return name === 'FeeScheduleLoadError' || name === 'VirtualTimeError' ? 2 : 1;
  }
  console.log(`cellgate platform listening on ${platform.url} (data in ${describeStore(dataDir)})`);
  console.log(`mqtt: ${platform.mqttUrl}`);
  console.log(`advertised: api ${platform.publicUrl}  mqtt ${platform.publicMqttUrl}${advertisedNote(platform)}`);
  if (platform.smds) console.log(`SM-DS (ES11): ${platform.smds.url}, address ${platform.smds.address}`);
  if (platform.smdp) console.log(`SM-DP+ (ES9+): ${platform.smdp.url}, address ${platform.smdp.address}; CI certificate to trust: ${dataDir}/smdp/ci.pem`);
  console.log(`console: ${platform.url}/console/`);
  if (clockMode === 'virtual') {
    console.log(`clock: virtual, now ${new Date(platform.app.ctx.clock.now()).toISOString()}; it moves only with POST /_cellgate/clock (cellgate clock advance 30d)`);
  }
  // The radio side's credential: a generated one is shown once to the person who started the
  // platform (it is on no log line); one they gave is not echoed, since stdout may be a journal.
  console.log(networkToken ? 'network token: as given (--network-token / CELLGATE_NETWORK_TOKEN)' : `network token: ${platform.networkToken}`);
  await stop.requested;
  if (!(await settleWithin(platform.close(), STOP_BOUND_MS))) {
    console.error(`cellgate platform: did not close within ${STOP_BOUND_MS / 1000} s`);
    return 1;
  }
  return 0;
}

function advertisedNote(platform: RunningPlatform): string {
  const hosts = [platform.publicUrl, platform.publicMqttUrl].filter(Boolean).map((u) => new URL(u).hostname.replace(/^\[|\]$/g, ''));
  return hosts.some(isLoopbackHost) ? '  (loopback: only this machine can use it; see --host, --public-url, --public-mqtt-url)' : '';
}
