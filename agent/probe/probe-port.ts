/**
 * `cellgate probe` for one port (like `mmcli -m any`, read-only): who holds it, whether it
 * answers AT, and if it does what the module says about itself, its SIM, its registration and
 * signal, and which dialect the agent would drive it with and why. It never writes a setting:
 * no `ATE0`, no `AT+CMEE`, no `AT+CxREG=<n>` — only reads (the eUICC's EID is read over a logical
 * channel that is closed again).
 *
 * A port that does not answer `AT` is told apart by what it says on its own: NMEA sentences
 * (`$GPGSV,...`) make it a GNSS port, binary bytes a diagnostic (QCDM) port, nothing a silent one.
 */
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { createChannel } from '../at/channel.js';
import { transportFor } from '../at/open-transport.js';
import { diagnosePort, type DiagnosisOptions, type PortDiagnosis } from '../at/port-diagnosis.js';
import { RecordingTransport, type SessionRecorder } from '../at/recording.js';
import type { AtChannel, AtCommand, Transport } from '../at/types.js';
import { at } from '../modem/commands.js';
import { chooseDialect } from '../modem/dialects.js';
import { effectiveRegistration, type Registration, type RegistrationDomain } from '../modem/registration.js';
import { parseCfun, parseQengServingCell, type Operator } from '../modem/info-parsers.js';
import { atCommand } from '../modem/commands.js';
import { argsOf } from '../modem/args.js';
import { normaliseIccid, parseIdentity, type PinState, type SignalQuality } from '../modem/parsers.js';
import { AtApduTransport, LpaClient } from '../lpa/index.js';
import { usbInfoOf, type UsbInfo } from './usb-ports.js';

export type PortKind = 'at' | 'nmea' | 'diagnostic' | 'silent' | 'unavailable' | 'skipped';

/** What the probe learnt about one port. */
export interface PortReport {
  readonly port: string;
  readonly kind: PortKind;
  /** Why the port could not be (or was not) opened, and who holds it. */
  readonly diagnosis?: PortDiagnosis;
  readonly usb?: UsbInfo;
  /** A line the port sent on its own (an NMEA sentence), as evidence. */
  readonly sample?: string;
  readonly module?: {
    manufacturer?: string;
    model?: string;
    revision?: string;
    imei?: string;
    sim?: PinState | 'error';
    iccid?: string;
    imsi?: string;
    eid?: string;
    functionality?: number;
    registration?: Registration;
    registrations?: Partial<Record<RegistrationDomain, Registration>>;
    operator?: Operator;
    signal?: SignalQuality;
    servingCell?: ReturnType<typeof parseQengServingCell>;
  };
  /** The dialect the agent would choose, and why. */
  readonly dialect?: { id: string; reason: string };
}

export interface ProbeOptions {
  clock: Clock;
  logger: Logger;
  binding?: BindingInterface;
  /** Listen this long before sending anything (to catch NMEA / diagnostic output), ms. */
  listenMs?: number;
  /** Timeout of each `AT` attempt, ms. */
  atTimeoutMs?: number;
  /** Open a port even when ModemManager holds it (both then talk to the module). */
  force?: boolean;
  /** Reads `/proc` from this root (tests). */
  diagnosis?: DiagnosisOptions;
  /** Records the exchanges of every port probed (`--record`). */
  recorder?: SessionRecorder;
  /** Read the EID over a logical channel (default true). */
  readEid?: boolean;
}

const NMEA = /^\$G[PNLABQ][A-Z]{3},/;

function classifyPassive(bytes: Buffer): { kind: 'nmea' | 'diagnostic'; sample?: string } | undefined {
  if (bytes.length === 0) return undefined;
  const text = bytes.toString('latin1');
  const nmea = text.split(/[\r\n]+/).find((l) => NMEA.test(l));
  if (nmea) return { kind: 'nmea', sample: nmea };
  const binary = [...bytes].filter((b) => (b < 0x20 && b !== 0x0d && b !== 0x0a) || b > 0x7e).length;
  return binary > bytes.length / 4 ? { kind: 'diagnostic' } : undefined;
}

async function optional<T>(channel: AtChannel, command: AtCommand<T>): Promise<T | undefined> {
  try {
    return await channel.send(command);
  } catch {
    return undefined;
  }
}

/** Probes one port; never throws for a port that is missing, busy or silent. */
export async function probePort(port: string, options: ProbeOptions): Promise<PortReport> {
  const isTcp = /^tcp:\/\//i.test(port);
  const usb = isTcp ? undefined : await usbInfoOf(port);
  const base = { port, ...(usb ? { usb } : {}) };
  if (!isTcp) {
    const before = await diagnosePort(port, undefined, options.diagnosis);
    if (before.heldByModemManager && !options.force) return { ...base, kind: 'skipped', diagnosis: before };
  }
  let transport: Transport;
  try {
    const inner = transportFor(port, { ...(options.binding ? { binding: options.binding } : {}) });
    transport = options.recorder ? new RecordingTransport(inner, options.recorder) : inner;
    await transport.open();
  } catch (error) {
    const diagnosis = isTcp ? undefined : await diagnosePort(port, error, options.diagnosis);
    return { ...base, kind: 'unavailable', ...(diagnosis ? { diagnosis } : { diagnosis: { path: port, kind: 'unknown', message: (error as Error).message, hint: '', holders: [], heldByModemManager: false, unreadableProcesses: 0 } }) };
  }
  const passive: Buffer[] = [];
  transport.onData((chunk) => passive.push(Buffer.from(chunk)));
  const channel = createChannel(transport, { clock: options.clock, logger: options.logger, defaultTimeoutMs: 5_000, resyncAttempts: 1, resyncTimeoutMs: 500 });
  try {
    await options.clock.sleep(options.listenMs ?? 300);
    const heard = classifyPassive(Buffer.concat(passive));
    let answered = false;
    for (let i = 0; i < 3 && !answered; i++) {
      answered = await channel.send(at.ping(options.atTimeoutMs ?? 700)).then(() => true, () => false);
    }
    if (!answered) {
      const later = classifyPassive(Buffer.concat(passive)) ?? heard;
      return { ...base, kind: later?.kind ?? 'silent', ...(later?.sample ? { sample: later.sample } : {}) };
    }
    const { module, dialect } = await readModule(channel, options);
    const held = isTcp ? undefined : await diagnosePort(port, undefined, options.diagnosis);
    return { ...base, kind: 'at', module, dialect, ...(held && held.kind !== 'ok' ? { diagnosis: held } : {}) };
  } finally {
    await channel.close().catch(() => undefined);
  }
}

const readRegistrationOf = (domain: RegistrationDomain): AtCommand<Registration> => at.readRegistration(domain);

async function readModule(channel: AtChannel, options: ProbeOptions): Promise<{ module: NonNullable<PortReport['module']>; dialect: { id: string; reason: string } }> {
  const manufacturer = await optional(channel, at.manufacturer());
  let model = await optional(channel, at.model());
  const revision = await optional(channel, at.revision());
  const imei = await optional(channel, at.imei());
  let atiModel: string | undefined;
  if (!model) {
    atiModel = (await optional(channel, at.info()))?.model;
    model = atiModel;
  }
  const { dialect, reason } = chooseDialect(model, atiModel);
  const sim: PinState | 'error' = (await optional(channel, at.pin())) ?? 'error';
  const imsi = sim === 'ready' ? await optional(channel, at.imsi()) : undefined;
  const iccid = (await optional(channel, dialect.iccid)) ?? normaliseIccid(await optional(channel, atCommand('AT+CCID', (r) => parseIdentity(r.lines) ?? '')));
  const functionality = await optional(channel, atCommand('AT+CFUN?', (r) => parseCfun(argsOf(r.lines.find((l) => argsOf(l, '+CFUN') !== undefined) ?? '', '+CFUN') ?? '')));
  const registrations: Partial<Record<RegistrationDomain, Registration>> = {};
  for (const domain of ['eps', 'ps', 'cs'] as const) {
    const reg = await optional(channel, readRegistrationOf(domain));
    if (reg) registrations[domain] = reg;
  }
  const registration = effectiveRegistration(registrations, dialect.registration.length > 0 ? [...dialect.registration, 'cs'] : undefined);
  const operator = await optional(channel, at.operator());
  const signal = await optional(channel, at.signal());
  const servingCell = dialect.id === 'ec25' || dialect.id === 'bg95' || dialect.id === 'bg96'
    ? await optional(channel, atCommand('AT+QENG="servingcell"', (r) => parseQengServingCell(r.lines.flatMap((l) => { const a = argsOf(l, '+QENG'); return a === undefined ? [] : [a]; }))))
    : undefined;
  let eid: string | undefined;
  if (sim === 'ready' && options.readEid !== false) {
    try {
      eid = await new LpaClient(new AtApduTransport(channel, { controlTimeoutMs: 3_000, apduTimeoutMs: 5_000 })).getEid();
    } catch {
      eid = undefined; // a plain SIM, or no channel commands: no EID to show
    }
  }
  const module = {
    ...(manufacturer ? { manufacturer } : {}),
    ...(model ? { model } : {}),
    ...(revision ? { revision } : {}),
    ...(imei ? { imei } : {}),
    sim,
    ...(iccid ? { iccid } : {}),
    ...(imsi ? { imsi } : {}),
    ...(eid ? { eid } : {}),
    ...(functionality !== undefined ? { functionality } : {}),
    ...(registration ? { registration } : {}),
    registrations,
    ...(operator ? { operator } : {}),
    ...(signal ? { signal } : {}),
    ...(servingCell ? { servingCell } : {}),
  };
  return { module, dialect: { id: dialect.id, reason } };
}
