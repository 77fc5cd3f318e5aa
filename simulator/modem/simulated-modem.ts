import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { NetworkGate } from '../../platform/contract/network-gate.js';
import { RadioLink, type RadioCell, type RadioEvent, type RegistrationStat } from '../network/radio-link.js';
import { ChannelRelay } from './channel-relay.js';
import { parseCommandLine, type ParsedCommand } from './command-line.js';
import { handleCommand, type Reply } from './commands/index.js';
import { DIALECTS, type DialectName, type DialectProfile } from './dialects.js';
import { cmeText } from './errors.js';
import { LatencyModel, type LatencyKind, type LatencyProfile } from './latency.js';
import {
  defaultPersistent,
  defaultVolatile,
  type LastFailure,
  type PersistentSettings,
  type VolatileSettings,
} from './modem-state.js';
import type { ModemContext, ResetOptions } from './modem-context.js';
import { activate } from './commands/packet.js';
import { resolveQuirks, type ModemQuirks } from './modem-quirks.js';
import { registrationUrcs } from './registration-format.js';
import type { SimCard } from './sim-card.js';
import { SmsStore } from './sms-store.js';
import { receiveSms } from './commands/sms.js';

/** How a modem answers while `garbage` is on: noise before each answer, or noise instead of it. */
export type GarbageMode = 'off' | 'inject' | 'replace';

/** Fault knobs (SPEC §3): each one behaves the way the real failure looks from the serial side. */
export interface ModemFaults {
  /** The device disappears (USB gone) and comes back after `forMs`; optionally the module reboots too. */
  dropPort(forMs: number, options?: { reboot?: boolean }): void;
  /** Stops answering anything (hung firmware) until `unmute()`. */
  mute(): void;
  unmute(): void;
  /** Noise before every answer (`inject`) or instead of it (`replace`); `off` ends it. */
  garbage(mode: GarbageMode): void;
  /** Power-cycles the module: silent, then `RDY`..., unregistered, echo on, settings as after boot. */
  reboot(options?: { dropPortMs?: number }): void;
  /** Coverage lost (`+CEREG: 4` or `2`, bearers dropped) or back (search, then registered). */
  coverage(on: boolean): void;
  /** The network deactivates the PDP context `cid` (all active contexts when omitted). */
  deactivatePdp(cid?: number): void;
  /** The SIM leaves the slot (`+CPIN: NOT READY`) or comes back (`+CPIN: READY`, `+QUSIM: 1`...). */
  removeSim(): void;
  insertSim(sim?: SimCard): void;
  /** The network rejects registration with an EMM cause (3GPP TS 24.301 §9.9.3.9); undefined lifts it. */
  rejectRegistration(emmCause: number | undefined): void;
}

/** What `status()` reports (the control interface's `status`). */
export interface ModemStatus {
  dialect: DialectName;
  imei: string;
  imsi: string | undefined;
  iccid: string | undefined;
  power: 'off' | 'booting' | 'on';
  portPresent: boolean;
  muted: boolean;
  garbage: GarbageMode;
  sim: 'ready' | 'absent' | 'no-profile';
  cfun: number;
  registration: RegistrationStat;
  emmCause: number | undefined;
  coverage: boolean;
  sessions: { cid: number; apn: string; ip: string; sessionId: string }[];
}

export interface SimulatedModemOptions {
  dialect: DialectName;
  imei: string;
  sim: SimCard | undefined;
  gate: NetworkGate;
  clock: Clock;
  logger: Logger;
  latency: LatencyProfile;
  speed: number;
  random: () => number;
  cell?: RadioCell;
  usageReportIntervalMs?: number;
  /** How long a module powered down with `AT+QPOWD` stays off before its power circuit restarts it. */
  powerOffRestartMs?: number;
  /** eUICC-over-AT quirks overriding the dialect's (see `ModemQuirks`). */
  quirks?: Partial<ModemQuirks>;
  /** Answer downlink pings on session addresses (see `RadioLinkOptions.echoResponder`). */
  echoResponder?: boolean;
}

const MAX_LINE = 2048;

/**
 * One simulated cellular module: bytes in from the host, bytes out (echo, responses, URCs), an
 * AT interpreter for its dialect, a radio link decided by the network gate, and fault knobs.
 * Transports (pty, TCP, in-process binding) only move bytes and follow `portPresent`.
 */
export class SimulatedModem implements ModemContext {
  readonly dialect: DialectProfile;
  /** eUICC-over-AT quirks; mutable at run time (the `quirk` control command). */
  readonly quirks: ModemQuirks;
  readonly imei: string;
  readonly radio: RadioLink;
  readonly faults: ModemFaults;
  /** @internal */ readonly clock: Clock;
  /** @internal */ readonly latency: LatencyModel;
  /** @internal */ readonly channels: ChannelRelay;
  /** @internal */ readonly sms = new SmsStore();
  /** @internal */ persistent: PersistentSettings;
  /** @internal */ settings: VolatileSettings;
  /** @internal */ lastFailure: LastFailure;
  /** @internal */ simIdentity: { imsi: string; iccid: string } | undefined;
  /** @internal */ readonly logger: Logger;

  private sim: SimCard | undefined;
  private simUnsubscribe: (() => void) | undefined;
  private pendingRefresh = false;
  private power: 'off' | 'booting' | 'on' = 'off';
  private epoch = 0;
  private present = true;
  private muted = false;
  private garbageMode: GarbageMode = 'off';
  private inputBuffer = '';
  private lastWasCr = false;
  private readonly lines: string[] = [];
  private processing = false;
  private deviceDetach = false;
  private utran = false;
  private readonly outputListeners = new Set<(chunk: Buffer) => void>();
  private readonly portListeners = new Set<(present: boolean) => void>();
  private readonly registrationWaiters = new Set<(stat: RegistrationStat) => void>();
  private readonly timers = new Set<TimerHandle>();
  private closed = false;

  constructor(private readonly options: SimulatedModemOptions) {
    this.dialect = DIALECTS[options.dialect];
    this.persistent = defaultPersistent(this.dialect.contextIds[0]);
    this.quirks = resolveQuirks(this.dialect, options.quirks);
    this.imei = options.imei;
    this.clock = options.clock;
    this.logger = options.logger;
    this.latency = new LatencyModel(options.latency, options.speed, options.random);
    this.settings = defaultVolatile(this.dialect.defaultCmee, this.dialect.bootCfun);
    this.channels = new ChannelRelay(() => this.sim);
    this.radio = new RadioLink({
      gate: options.gate,
      clock: options.clock,
      logger: options.logger,
      ...(options.cell ? { cell: options.cell } : {}),
      registrationDelay: () => this.latency.delay('registration'),
      usageReportIntervalMs: options.usageReportIntervalMs ?? 60_000,
      ...(options.echoResponder ? { echoResponder: true } : {}),
    });
    this.radio.on((event) => this.onRadioEvent(event));
    // The SMSC hands incoming messages to the module only while it is on, with its SIM, registered.
    this.radio.setSmsReceiver((parts) => (this.power === 'on' && this.simState === 'ready' ? receiveSms(this, parts) : 'not-ready'));
    this.sms.onFreed(() => this.radio.smsMemoryAvailable());
    this.attachSim(options.sim);
    this.faults = this.createFaults();
  }

  // ---- host side ---------------------------------------------------------------------------

  /** Bytes written by the host (the agent) to the modem's serial port. */
  write(data: Uint8Array | string): void {
    if (this.closed || !this.present || this.muted || this.power !== 'on') return;
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
    for (const ch of text) this.acceptChar(ch);
    this.pump();
  }

  /** Subscribes to bytes the modem sends to the host. */
  onOutput(listener: (chunk: Buffer) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** For port listings: manufacturer and serial number (the IMEI). */
  get description(): { manufacturer: string; serialNumber: string } {
    return { manufacturer: this.dialect.manufacturer, serialNumber: this.imei };
  }

  /** Whether the serial device exists right now (false while the port is dropped or powered off). */
  get portPresent(): boolean {
    return this.present;
  }

  /** Called with `false` when the device disappears and `true` when it is back. */
  onPortChange(listener: (present: boolean) => void): () => void {
    this.portListeners.add(listener);
    return () => this.portListeners.delete(listener);
  }

  /** Powers the module on (boot URCs follow after the boot latency). */
  start(): void {
    if (this.closed) return;
    void this.boot();
  }

  /** Powers off for good: closes sessions with the gate, stops timers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.epoch++;
    this.clearTimers();
    this.simUnsubscribe?.();
    await this.radio.dispose();
    this.outputListeners.clear();
    this.portListeners.clear();
  }

  /** Counts bytes carried on a data session (the simulated data plane; reported to the gate). */
  addTraffic(cid: number, uplinkBytes: number, downlinkBytes: number): void {
    this.radio.addTraffic(cid, uplinkBytes, downlinkBytes);
  }

  status(): ModemStatus {
    return {
      dialect: this.dialect.name,
      imei: this.imei,
      imsi: this.simIdentity?.imsi,
      iccid: this.simIdentity?.iccid,
      power: this.power,
      portPresent: this.present,
      muted: this.muted,
      garbage: this.garbageMode,
      sim: this.simState,
      cfun: this.settings.cfun,
      registration: this.radio.stat,
      emmCause: this.radio.stat === 3 ? this.radio.emmCause : undefined,
      coverage: this.radio.hasCoverage,
      sessions: this.radio.sessions().map((s) => ({ cid: s.cid, apn: s.apn, ip: s.ueIpAddress, sessionId: s.sessionId })),
    };
  }

  // ---- state the command handlers use -----------------------------------------------------

  /** @internal */
  get simState(): 'ready' | 'absent' | 'no-profile' {
    if (!this.sim) return 'absent';
    return this.simIdentity ? 'ready' : 'no-profile';
  }

  /** @internal */
  get card(): SimCard | undefined {
    return this.sim;
  }

  /** @internal Emits an unsolicited result code. */
  urc(line: string): void {
    this.send(`\r\n${line}\r\n`);
  }

  /** @internal Waits on the modem's clock; false when the module reset in the meantime. */
  async wait(kind: LatencyKind | number): Promise<boolean> {
    const epoch = this.epoch;
    const ms = typeof kind === 'number' ? kind : this.latency.delay(kind);
    if (ms > 0) await this.clock.sleep(ms);
    return epoch === this.epoch && !this.closed;
  }

  /** @internal Registered on UTRAN (2G/3G fallback) rather than E-UTRAN. */
  get onUtran(): boolean {
    return this.utran;
  }

  /**
   * Moves a 2G/3G capable module between E-UTRAN and UTRAN (the `rat` control): the registration
   * reports change as a real module's do (registration-format.ts). False when the profile has no
   * fallback.
   */
  setServingRat(rat: 'eutran' | 'utran'): boolean {
    if (rat === 'utran' && !this.dialect.utranFallback) return false;
    if (this.utran === (rat === 'utran')) return true;
    this.utran = rat === 'utran';
    if (this.power === 'on') for (const line of registrationUrcs(this)) this.urc(line);
    return true;
  }

  /** @internal Current epoch: bumped by every reset, so late async work can tell it is stale. */
  get bootEpoch(): number {
    return this.epoch;
  }

  /** @internal Radio on (CFUN=1) or SIM ready: start searching if both hold. */
  startSearching(): void {
    if (this.settings.cfun !== 1 || !this.simIdentity || this.power !== 'on') return;
    this.deviceDetach = false;
    this.radio.search({ imsi: this.simIdentity.imsi, imei: this.imei });
  }

  /** @internal Device-initiated detach (CFUN=0/4, CGATT=0, COPS=2). */
  async detach(): Promise<void> {
    const wasRegistered = this.radio.registered;
    this.deviceDetach = true;
    await this.radio.detach();
    if (wasRegistered && this.settings.cgerepMode > 0) this.urc('+CGEV: ME DETACH');
  }

  /** @internal Applies a pending SIM refresh (a profile switch) when the radio comes back on. */
  applyPendingRefresh(): void {
    if (!this.pendingRefresh) return;
    this.pendingRefresh = false;
    this.readSimIdentity();
  }

  /** @internal A SIM power cycle (CFUN 0 → 1): the card resets, the modem re-reads the identity. */
  powerCycleSim(): void {
    this.sim?.reset?.();
    this.channels.reset();
    this.pendingRefresh = false;
    this.readSimIdentity();
  }

  /** The card in the slot (the eUICC of an eSIM run), if any. */
  get simCard(): SimCard | undefined {
    return this.sim;
  }

  /** @internal Resolves with the registration outcome once the search ends, or undefined on timeout. */
  waitForRegistration(timeoutMs: number): Promise<RegistrationStat | undefined> {
    const stat = this.radio.stat;
    if (stat !== 2) return Promise.resolve(stat);
    return new Promise((resolve) => {
      const waiter = (next: RegistrationStat): void => {
        if (next === 2) return;
        this.registrationWaiters.delete(waiter);
        this.clock.clearTimeout(timer);
        resolve(next);
      };
      const timer = this.clock.setTimeout(() => {
        this.registrationWaiters.delete(waiter);
        resolve(undefined);
      }, timeoutMs);
      this.registrationWaiters.add(waiter);
    });
  }

  /** @internal Reset by `AT+CFUN=1,1`, a vendor reset or power-down, or the reboot fault. */
  reset(options: ResetOptions = {}): void {
    void this.powerCycle(options);
  }

  /** @internal Runs `fn` later on the modem clock unless the module resets first. */
  later(ms: number, fn: () => void): void {
    const epoch = this.epoch;
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (epoch === this.epoch && !this.closed) fn();
    }, ms);
    this.timers.add(handle);
  }

  // ---- input ---------------------------------------------------------------------------------

  private acceptChar(ch: string): void {
    if (ch === '\r' || ch === '\n') {
      // CR LF from the host ends one line, not two.
      if (ch === '\n' && this.lastWasCr) {
        this.lastWasCr = false;
        return;
      }
      this.lastWasCr = ch === '\r';
      const line = this.inputBuffer;
      this.inputBuffer = '';
      if (line.trim() !== '') this.lines.push(line);
      return;
    }
    this.lastWasCr = false;
    if (ch === '\b' || ch === '\x7f') {
      this.inputBuffer = this.inputBuffer.slice(0, -1);
      return;
    }
    if (ch === '\x1b') {
      this.inputBuffer = '';
      return;
    }
    if (this.inputBuffer.length >= MAX_LINE) return;
    this.inputBuffer += ch;
  }

  private pump(): void {
    if (this.processing) return;
    this.processing = true;
    void (async () => {
      try {
        while (this.lines.length > 0 && this.power === 'on' && !this.closed) {
          const line = this.lines.shift()!;
          await this.execute(line);
        }
      } catch (error) {
        this.logger.error({ err: error }, 'simulated modem failed on a command');
      } finally {
        this.processing = false;
      }
    })();
  }

  private async execute(rawLine: string): Promise<void> {
    const epoch = this.epoch;
    // Line noise before the command (a half-sent previous line) is skipped up to the last `AT`.
    const start = rawLine.search(/AT/i);
    const line = start >= 0 ? rawLine.slice(start) : rawLine;
    if (this.settings.echo) this.send(`${rawLine}\r`);
    if (start < 0 || !/^[\x20-\x7e]*$/.test(line)) {
      if (start >= 0) this.final({ kind: 'error' });
      return;
    }
    const parsed = parseCommandLine(line);
    if (!parsed.ok) {
      this.final({ kind: 'error' });
      return;
    }
    const collected: string[] = [];
    let result: Reply['result'] = { kind: 'ok' };
    const after: (() => void)[] = [];
    for (const command of parsed.commands) {
      const reply = await this.run(command);
      if (epoch !== this.epoch || this.closed) return;
      collected.push(...reply.lines);
      if (reply.after) after.push(reply.after);
      result = reply.result;
      if (result.kind !== 'ok') break;
    }
    if (parsed.commands.length === 0 && !(await this.wait('query'))) return;
    if (this.garbageMode !== 'off') this.send(this.noise());
    if (this.garbageMode === 'replace') return;
    // V.250 §5.7.2: information text is framed by one CR LF before and after the whole block.
    if (collected.length > 0) this.send(`\r\n${collected.join('\r\n')}\r\n`);
    this.final(result);
    for (const fn of after) fn();
  }

  private async run(command: ParsedCommand): Promise<Reply> {
    try {
      return await handleCommand(this, command);
    } catch (error) {
      this.logger.warn({ err: error, command: command.name }, 'command handler threw; answering ERROR');
      return { lines: [], result: { kind: 'error' } };
    }
  }

  private final(result: Reply['result']): void {
    switch (result.kind) {
      case 'ok':
        this.send('\r\nOK\r\n');
        return;
      case 'none':
        return;
      case 'error':
        this.send('\r\nERROR\r\n');
        return;
      case 'cms':
        // 27.005 §3.2.5: numeric, whether CMEE asks for verbose +CME text or not [choice].
        this.send(this.settings.cmee === 0 ? '\r\nERROR\r\n' : `\r\n+CMS ERROR: ${result.code}\r\n`);
        return;
      case 'cme':
        if (this.settings.cmee === 0) this.send('\r\nERROR\r\n');
        else if (this.settings.cmee === 1) this.send(`\r\n+CME ERROR: ${result.code}\r\n`);
        else this.send(`\r\n+CME ERROR: ${cmeText(result.code)}\r\n`);
        return;
    }
  }

  private send(text: string): void {
    if (this.closed || !this.present || this.muted || this.power === 'off') return;
    const chunk = Buffer.from(text, 'latin1');
    for (const listener of [...this.outputListeners]) listener(chunk);
  }

  private noise(): string {
    const length = 3 + Math.floor(this.options.random() * 24);
    let out = '';
    for (let i = 0; i < length; i++) out += String.fromCharCode(Math.floor(this.options.random() * 256));
    return out;
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  private async boot(): Promise<void> {
    this.epoch++;
    const epoch = this.epoch;
    this.power = 'booting';
    this.settings = defaultVolatile(this.dialect.defaultCmee, this.dialect.bootCfun);
    this.sms.resetSettings();
    this.utran = false;
    this.lastFailure = undefined;
    this.inputBuffer = '';
    this.lines.length = 0;
    this.channels.reset();
    this.pendingRefresh = false;
    // A module boot powers the SIM up afresh (UICC reset): an eUICC shows its enabled profile.
    this.sim?.reset?.();
    this.readSimIdentity();
    if (!(await this.wait('boot')) || epoch !== this.epoch) return;
    this.power = 'on';
    for (const urc of this.dialect.bootUrcs) this.urc(urc);
    if (!(await this.wait('bootSim')) || epoch !== this.epoch) return;
    // Modules that announce the SIM at boot (their profile lists +CPIN: READY) also say when it is missing.
    if (this.sim && !(this.dialect.simOffInCfun0 && this.settings.cfun === 0)) {
      for (const urc of this.dialect.simReadyUrcs) this.urc(urc);
    } else if (!this.sim && this.dialect.simReadyUrcs.includes('+CPIN: READY')) {
      this.urc('+CPIN: NOT READY');
    }
    this.startSearching();
    this.pump();
  }

  private async powerCycle(options: ResetOptions): Promise<void> {
    if (this.closed) return;
    if (options.powerDownLine) this.urc(options.powerDownLine);
    this.epoch++;
    this.clearTimers();
    this.power = 'off';
    this.lines.length = 0;
    this.deviceDetach = true;
    await this.radio.detach();
    if (options.dropPortMs !== undefined) this.setPresent(false);
    const epoch = this.epoch;
    const off = options.powerOffFor ?? 0;
    if (off > 0) await this.clock.sleep(off);
    if (epoch !== this.epoch || this.closed) return;
    if (options.dropPortMs !== undefined) {
      const remaining = Math.max(0, options.dropPortMs - off);
      if (remaining > 0) await this.clock.sleep(remaining);
      if (epoch !== this.epoch || this.closed) return;
      this.setPresent(true);
    }
    await this.boot();
  }

  private setPresent(present: boolean): void {
    if (this.present === present) return;
    this.present = present;
    if (!present) {
      this.inputBuffer = '';
      this.lines.length = 0;
    }
    for (const listener of [...this.portListeners]) listener(present);
  }

  private clearTimers(): void {
    for (const handle of this.timers) this.clock.clearTimeout(handle);
    this.timers.clear();
  }

  // ---- SIM ------------------------------------------------------------------------------------

  private attachSim(sim: SimCard | undefined): void {
    this.simUnsubscribe?.();
    this.simUnsubscribe = undefined;
    this.sim = sim;
    this.channels.reset();
    if (sim) this.simUnsubscribe = sim.onRefresh(() => this.onSimRefresh());
  }

  private readSimIdentity(): void {
    const imsi = this.sim?.imsi;
    const iccid = this.sim?.iccid;
    this.simIdentity = imsi && iccid ? { imsi, iccid } : undefined;
  }

  private onSimRefresh(): void {
    if (this.power !== 'on') return;
    // Quirk: firmware that ignores the REFRESH; only a SIM power cycle shows the new profile.
    if (this.quirks.needsSimPowerCycle) return;
    if (this.dialect.simRefresh === 'needs-cfun-cycle') {
      this.pendingRefresh = true;
      return;
    }
    void (async () => {
      const epoch = this.epoch;
      await this.detach();
      if (epoch !== this.epoch) return;
      this.readSimIdentity();
      this.urc(this.dialect.families.includes('quectel') ? '+QUSIM: 1' : '+CPIN: READY');
      this.startSearching();
    })();
  }

  // ---- radio events → URCs ----------------------------------------------------------------

  private onRadioEvent(event: RadioEvent): void {
    if (event.type === 'registration') {
      for (const waiter of [...this.registrationWaiters]) waiter(event.stat);
      // nRF91: the default bearer (context 0) comes up with the attach, no command needed.
      const bearer = this.dialect.defaultBearerCid;
      if (bearer !== undefined && (event.stat === 1 || event.stat === 5) && !this.radio.session(bearer)) {
        const epoch = this.epoch;
        this.later(0, () => {
          if (epoch === this.epoch) void activate(this, bearer);
        });
      }
      if (event.stat === 3 && event.emmCause !== undefined) this.lastFailure = { kind: 'emm', cause: event.emmCause };
      const lostService = event.stat !== 1 && event.stat !== 5;
      for (const line of registrationUrcs(this)) this.urc(line);
      if (lostService && !this.deviceDetach && this.settings.cgerepMode > 0 && this.wasRegistered) this.urc('+CGEV: NW DETACH');
      this.wasRegistered = !lostService;
      return;
    }
    if (this.settings.cgerepMode > 0) this.urc(`+CGEV: NW PDN DEACT ${event.cid}`);
    if (event.cid === this.dialect.defaultBearerCid) {
      // Without its default bearer an LTE UE is not attached: the module registers again (and the bearer comes back).
      const epoch = this.epoch;
      void this.radio.detach().then(() => {
        if (epoch === this.epoch) this.startSearching();
      });
    }
    // The vendor stack's own loss report for the context (docs/modems.md).
    const families = this.dialect.families;
    if (families.includes('quectel')) this.urc(`+QIURC: "pdpdeact",${event.cid}`);
    if (families.includes('simcom-cnact')) this.urc(`+APP PDP: ${event.cid - 1},DEACTIVE`);
    if (families.includes('ublox-psd')) {
      for (const [profile, cid] of this.persistent.psdProfiles) if (cid === event.cid) this.urc(`+UUPSDD: ${profile}`);
    }
  }

  private wasRegistered = false;

  // ---- faults ---------------------------------------------------------------------------------

  private createFaults(): ModemFaults {
    return {
      dropPort: (forMs, options = {}) => {
        if (options.reboot) {
          this.reset({ dropPortMs: forMs });
          return;
        }
        this.setPresent(false);
        const handle = this.clock.setTimeout(() => {
          this.timers.delete(handle);
          if (!this.closed) this.setPresent(true);
        }, forMs);
        this.timers.add(handle);
      },
      mute: () => {
        this.muted = true;
        this.inputBuffer = '';
        this.lines.length = 0;
      },
      unmute: () => {
        this.muted = false;
      },
      garbage: (mode) => {
        this.garbageMode = mode;
      },
      reboot: (options = {}) => this.reset(options.dropPortMs !== undefined ? { dropPortMs: options.dropPortMs } : {}),
      coverage: (on) => {
        if (on) this.radio.regainCoverage();
        else void this.radio.loseCoverage(this.dialect.coverageLossStat);
      },
      deactivatePdp: (cid) => {
        const targets = cid === undefined ? this.radio.sessions().map((s) => s.cid) : [cid];
        for (const target of targets) void this.radio.dropSession(target);
      },
      removeSim: () => {
        if (!this.sim) return;
        this.attachSim(undefined);
        this.simIdentity = undefined;
        if (this.power !== 'on') return;
        this.urc('+CPIN: NOT READY');
        void this.detach();
      },
      insertSim: (sim) => {
        const card = sim ?? this.lastSim;
        if (this.sim || !card) return;
        this.attachSim(card);
        this.readSimIdentity();
        if (this.power !== 'on') return;
        if (!this.dialect.simReadyUrcs.includes('+CPIN: READY')) this.urc('+CPIN: READY');
        for (const urc of this.dialect.simReadyUrcs) if (urc !== 'APP RDY') this.urc(urc);
        this.startSearching();
      },
      rejectRegistration: (emmCause) => this.radio.setRejectOverride(emmCause),
    };
  }

  private get lastSim(): SimCard | undefined {
    return this.options.sim;
  }
}
