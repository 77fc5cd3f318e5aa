/**
 * `cellgate sim`: runs one simulated modem on a pty and/or a TCP port, with a control interface
 * (stdin, and optionally a TCP or unix control socket) for a person to inject faults.
 */
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { RealClock } from '../common/clock.js';
import { createLogger } from '../common/log.js';
import { RemoteNetworkGate } from './network/remote-gate.js';
import { DIALECT_NAMES, isDialectName, parseQuirkSetting, startSimulatedModem, type ModemQuirks } from './index.js';
import { CONTROL_HELP, executeControl } from './modem/control.js';
import { identitySourceFromDir, type EuiccIdentitySource } from './euicc/euicc-identity.js';
import { parseCommandLine } from '../common/command-line.js';
import { runReplay } from './replay/replay-cli.js';
import { watchStopSignals } from '../common/stop-signals.js';

const USAGE = `usage: cellgate sim [options]

  --dialect <name>      ${DIALECT_NAMES.join(' | ')} (default bg96)
  --imei <15 digits>    --imsi <digits>    --iccid <digits>
  --eid <32 digits>     put a simulated eUICC in the slot (one enabled profile from --iccid/--imsi
                        when it is new); its state persists in --euicc-state <dir>
  --euicc-pki <dir>     the eUICC's certificates: ci.pem (trusted CIs) + eum.pem, and either
                        euicc.pem + euicc.key.pem or eum.key.pem to issue one; the platform's
                        <data-dir>/smdp works as is (default: a test PKI of this process)
  --euicc-root-ds <a>   the eUICC's root SM-DS address (ES10a GetEuiccConfiguredAddresses;
                        default smds.cellgate.invalid: no SM-DS), e.g. the platform's SM-DS
  --quirk <name>=<val>  modem quirk, repeatable: fibocom-fm350 (bare +CCHO), sierra-em7590
                        (session handles), cgla-nospace, no-test-forms, sim-power-cycle (on|off),
                        slow-apdu (<ms>)
  --pty [link]          expose as a pty (optionally at a fixed symlink path); the default
  --tcp <port>          expose as a raw TCP serial server (0 = any free port)
  --host <addr>         address for --tcp (default 127.0.0.1)
  --latency <mode>      realistic | zero (default realistic)
  --speed <factor>      multiplies latencies: 1 hardware-like, 0.1 faster, 0 none
  --control <port|path> also accept control commands on a TCP port or a unix socket
  --platform <url>      ask this platform's network gate (another process) instead of the
                        built-in local one; needs --network-token (or CELLGATE_NETWORK_TOKEN)
  --network-token <t>   the token \`cellgate platform\` prints
  --no-stdin            do not read control commands from stdin
  --replay <file>       serve a recorded session (cellgate agent --record) instead of a simulated
                        module: each command answered as the real module answered it, the recorded
                        timing multiplied by --speed; commands never recorded answer ERROR and are
                        listed on exit (docs/simulator.md, "Record and replay")
  --version             print the version

control commands:
${CONTROL_HELP.replace(/^/gm, '  ')}`;

/** `--pty` takes an optional value, which parseArgs cannot express: split it out first. */
function extractPty(argv: string[]): { argv: string[]; pty: boolean | { link: string } } {
  const out: string[] = [];
  let pty: boolean | { link: string } = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--pty') {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        pty = { link: next };
        i++;
      } else pty = true;
    } else if (arg.startsWith('--pty=')) pty = { link: arg.slice(6) };
    else out.push(arg);
  }
  return { argv: out, pty };
}

export async function run(argv: string[]): Promise<number> {
  const split = extractPty(argv);
  const parsed = parseCommandLine('cellgate sim', USAGE, {
    args: split.argv,
    options: {
      dialect: { type: 'string', default: 'bg96' },
      imei: { type: 'string' },
      imsi: { type: 'string' },
      iccid: { type: 'string' },
      eid: { type: 'string' },
      'euicc-pki': { type: 'string' },
      'euicc-state': { type: 'string' },
      'euicc-root-ds': { type: 'string' },
      quirk: { type: 'string', multiple: true },
      tcp: { type: 'string' },
      host: { type: 'string' },
      latency: { type: 'string', default: 'realistic' },
      speed: { type: 'string', default: '1' },
      control: { type: 'string' },
      platform: { type: 'string' },
      'network-token': { type: 'string' },
      'no-stdin': { type: 'boolean', default: false },
      replay: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const fail = (message: string): number => {
    console.error(`cellgate sim: ${message}`);
    return 2;
  };
  if (!isDialectName(values.dialect)) return fail(`unknown dialect '${values.dialect}' (${DIALECT_NAMES.join(', ')})`);
  if (values.latency !== 'realistic' && values.latency !== 'zero') return fail(`--latency must be realistic or zero`);
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed < 0) return fail(`--speed must be a number >= 0`);
  const tcpPort = values.tcp === undefined ? undefined : Number(values.tcp);
  if (tcpPort !== undefined && !(Number.isInteger(tcpPort) && tcpPort >= 0 && tcpPort < 65536)) return fail('--tcp takes a port number');
  const pty = split.pty || tcpPort === undefined ? split.pty || true : false;
  const quirks: Partial<ModemQuirks> = {};
  for (const token of values.quirk ?? []) {
    const [name = '', value = 'on'] = token.split('=');
    const setting = parseQuirkSetting(name, value);
    if (!setting) return fail(`bad --quirk '${token}' (fibocom-fm350|sierra-em7590|cgla-nospace|no-test-forms|sim-power-cycle[=on|off], slow-apdu=<ms>)`);
    Object.assign(quirks, setting);
  }
  if (values.eid !== undefined && !/^\d{32}$/.test(values.eid)) return fail('--eid takes 32 digits');
  if (values['euicc-pki'] !== undefined && values.eid === undefined) return fail('--euicc-pki needs --eid');
  let pki: EuiccIdentitySource | undefined;
  try {
    pki = values['euicc-pki'] !== undefined ? identitySourceFromDir(values['euicc-pki']) : undefined;
  } catch (error) {
    return fail(`--euicc-pki ${values['euicc-pki']}: ${(error as Error).message}`);
  }

  const logger = createLogger({ name: 'sim', level: process.env.LOG_LEVEL ?? 'warn' });
  if (values.replay !== undefined) {
    return runReplay({
      file: values.replay,
      speed,
      pty,
      ...(tcpPort !== undefined ? { tcp: { port: tcpPort, ...(values.host ? { host: values.host } : {}) } } : {}),
      stdin: !values['no-stdin'],
      logger,
    });
  }
  const networkToken = values['network-token'] ?? process.env.CELLGATE_NETWORK_TOKEN;
  if (values.platform !== undefined && !/^https?:\/\/[^/]+/.test(values.platform)) return fail('--platform takes a URL such as http://127.0.0.1:8080');
  if (values.platform !== undefined && !networkToken) return fail('--platform needs --network-token (or CELLGATE_NETWORK_TOKEN)');
  const remoteGate = values.platform ? new RemoteNetworkGate({ url: values.platform, token: networkToken!, clock: new RealClock(), logger }) : undefined;
  let handle;
  try {
    handle = await startSimulatedModem({
      dialect: values.dialect,
      ...(values.imei ? { imei: values.imei } : {}),
      ...(values.imsi ? { imsi: values.imsi } : {}),
      ...(values.iccid ? { iccid: values.iccid } : {}),
      ...(values.eid
        ? {
            euicc: {
              eid: values.eid,
              ...(values['euicc-state'] ? { stateDir: values['euicc-state'] } : {}),
              ...(pki ? { pki } : {}),
              ...(values['euicc-root-ds'] ? { rootDsAddress: values['euicc-root-ds'] } : {}),
              profiles: values.iccid && values.imsi ? [{ iccid: values.iccid, imsi: values.imsi, enabled: true }] : [],
            },
          }
        : {}),
      quirks,
      latency: values.latency,
      speed,
      logger,
      ...(remoteGate ? { gate: remoteGate } : {}),
      expose: {
        ...(pty ? { pty } : {}),
        ...(tcpPort !== undefined ? { tcp: { port: tcpPort, ...(values.host ? { host: values.host } : {}) } } : {}),
      },
    });
  } catch (error) {
    await remoteGate?.close();
    return fail((error as Error).message);
  }
  const modem = handle.modem;
  if (values.platform) console.log(`network gate: ${values.platform}`);
  console.log(`simulated ${values.dialect} modem, IMEI ${modem.imei}, IMSI ${modem.status().imsi ?? '-'}`);
  if (handle.ptyPath) console.log(`device: ${handle.ptyPath}`);
  if (handle.tcpUrl) console.log(`tcp: ${handle.tcpUrl}`);

  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  let stopping = false;
  let control: Server | undefined;
  let rl: ReturnType<typeof createInterface> | undefined;
  // [choice] 10 s: closing the transports and telling the gate the sessions ended is quick.
  const signals = watchStopSignals({ command: 'cellgate sim', boundMs: 10_000 });
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    rl?.close();
    control?.close();
    await handle.close();
    await remoteGate?.close();
    signals.dispose();
    resolveExit(0);
  };
  void signals.requested.then(() => stop());
  const answer = (line: string): string | undefined => {
    if (/^\s*(quit|exit)\s*$/.test(line)) {
      void stop();
      return 'bye';
    }
    return executeControl(modem, line);
  };

  if (values.control) {
    const target = values.control;
    control = createServer((socket) => {
      const lines = createInterface({ input: socket });
      // readline re-emits the socket's errors (a peer reset); the socket handler below deals with it.
      lines.on('error', () => undefined);
      lines.on('line', (line) => {
        const out = answer(line);
        if (out !== undefined && !socket.destroyed) socket.write(`${out}\n`);
      });
      socket.on('error', () => socket.destroy());
    });
    try {
      await new Promise<void>((resolve, reject) => {
        control!.once('error', reject);
        if (/^\d+$/.test(target)) control!.listen(Number(target), '127.0.0.1', () => resolve());
        else control!.listen(target, () => resolve());
      });
      console.log(`control: ${target}`);
    } catch (error) {
      console.error(`cellgate sim: control socket: ${(error as Error).message}`);
    }
  }
  if (!values['no-stdin']) {
    rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      const out = answer(line);
      if (out) console.log(out);
    });
  }
  console.log("type 'help' for control commands");
  return exited;
}
