/**
 * `cellgate agent --port /dev/ttyUSB2|tcp://host:port [--apn soracom.io] [--rat lte-m] ...`
 *
 * Runs the agent until SIGTERM or SIGINT, then closes the data session politely and the port.
 * Logs are pino JSON on stdout. Every config key has a flag (docs/agent.md).
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../common/log.js';
import { createAgent } from './agent.js';
import { ConfigError, flagNames, loadConfig } from './config.js';

const usage = `usage: cellgate agent --port <device|tcp://host:port> [options]

  --config <file>        YAML or JSON config file (also CELLGATE_CONFIG)
  --port <spec>          serial device (/dev/ttyUSB2) or tcp://host:port      [CELLGATE_PORT]
  --baud-rate <n>        serial speed (default 115200)                        [CELLGATE_BAUD_RATE]
  --apn <name>           APN (default soracom.io)                             [CELLGATE_APN]
  --user <name>          APN user (default sora)                              [CELLGATE_APN_USER]
  --password <secret>    APN password (default sora)                          [CELLGATE_APN_PASSWORD]
  --auth none|pap|chap   APN authentication (default chap)                    [CELLGATE_APN_AUTH]
  --rat lte-m|nb-iot|lte RAT preference (default lte-m)                       [CELLGATE_RAT]
  --dialect auto|generic|bg95|bg96|sim7080 (default auto)                     [CELLGATE_DIALECT]
  --cereg-mode 2|3       +CEREG reporting (3 adds reject causes; default 3)   [CELLGATE_CEREG_MODE]
  --log-level <level>    pino level (default info)                            [CELLGATE_LOG_LEVEL]
  --<section>-<key> <n>  any timing, e.g. --reconnect-reject-backoff-ms 720000 [CELLGATE_RECONNECT_REJECT_BACKOFF_MS]
                         sections: timings, liveness, reconnect (see docs/agent.md)`;

export async function run(argv: string[]): Promise<number> {
  const options: Record<string, { type: 'string' } | { type: 'boolean' }> = { config: { type: 'string' }, help: { type: 'boolean' } };
  for (const name of flagNames()) options[name] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }) as { values: Record<string, string | boolean | undefined> });
  } catch (error) {
    console.error(`cellgate agent: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
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
  logger.info({ port: config.port, apn: config.session.apn.apn, rat: config.session.rat, dialect: config.session.dialect }, 'agent starting');
  agent.start();

  // The clock's timers are unref'd so they never hold a shutdown; this one holds the process
  // while the agent waits for a device that is not there yet.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'agent stopping');
  await agent.stop();
  clearInterval(keepAlive);
  logger.info({ counters: agent.metrics() }, 'agent stopped');
  return 0;
}
