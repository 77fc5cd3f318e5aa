import { parseArgs, type ParseArgsConfig } from 'node:util';
import { packageVersion } from './version.js';

/**
 * Every `cellgate` subcommand parses its flags the same way: `node:util` parsing of the given
 * config (declare `help: { type: 'boolean', short: 'h' }` in its options); a bad flag prints
 * `<command>: <problem>` and the usage and gives exit code 2; `--help` prints the usage and gives
 * exit code 0; `--version` (accepted by every command) prints `cellgate <version>` and gives exit
 * code 0. Returns the parsed flags, or `{ exit }` for the caller to return at once.
 */
export function parseCommandLine<T extends ParseArgsConfig>(command: string, usage: string, config: T): ReturnType<typeof parseArgs<T>> | { exit: number } {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs({ ...config, options: { ...config.options, version: { type: 'boolean' } } }) as ReturnType<typeof parseArgs<T>>;
  } catch (error) {
    console.error(`${command}: ${(error as Error).message}\n\n${usage}`);
    return { exit: 2 };
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    console.log(usage);
    return { exit: 0 };
  }
  if (values.version) {
    console.log(versionLine());
    return { exit: 0 };
  }
  delete values.version;
  return parsed;
}

/** What `--version` prints. */
export function versionLine(): string {
  return `cellgate ${packageVersion()}`;
}
