/**
 * One gateway of a run as the engine tracks it, and the tally of what happened to the fleet
 * (attach times, reconnects, faults, series, traces) that the report is built from.
 */
import type { Euicc, SimulatedModemHandle } from '../index.js';
import { FaultLedger, type FaultHolder } from './fault-ledger.js';
import type { GatewayHost, GatewaySpec, HostDelivery, HostLink, HostStateChange } from './gateway-factory.js';
import { traceStep, type TracedGateway } from './gateway-notes.js';
import { SeriesRecorder } from './series.js';

export const HOUR = 3_600_000;

/** A profile ordered for an eSIM gateway through the platform API. */
export interface OrderedProfile {
  iccid: string;
  imsi: string;
  activationCode: string;
}

/** The two profiles ordered for one eSIM gateway and the order they came from. */
export interface OrderedCard {
  profiles: OrderedProfile[];
  orderId: string;
}

/** The eUICC of an eSIM gateway and its two ordered profiles. */
export interface GatewayCard extends OrderedCard {
  euicc: Euicc;
  eid: string;
}

export interface Gateway extends TracedGateway, FaultHolder {
  spec: GatewaySpec;
  modem: SimulatedModemHandle;
  host: GatewayHost;
  intendedStatus: string;
  startedAt?: number;
  attachedAt?: number;
  online: boolean;
  reconnects: number;
  attempts: number;
  /** Attempt times within the last hour (sliding window). */
  window: number[];
  maxPerHour: number;
  /** Until when the gateway is kept offline on purpose (coverage loss, reject). */
  heldUntil: number;
  link?: HostLink;
  esim?: GatewayCard;
  /** The IMSI of the SIM / profile in use (changes after an eSIM switch). */
  imsi: string;
  /** Device events its outbox accepted: still pending, and gone from it (acknowledged or rejected). */
  events: { pending: Set<string>; left: Set<string> };
  /** eSIM notification keys pending in its outbox (delivered ones are counted in the series). */
  notificationsPending: Set<string>;
}

/** A gateway that has not started yet. */
export function newGateway(spec: GatewaySpec, modem: SimulatedModemHandle, host: GatewayHost, link?: HostLink, esim?: GatewayCard): Gateway {
  return {
    spec, modem, host, intendedStatus: spec.initialStatus, online: false, reconnects: 0, attempts: 0, window: [], maxPerHour: 0, heldUntil: 0,
    imsi: spec.imsi, ...(link ? { link } : {}), ...(esim ? { esim } : {}),
    openFaults: [], faultsHit: 0, faultsUnrecovered: 0, offlineMs: 0, trace: [], traceStartsOnline: false,
    events: { pending: new Set(), left: new Set() }, notificationsPending: new Set(),
  };
}

const ONLINE_STATUSES: readonly string[] = ['active', 'ready'];

/** Whether the gateway's SIM, as the fleet's own actions left it, should let it be online. */
export function shouldBeOnline(gw: Gateway): boolean {
  return ONLINE_STATUSES.includes(gw.intendedStatus);
}

/**
 * What happened to the fleet, as it happens: attach times, reconnects, faults (`FaultLedger`),
 * the series over time and each gateway's trace. The report is built from it.
 */
export class FleetTally {
  readonly attachTimes: number[] = [];
  /** Gateways online now. */
  online = 0;
  private allOnline?: { count: number; reached: () => void };
  readonly faults: FaultLedger;
  readonly series: SeriesRecorder;
  private start = 0;

  /** `recoveryBoundsMs`: per fault kind, also how long after its end a loss is still its doing. */
  constructor(durationMs: number, recoveryBoundsMs: Readonly<Record<string, number>>) {
    this.series = new SeriesRecorder(durationMs);
    this.faults = new FaultLedger((kind) => recoveryBoundsMs[kind] ?? 0);
  }

  /** Calls `reached` once, the first time `count` gateways are online together. */
  whenAllOnline(count: number, reached: () => void): void {
    this.allOnline = { count, reached };
  }

  /** The run's origin (clock time): series and traces count from here. */
  begin(at: number): void {
    this.start = at;
    this.series.begin(at);
  }

  /** Folds one host state change into the gateway's figures. */
  observe(gw: Gateway, change: HostStateChange): void {
    const { online: isOnline, at, attempts } = change;
    for (let n = gw.attempts; n < attempts; n++) {
      gw.window.push(at);
      while (gw.window.length > 0 && gw.window[0]! <= at - HOUR) gw.window.shift();
      gw.maxPerHour = Math.max(gw.maxPerHour, gw.window.length);
    }
    gw.attempts = Math.max(gw.attempts, attempts);
    if (isOnline === gw.online) return;
    gw.online = isOnline;
    this.online += isOnline ? 1 : -1;
    this.series.onlineChanged(isOnline ? 1 : -1, at);
    traceStep(gw, { t: at - this.start, e: isOnline ? 'online' : 'offline' });
    if (isOnline) {
      if (gw.attachedAt === undefined) {
        gw.attachedAt = at;
        this.attachTimes.push(at - (gw.startedAt ?? at));
        this.series.count('attaches', at);
      } else {
        gw.reconnects++;
        this.series.count('reconnects', at);
      }
      if (gw.offlineSince !== undefined) gw.offlineMs += at - gw.offlineSince;
      delete gw.offlineSince;
    } else {
      this.series.count('drops', at);
      if (shouldBeOnline(gw)) gw.offlineSince = at;
    }
    this.series.count('faultsRecovered', at, this.faults.stateChanged(gw, isOnline, at));
    if (this.allOnline && this.online >= this.allOnline.count) {
      const { reached } = this.allOnline;
      this.allOnline = undefined;
      reached();
    }
  }

  /**
   * Records a fault on `gw` (online when it hit), which is expected offline until `liftAt`;
   * `wentDown` when the gateway is already seen offline because of it.
   */
  markFault(gw: Gateway, kind: string, now: number, liftAt: number, wentDown = false): void {
    this.faults.inject(gw, kind, liftAt, wentDown);
    this.series.count('faultsInjected', now);
    traceStep(gw, { t: now - this.start, e: 'fault', kind });
    gw.heldUntil = Math.max(gw.heldUntil, liftAt);
  }

  /** A lasting fault on `gw` was lifted at `at`. */
  lifted(gw: Gateway, at: number): void {
    this.series.count('faultsRecovered', at, this.faults.lifted(gw, at));
  }

  /**
   * The fleet's own action changed what `gw`'s SIM should do (suspend, activate...) at `at`:
   * offline time counts only while it should be online, so a suspension is not "trouble".
   */
  statusChanged(gw: Gateway, at: number): void {
    if (!shouldBeOnline(gw)) delete gw.offlineSince;
    else if (!gw.online && gw.attachedAt !== undefined && gw.offlineSince === undefined) gw.offlineSince = at;
  }

  /** An outbox entry of `gw` was accepted or left the outbox (the agent's `DeliveryChange`). */
  delivery(gw: Gateway, change: HostDelivery, at: number): void {
    if (change.change === 'accepted') {
      if (change.kind === 'event') {
        gw.events.pending.add(change.key);
        this.series.count('eventsAccepted', at);
      } else if (change.kind === 'esim-notification') gw.notificationsPending.add(change.key);
      return;
    }
    if (gw.events.pending.delete(change.key)) {
      gw.events.left.add(change.key);
      if (change.change === 'acknowledged') this.series.count('eventsDelivered', at);
    } else if (gw.notificationsPending.delete(change.key) && change.change === 'acknowledged') this.series.count('notificationsDelivered', at);
  }
}
