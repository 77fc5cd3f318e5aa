/**
 * `cellgate <command>`: dispatches to each part's own CLI module, loaded lazily so a gateway
 * running `cellgate agent` never loads the platform or the simulator.
 */
import { versionLine } from '../common/command-line.js';

/**
 * [choice] Once a command has returned, the process ends within this long even if a library left
 * a handle open (a socket, a timer): a finished command must never hang a terminal or a unit.
 */
const EXIT_GRACE_MS = 2_000;
const commands: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  agent: { summary: 'run the device agent against a modem (serial device or tcp://host:port)', load: () => import('../agent/cli.js') },
  probe: { summary: 'find the ports that answer AT and show what the module says (read-only; --json, --record)', load: () => import('../agent/probe-cli.js') },
  lpa: { summary: 'eSIM profiles on a modem directly (bench use; the agent owns the port while it runs)', load: () => import('../agent/lpa-cli.js') },
  platform: { summary: 'run the platform core (store, scheduler, HTTP API)', load: () => import('../platform/cli.js') },
  fleet: { summary: 'run a simulated fleet (modems + agents) against a platform from a scenario file', load: () => import('./fleet.js') },
  up: { summary: 'the local stack: platform, broker, simulated gateways driven by agents (npm start)', load: () => import('./up.js') },
  clock: { summary: 'read or move the virtual clock of a running platform (--clock virtual)', load: () => import('./clock.js') },
  sim: { summary: 'run a simulated modem on a pty, a TCP port, or both', load: () => import('../simulator/cli.js') },
};

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['usage: cellgate <command> [options]', '', 'commands:', ...rows, '', 'Run `cellgate <command> --help` for its options, `cellgate --version` for the version.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(versionLine());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`cellgate: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => exitSoon(code),
  (error: unknown) => {
    console.error(`cellgate: ${error instanceof Error ? error.message : String(error)}`);
    exitSoon(1);
  },
);

function exitSoon(code: number): void {
  process.exitCode = code;
  // Unref'd: a process with nothing left open exits at once, without waiting for it.
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}
