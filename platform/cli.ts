import { parseArgs } from 'node:util';
import { createLogger } from '../common/log.js';
import { startPlatform } from './index.js';

const HELP = `usage: cellgate platform [--data-dir DIR] [--port N] [--host HOST]

Runs the platform core: store, scheduler and HTTP API.

  --data-dir DIR   where the SQLite database lives (env CELLGATE_DATA_DIR, default ./.data/platform)
  --port N         HTTP port (env CELLGATE_PORT, default 8080; 0 picks a free one)
  --host HOST      listen address (default 127.0.0.1)
`;

/** `cellgate platform`: runs until SIGINT / SIGTERM, printing the API URL. */
export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    console.error(`cellgate platform: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = Number(values.port ?? process.env.CELLGATE_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`cellgate platform: invalid port '${values.port}'`);
    return 2;
  }
  const dataDir = values['data-dir'] ?? process.env.CELLGATE_DATA_DIR ?? './.data/platform';
  const logger = createLogger({ name: 'platform' });
  const platform = await startPlatform({ dataDir, logger, http: { port, host: values.host ?? '127.0.0.1' } });
  console.log(`cellgate platform listening on ${platform.url} (data in ${dataDir})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await platform.close();
  return 0;
}
