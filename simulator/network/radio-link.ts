import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { CellInfo, NetworkGate } from '../../platform/contract/network-gate.js';
import { EchoResponder } from './echo-responder.js';
import { deliverPdus, type SmsPart } from './smsc.js';

/** What the module made of an incoming message (see the modem's `receiveSms`). */
export type SmsReception = 'stored' | 'routed' | 'memory-full' | 'not-ready';

/** A message waiting at the SMSC: from the platform (with its id) or injected by a tester. */
interface PendingSms {
  messageId?: string;
  parts: SmsPart[];
}

/** `<stat>` of `+CREG` / `+CGREG` / `+CEREG` (3GPP TS 27.007 §7.2, §10.1.22). */
export type RegistrationStat = 0 | 1 | 2 | 3 | 4 | 5;

/** The cell the simulated device camps on, and its radio conditions. */
export interface RadioCell {
  mcc: string;
  mnc: string;
  operatorName: string;
  tac: number;
  eci: number;
  band: number;
  earfcn: number;
  pci: number;
  /** dBm */
  rsrp: number;
  /** dB */
  rsrq: number;
  /** dB */
  sinr: number;
  /** dBm */
  rssi: number;
}

export const DEFAULT_CELL: RadioCell = {
  mcc: '440', mnc: '10', operatorName: 'NTT DOCOMO', tac: 0x1a2b, eci: 0x01a2d101, band: 1, earfcn: 300, pci: 302,
  rsrp: -92, rsrq: -10, sinr: 15, rssi: -65,
};

export type RadioType = 'lte-m' | 'nb-iot';

export interface ActiveSession {
  readonly cid: number;
  readonly sessionId: string;
  readonly apn: string;
  readonly ueIpAddress: string;
  readonly dnsServers: readonly string[];
  uplinkBytes: number;
  downlinkBytes: number;
  reportedUplink: number;
  reportedDownlink: number;
}

export type RadioEvent =
  | { type: 'registration'; stat: RegistrationStat; emmCause?: number }
  | { type: 'session-lost'; cid: number; by: 'network' | 'coverage' };

export type SessionOutcome =
  | { ok: true; session: ActiveSession }
  | { ok: false; esmCause: number; permanent: boolean };

export interface RadioLinkOptions {
  gate: NetworkGate;
  clock: Clock;
  logger: Logger;
  cell?: RadioCell;
  /** How long a search takes before the network answers (from the modem's latency model). */
  registrationDelay: () => number;
  /** Interim usage reports, like a Diameter CCR-Update (ms); 0 turns them off. */
  usageReportIntervalMs?: number;
  /** Answer downlink pings on each session address (a UDP socket per session; off for fleets). */
  echoResponder?: boolean;
}

/**
 * The radio side of one simulated modem: registration (searching → home / denied) and data
 * sessions, each decided by the `NetworkGate`, plus coverage and usage accounting. It knows
 * nothing about AT; the modem turns its events into URCs.
 */
export class RadioLink {
  readonly cell: RadioCell;
  radioType: RadioType = 'lte-m';
  private currentStat: RegistrationStat = 0;
  private lastEmmCause: number | undefined;
  private coverage = true;
  private rejectOverride: number | undefined;
  private identity: { imsi: string; imei: string } | undefined;
  private epoch = 0;
  private searchTimer: TimerHandle | undefined;
  private usageTimer: TimerHandle | undefined;
  private readonly active = new Map<number, ActiveSession>();
  private readonly listeners = new Set<(event: RadioEvent) => void>();
  private readonly unsubscribeGate: () => void;
  private readonly unsubscribeSms: () => void;
  private smsReceiver: ((parts: SmsPart[]) => SmsReception) | undefined;
  private readonly pendingSms: PendingSms[] = [];
  private readonly echoes = new Map<number, EchoResponder>();
  private disposed = false;

  constructor(private readonly options: RadioLinkOptions) {
    this.cell = { ...(options.cell ?? DEFAULT_CELL) };
    this.unsubscribeGate = options.gate.onSessionDeleteOrder((order) => {
      if (order.imsi !== this.identity?.imsi) return;
      for (const session of this.active.values()) {
        if (session.sessionId === order.sessionId) void this.loseSession(session.cid, 'network', false);
      }
    });
    this.unsubscribeSms =
      options.gate.onSmsDeliverOrder?.((order) => {
        if (order.imsi !== this.identity?.imsi) return;
        this.pendingSms.push({ messageId: order.messageId, parts: deliverPdus(order) });
        this.flushSms();
      }) ?? (() => undefined);
    this.scheduleUsageReports();
  }

  /** Where incoming messages go (the module); until it is set, messages wait at the SMSC. */
  setSmsReceiver(receiver: (parts: SmsPart[]) => SmsReception): void {
    this.smsReceiver = receiver;
    this.flushSms();
  }

  /** The module freed message memory (TS 24.011 RP-SMMA): the SMSC tries what it held back. */
  smsMemoryAvailable(): void {
    this.flushSms();
  }

  /** A message from another sender (the control interface's `sms`), delivered like the platform's. */
  injectSms(message: { originator: string; encoding: 'gsm7' | 'ucs2'; text: string; sentAt: number; utcOffsetMinutes: number }): number {
    const parts = deliverPdus(message);
    this.pendingSms.push({ parts });
    this.flushSms();
    return parts.length;
  }

  /** Messages waiting at the SMSC for this device. */
  get smsWaiting(): number {
    return this.pendingSms.length;
  }

  /**
   * Delivers waiting messages in order while the device is registered and takes them. [choice]
   * A message the module cannot store waits (store and forward) until memory is freed or the
   * device registers again; nothing is dropped.
   */
  private flushSms(): void {
    while (this.pendingSms.length > 0 && this.registered && this.smsReceiver && !this.disposed) {
      const next = this.pendingSms[0]!;
      const outcome = this.smsReceiver(next.parts);
      if (outcome !== 'stored' && outcome !== 'routed') return;
      this.pendingSms.shift();
      const imsi = this.identity?.imsi;
      if (next.messageId && imsi && this.options.gate.reportSmsDelivery) {
        const report = this.options.gate.reportSmsDelivery.bind(this.options.gate);
        void this.safely(() => report({ imsi, messageId: next.messageId!, outcome: 'delivered' }));
      }
    }
  }

  get stat(): RegistrationStat {
    return this.currentStat;
  }

  get registered(): boolean {
    return this.currentStat === 1 || this.currentStat === 5;
  }

  /** EMM cause of the last registration reject, if the last attempt was rejected. */
  get emmCause(): number | undefined {
    return this.lastEmmCause;
  }

  get hasCoverage(): boolean {
    return this.coverage;
  }

  get imsi(): string | undefined {
    return this.identity?.imsi;
  }

  on(listener: (event: RadioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  cellInfo(): CellInfo {
    return { radioType: this.radioType, mcc: this.cell.mcc, mnc: this.cell.mnc, tac: this.cell.tac, eci: this.cell.eci };
  }

  /** Radio on with a SIM: search, then ask the gate whether this IMSI may attach. */
  search(identity: { imsi: string; imei: string }): void {
    this.identity = identity;
    this.epoch++;
    this.clearSearch();
    if (!this.coverage) {
      this.setStat(this.currentStat === 4 ? 4 : 2);
      return;
    }
    this.setStat(2);
    const epoch = this.epoch;
    this.searchTimer = this.options.clock.setTimeout(() => {
      this.searchTimer = undefined;
      void this.attach(epoch);
    }, this.options.registrationDelay());
  }

  /** Radio off, SIM gone, or detach requested by the device: sessions close, not registered. */
  async detach(): Promise<void> {
    this.epoch++;
    this.clearSearch();
    await this.closeAll('device');
    this.setStat(0);
  }

  /** Coverage lost: bearers drop, the module reports `stat` (4 or 2 per dialect). */
  async loseCoverage(stat: 2 | 4): Promise<void> {
    this.coverage = false;
    this.epoch++;
    this.clearSearch();
    for (const cid of [...this.active.keys()]) await this.loseSession(cid, 'coverage', true);
    if (this.identity && this.currentStat !== 0) this.setStat(stat);
  }

  /** Coverage back: search again if the radio was searching or had been registered. */
  regainCoverage(): void {
    this.coverage = true;
    if (this.identity && this.currentStat !== 0) this.search(this.identity);
  }

  /** A reject cause the network applies to this device regardless of the gate (a fault knob). */
  setRejectOverride(emmCause: number | undefined): void {
    this.rejectOverride = emmCause;
    if (this.identity && this.currentStat !== 0) {
      void (async () => {
        for (const cid of [...this.active.keys()]) await this.loseSession(cid, 'network', true);
        this.search(this.identity!);
      })();
    }
  }

  session(cid: number): ActiveSession | undefined {
    return this.active.get(cid);
  }

  sessions(): ActiveSession[] {
    return [...this.active.values()];
  }

  /** Asks the gate for a PDN connection on `cid`. */
  async openSession(cid: number, apn: string): Promise<SessionOutcome> {
    const existing = this.active.get(cid);
    if (existing) return { ok: true, session: existing };
    if (!this.identity || !this.registered) return { ok: false, esmCause: 38, permanent: false };
    const epoch = this.epoch;
    let decision;
    try {
      decision = await this.options.gate.createSession({ ...this.identity, apn, cell: this.cellInfo() });
    } catch (error) {
      this.options.logger.warn({ err: error }, 'network gate failed to create a session');
      // ESM #38 network failure: what a module reports when the core does not answer.
      return { ok: false, esmCause: 38, permanent: false };
    }
    if (!decision.allowed) return { ok: false, esmCause: decision.esmCause, permanent: decision.permanent };
    if (epoch !== this.epoch || !this.registered) {
      await this.safely(() => this.options.gate.closeSession({ imsi: this.identity!.imsi, sessionId: decision.sessionId, reason: 'device' }));
      return { ok: false, esmCause: 38, permanent: false };
    }
    const session: ActiveSession = {
      cid, sessionId: decision.sessionId, apn, ueIpAddress: decision.ueIpAddress, dnsServers: decision.dnsServers,
      uplinkBytes: 0, downlinkBytes: 0, reportedUplink: 0, reportedDownlink: 0,
    };
    this.active.set(cid, session);
    if (this.options.echoResponder) {
      const echo = new EchoResponder(session.ueIpAddress, this.options.logger);
      this.echoes.set(cid, echo);
      echo.start();
    }
    return { ok: true, session };
  }

  /** The device tears down `cid` (`AT+CGACT=0`, `AT+QIDEACT`, `AT+CNACT=0,0`). */
  async closeSession(cid: number): Promise<void> {
    const session = this.active.get(cid);
    if (!session) return;
    this.active.delete(cid);
    await this.finish(session, 'device');
  }

  /** The network drops `cid` (fault knob): reported to the gate as a network close. */
  async dropSession(cid: number): Promise<boolean> {
    if (!this.active.has(cid)) return false;
    await this.loseSession(cid, 'network', true);
    return true;
  }

  /** Counts bytes carried on `cid` (the simulated data plane). */
  addTraffic(cid: number, uplinkBytes: number, downlinkBytes: number): void {
    const session = this.active.get(cid);
    if (!session) return;
    session.uplinkBytes += uplinkBytes;
    session.downlinkBytes += downlinkBytes;
  }

  /** Stops timers and listeners; closes live sessions with the gate. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.unsubscribeGate();
    this.unsubscribeSms();
    if (this.usageTimer) this.options.clock.clearTimeout(this.usageTimer);
    this.usageTimer = undefined;
    await this.detach();
    this.listeners.clear();
  }

  private async attach(epoch: number): Promise<void> {
    const identity = this.identity;
    if (!identity) return;
    let emmCause = this.rejectOverride;
    if (emmCause === undefined) {
      try {
        const decision = await this.options.gate.attach(identity);
        if (!decision.allowed) emmCause = decision.emmCause;
      } catch (error) {
        this.options.logger.warn({ err: error }, 'network gate failed to answer an attach; searching again');
        if (epoch === this.epoch) this.search(identity);
        return;
      }
    }
    if (epoch !== this.epoch) return;
    if (emmCause !== undefined) {
      this.lastEmmCause = emmCause;
      this.setStat(3, emmCause);
    } else {
      this.lastEmmCause = undefined;
      this.setStat(1);
    }
  }

  private async loseSession(cid: number, by: 'network' | 'coverage', tellGate: boolean): Promise<void> {
    const session = this.active.get(cid);
    if (!session) return;
    this.active.delete(cid);
    this.stopEcho(cid);
    this.emit({ type: 'session-lost', cid, by });
    if (tellGate) await this.finish(session, 'network');
    else await this.reportUsage(session);
  }

  private async closeAll(reason: 'device' | 'network'): Promise<void> {
    const sessions = [...this.active.values()];
    this.active.clear();
    for (const session of sessions) await this.finish(session, reason);
  }

  private async finish(session: ActiveSession, reason: 'device' | 'network'): Promise<void> {
    this.stopEcho(session.cid);
    const imsi = this.identity?.imsi;
    if (!imsi) return;
    await this.reportUsage(session);
    await this.safely(() => this.options.gate.closeSession({ imsi, sessionId: session.sessionId, reason }));
  }

  private async reportUsage(session: ActiveSession): Promise<void> {
    const imsi = this.identity?.imsi;
    const uplinkBytes = session.uplinkBytes - session.reportedUplink;
    const downlinkBytes = session.downlinkBytes - session.reportedDownlink;
    if (!imsi || (uplinkBytes === 0 && downlinkBytes === 0)) return;
    session.reportedUplink = session.uplinkBytes;
    session.reportedDownlink = session.downlinkBytes;
    await this.safely(() => this.options.gate.reportUsage({ imsi, sessionId: session.sessionId, uplinkBytes, downlinkBytes }));
  }

  private scheduleUsageReports(): void {
    const interval = this.options.usageReportIntervalMs ?? 60_000;
    if (interval <= 0 || this.disposed) return;
    this.usageTimer = this.options.clock.setTimeout(() => {
      void (async () => {
        for (const session of [...this.active.values()]) await this.reportUsage(session);
        this.scheduleUsageReports();
      })();
    }, interval);
  }

  private async safely(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'network gate call failed');
    }
  }

  private stopEcho(cid: number): void {
    this.echoes.get(cid)?.close();
    this.echoes.delete(cid);
  }

  private clearSearch(): void {
    if (this.searchTimer) this.options.clock.clearTimeout(this.searchTimer);
    this.searchTimer = undefined;
  }

  private setStat(stat: RegistrationStat, emmCause?: number): void {
    if (stat === this.currentStat && emmCause === undefined) return;
    this.currentStat = stat;
    this.emit({ type: 'registration', stat, ...(emmCause !== undefined ? { emmCause } : {}) });
    if (this.registered) this.flushSms();
  }

  private emit(event: RadioEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
