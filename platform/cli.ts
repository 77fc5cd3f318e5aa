import { createLogger } from '../common/log.js';
import { startPlatform } from './index.js';
import { join } from 'node:path';
import { parseCommandLine } from '../common/command-line.js';
import { parseIsoInstant } from './domain/time-travel.js';
import { readPlatformConfigFile, withCalendarFlags, type PlatformFileConfig } from './config-file.js';
import { copySqliteToPostgres } from './store/copy-sqlite-to-postgres.js';
import { describeStore, openStore } from './store/open-store.js';
import { isPostgresUrl } from './store/postgres-store.js';

const HELP = `usage: cellgate platform [--data-dir DIR | --store URL] [--port N] [--host HOST] [--clock real|virtual [--start ISO]] ...
       cellgate platform migrate --store URL [--from-sqlite DIR]

Runs the platform core: store, scheduler and HTTP API.

  --data-dir DIR   where the SQLite database lives (env CELLGATE_DATA_DIR, default ./.data/platform)
  --store URL      a PostgreSQL database instead, postgres://user:pass@host:5432/db (env
                   CELLGATE_STORE); several platform processes may share it (docs/deployment.md)
  --port N         HTTP port (env CELLGATE_PORT, default 8080; 0 picks a free one)
  --host HOST      listen address (default 127.0.0.1)
  --fee-schedule-dir DIR
                   fee schedules g.json and jp.json to bill with (env CELLGATE_FEE_SCHEDULE_DIR,
                   default the shipped platform/fees; see docs/billing.md for the format)
  --mqtt-port N    port of the embedded MQTT broker (env CELLGATE_MQTT_PORT, default 1883; 0 = any)
  --mqtt-url URL   use an external Mosquitto at URL instead (env CELLGATE_MQTT_URL)
  --mosquitto-dir DIR   rewrite passwd/acl/mosquitto.conf there on every device change
  --mosquitto-pid PID   and send that Mosquitto SIGHUP to reload them
  --smdp-port N    the SM-DP+ (ES9+ over HTTPS) port (default 8443, or any free one with
                   --port 0; env CELLGATE_SMDP_PORT)
  --smdp-address A the SM-DP+ address in activation codes (default localhost:<smdp-port>)
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

/** `cellgate platform`: runs until SIGINT / SIGTERM, printing the API URL. */
export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'migrate') return migrate(argv.slice(1));
  const parsed = parseCommandLine('cellgate platform', HELP, {
    args: argv,
    options: { 'data-dir': { type: 'string' }, store: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'fee-schedule-dir': { type: 'string' },
      'mqtt-port': { type: 'string' },
      'mqtt-url': { type: 'string' },
      'mosquitto-dir': { type: 'string' },
      'mosquitto-pid': { type: 'string' },
      'mqtt-admin': { type: 'string' },
      'network-token': { type: 'string' },
      'smdp-port': { type: 'string' },
      'smdp-address': { type: 'string' },
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
      }
    : { port: mqttPort, host: values.host ?? '127.0.0.1' };
  const networkToken = values['network-token'] ?? process.env.CELLGATE_NETWORK_TOKEN;
  // [choice] The SM-DP+ listens on 8443 by default so activation codes stay valid across restarts;
  // a platform asked for any free API port (--port 0: tests, several instances) takes a free one
  // for the SM-DP+ too, instead of fighting over 8443.
  const smdpPort = Number(values['smdp-port'] ?? process.env.CELLGATE_SMDP_PORT ?? (port === 0 ? 0 : 8443));
  const smdpAddress = values['smdp-address'] ?? process.env.CELLGATE_SMDP_ADDRESS;
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
  let platform;
  try {
    platform = await startPlatform({
      dataDir,
      logger,
      http: { port, host: values.host ?? '127.0.0.1' },
      mqtt,
      ...(networkToken ? { networkToken } : {}),
      ...(clockMode === 'virtual' ? { virtualTime: start === undefined ? {} : { start } } : {}),
      smdp: { port: smdpPort, host: values.host ?? '127.0.0.1' },
      config: { businessCalendars, ...(feeScheduleDir ? { feeScheduleDir } : {}), ...(smdpAddress ? { smdpAddress } : {}) },
    });
  } catch (error) {
    if ((error as Error).name !== 'FeeScheduleLoadError' && (error as Error).name !== 'VirtualTimeError') throw error;
    console.error(`cellgate platform: ${(error as Error).message}`);
    return 2;
  }
  console.log(`cellgate platform listening on ${platform.url} (data in ${describeStore(dataDir)})`);
  console.log(`mqtt: ${platform.mqttUrl}`);
  if (platform.smdp) console.log(`SM-DP+ (ES9+): ${platform.smdp.url}, address ${platform.smdp.address}; CI certificate to trust: ${dataDir}/smdp/ci.pem`);
  console.log(`console: ${platform.url}/console/`);
  if (clockMode === 'virtual') {
    console.log(`clock: virtual, now ${new Date(platform.app.ctx.clock.now()).toISOString()}; it moves only with POST /_cellgate/clock (cellgate clock advance 30d)`);
  }
  // The radio side's credential: a generated one is shown once to the person who started the
  // platform (it is on no log line); one they gave is not echoed, since stdout may be a journal.
  console.log(networkToken ? 'network token: as given (--network-token / CELLGATE_NETWORK_TOKEN)' : `network token: ${platform.networkToken}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await platform.close();
  return 0;
}
