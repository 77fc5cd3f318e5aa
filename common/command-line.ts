import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Every `cellgate` subcommand parses its flags the same way: `node:util` parsing of the given
 * config (declare `help: { type: 'boolean', short: 'h' }` in its options); a bad flag prints
 * `<command>: <problem>` and the usage and gives exit code 2; `--help` prints the usage and gives
 * exit code 0. Returns the parsed flags, or `{ exit }` for the caller to return at once.
 */
export function parseCommandLine<T extends ParseArgsConfig>(command: string, usage: string, config: T): ReturnType<typeof parseArgs<T>> | { exit: number } {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    console.error(`${command}: ${(error as Error).message}\n\n${usage}`);
    return { exit: 2 };
  }
  if ((parsed.values as Record<string, unknown>).help) {
    console.log(usage);
    return { exit: 0 };
  }
  return parsed;
}
