/**
 * `cellgate agent --port /dev/ttyUSB2|tcp://host:port [--apn soracom.io] [--rat lte-m] ...`
 *
 * Runs the agent until SIGTERM or SIGINT, then closes the data session politely, flushes the
 * outbox, closes the link and the port. Logs are pino JSON on stdout. Every config key has a
 * flag (docs/agent.md).
 *
 * `cellgate agent metadata`: asks the platform's metadata service for this SIM, from the
 * running agent's session address (read from its health endpoint) or `--local-address`.
 */
import { createLogger } from '../common/log.js';
import { createAgent } from './agent.js';
import { ConfigError, flagNames, loadConfig } from './config.js';
import { fetchMetadata } from './metadata-client.js';
import { parseCommandLine } from '../common/command-line.js';
import { watchStopSignals } from '../common/stop-signals.js';
import { serviceNotifier } from './health/service-notify.js';

/**
 * [choice] How long a stop may take before the process gives up and exits 1: the session's own
 * shutdown bound (`timings.shutdownTimeoutMs`, 5 s) + the outbox flush (2 s) + the link's
 * goodbye (2 s), with room to spare, and under systemd's `TimeoutStopSec=30` so the line lands
 * in the journal before any SIGKILL.
 */
const STOP_BOUND_MS = 20_000;

const usage = `usage: cellgate agent --port <device|tcp://host:port> [options]
       cellgate agent metadata --help

Runs the agent until SIGTERM / SIGINT, then closes the data session, flushes the outbox and
closes the port (within ${STOP_BOUND_MS / 1000} s). Exit code 2: a configuration error.

  --config <file>        YAML or JSON config file (also CELLGATE_CONFIG)
  --port <spec>          serial device (/dev/ttyUSB2) or tcp://host:port      [CELLGATE_PORT]
  --baud-rate <n>        serial speed (default 115200)                        [CELLGATE_BAUD_RATE]
  --apn <name>           APN (default soracom.io)                             [CELLGATE_APN]
  --user <name>          APN user (default sora)                              [CELLGATE_APN_USER]
  --password <secret>    APN password (default sora)                          [CELLGATE_APN_PASSWORD]
  --auth none|pap|chap   APN authentication (default chap)                    [CELLGATE_APN_AUTH]
  --rat lte-m|nb-iot|lte RAT preference (default lte-m)                       [CELLGATE_RAT]
  --dialect auto|generic|bg95|bg96|ec25|sim7080|sim7600|sara-r4|sara-r5|me910|nrf91 (default auto) [CELLGATE_DIALECT]
  --cereg-mode 2|3       +CEREG reporting (3 adds reject causes; default 3)   [CELLGATE_CEREG_MODE]
  --log-level <level>    pino level (default info)                            [CELLGATE_LOG_LEVEL]
  --record <file>        record every AT line, secrets redacted, as JSON lines [CELLGATE_RECORD]
                         (replay it with cellgate sim --replay <file>; docs/simulator.md)
  --device-id <id>       stable device id (default: the modem's IMEI)         [CELLGATE_DEVICE_ID]
  --data-dir <dir>       outbox and applied settings (default ./.data/agent)  [CELLGATE_DATA_DIR]
  --mqtt-url <url>       platform broker, mqtt://host:port (default: no link) [CELLGATE_MQTT_URL]
  --mqtt-credentials <f> device credentials JSON {deviceId,password,mqttUrl}  [CELLGATE_MQTT_CREDENTIALS]
  --mqtt-password <s>    device secret (prefer the credentials file)          [CELLGATE_MQTT_PASSWORD]
  --mqtt-username <id>   must equal the device id                             [CELLGATE_MQTT_USERNAME]
  --health-port <n>      health/metrics endpoint on 127.0.0.1 (default: off)  [CELLGATE_HEALTH_PORT]
  --health-host <addr>   its listen address (default 127.0.0.1)               [CELLGATE_HEALTH_HOST]
  --status-interval-ms <n> status snapshot period (default 60000)           [CELLGATE_STATUS_INTERVAL_MS]
  --metadata-url <url>   platform metadata service, http://host:port          [CELLGATE_METADATA_URL]
  --<section>-<key> <n>  any timing, e.g. --reconnect-reject-backoff-ms 720000 [CELLGATE_RECONNECT_REJECT_BACKOFF_MS]
                         sections: timings, liveness, reconnect (see docs/agent.md)
  --version              print the version`;

const metadataUsage = `usage: cellgate agent metadata --metadata-url <url> [--health-url <url> | --local-address <ip>]

Prints the platform's subscriber metadata for the running agent's session (its IP is read
from --health-url, default http://127.0.0.1:$CELLGATE_HEALTH_PORT).

  --metadata-url <url>    the platform's metadata service                  [CELLGATE_METADATA_URL]
  --health-url <url>      the running agent's health endpoint
  --local-address <ip>    ask from this address instead of the agent's session address`;

async function runMetadata(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('cellgate agent metadata', metadataUsage, {
    args: argv,
    options: { 'metadata-url': { type: 'string' }, 'health-url': { type: 'string' }, 'local-address': { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const baseUrl = (values['metadata-url'] as string | undefined) ?? process.env.CELLGATE_METADATA_URL;
  if (!baseUrl) {
    console.error('cellgate agent metadata: --metadata-url (or CELLGATE_METADATA_URL) is required');
    return 2;
  }
  let localAddress = values['local-address'] as string | undefined;
  if (!localAddress) {
    const port = process.env.CELLGATE_HEALTH_PORT;
    const healthUrl = (values['health-url'] as string | undefined) ?? (port ? `http://127.0.0.1:${port}` : undefined);
    if (!healthUrl) {
      console.error('cellgate agent metadata: give --local-address, or --health-url of the running agent');
      return 2;
    }
    const report = (await fetch(`${healthUrl}/healthz`).then((r) => r.json())) as { ip?: string; online?: boolean };
    if (!report.online || !report.ip) {
      console.error('cellgate agent metadata: the agent has no data session (the service answers only from the session address)');
      return 1;
    }
    localAddress = report.ip;
  }
  try {
    console.log(JSON.stringify(await fetchMetadata({ baseUrl, localAddress }), null, 2));
    return 0;
  } catch (error) {
    console.error(`cellgate agent metadata: ${(error as Error).message}`);
    return 1;
  }
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'metadata') return runMetadata(argv.slice(1));
  const stop = watchStopSignals({ command: 'cellgate agent', boundMs: STOP_BOUND_MS });
  try {
    return await runAgent(argv, stop);
  } finally {
    stop.dispose();
  }
}

async function runAgent(argv: string[], stop: ReturnType<typeof watchStopSignals>): Promise<number> {
  const options: Record<string, { type: 'string' } | { type: 'boolean' }> = { config: { type: 'string' }, help: { type: 'boolean' } };
  for (const name of flagNames()) options[name] = { type: 'string' };
  const parsed = parseCommandLine('cellgate agent', usage, { args: argv, options, strict: true, allowPositionals: false });
  if ('exit' in parsed) return parsed.exit;
  const values: Record<string, string | boolean | undefined> = parsed.values;
  const flags: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(values)) if (k !== 'config' && k !== 'help' && typeof v === 'string') flags[k] = v;

  let config;
  try {
    config = await loadConfig({ ...(typeof values.config === 'string' ? { configPath: values.config } : {}), env: process.env, flags });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }

  const logger = createLogger({ name: 'agent', level: config.logLevel });
  const agent = createAgent({ config, logger });
  logger.info(
    { port: config.port, apn: config.session.apn.apn, rat: config.session.rat, dialect: config.session.dialect, mqtt: config.mqtt?.url ?? null, dataDir: config.dataDir },
    'agent starting',
  );
  agent.start();
  try {
    await agent.ready();
    if (agent.healthUrl) logger.info({ url: agent.healthUrl }, 'health endpoint: /healthz, /metrics');
  } catch (error) {
    // One line for a person (a port in use names the port), then release everything.
    console.error(`cellgate agent: ${(error as Error).message}`);
    logger.error({ err: error }, 'cannot start the health endpoint');
    await agent.stop();
    return 1;
  }

  // Under systemd (Type=notify): ready, a status line per state change, and the watchdog pinged
  // from the health loop while the process is alive and not stopping.
  const notifier = serviceNotifier({ env: process.env, logger });
  const summary = (): string => {
    const status = agent.status();
    return `${status.state}${status.ip ? ` ${status.ip}` : ''}${status.port ? ` — ${status.port.message}` : ''}`;
  };
  let lastStatus = summary();
  const refreshStatus = (): void => {
    const now = summary();
    if (now === lastStatus) return;
    lastStatus = now;
    notifier?.status(now);
  };
  notifier?.ready(lastStatus);
  const offStatus = notifier ? agent.onStateChange(refreshStatus) : () => undefined;
  const watchdog =
    notifier?.watchdogIntervalMs !== undefined
      ? setInterval(() => {
          if (agent.health().reason === 'shutting-down') return;
          notifier.watchdog();
          // A port problem found while waiting in one state shows up here, not only at the next change.
          refreshStatus();
        }, notifier.watchdogIntervalMs)
      : undefined;

  // The clock's timers are unref'd so they never hold a shutdown; this one holds the process
  // while the agent waits for a device that is not there yet.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const signal = await stop.requested;
  logger.info({ signal }, 'agent stopping');
  notifier?.stopping('stopping: closing the data session, flushing the outbox');
  offStatus();
  if (watchdog) clearInterval(watchdog);
  const outcome = await agent.stop();
  clearInterval(keepAlive);
  if (outcome.clean) logger.info({ counters: agent.metrics(), outboxPending: outcome.outboxPending }, 'agent stopped cleanly');
  else logger.warn({ counters: agent.metrics(), outboxPending: outcome.outboxPending, problems: outcome.problems }, `agent stopped, not cleanly: ${outcome.problems.join('; ')}`);
  return 0;
}
