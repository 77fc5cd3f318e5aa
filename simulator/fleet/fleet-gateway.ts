/**
 * One gateway of a run as the engine tracks it, and the tally of what happened to the fleet
 * (attach times, reconnects, faults injected and recovered) that the report is built from.
 */
import type { Euicc, SimulatedModemHandle } from '../index.js';
import type { GatewayHost, GatewaySpec, HostLink, HostStateChange } from './gateway-factory.js';

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

export interface Gateway {
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
  pendingFault?: string;
  /** Until when the gateway is kept offline on purpose (coverage loss, reject). */
  heldUntil: number;
  link?: HostLink;
  esim?: GatewayCard;
  /** The IMSI of the SIM / profile in use (changes after an eSIM switch). */
  imsi: string;
}

/** A gateway that has not started yet. */
export function newGateway(spec: GatewaySpec, modem: SimulatedModemHandle, host: GatewayHost, link?: HostLink, esim?: GatewayCard): Gateway {
  return {
    spec, modem, host, intendedStatus: spec.initialStatus, online: false, reconnects: 0, attempts: 0, window: [], maxPerHour: 0, heldUntil: 0,
    imsi: spec.imsi, ...(link ? { link } : {}), ...(esim ? { esim } : {}),
  };
}

/** Connection and fault figures of the whole run; a fault counts as recovered once its gateway is back online. */
export class FleetTally {
  readonly attachTimes: number[] = [];
  readonly injected: Record<string, number> = {};
  readonly recovered: Record<string, number> = {};

  /** Folds one host state change into the gateway's figures. */
  observe(gw: Gateway, change: HostStateChange): void {
    const { online: isOnline, at, attempts } = change;
    for (let n = gw.attempts; n < attempts; n++) {
      gw.window.push(at);
      while (gw.window.length > 0 && gw.window[0]! <= at - HOUR) gw.window.shift();
      gw.maxPerHour = Math.max(gw.maxPerHour, gw.window.length);
    }
    gw.attempts = Math.max(gw.attempts, attempts);
    if (isOnline && !gw.online) {
      if (gw.attachedAt === undefined) {
        gw.attachedAt = at;
        this.attachTimes.push(at - (gw.startedAt ?? at));
      } else gw.reconnects++;
      if (gw.pendingFault && at >= gw.heldUntil) this.credit(gw);
    }
    gw.online = isOnline;
  }

  /** Records a fault on `gw`, which is expected offline until `liftAt`. */
  markFault(gw: Gateway, kind: string, liftAt: number): void {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    gw.pendingFault = kind;
    gw.heldUntil = Math.max(gw.heldUntil, liftAt);
  }

  /** Counts the gateway's pending fault as recovered. */
  credit(gw: Gateway): void {
    this.recovered[gw.pendingFault!] = (this.recovered[gw.pendingFault!] ?? 0) + 1;
    gw.pendingFault = undefined;
  }
}
