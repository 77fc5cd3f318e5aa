import type { DialectName } from './dialects.js';

/** What kind of work a command (or a modem-side event) takes time for. */
export type LatencyKind =
  | 'query' // a read of local state: AT, ATI, +CSQ, +CEREG?
  | 'sim' // a read from the card: +CIMI, +CCID, +CPIN?
  | 'apdu' // one +CGLA / +CSIM exchange with the card
  | 'channel' // +CCHO / +CCHC
  | 'config' // writes to NV: +CGDCONT, +QCFG, +CNMP
  | 'radioOff' // +CFUN=0 / =4
  | 'radioOn' // +CFUN=1 (before it returns OK)
  | 'registration' // from searching to registered / denied
  | 'pdpActivate'
  | 'pdpDeactivate'
  | 'boot' // from power-on (or reset) to RDY
  | 'bootSim'; // from RDY to +CPIN: READY and the rest of the boot URCs

export type LatencyProfile = Readonly<Record<LatencyKind, number>>;

/**
 * Typical times (ms) measured on benches and quoted by vendor manuals (BG96: QIACT up to 150 s,
 * typically 1–3 s on a good cell; SIM7080: CGLA through its SIM driver is slow).
 */
export const LATENCY_PROFILES: Readonly<Record<DialectName, LatencyProfile>> = {
  generic: {
    query: 15, sim: 40, apdu: 60, channel: 80, config: 30, radioOff: 400, radioOn: 200,
    registration: 3000, pdpActivate: 1200, pdpDeactivate: 400, boot: 3000, bootSim: 800,
  },
  bg95: {
    query: 20, sim: 50, apdu: 120, channel: 150, config: 40, radioOff: 800, radioOn: 300,
    registration: 6000, pdpActivate: 2500, pdpDeactivate: 600, boot: 4500, bootSim: 1500,
  },
  bg96: {
    query: 20, sim: 50, apdu: 150, channel: 150, config: 40, radioOff: 900, radioOn: 300,
    registration: 5000, pdpActivate: 2000, pdpDeactivate: 500, boot: 5000, bootSim: 1500,
  },
  sim7080: {
    query: 25, sim: 60, apdu: 900, channel: 400, config: 50, radioOff: 1200, radioOn: 500,
    registration: 8000, pdpActivate: 1500, pdpDeactivate: 700, boot: 6000, bootSim: 2000,
  },
  // EG25-G: RDY about 10 s after power-on, +CPIN/+CFUN the same second (Pine64-Arch#206).
  ec25: {
    query: 20, sim: 50, apdu: 100, channel: 120, config: 40, radioOff: 700, radioOn: 300,
    registration: 4000, pdpActivate: 1500, pdpDeactivate: 500, boot: 10000, bootSim: 500,
  },
  sim7600: {
    query: 20, sim: 50, apdu: 150, channel: 150, config: 40, radioOff: 800, radioOn: 300,
    registration: 5000, pdpActivate: 1500, pdpDeactivate: 500, boot: 12000, bootSim: 1500,
  },
  'sara-r4': {
    query: 30, sim: 80, apdu: 200, channel: 200, config: 60, radioOff: 1500, radioOn: 500,
    registration: 10000, pdpActivate: 3000, pdpDeactivate: 1000, boot: 5000, bootSim: 1000,
  },
  'sara-r5': {
    query: 30, sim: 80, apdu: 200, channel: 200, config: 60, radioOff: 1500, radioOn: 500,
    registration: 8000, pdpActivate: 2500, pdpDeactivate: 800, boot: 5000, bootSim: 1000,
  },
  me910: {
    query: 25, sim: 60, apdu: 150, channel: 150, config: 50, radioOff: 1000, radioOn: 400,
    registration: 8000, pdpActivate: 2000, pdpDeactivate: 700, boot: 6000, bootSim: 1000,
  },
  nrf91: {
    query: 10, sim: 40, apdu: 100, channel: 100, config: 30, radioOff: 500, radioOn: 200,
    registration: 6000, pdpActivate: 500, pdpDeactivate: 300, boot: 800, bootSim: 200,
  },
};

export const ZERO_LATENCY: LatencyProfile = {
  query: 0, sim: 0, apdu: 0, channel: 0, config: 0, radioOff: 0, radioOn: 0,
  registration: 0, pdpActivate: 0, pdpDeactivate: 0, boot: 0, bootSim: 0,
};

/**
 * Turns a profile and a speed factor into waits: `speed` multiplies every latency (1 = like the
 * hardware, 0.1 = ten times faster, 0 = none). A little jitter (±20 %) from the injected random
 * source keeps a fleet from moving in lock-step.
 */
export class LatencyModel {
  constructor(
    private readonly profile: LatencyProfile,
    private readonly speed: number,
    private readonly random: () => number,
  ) {
    if (!Number.isFinite(speed) || speed < 0) throw new RangeError(`speed must be a number >= 0, got ${speed}`);
  }

  delay(kind: LatencyKind): number {
    const base = this.profile[kind] * this.speed;
    if (base <= 0) return 0;
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }
}
