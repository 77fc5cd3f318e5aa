/**
 * Public entry of the modem simulator: start a simulated cellular module of a given dialect and
 * expose it as a pty, a TCP serial server and/or an in-process serialport binding.
 */
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { RealClock, type Clock } from '../common/clock.js';
import { childLogger, silentLogger, type Logger } from '../common/log.js';
import type { NetworkGate } from '../platform/contract/network-gate.js';
import { DIALECT_NAMES, isDialectName, type DialectName } from './modem/dialects.js';
import { simulatedIdentity } from './modem/identities.js';
import { LATENCY_PROFILES, ZERO_LATENCY } from './modem/latency.js';
import { seededRandom } from './seeded-random.js';
import { PlainSim } from './modem/plain-sim.js';
import type { SimCard } from './modem/sim-card.js';
import { SimulatedModem } from './modem/simulated-modem.js';
import type { RadioCell } from './network/radio-link.js';
import { LocalNetworkGate } from './network/local-network-gate.js';
import { Euicc, type EuiccOptions } from './euicc/euicc.js';
import type { ModemQuirks } from './modem/modem-quirks.js';
import { createInProcessBinding, defaultInProcessRegistry, InProcessRegistry } from './transport/in-process-binding.js';
import { PtyTransport } from './transport/pty-transport.js';
import { TcpSerialServer } from './transport/tcp-serial-server.js';
import type { ModemPort } from './transport/modem-port.js';

export { DIALECT_NAMES, isDialectName, type DialectName };
export { LocalNetworkGate, type LocalSession, type SessionRefusal, ANY_IMSI } from './network/local-network-gate.js';
export { RemoteNetworkGate, NetworkGateHttpError, type RemoteNetworkGateOptions } from './network/remote-gate.js';
export { createInProcessBinding, InProcessRegistry };
export { PlainSim };
export { SimulatedModem, type ModemFaults, type ModemStatus, type GarbageMode } from './modem/simulated-modem.js';
export type { SimCard };
export type { RadioCell };
export type { ModemQuirks };
export { parseQuirkSetting } from './modem/modem-quirks.js';
export { Euicc, EuiccError, type EuiccOptions, type InstalledProfileData } from './euicc/index.js';

export interface SimulatedModemOptions {
  dialect: DialectName;
  imei?: string;
  imsi?: string;
  iccid?: string;
  /** The card in the slot; a `PlainSim` with `iccid` / `imsi` when omitted (and no `euicc`). */
  sim?: SimCard;
  /** Put a simulated eUICC in the slot, created from these options (ignored when `sim` is given). */
  euicc?: EuiccOptions;
  /** eUICC-over-AT quirks overriding the dialect's (no space after `+CGLA:`, slow APDUs...). */
  quirks?: Partial<ModemQuirks>;
  /** Who decides attach and sessions; a fresh `LocalNetworkGate` when omitted. */
  gate?: NetworkGate;
  clock?: Clock;
  logger?: Logger;
  /** `realistic` (default) uses the module's latency profile; `zero` answers at once. */
  latency?: 'zero' | 'realistic';
  /** Multiplies every latency: 1 like the hardware (default), 0.1 ten times faster, 0 none. */
  speed?: number;
  expose?: {
    pty?: boolean | { link: string };
    tcp?: { port: number; host?: string };
    inProcess?: boolean;
  };
  /** The cell the device camps on (operator, TAC, signal). */
  cell?: RadioCell;
  /** Interim usage reports to the gate (ms); default 60 s, 0 turns them off. */
  usageReportIntervalMs?: number;
  /** Registry for the in-process binding; the shared default when omitted. */
  registry?: InProcessRegistry;
  /**
   * Answer downlink pings on the session address (a UDP socket per data session). Default: on,
   * except for in-process modems (fleets of thousands, where the sockets would only cost).
   */
  echoResponder?: boolean;
}

export interface SimulatedModemHandle {
  /** The module: `write`, `onOutput`, `status()`, and `faults`. */
  readonly modem: SimulatedModem;
  /** Device path to open with serialport (pty exposure). */
  readonly ptyPath?: string;
  /** `tcp://host:port` (TCP exposure). */
  readonly tcpUrl?: string;
  /** Resolves once the TCP serial server has no client (TCP exposure): it serves one at a time. */
  readonly whenTcpIdle?: () => Promise<void>;
  /** `sim://<imei>` to open through `binding` (in-process exposure). */
  readonly inProcessPath?: string;
  readonly binding?: BindingInterface;
  /** The eUICC in the slot, when it is one (for the provisioning shortcut and inspection). */
  readonly euicc?: Euicc;
  /**
   * Resolves once the module's port is `present` (or absent) and every transport has followed
   * it — the pty exists and its modem side is open, the TCP server listens; or both are gone:
   * what a test awaits around a dropped port instead of polling for the device node.
   */
  whenPort(present: boolean): Promise<void>;
  /** Stops transports (kills socat), closes live sessions with the gate, powers the module off. */
  close(): Promise<void>;
}

let deviceCounter = 0;

/** Where a modem port was exposed. */
export interface Exposed {
  ptyPath?: string;
  tcpUrl?: string;
  whenTcpIdle?: () => Promise<void>;
  inProcessPath?: string;
  binding?: BindingInterface;
}

/**
 * Exposes anything with a modem's byte-level face (a simulated module, a replayed recording) as a
 * pty, a TCP serial server and/or an in-process serialport binding; `closers` gets what undoes it.
 */
export async function exposeModemPort(
  port: ModemPort,
  expose: NonNullable<SimulatedModemOptions['expose']>,
  options: { id: string; logger: Logger; closers: (() => Promise<void>)[]; settlers?: (() => Promise<void>)[]; registry?: InProcessRegistry },
): Promise<Exposed> {
  const { logger, closers } = options;
  const out: Exposed = {};
  if (expose.inProcess) {
    const registry = options.registry ?? defaultInProcessRegistry;
    const path = `sim://${options.id}`;
    const unregister = registry.register(path, port);
    closers.push(async () => unregister());
    out.inProcessPath = path;
    out.binding = createInProcessBinding(registry);
  }
  if (expose.pty) {
    const pty = new PtyTransport(port, { logger, ...(typeof expose.pty === 'object' ? { link: expose.pty.link } : {}) });
    closers.push(() => pty.close());
    options.settlers?.push(() => pty.settled());
    out.ptyPath = await pty.start();
  }
  if (expose.tcp) {
    const tcp = new TcpSerialServer(port, { port: expose.tcp.port, logger, ...(expose.tcp.host ? { host: expose.tcp.host } : {}) });
    closers.push(() => tcp.close());
    options.settlers?.push(() => tcp.settled());
    out.tcpUrl = await tcp.start();
    out.whenTcpIdle = () => tcp.whenIdle();
  }
  return out;
}

/** Starts a simulated module and its transports; the module boots (RDY...) after its boot latency. */
export async function startSimulatedModem(options: SimulatedModemOptions): Promise<SimulatedModemHandle> {
  if (!isDialectName(options.dialect)) {
    throw new Error(`unknown dialect '${String(options.dialect)}' (expected one of ${DIALECT_NAMES.join(', ')})`);
  }
  const defaults = simulatedIdentity(++deviceCounter);
  const imei = options.imei ?? defaults.imei;
  if (!/^\d{15}$/.test(imei)) throw new Error(`invalid IMEI '${imei}' (15 digits)`);
  const sim = options.sim ?? (options.euicc ? new Euicc(options.euicc) : new PlainSim(options.iccid ?? defaults.iccid, options.imsi ?? defaults.imsi));
  const logger = childLogger(options.logger ?? silentLogger(), { imei });
  const speed = options.speed ?? 1;
  const modem = new SimulatedModem({
    dialect: options.dialect,
    imei,
    sim,
    gate: options.gate ?? new LocalNetworkGate(),
    clock: options.clock ?? new RealClock(),
    logger,
    latency: options.latency === 'zero' ? ZERO_LATENCY : LATENCY_PROFILES[options.dialect],
    speed,
    random: seededRandom(Number(imei.slice(-9))),
    ...(options.cell ? { cell: options.cell } : {}),
    ...(options.usageReportIntervalMs !== undefined ? { usageReportIntervalMs: options.usageReportIntervalMs } : {}),
    ...(options.quirks ? { quirks: options.quirks } : {}),
    echoResponder: options.echoResponder ?? !options.expose?.inProcess,
  });

  const closers: (() => Promise<void>)[] = [];
  const settlers: (() => Promise<void>)[] = [];
  const handle: {
    modem: SimulatedModem; ptyPath?: string; tcpUrl?: string; whenTcpIdle?: () => Promise<void>; inProcessPath?: string; binding?: BindingInterface; euicc?: Euicc; whenPort(present: boolean): Promise<void>; close(): Promise<void>;
  } = {
    modem,
    async whenPort(present: boolean) {
      if (modem.portPresent !== present) {
        await new Promise<void>((resolve) => {
          const off = modem.onPortChange((now) => {
            if (now !== present) return;
            off();
            resolve();
          });
        });
      }
      // The transports' listeners ran before this one: their transitions are under way.
      for (const settled of settlers) await settled();
    },
    ...(sim instanceof Euicc ? { euicc: sim } : {}),
    async close() {
      for (const close of closers.splice(0).reverse()) {
        try {
          await close();
        } catch (err) {
          logger.warn({ err }, 'closing a simulator transport failed');
        }
      }
      await modem.close();
    },
  };
  try {
    Object.assign(handle, await exposeModemPort(modem, options.expose ?? {}, { id: imei, logger, closers, settlers, ...(options.registry ? { registry: options.registry } : {}) }));
  } catch (error) {
    await handle.close();
    throw error;
  }
  modem.start();
  return handle;
}
